package dev.llmrotate.testkit;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What a fake server does with one request: answer with a completion, answer with an API error, answer with any body
 * you like, or misbehave at the network level (drop the connection, never answer, stall after the headers).
 *
 * <p>Instances are immutable and may be shared between scripts and threads. The builder-style methods ({@link
 * #withUsage}, {@link #withFinishReason}, {@link #header}, {@link #delay}) return modified copies.
 *
 * <p>A response describes <em>what</em> happens, not the bytes: {@link #ok(String)} and the error factories are
 * rendered in the wire format of the server that sends them. {@link FakeOpenAiServer} renders them as OpenAI Chat
 * Completions objects and OpenAI error objects, and every response it sends has {@code Content-Type:
 * application/json} and an exact {@code Content-Length}.
 *
 * <pre>{@code
 * FakeResponse.ok("hello").withUsage(120, 30, 100, 0)
 * FakeResponse.rateLimited(Duration.ofSeconds(20))
 * FakeResponse.error(400, "invalid_request_error", "context_length_exceeded", "This model's maximum context ...")
 * FakeResponse.serverError().delay(Duration.ofMillis(200))
 * FakeResponse.connectionDrop()
 * }</pre>
 */
public final class FakeResponse {

    /** Prompt tokens reported by {@link #ok(String)}. */
    public static final int DEFAULT_PROMPT_TOKENS = 10;

    /** Completion tokens reported by {@link #ok(String)}. */
    public static final int DEFAULT_COMPLETION_TOKENS = 5;

    private final Body body;
    private final Map<String, String> headers;
    private final Duration delay;

    private FakeResponse(Body body, Map<String, String> headers, Duration delay) {
        this.body = body;
        this.headers = headers;
        this.delay = delay;
    }

    private static FakeResponse of(Body body) {
        return new FakeResponse(body, Map.of(), Duration.ZERO);
    }

    /**
     * A successful completion with this content, 10 prompt tokens, 5 completion tokens and finish reason {@code
     * stop}. The rendered completion echoes the model the request asked for and has a fresh id.
     *
     * @param content the assistant message's text; {@code null} renders as JSON {@code null}
     * @return the response
     */
    public static FakeResponse ok(String content) {
        return ok(content, DEFAULT_PROMPT_TOKENS, DEFAULT_COMPLETION_TOKENS);
    }

    /**
     * A successful completion with this content and token usage (no cached or reasoning tokens) and finish reason
     * {@code stop}.
     *
     * @param content the assistant message's text; {@code null} renders as JSON {@code null}
     * @param promptTokens prompt tokens to report, not negative
     * @param completionTokens completion tokens to report, not negative
     * @return the response
     */
    public static FakeResponse ok(String content, int promptTokens, int completionTokens) {
        return of(Completion.of(content, promptTokens, completionTokens, 0, 0, "stop"));
    }

    /**
     * A copy of this successful completion reporting this usage. The total is {@code prompt + completion}.
     *
     * @param prompt prompt tokens, including cached ones
     * @param completion completion tokens, including reasoning ones
     * @param cached prompt tokens served from the provider's cache, at most {@code prompt}
     * @param reasoning completion tokens spent on reasoning, at most {@code completion}
     * @return the modified copy
     * @throws IllegalArgumentException if a count is negative or a detail count exceeds its total
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withUsage(int prompt, int completion, int cached, int reasoning) {
        Completion c = completion("withUsage");
        return new FakeResponse(
                Completion.of(c.content(), prompt, completion, cached, reasoning, c.finishReason()), headers, delay);
    }

    /**
     * A copy of this successful completion with another finish reason. OpenAI's values are {@code stop}, {@code
     * length}, {@code content_filter} and {@code tool_calls}; any non-blank string is accepted.
     *
     * @param reason the {@code finish_reason} to report
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withFinishReason(String reason) {
        Objects.requireNonNull(reason, "reason");
        if (reason.isBlank()) {
            throw new IllegalArgumentException("finish reason must not be blank");
        }
        Completion c = completion("withFinishReason");
        return new FakeResponse(
                Completion.of(
                        c.content(),
                        c.promptTokens(),
                        c.completionTokens(),
                        c.cachedTokens(),
                        c.reasoningTokens(),
                        reason),
                headers,
                delay);
    }

    /**
     * An API error with the provider's error body. For OpenAI: {@code {"error":{"message":…,"type":…,"param":null,
     * "code":…}}}.
     *
     * @param status HTTP status, 200 to 599
     * @param type the error type, e.g. {@code invalid_request_error}
     * @param code the error code, e.g. {@code context_length_exceeded}; {@code null} renders as JSON {@code null}
     * @param message the human-readable message
     * @return the response
     */
    public static FakeResponse error(int status, String type, String code, String message) {
        checkStatus(status);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        return of(new ApiError(status, type, code, message));
    }

    /**
     * A response with exactly this body and {@code Content-Type: application/json} (override it with {@link #header}
     * if the body is not JSON). Use it for shapes the other factories do not produce, such as a truncated or
     * malformed body.
     *
     * @param status HTTP status, 200 to 599
     * @param body sent as UTF-8, verbatim
     * @return the response
     */
    public static FakeResponse raw(int status, String body) {
        checkStatus(status);
        return of(new Raw(status, Objects.requireNonNull(body, "body")));
    }

    /**
     * A copy that also sends this response header, replacing a header of the same name (case-insensitive) that the
     * response would otherwise send, such as {@code retry-after} or {@code content-type}.
     *
     * @param name header name; {@code content-length} and {@code transfer-encoding} are managed by the server and
     *     rejected
     * @param value header value, without CR or LF
     * @return the modified copy
     * @throws IllegalStateException if this response sends no headers ({@link #connectionDrop()}, {@link
     *     #noResponse()})
     */
    public FakeResponse header(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        String key = name.trim().toLowerCase(Locale.ROOT);
        if (key.isEmpty() || !key.chars().allMatch(FakeResponse::isTokenChar)) {
            throw new IllegalArgumentException("invalid header name '" + name + "'");
        }
        if (key.equals("content-length") || key.equals("transfer-encoding")) {
            throw new IllegalArgumentException(key + " is set by the server from the body");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header value must not contain CR or LF");
        }
        if (body instanceof NetworkFault) {
            throw new IllegalStateException(body + " sends no headers");
        }
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(key, value);
        return new FakeResponse(body, Collections.unmodifiableMap(copy), delay);
    }

    /**
     * A copy that waits this long before sending the status line and headers (or, for {@link #connectionDrop()},
     * before dropping). Replaces any earlier delay. Closing the server ends the wait at once and drops the connection.
     *
     * @param beforeHeaders not negative
     * @return the modified copy
     */
    public FakeResponse delay(Duration beforeHeaders) {
        Objects.requireNonNull(beforeHeaders, "beforeHeaders");
        if (beforeHeaders.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        return new FakeResponse(body, headers, beforeHeaders);
    }

    /**
     * Closes the connection after reading the request, without sending a byte: the client sees an IOException.
     *
     * @return the response
     */
    public static FakeResponse connectionDrop() {
        return of(NetworkFault.CONNECTION_DROP);
    }

    /**
     * Reads the request and never answers, until the server is closed (which then drops the connection). Use it to
     * exercise the client's own timeout.
     *
     * @return the response
     */
    public static FakeResponse noResponse() {
        return of(NetworkFault.NO_RESPONSE);
    }

    /**
     * Sends {@code 200} with the headers of a successful completion, including its {@code Content-Length}, then never
     * sends the body, until the server is closed (which then drops the connection mid-response).
     *
     * @return the response
     */
    public static FakeResponse stallAfterHeaders() {
        return of(new Stall(Completion.of("stalled", DEFAULT_PROMPT_TOKENS, DEFAULT_COMPLETION_TOKENS, 0, 0, "stop")));
    }

    /**
     * Too many requests: for OpenAI, {@code 429} with type {@code requests} and code {@code rate_limit_exceeded}, and
     * the headers {@code retry-after} (whole seconds, rounded up) and {@code x-ratelimit-remaining-requests: 0}.
     *
     * @param retryAfter how long the client is told to wait, not negative
     * @return the response
     */
    public static FakeResponse rateLimited(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative");
        }
        return of(new StandardError(StandardError.Kind.RATE_LIMITED, retryAfter));
    }

    /**
     * Billing quota exhausted: for OpenAI, {@code 429} with type and code {@code insufficient_quota}.
     *
     * @return the response
     */
    public static FakeResponse insufficientQuota() {
        return of(new StandardError(StandardError.Kind.INSUFFICIENT_QUOTA, null));
    }

    /**
     * Wrong or revoked key: for OpenAI, {@code 401} with type {@code invalid_request_error} and code {@code
     * invalid_api_key}; the message shows the key masked, as OpenAI does.
     *
     * @return the response
     */
    public static FakeResponse invalidApiKey() {
        return of(new StandardError(StandardError.Kind.INVALID_API_KEY, null));
    }

    /**
     * Internal error: for OpenAI, {@code 500} with type {@code server_error} and code {@code null}.
     *
     * @return the response
     */
    public static FakeResponse serverError() {
        return of(new StandardError(StandardError.Kind.SERVER_ERROR, null));
    }

    /**
     * Overloaded: for OpenAI, {@code 503} with type {@code service_unavailable_error} and code {@code
     * server_is_overloaded}.
     *
     * @return the response
     */
    public static FakeResponse overloaded() {
        return of(new StandardError(StandardError.Kind.OVERLOADED, null));
    }

    Body body() {
        return body;
    }

    /** Extra headers, lower-case names, in the order they were added. */
    Map<String, String> headers() {
        return headers;
    }

    Duration delay() {
        return delay;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("FakeResponse[").append(body);
        if (!headers.isEmpty()) {
            s.append(", headers=").append(headers);
        }
        if (!delay.isZero()) {
            s.append(", delay=").append(delay);
        }
        return s.append(']').toString();
    }

    private Completion completion(String method) {
        if (body instanceof Completion c) {
            return c;
        }
        throw new IllegalStateException(method + " applies to ok(...) responses only, not to " + body);
    }

    private static void checkStatus(int status) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status must be 200 to 599, got " + status);
        }
    }

    private static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** What to answer with, independent of any wire format. */
    sealed interface Body permits Completion, ApiError, StandardError, Raw, Stall, NetworkFault {}

    /** A successful completion. */
    record Completion(
            String content,
            int promptTokens,
            int completionTokens,
            int cachedTokens,
            int reasoningTokens,
            String finishReason)
            implements Body {

        static Completion of(
                String content, int prompt, int completion, int cached, int reasoning, String finishReason) {
            if (prompt < 0 || completion < 0 || cached < 0 || reasoning < 0) {
                throw new IllegalArgumentException("token counts must not be negative");
            }
            if (cached > prompt) {
                throw new IllegalArgumentException(
                        "cached tokens (" + cached + ") exceed prompt tokens (" + prompt + ")");
            }
            if (reasoning > completion) {
                throw new IllegalArgumentException(
                        "reasoning tokens (" + reasoning + ") exceed completion tokens (" + completion + ")");
            }
            return new Completion(content, prompt, completion, cached, reasoning, finishReason);
        }
    }

    /** An error whose status, type, code and message the caller chose. */
    record ApiError(int status, String type, String code, String message) implements Body {}

    /** A common provider error; each wire format renders its own status, body and headers for it. */
    record StandardError(Kind kind, Duration retryAfter) implements Body {
        enum Kind {
            RATE_LIMITED,
            INSUFFICIENT_QUOTA,
            INVALID_API_KEY,
            SERVER_ERROR,
            OVERLOADED
        }
    }

    /** A verbatim body. */
    record Raw(int status, String body) implements Body {}

    /** The headers of this completion, then nothing until the server closes. */
    record Stall(Completion completion) implements Body {}

    /** No HTTP response at all. */
    enum NetworkFault implements Body {
        CONNECTION_DROP,
        NO_RESPONSE
    }
}

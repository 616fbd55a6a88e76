package dev.llmrotate.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a fake server does with one request: answer with a completion, answer with an API error, answer with any body
 * you like, or misbehave at the network level (drop the connection, never answer, stall after the headers).
 *
 * <p>Instances are immutable and may be shared between scripts and threads. The builder-style methods ({@link
 * #withUsage}, {@link #withFinishReason}, {@link #header}, {@link #delay} and the streaming controls below) return
 * modified copies.
 *
 * <p>A response describes <em>what</em> happens, not the bytes: {@link #ok(String)} and the error factories are
 * rendered in the wire format of the server that sends them ({@link FakeOpenAiServer}, {@link FakeAnthropicServer},
 * {@link FakeGeminiServer}, {@link FakeBedrockServer}). Non-streamed responses have {@code Content-Type: application/json} and an exact {@code
 * Content-Length}.
 *
 * <h2>Streaming</h2>
 *
 * When a request asks for a stream (OpenAI and Anthropic: {@code "stream": true} in the body; Gemini: the {@code
 * streamGenerateContent} method), an {@link #ok(String)} response is sent as server-sent events in the provider's
 * streaming format, with chunked transfer encoding and a flush after every event, so clients see each event as it
 * is sent. The content is split into deltas at word boundaries ({@code "Hello big world"} becomes {@code "Hello"},
 * {@code " big"}, {@code " world"}) unless {@link #withChunks} sets them. The stream controls below apply only to
 * streamed answers; a request that does not ask for a stream gets the plain JSON completion and ignores them. Errors
 * ({@link #rateLimited}, {@link #error}, ...) are answered to streaming requests exactly as to other requests: a JSON
 * error body with its status, no event stream, as providers do before a stream has started.
 *
 * <p>Stream faults count <em>content</em> chunks (deltas), not the events a format sends around them (OpenAI's role
 * chunk, Anthropic's {@code message_start}, ...). A fault "after n chunks" with fewer than {@code n} chunks takes
 * effect after the last chunk, before the finishing events. Faults combine; at the same position a malformed event
 * comes first, then an error event, a cut, a stall or keep-alives, and the first of those four ends the stream.
 *
 * <pre>{@code
 * FakeResponse.ok("hello").withUsage(120, 30, 100, 0)
 * FakeResponse.rateLimited(Duration.ofSeconds(20))
 * FakeResponse.error(400, "invalid_request_error", "context_length_exceeded", "This model's maximum context ...")
 * FakeResponse.serverError().delay(Duration.ofMillis(200))
 * FakeResponse.connectionDrop()
 * FakeResponse.ok("Hello big world").withChunkDelay(Duration.ofMillis(50)).cutAfterChunks(2)
 * }</pre>
 */
public final class FakeResponse {

    /** Prompt tokens reported by {@link #ok(String)}. */
    public static final int DEFAULT_PROMPT_TOKENS = 10;

    /** Completion tokens reported by {@link #ok(String)}. */
    public static final int DEFAULT_COMPLETION_TOKENS = 5;

    /** The longest argument delta {@link #withToolCall} streams. */
    public static final int ARGUMENT_DELTA_LENGTH = 8;

    private final Body body;
    private final Map<String, String> headers;
    private final Duration delay;
    private final StreamPlan stream;

    private FakeResponse(Body body, Map<String, String> headers, Duration delay, StreamPlan stream) {
        this.body = body;
        this.headers = headers;
        this.delay = delay;
        this.stream = stream;
    }

    private static FakeResponse of(Body body) {
        return new FakeResponse(body, Map.of(), Duration.ZERO, StreamPlan.DEFAULT);
    }

    private FakeResponse with(Body newBody) {
        return new FakeResponse(newBody, headers, delay, stream);
    }

    private FakeResponse with(StreamPlan newStream) {
        return new FakeResponse(body, headers, delay, newStream);
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
        return with(completion("withUsage").withUsage(prompt, completion, cached, reasoning));
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
        return with(completion("withFinishReason").withFinishReason(reason));
    }

    /**
     * A completion that calls one tool and has no text: finish reason {@code tool_calls} (Anthropic: {@code stop_reason
     * tool_use}). Add more calls (parallel calls) with {@link #withToolCall}.
     *
     * <p>OpenAI renders {@code message.tool_calls[]} ({@code {"id", "type": "function", "function": {"name",
     * "arguments"}}}) with {@code content: null}; streamed, one {@code delta.tool_calls} chunk with the id and name per
     * call, then one per argument delta, after the text. Anthropic renders a {@code tool_use} block ({@code id}, {@code
     * name}, {@code input}: the arguments parsed, which must then be a JSON object); streamed, {@code
     * content_block_start} with the id and name, one {@code input_json_delta} per argument delta, {@code
     * content_block_stop}. Gemini renders {@code {"functionCall": {"id", "name", "args"}}} parts ({@code args}
     * parsed, a JSON object; no {@code id} for an empty id, as Gemini often sends none), the first with the reasoning's
     * {@code thoughtSignature}; streamed, all calls whole in one event after the text. Stream faults count text chunks
     * only: tool calls come after the last one.
     *
     * @param id the call's id, e.g. {@code call_abc} (OpenAI) or {@code toolu_01…} (Anthropic), sent as it is
     * @param name the tool's name
     * @param arguments the arguments' JSON text; streamed in deltas of at most {@value #ARGUMENT_DELTA_LENGTH}
     *     characters
     * @return the response
     */
    public static FakeResponse toolCall(String id, String name, String arguments) {
        return ok(null).withToolCall(id, name, arguments).withFinishReason("tool_calls");
    }

    /**
     * A copy of this successful completion with one more tool call, after those it has (see {@link #toolCall}). The
     * finish reason is unchanged: {@link #toolCall} sets {@code tool_calls}, or use {@link #withFinishReason}.
     *
     * @param id the call's id, sent as it is
     * @param name the tool's name
     * @param arguments the arguments' JSON text, streamed in deltas of at most {@value #ARGUMENT_DELTA_LENGTH}
     *     characters
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withToolCall(String id, String name, String arguments) {
        Objects.requireNonNull(arguments, "arguments");
        return withToolCallChunks(id, name, splitArguments(arguments).toArray(String[]::new));
    }

    /**
     * Like {@link #withToolCall}, with the arguments streamed in exactly these deltas (their concatenation is the
     * arguments' JSON text).
     *
     * @param id the call's id
     * @param name the tool's name
     * @param argumentDeltas the argument deltas a stream sends, in order
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withToolCallChunks(String id, String name, String... argumentDeltas) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        List<String> chunks = List.of(argumentDeltas);
        return with(
                completion("withToolCall").plusToolCall(new ToolCallSpec(id, name, String.join("", chunks), chunks)));
    }

    /**
     * A copy of this successful completion whose answer begins with this reasoning, signed with this signature.
     * Anthropic renders a {@code thinking} block ({@code thinking}, {@code signature}); streamed, {@code
     * content_block_start}, one {@code thinking_delta} per word, a {@code signature_delta}, {@code content_block_stop},
     * before the text. The OpenAI format renders the text as {@code message.reasoning} (OpenRouter's field; OpenAI
     * itself returns no reasoning text) and, streamed, as {@code delta.reasoning} chunks before the text; it has no
     * place for the signature. Gemini renders a {@code {"text", "thought": true}} part (streamed: one event per block,
     * before the text) and puts the signature as {@code thoughtSignature} where Gemini does: on the first function
     * call, else on the answer's text part (streamed: on the empty part of the last event), else on the thought.
     *
     * @param text the reasoning text
     * @param signature the block's signature
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withReasoning(String text, String signature) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(signature, "signature");
        return with(completion("withReasoning").plusReasoning(new ReasoningSpec(text, signature, false)));
    }

    /**
     * A copy of this successful completion with an encrypted reasoning block: Anthropic's {@code redacted_thinking}
     * ({@code data}), sent whole in a stream; the OpenAI format leaves it out.
     *
     * @param data the opaque data
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withRedactedReasoning(String data) {
        Objects.requireNonNull(data, "data");
        return with(completion("withRedactedReasoning").plusReasoning(new ReasoningSpec(data, null, true)));
    }

    /**
     * A copy of this successful completion that streams exactly these content deltas, in this order, instead of the
     * content split at word boundaries. Requests that do not ask for a stream still get the content given to {@link
     * #ok(String)}; the deltas are not checked against it.
     *
     * @param deltas the content of each content chunk; none may be {@code null}; no deltas: a stream without content
     *     chunks
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withChunks(String... deltas) {
        completion("withChunks");
        return with(stream.withChunks(List.of(deltas)));
    }

    /**
     * A copy of this successful completion that, when streamed, pauses this long between two content chunks (not
     * before the first). Closing the server ends the pause and drops the connection.
     *
     * @param betweenChunks not negative
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse withChunkDelay(Duration betweenChunks) {
        completion("withChunkDelay");
        return with(stream.withChunkDelay(nonNegative(betweenChunks, "betweenChunks")));
    }

    /**
     * Stream fault: a copy that, when streamed, sends the status and headers at once but its first event only after
     * this pause, like a provider that accepted the request and is slow to produce the first token. (Compare {@link
     * #delay}, which holds back the headers too.) Closing the server ends the pause and drops the connection.
     *
     * @param beforeFirstEvent not negative
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse firstChunkDelay(Duration beforeFirstEvent) {
        completion("firstChunkDelay");
        return with(stream.withFirstChunkDelay(nonNegative(beforeFirstEvent, "beforeFirstEvent")));
    }

    /**
     * Stream fault: a copy that, when streamed, aborts the connection after {@code n} content chunks, without the
     * finishing events or the end marker: the client reading the body gets an {@link java.io.IOException} (a
     * chunked body cut short).
     *
     * @param n content chunks to send first, {@code 0} or more
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse cutAfterChunks(int n) {
        completion("cutAfterChunks");
        return with(stream.withCutAfter(count(n)));
    }

    /**
     * Stream fault: a copy that, when streamed, sends {@code n} content chunks and then holds the connection open
     * without sending anything more, until the server is closed (which then drops the connection). Use it to exercise
     * a client's idle or read timeout on streams.
     *
     * @param n content chunks to send first, {@code 0} or more
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse stallAfterChunks(int n) {
        completion("stallAfterChunks");
        return with(stream.withStallAfter(count(n)));
    }

    /**
     * Stream fault: a copy that, when streamed, sends the format's opening events and then, instead of any content, a
     * keep-alive every {@code every} until the server is closed (which then drops the connection): bytes keep
     * arriving, content never does. The same as {@link #keepAlivesAfterChunks keepAlivesAfterChunks(0, every)}. Use it
     * to check that a client's first-content timeout counts content, not bytes.
     *
     * <p>What a keep-alive is depends on the wire format: for OpenAI an SSE comment line ({@code : keep-alive})
     * alternating with a chunk whose delta has no content ({@code {"role":"assistant"}}); for Anthropic a {@code ping}
     * event; for Gemini a response whose candidate has an empty text part and no finish reason; for Bedrock a {@code
     * contentBlockDelta} event with empty text.
     *
     * @param every the pause before each keep-alive, positive
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse keepAlivesBeforeFirstChunk(Duration every) {
        completion("keepAlivesBeforeFirstChunk");
        return with(stream.withKeepAlivesAfter(0, positive(every, "every")));
    }

    /**
     * Stream fault: a copy that, when streamed, sends {@code n} content chunks and then, instead of more content, a
     * keep-alive (see {@link #keepAlivesBeforeFirstChunk}) every {@code every} until the server is closed (which then
     * drops the connection). Like {@link #stallAfterChunks}, except that the connection never goes quiet: use it to
     * check that a client's idle timeout counts content, not bytes.
     *
     * @param n content chunks to send first, {@code 0} or more
     * @param every the pause before each keep-alive, positive
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse keepAlivesAfterChunks(int n, Duration every) {
        completion("keepAlivesAfterChunks");
        return with(stream.withKeepAlivesAfter(count(n), positive(every, "every")));
    }

    /**
     * Stream fault: a copy that, when streamed, sends after {@code n} content chunks one event whose data is not valid
     * JSON (a chunk object cut off mid-way, in the format's framing), then carries on normally to the end.
     *
     * @param n content chunks to send first, {@code 0} or more
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse malformedEventAfterChunks(int n) {
        completion("malformedEventAfterChunks");
        return with(stream.withMalformedAfter(count(n)));
    }

    /**
     * Stream fault: a copy that, when streamed, sends after {@code n} content chunks an error event in the format's
     * mid-stream error shape and then ends the stream cleanly, without finishing events or end marker. Anthropic:
     * {@code event: error} with {@code {"type":"error","error":{"type":…,"message":…}}}; OpenAI: {@code data:
     * {"error":{"message":…,"type":…,"param":null,"code":null}}}; Gemini: {@code data: {"error":{"code":…,
     * "message":…,"status":…}}}, the code derived from the status (e.g. {@code UNAVAILABLE} → 503).
     *
     * @param n content chunks to send first, {@code 0} or more
     * @param type the error type, e.g. {@code overloaded_error} (Anthropic), {@code server_error} (OpenAI), {@code
     *     UNAVAILABLE} (Gemini)
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse errorEventAfterChunks(int n, String type) {
        return errorEventAfterChunks(
                n, type, "overloaded_error".equals(type) ? "Overloaded" : "The stream failed with " + type + ".");
    }

    /**
     * Like {@link #errorEventAfterChunks(int, String)}, with this error message.
     *
     * @param n content chunks to send first, {@code 0} or more
     * @param type the error type
     * @param message the error message
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse errorEventAfterChunks(int n, String type, String message) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        if (type.isBlank()) {
            throw new IllegalArgumentException("type must not be blank");
        }
        completion("errorEventAfterChunks");
        return with(stream.withErrorAfter(count(n), type, message));
    }

    /**
     * Stream fault: a copy that, when streamed, sends every event including the finish reason and usage, and then
     * ends the body cleanly without the format's end marker: no {@code data: [DONE]} (OpenAI), no {@code
     * message_stop} event (Anthropic). Gemini streams have no separate end marker; their last event carries the
     * finish reason and usage, so for Gemini this leaves out that last event: the stream ends after the last content
     * event, and no event has a {@code finishReason}.
     *
     * @return the modified copy
     * @throws IllegalStateException if this is not a successful completion (see {@link #ok(String)})
     */
    public FakeResponse missingEndMarker() {
        completion("missingEndMarker");
        return with(stream.withMissingEndMarker());
    }

    /**
     * An API error with the provider's error body. For OpenAI: {@code {"error":{"message":…,"type":…,"param":null,
     * "code":…}}}. For Anthropic: {@code {"type":"error","error":{"type":…,"message":…},"request_id":…}}, plus
     * {@code "details":{"error_code":…}} inside {@code error} when {@code code} is not {@code null}. For Gemini:
     * {@code {"error":{"code":status,"message":…,"status":type}}}, plus an {@code ErrorInfo} detail with {@code
     * reason} = {@code code} when {@code code} is not {@code null}.
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
        return new FakeResponse(body, Collections.unmodifiableMap(copy), delay, stream);
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
        return new FakeResponse(body, headers, beforeHeaders, stream);
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
     * sends the body, until the server is closed (which then drops the connection mid-response). To a request that
     * asks for a stream it sends the headers of an event stream (chunked, no {@code Content-Length}) and no event.
     *
     * @return the response
     */
    public static FakeResponse stallAfterHeaders() {
        return of(new Stall(Completion.of("stalled", DEFAULT_PROMPT_TOKENS, DEFAULT_COMPLETION_TOKENS, 0, 0, "stop")));
    }

    /**
     * Too many requests: for OpenAI, {@code 429} with type {@code requests} and code {@code rate_limit_exceeded}, and
     * the headers {@code retry-after} (whole seconds, rounded up) and {@code x-ratelimit-remaining-requests: 0}; for
     * Anthropic, {@code 429 rate_limit_error} with {@code retry-after}; for Gemini, {@code 429 RESOURCE_EXHAUSTED}
     * with a per-minute {@code QuotaFailure} and a {@code RetryInfo} (no {@code retry-after} header).
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
     * Billing quota exhausted: for OpenAI, {@code 429} with type and code {@code insufficient_quota}; for Anthropic,
     * {@code 402 billing_error}; for Gemini, {@code 429 RESOURCE_EXHAUSTED} with a free-tier quota whose limit is 0.
     *
     * @return the response
     */
    public static FakeResponse insufficientQuota() {
        return of(new StandardError(StandardError.Kind.INSUFFICIENT_QUOTA, null));
    }

    /**
     * Wrong or revoked key: for OpenAI, {@code 401} with type {@code invalid_request_error} and code {@code
     * invalid_api_key}; the message shows the key masked, as OpenAI does. For Anthropic, {@code 401
     * authentication_error}; for Gemini, {@code 400 INVALID_ARGUMENT} with reason {@code API_KEY_INVALID} (Vertex
     * paths: {@code 401 UNAUTHENTICATED}).
     *
     * @return the response
     */
    public static FakeResponse invalidApiKey() {
        return of(new StandardError(StandardError.Kind.INVALID_API_KEY, null));
    }

    /**
     * Internal error: for OpenAI, {@code 500} with type {@code server_error} and code {@code null}; for Anthropic,
     * {@code 500 api_error}; for Gemini, {@code 500 INTERNAL}.
     *
     * @return the response
     */
    public static FakeResponse serverError() {
        return of(new StandardError(StandardError.Kind.SERVER_ERROR, null));
    }

    /**
     * Overloaded: for OpenAI, {@code 503} with type {@code service_unavailable_error} and code {@code
     * server_is_overloaded}; for Anthropic, {@code 529 overloaded_error}; for Gemini, {@code 503 UNAVAILABLE}.
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

    StreamPlan stream() {
        return stream;
    }

    /** A response only one wire format can render, e.g. the Gemini-specific errors of {@link GeminiResponses}. */
    static FakeResponse formatSpecific(
            String format, String description, Function<RecordedRequest, WireFormat.Rendered> render) {
        return of(new FormatSpecific(format, description, render));
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
        if (!stream.equals(StreamPlan.DEFAULT)) {
            s.append(", stream=").append(stream);
        }
        return s.append(']').toString();
    }

    private Completion completion(String method) {
        if (body instanceof Completion c) {
            return c;
        }
        throw new IllegalStateException(method + " applies to ok(...) responses only, not to " + body);
    }

    private static Duration nonNegative(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
        return duration;
    }

    private static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        return duration;
    }

    /** The arguments in deltas of at most {@link #ARGUMENT_DELTA_LENGTH} characters (code points kept whole). */
    static List<String> splitArguments(String arguments) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        while (start < arguments.length()) {
            int end = Math.min(arguments.length(), start + ARGUMENT_DELTA_LENGTH);
            if (end < arguments.length() && Character.isHighSurrogate(arguments.charAt(end - 1))) {
                end--;
            }
            parts.add(arguments.substring(start, end));
            start = end;
        }
        return parts;
    }

    private static int count(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("chunk count must not be negative, got " + n);
        }
        return n;
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
    sealed interface Body permits Completion, ApiError, StandardError, Raw, Stall, NetworkFault, FormatSpecific {}

    /** A successful completion: text, tool calls and reasoning. */
    record Completion(
            String content,
            int promptTokens,
            int completionTokens,
            int cachedTokens,
            int reasoningTokens,
            String finishReason,
            List<ToolCallSpec> toolCalls,
            List<ReasoningSpec> reasoning)
            implements Body {

        static Completion of(
                String content, int prompt, int completion, int cached, int reasoning, String finishReason) {
            return of(content, prompt, completion, cached, reasoning, finishReason, List.of(), List.of());
        }

        static Completion of(
                String content,
                int prompt,
                int completion,
                int cached,
                int reasoning,
                String finishReason,
                List<ToolCallSpec> toolCalls,
                List<ReasoningSpec> reasoningBlocks) {
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
            return new Completion(
                    content,
                    prompt,
                    completion,
                    cached,
                    reasoning,
                    finishReason,
                    List.copyOf(toolCalls),
                    List.copyOf(reasoningBlocks));
        }

        Completion withFinishReason(String reason) {
            return new Completion(
                    content,
                    promptTokens,
                    completionTokens,
                    cachedTokens,
                    reasoningTokens,
                    reason,
                    toolCalls,
                    reasoning);
        }

        Completion withUsage(int prompt, int completion, int cached, int reasoningCount) {
            return of(content, prompt, completion, cached, reasoningCount, finishReason, toolCalls, reasoning);
        }

        Completion plusToolCall(ToolCallSpec call) {
            List<ToolCallSpec> calls = new ArrayList<>(toolCalls);
            calls.add(call);
            return of(
                    content,
                    promptTokens,
                    completionTokens,
                    cachedTokens,
                    reasoningTokens,
                    finishReason,
                    calls,
                    reasoning);
        }

        Completion plusReasoning(ReasoningSpec block) {
            List<ReasoningSpec> blocks = new ArrayList<>(reasoning);
            blocks.add(block);
            return of(
                    content,
                    promptTokens,
                    completionTokens,
                    cachedTokens,
                    reasoningTokens,
                    finishReason,
                    toolCalls,
                    blocks);
        }

        /** The text of every readable reasoning block, joined. */
        String reasoningText() {
            StringBuilder text = new StringBuilder();
            for (ReasoningSpec block : reasoning) {
                if (!block.redacted()) {
                    text.append(block.text());
                }
            }
            return text.toString();
        }
    }

    /**
     * A tool call of a completion.
     *
     * @param chunks the argument deltas a stream sends, concatenating to {@code arguments}
     */
    record ToolCallSpec(String id, String name, String arguments, List<String> chunks) {}

    /**
     * A reasoning block of a completion: readable text with a signature, or (redacted) opaque data in {@code text}.
     */
    record ReasoningSpec(String text, String signature, boolean redacted) {}

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

    /** A response for one wire format only; other formats answer it with a testkit error. */
    record FormatSpecific(String format, String description, Function<RecordedRequest, WireFormat.Rendered> render)
            implements Body {
        @Override
        public String toString() {
            return description;
        }
    }

    /**
     * How a completion is streamed: its deltas ({@code null}: split the content at word boundaries), pauses and
     * faults. A count of {@code -1} means "no such fault".
     */
    record StreamPlan(
            List<String> chunks,
            Duration chunkDelay,
            Duration firstChunkDelay,
            int cutAfter,
            int stallAfter,
            int malformedAfter,
            int errorAfter,
            String errorType,
            String errorMessage,
            boolean missingEndMarker,
            int keepAliveAfter,
            Duration keepAliveEvery) {

        static final StreamPlan DEFAULT =
                new StreamPlan(null, Duration.ZERO, Duration.ZERO, -1, -1, -1, -1, null, null, false, -1, null);

        StreamPlan withChunks(List<String> newChunks) {
            return new StreamPlan(
                    List.copyOf(newChunks),
                    chunkDelay,
                    firstChunkDelay,
                    cutAfter,
                    stallAfter,
                    malformedAfter,
                    errorAfter,
                    errorType,
                    errorMessage,
                    missingEndMarker,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withChunkDelay(Duration d) {
            return new StreamPlan(
                    chunks,
                    d,
                    firstChunkDelay,
                    cutAfter,
                    stallAfter,
                    malformedAfter,
                    errorAfter,
                    errorType,
                    errorMessage,
                    missingEndMarker,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withFirstChunkDelay(Duration d) {
            return new StreamPlan(
                    chunks,
                    chunkDelay,
                    d,
                    cutAfter,
                    stallAfter,
                    malformedAfter,
                    errorAfter,
                    errorType,
                    errorMessage,
                    missingEndMarker,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withCutAfter(int n) {
            return new StreamPlan(
                    chunks,
                    chunkDelay,
                    firstChunkDelay,
                    n,
                    stallAfter,
                    malformedAfter,
                    errorAfter,
                    errorType,
                    errorMessage,
                    missingEndMarker,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withStallAfter(int n) {
            return new StreamPlan(
                    chunks,
                    chunkDelay,
                    firstChunkDelay,
                    cutAfter,
                    n,
                    malformedAfter,
                    errorAfter,
                    errorType,
                    errorMessage,
                    missingEndMarker,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withMalformedAfter(int n) {
            return new StreamPlan(
                    chunks,
                    chunkDelay,
                    firstChunkDelay,
                    cutAfter,
                    stallAfter,
                    n,
                    errorAfter,
                    errorType,
                    errorMessage,
                    missingEndMarker,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withErrorAfter(int n, String type, String message) {
            return new StreamPlan(
                    chunks,
                    chunkDelay,
                    firstChunkDelay,
                    cutAfter,
                    stallAfter,
                    malformedAfter,
                    n,
                    type,
                    message,
                    missingEndMarker,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withMissingEndMarker() {
            return new StreamPlan(
                    chunks,
                    chunkDelay,
                    firstChunkDelay,
                    cutAfter,
                    stallAfter,
                    malformedAfter,
                    errorAfter,
                    errorType,
                    errorMessage,
                    true,
                    keepAliveAfter,
                    keepAliveEvery);
        }

        StreamPlan withKeepAlivesAfter(int n, Duration every) {
            return new StreamPlan(
                    chunks,
                    chunkDelay,
                    firstChunkDelay,
                    cutAfter,
                    stallAfter,
                    malformedAfter,
                    errorAfter,
                    errorType,
                    errorMessage,
                    missingEndMarker,
                    n,
                    every);
        }

        /** The content deltas to stream for this content. */
        List<String> deltas(String content) {
            return chunks != null ? chunks : splitAtWords(content);
        }

        /** Whether a fault set at {@code n} chunks takes effect at position {@code i} of {@code size} chunks. */
        static boolean at(int n, int i, int size) {
            return n >= 0 && Math.min(n, size) == i;
        }

        /** Splits before every whitespace run that follows a non-whitespace character; the parts concatenate back. */
        static List<String> splitAtWords(String content) {
            List<String> parts = new ArrayList<>();
            if (content == null || content.isEmpty()) {
                return parts;
            }
            int start = 0;
            for (int i = 1; i < content.length(); i++) {
                if (Character.isWhitespace(content.charAt(i)) && !Character.isWhitespace(content.charAt(i - 1))) {
                    parts.add(content.substring(start, i));
                    start = i;
                }
            }
            parts.add(content.substring(start));
            return parts;
        }
    }

    /** No HTTP response at all. */
    enum NetworkFault implements Body {
        CONNECTION_DROP,
        NO_RESPONSE
    }
}

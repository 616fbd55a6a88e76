package dev.llmrotate.internal.provider.http;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.HttpClientProvider;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.HttpPost;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderHttpClient;
import dev.llmrotate.spi.StreamingResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The HTTP operations the built-in adapters use, over a {@link ProviderHttpClient} (the JDK's by default, {@link
 * JdkHttpClient}): it builds the request (JSON or form body, content type, accept), checks every header value so that a
 * refusal never quotes a secret, and hands the exchange to the client, which keeps the contracts documented there
 * (a hard bound on every exchange, bounded bodies, failures classified as {@link ErrorType#TIMEOUT} or {@link
 * ErrorType#CONNECTION_ERROR}, interrupts as {@link CallCancelledException}, cancelable futures).
 */
public final class HttpTransport implements AutoCloseable {
    /** Headers that carry a credential (lower case): a value unfit for a header there is the key's fault. */
    private static final java.util.Set<String> CREDENTIAL_HEADERS =
            java.util.Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key", "x-amz-security-token");

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    /** The longest 2xx body read by default: 32 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = HttpLimits.DEFAULT_MAX_BODY_BYTES;

    /** How much of an error body is read by default: 64 KiB. */
    public static final int DEFAULT_MAX_ERROR_BODY_BYTES = HttpLimits.DEFAULT_MAX_ERROR_BODY_BYTES;

    private final ProviderHttpClient client;

    /** A transport over the JDK client with the default body limits. */
    public HttpTransport() {
        this(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ERROR_BODY_BYTES);
    }

    /**
     * A transport over the JDK client with other body limits.
     *
     * @param maxBodyBytes the longest 2xx body accepted, at least 1
     * @param maxErrorBodyBytes how much of an error body is read, at least 1
     */
    public HttpTransport(int maxBodyBytes, int maxErrorBodyBytes) {
        this(maxBodyBytes, maxErrorBodyBytes, HttpLimits.DEFAULT_MAX_STREAM_LINE_BYTES);
    }

    /**
     * A transport over the JDK client with other body limits.
     *
     * @param maxBodyBytes the longest 2xx body accepted, at least 1
     * @param maxErrorBodyBytes how much of an error body is read, at least 1
     * @param maxStreamLineBytes the longest line of a streamed body (an SSE event may carry twice that), at least 1
     */
    public HttpTransport(int maxBodyBytes, int maxErrorBodyBytes, int maxStreamLineBytes) {
        this(JdkHttpClient::new, new HttpLimits(maxBodyBytes, maxErrorBodyBytes, maxStreamLineBytes));
    }

    /** A transport over the client {@code provider} makes with {@code limits}. */
    public HttpTransport(HttpClientProvider provider, HttpLimits limits) {
        this.client =
                java.util.Objects.requireNonNull(provider.create(limits), "the HttpClientProvider returned no client");
    }

    /** The JDK client for this connect timeout, when this transport is over the JDK's (benchmarks' raw baseline). */
    HttpClient client(Duration connectTimeout) {
        return ((JdkHttpClient) client).client(connectTimeout);
    }

    /**
     * POSTs a JSON body and returns the whole response, or throws a classified {@link ProviderException}; waits on
     * the calling thread, at most {@code timeout}.
     *
     * @throws CallCancelledException when the calling thread is interrupted (the exchange is aborted)
     */
    public HttpResult postJson(
            URI uri, Map<String, String> headers, byte[] body, Duration connectTimeout, Duration timeout) {
        return postJson(uri, headers, body, connectTimeout, timeout, Function.identity());
    }

    /**
     * POSTs a JSON body and returns what {@code reader} makes of the whole response, waiting on the calling thread, at
     * most {@code timeout}. The reader runs on the HTTP client thread that received the response, before the caller
     * is woken (so the caller does not parse on cold caches); what it throws (a classified {@link
     * ProviderException}) is thrown to the caller as it is. A failure before the response is complete is thrown as a
     * classified {@link ProviderException}.
     *
     * @throws CallCancelledException when the calling thread is interrupted (the exchange is aborted)
     */
    public <T> T postJson(
            URI uri,
            Map<String, String> headers,
            byte[] body,
            Duration connectTimeout,
            Duration timeout,
            Function<HttpResult, T> reader) {
        return client.post(post(uri, headers, body, JSON, JSON, connectTimeout, timeout), reader);
    }

    /**
     * POSTs a JSON body without blocking: the returned future completes with what {@code reader} makes of the whole
     * response (it runs on an HTTP client thread and may throw a {@link ProviderException}, which fails the future as
     * it is), or exceptionally with a classified {@link ProviderException} for a failure before the response is
     * complete, within {@code timeout}. Cancelling the future aborts the exchange. Never throws: a request that cannot
     * be built fails the future.
     */
    public <T> CompletableFuture<T> postJsonAsync(
            URI uri,
            Map<String, String> headers,
            byte[] body,
            Duration connectTimeout,
            Duration timeout,
            Function<HttpResult, T> reader) {
        try {
            return client.postAsync(post(uri, headers, body, JSON, JSON, connectTimeout, timeout), reader);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * POSTs {@code fields} as an {@code application/x-www-form-urlencoded} body (an OAuth token request) and returns
     * what {@code reader} makes of the whole response, as {@link #postJson(URI, Map, byte[], Duration, Duration,
     * Function)} does.
     *
     * @throws CallCancelledException when the calling thread is interrupted (the exchange is aborted)
     */
    public <T> T postForm(
            URI uri,
            Map<String, String> headers,
            Map<String, String> fields,
            Duration connectTimeout,
            Duration timeout,
            Function<HttpResult, T> reader) {
        return client.post(post(uri, headers, form(fields), FORM, JSON, connectTimeout, timeout), reader);
    }

    /** {@link #postForm} without blocking, as {@link #postJsonAsync} does. Never throws. */
    public <T> CompletableFuture<T> postFormAsync(
            URI uri,
            Map<String, String> headers,
            Map<String, String> fields,
            Duration connectTimeout,
            Duration timeout,
            Function<HttpResult, T> reader) {
        try {
            return client.postAsync(post(uri, headers, form(fields), FORM, JSON, connectTimeout, timeout), reader);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * POSTs a body asking for a stream. Returns once the status and headers have arrived (within {@code timeout}):
     * a 2xx answer with its body open for incremental reading, or an error answer read whole (up to the error body
     * limit, by the same deadline).
     *
     * @throws CallCancelledException when the calling thread is interrupted (the exchange is aborted)
     */
    public StreamingResponse openStream(
            URI uri,
            Map<String, String> headers,
            byte[] body,
            String accept,
            Duration connectTimeout,
            Duration timeout) {
        return client.openStream(post(uri, headers, body, JSON, accept, connectTimeout, timeout));
    }

    /** Closes the client (its connections and the threads it owns). */
    @Override
    public void close() {
        client.close();
    }

    private static byte[] form(Map<String, String> fields) {
        StringBuilder form = new StringBuilder();
        fields.forEach((name, value) -> {
            if (form.length() > 0) {
                form.append('&');
            }
            form.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return form.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpPost post(
            URI uri,
            Map<String, String> headers,
            byte[] body,
            String contentType,
            String accept,
            Duration connectTimeout,
            Duration timeout) {
        headers.forEach(HttpTransport::checkHeader);
        return new HttpPost(uri, headers, body, contentType, accept, connectTimeout, timeout);
    }

    /**
     * Refuses a header value a client would refuse with an exception that quotes it (the value may hold a secret):
     * the failure names the header and the offending character's code point and position, never the value.
     */
    private static void checkHeader(String name, String value) {
        String problem = dev.llmrotate.config.SecretRef.headerValueProblem(value);
        if (problem != null) {
            throw new ProviderException(refusedType(name), null, null, "header " + name + ": the value " + problem);
        }
    }

    /** A credential header's bad value is {@code invalid_auth}, any other {@code invalid_request}. */
    static ErrorType refusedType(String header) {
        return CREDENTIAL_HEADERS.contains(header.toLowerCase(java.util.Locale.ROOT))
                ? ErrorType.INVALID_AUTH
                : ErrorType.INVALID_REQUEST;
    }
}

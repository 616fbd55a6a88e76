package dev.llmrotate.internal.provider.http;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Shared HTTP plumbing over the JDK HttpClient: one client per connect timeout (usually one in all), a hard bound
 * on every exchange, bounded bodies, and transport failures classified as {@link ErrorType#TIMEOUT} or
 * {@link ErrorType#CONNECTION_ERROR}.
 *
 * <p>Blocking exchanges ({@link #postJson}, {@link #postForm}, {@link #openStream}) wait in {@code HttpClient.send}
 * on the caller's thread. The JDK's own threads do the I/O, as for any exchange, but the caller is woken directly:
 * no hop to the common pool as with {@code sendAsync(...).get()}, which on a machine with 2 CPUs or fewer means a new
 * thread per exchange. {@link HttpRequest#timeout} bounds the wait for the headers; it stops applying once they
 * arrive, so a plain body is then watched against the same deadline ({@link Timeouts}; a body that stalls fails as
 * {@code timeout} and its connection is closed), and a streamed body is read through {@link StreamBody}, which bounds
 * every read. Interrupting the caller's thread aborts the exchange (the JDK closes its connection) and throws {@link
 * CallCancelledException} with the interrupt flag set again.
 *
 * <p>Asynchronous exchanges ({@link #postJsonAsync}, {@link #postFormAsync}) block no thread: the request is built
 * on the calling thread, and the response is handed to a reader on the HTTP client's thread that received its end;
 * the returned future completes with what the reader returns or throws, within the timeout, and cancelling it aborts
 * the exchange.
 *
 * <p>Plain bodies are bounded: a 2xx body longer than {@link #DEFAULT_MAX_BODY_BYTES} (32 MiB) fails the attempt as
 * {@code transient_server_error}; an error body is read up to {@link #DEFAULT_MAX_ERROR_BODY_BYTES} (64 KiB), the rest
 * dropped with its connection, and classified from what was read.
 */
public final class HttpTransport {
    /** Headers that carry a credential (lower case): a value unfit for a header there is the key's fault. */
    private static final java.util.Set<String> CREDENTIAL_HEADERS =
            java.util.Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key", "x-amz-security-token");

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";

    /** The longest 2xx body read by default: 32 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

    /** How much of an error body is read by default: 64 KiB. */
    public static final int DEFAULT_MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();
    private final int maxBodyBytes;
    private final int maxErrorBodyBytes;
    private final int maxStreamLineBytes;

    /** A transport with the default body limits. */
    public HttpTransport() {
        this(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ERROR_BODY_BYTES);
    }

    /**
     * A transport with other body limits.
     *
     * @param maxBodyBytes the longest 2xx body accepted, at least 1
     * @param maxErrorBodyBytes how much of an error body is read, at least 1
     */
    public HttpTransport(int maxBodyBytes, int maxErrorBodyBytes) {
        this(maxBodyBytes, maxErrorBodyBytes, StreamBody.MAX_LINE_BYTES);
    }

    /**
     * A transport with other body limits.
     *
     * @param maxBodyBytes the longest 2xx body accepted, at least 1
     * @param maxErrorBodyBytes how much of an error body is read, at least 1
     * @param maxStreamLineBytes the longest line of a streamed body (an SSE event may carry twice that), at least 1
     */
    public HttpTransport(int maxBodyBytes, int maxErrorBodyBytes, int maxStreamLineBytes) {
        if (maxBodyBytes < 1 || maxErrorBodyBytes < 1 || maxStreamLineBytes < 1) {
            throw new IllegalArgumentException("reply limits must be at least 1 byte, got maxBodyBytes=" + maxBodyBytes
                    + ", maxErrorBodyBytes=" + maxErrorBodyBytes + ", maxStreamLineBytes=" + maxStreamLineBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
        this.maxErrorBodyBytes = maxErrorBodyBytes;
        this.maxStreamLineBytes = maxStreamLineBytes;
    }

    /** The client for this connect timeout, made on first use. */
    HttpClient client(Duration connectTimeout) {
        HttpClient client = clients.get(connectTimeout);
        return client != null
                ? client
                : clients.computeIfAbsent(
                        connectTimeout,
                        t -> HttpClient.newBuilder()
                                .connectTimeout(t)
                                .followRedirects(HttpClient.Redirect.NEVER)
                                .build());
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
        return post(request(uri, headers, body, JSON, JSON, timeout), connectTimeout, timeout, reader);
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
            return postAsync(request(uri, headers, body, JSON, JSON, timeout), connectTimeout, timeout, reader);
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
        return post(request(uri, headers, form(fields), FORM, JSON, timeout), connectTimeout, timeout, reader);
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
            return postAsync(request(uri, headers, form(fields), FORM, JSON, timeout), connectTimeout, timeout, reader);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
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

    private <T> T post(HttpRequest request, Duration connectTimeout, Duration timeout, Function<HttpResult, T> reader) {
        PlainExchange<T> exchange = PlainExchange.blocking(
                System.nanoTime() + timeout.toNanos(), timeout, maxBodyBytes, maxErrorBodyBytes, reader);
        HttpResponse<Object> response;
        try {
            response = client(connectTimeout).send(request, exchange);
        } catch (InterruptedException e) {
            exchange.abort(); // the JDK has cancelled the exchange; this stops the body's timer
            throw cancelled(request);
        } catch (IOException e) {
            throw exchange.failure(e);
        }
        return exchange.outcome(response.body());
    }

    private <T> CompletableFuture<T> postAsync(
            HttpRequest request, Duration connectTimeout, Duration timeout, Function<HttpResult, T> reader) {
        PlainExchange<T> exchange = PlainExchange.async(
                System.nanoTime() + timeout.toNanos(), timeout, maxBodyBytes, maxErrorBodyBytes, reader);
        exchange.attach(client(connectTimeout).sendAsync(request, exchange));
        return exchange.future();
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
        HttpRequest request = request(uri, headers, body, JSON, accept, timeout);
        PlainExchange<HttpResult> error = PlainExchange.blocking(
                System.nanoTime() + timeout.toNanos(), timeout, maxBodyBytes, maxErrorBodyBytes, Function.identity());
        HttpResponse<Object> response;
        try {
            response = client(connectTimeout).send(request, info -> subscriber(info, error));
        } catch (InterruptedException e) {
            error.abort();
            throw cancelled(request);
        } catch (IOException e) {
            throw error.failure(e);
        }
        if (response.body() instanceof StreamBody stream) {
            return new StreamingResponse(response.statusCode(), response.headers(), stream, null);
        }
        HttpResult answer = error.outcome(response.body());
        return new StreamingResponse(answer.status(), answer.headers(), null, answer);
    }

    /** A 2xx answer's body is streamed; any other is read whole, so that {@code send} returns it complete. */
    @SuppressWarnings("unchecked")
    private HttpResponse.BodySubscriber<Object> subscriber(
            HttpResponse.ResponseInfo info, PlainExchange<HttpResult> error) {
        HttpResponse.BodySubscriber<?> subscriber = info.statusCode() >= 200 && info.statusCode() < 300
                ? new StreamBody(maxStreamLineBytes)
                : error.apply(info);
        return (HttpResponse.BodySubscriber<Object>) subscriber;
    }

    private static HttpRequest request(
            URI uri, Map<String, String> headers, byte[] body, String contentType, String accept, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", contentType)
                .header("Accept", accept)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        // Plain http:// (local servers, tests) would otherwise try an h2c upgrade on every new connection.
        if ("http".equals(uri.getScheme())) {
            request.version(HttpClient.Version.HTTP_1_1);
        }
        headers.forEach((name, value) -> header(request, name, value));
        return request.build();
    }

    private static CallCancelledException cancelled(HttpRequest request) {
        Thread.currentThread().interrupt();
        return new CallCancelledException(
                "interrupted while waiting for " + request.uri().getHost());
    }

    static ProviderException classify(Throwable cause, Duration timeout) {
        if (cause instanceof HttpConnectTimeoutException) {
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "connect timed out");
        }
        if (cause instanceof HttpTimeoutException) {
            return new ProviderException(ErrorType.TIMEOUT, null, null, "no response within " + timeout);
        }
        if (cause instanceof ConnectException) {
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "connection refused");
        }
        if (cause instanceof IOException) {
            String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "connection failed: " + detail);
        }
        return new ProviderException(ErrorType.UNKNOWN, null, null, "request failed: " + cause);
    }

    /**
     * Sets one header, refusing a value the JDK would refuse with an exception that quotes it (the value may hold a
     * secret): the failure names the header and the offending character's code point and position, never the value.
     * A credential header's bad value is {@code invalid_auth}, any other {@code invalid_request}.
     */
    private static void header(HttpRequest.Builder request, String name, String value) {
        String problem = dev.llmrotate.config.SecretRef.headerValueProblem(value);
        if (problem != null) {
            throw new ProviderException(refusedType(name), null, null, "header " + name + ": the value " + problem);
        }
        try {
            request.header(name, value);
        } catch (IllegalArgumentException e) {
            // Not e.getMessage(): the JDK quotes the whole value.
            throw new ProviderException(
                    refusedType(name), null, null, "header " + name + " was refused by the HTTP client");
        }
    }

    private static ErrorType refusedType(String header) {
        return CREDENTIAL_HEADERS.contains(header.toLowerCase(java.util.Locale.ROOT))
                ? ErrorType.INVALID_AUTH
                : ErrorType.INVALID_REQUEST;
    }
}

package dev.llmrotate.internal.provider.http;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.HttpPost;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderHttpClient;
import dev.llmrotate.spi.StreamingResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The default {@link ProviderHttpClient}, over the JDK HttpClient: one client per connect timeout (usually one in
 * all).
 *
 * <p>Blocking exchanges ({@link #post}, {@link #openStream}) wait in {@code HttpClient.send} on the caller's thread.
 * The JDK's own threads do the I/O, as for any exchange, but the caller is woken directly: no hop to the common pool
 * as with {@code sendAsync(...).get()}, which on a machine with 2 CPUs or fewer means a new thread per exchange.
 * {@link HttpRequest#timeout} bounds the wait for the headers; it stops applying once they arrive, so a plain body is
 * then watched against the same deadline ({@link Timeouts}; a body that stalls fails as {@code timeout} and its
 * connection is closed), and a streamed body is read through {@link JdkStreamBody}, which bounds every read.
 * Interrupting the caller's thread aborts the exchange (the JDK closes its connection).
 *
 * <p>Asynchronous exchanges ({@link #postAsync}) block no thread: the request is built on the calling thread, and the
 * response is handed to a reader on the HTTP client's thread that received its end; cancelling the future aborts the
 * exchange.
 */
public final class JdkHttpClient implements ProviderHttpClient {
    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();
    private final HttpLimits limits;

    public JdkHttpClient(HttpLimits limits) {
        this.limits = limits;
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

    @Override
    public <T> T post(HttpPost post, Function<HttpResult, T> reader) {
        HttpRequest request = request(post);
        PlainExchange<T> exchange = PlainExchange.blocking(
                System.nanoTime() + post.timeout().toNanos(),
                post.timeout(),
                limits.maxBodyBytes(),
                limits.maxErrorBodyBytes(),
                reader);
        HttpResponse<Object> response;
        try {
            response = client(post.connectTimeout()).send(request, exchange);
        } catch (InterruptedException e) {
            exchange.abort(); // the JDK has cancelled the exchange; this stops the body's timer
            throw cancelled(request);
        } catch (IOException e) {
            throw exchange.failure(e);
        }
        return exchange.outcome(response.body());
    }

    @Override
    public <T> CompletableFuture<T> postAsync(HttpPost post, Function<HttpResult, T> reader) {
        try {
            HttpRequest request = request(post);
            PlainExchange<T> exchange = PlainExchange.async(
                    System.nanoTime() + post.timeout().toNanos(),
                    post.timeout(),
                    limits.maxBodyBytes(),
                    limits.maxErrorBodyBytes(),
                    reader);
            exchange.attach(client(post.connectTimeout()).sendAsync(request, exchange));
            return exchange.future();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public StreamingResponse openStream(HttpPost post) {
        HttpRequest request = request(post);
        PlainExchange<HttpResult> error = PlainExchange.blocking(
                System.nanoTime() + post.timeout().toNanos(),
                post.timeout(),
                limits.maxBodyBytes(),
                limits.maxErrorBodyBytes(),
                Function.identity());
        HttpResponse<Object> response;
        try {
            response = client(post.connectTimeout()).send(request, info -> subscriber(info, error));
        } catch (InterruptedException e) {
            error.abort();
            throw cancelled(request);
        } catch (IOException e) {
            throw error.failure(e);
        }
        if (response.body() instanceof JdkStreamBody stream) {
            return StreamingResponse.streaming(response.statusCode(), response.headers(), stream);
        }
        return StreamingResponse.failed(error.outcome(response.body()));
    }

    /** Nothing to release: JDK 17's client has no close, and its threads end when it is unreachable. */
    @Override
    public void close() {}

    /** A 2xx answer's body is streamed; any other is read whole, so that {@code send} returns it complete. */
    @SuppressWarnings("unchecked")
    private HttpResponse.BodySubscriber<Object> subscriber(
            HttpResponse.ResponseInfo info, PlainExchange<HttpResult> error) {
        HttpResponse.BodySubscriber<?> subscriber = info.statusCode() >= 200 && info.statusCode() < 300
                ? new JdkStreamBody(limits.maxStreamLineBytes())
                : error.apply(info);
        return (HttpResponse.BodySubscriber<Object>) subscriber;
    }

    private static HttpRequest request(HttpPost post) {
        HttpRequest.Builder request = HttpRequest.newBuilder(post.uri())
                .timeout(post.timeout())
                .header("Content-Type", post.contentType())
                .header("Accept", post.accept())
                .POST(HttpRequest.BodyPublishers.ofByteArray(post.body()));
        // Plain http:// (local servers, tests) would otherwise try an h2c upgrade on every new connection.
        if ("http".equals(post.uri().getScheme())) {
            request.version(HttpClient.Version.HTTP_1_1);
        }
        post.headers().forEach((name, value) -> {
            try {
                request.header(name, value);
            } catch (IllegalArgumentException e) {
                // Not e.getMessage(): the JDK quotes the whole value.
                throw new ProviderException(
                        HttpTransport.refusedType(name),
                        null,
                        null,
                        "header " + name + " was refused by the HTTP client");
            }
        });
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
}

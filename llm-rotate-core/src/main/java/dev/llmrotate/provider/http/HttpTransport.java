package dev.llmrotate.provider.http;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.provider.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Shared HTTP plumbing over the JDK HttpClient: one client per connect timeout (usually one in all), a hard bound
 * on every exchange, and transport failures classified as {@link ErrorType#TIMEOUT} or
 * {@link ErrorType#CONNECTION_ERROR}.
 *
 * <p>{@link HttpRequest#timeout} stops applying once headers arrive, so a body that stalls would hang a blocking
 * send; the exchange is therefore sent asynchronously and abandoned (cancelled) when the attempt's time is up.
 */
public final class HttpTransport {
    private final Map<Duration, HttpClient> clients = new ConcurrentHashMap<>();

    private HttpClient client(Duration connectTimeout) {
        return clients.computeIfAbsent(
                connectTimeout,
                t -> HttpClient.newBuilder()
                        .connectTimeout(t)
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build());
    }

    /** POSTs a JSON body and returns the whole response, or throws a classified {@link ProviderException}. */
    public HttpResult postJson(
            URI uri, Map<String, String> headers, byte[] body, Duration connectTimeout, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        // Plain http:// (local servers, tests) would otherwise try an h2c upgrade on every new connection.
        if ("http".equals(uri.getScheme())) {
            request.version(HttpClient.Version.HTTP_1_1);
        }
        headers.forEach(request::header);
        CompletableFuture<HttpResponse<String>> exchange =
                client(connectTimeout).sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new HttpResult(response.statusCode(), response.headers(), response.body());
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new ProviderException(ErrorType.TIMEOUT, null, null, "no complete response within " + timeout);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "interrupted while waiting");
        } catch (ExecutionException e) {
            throw classify(e.getCause(), timeout);
        }
    }

    private static ProviderException classify(Throwable cause, Duration timeout) {
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

package dev.llmrotate.provider.http;

import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.provider.ProviderException;
import dev.llmrotate.provider.ProviderStream;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
 * Streamed bodies are read through {@link StreamBody}, whose reads take absolute deadlines.
 */
public final class HttpTransport {
    /** Headers that carry a credential (lower case): a value unfit for a header there is the key's fault. */
    private static final Set<String> CREDENTIAL_HEADERS =
            Set.of("authorization", "x-api-key", "api-key", "x-goog-api-key", "x-amz-security-token");

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
        return post(uri, headers, body, "application/json", connectTimeout, timeout);
    }

    /**
     * POSTs {@code fields} as an {@code application/x-www-form-urlencoded} body (an OAuth token request) and returns
     * the whole response, or throws a classified {@link ProviderException}.
     */
    public HttpResult postForm(
            URI uri,
            Map<String, String> headers,
            Map<String, String> fields,
            Duration connectTimeout,
            Duration timeout) {
        StringBuilder form = new StringBuilder();
        fields.forEach((name, value) -> {
            if (form.length() > 0) {
                form.append('&');
            }
            form.append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return post(
                uri,
                headers,
                form.toString().getBytes(StandardCharsets.UTF_8),
                "application/x-www-form-urlencoded",
                connectTimeout,
                timeout);
    }

    private HttpResult post(
            URI uri,
            Map<String, String> headers,
            byte[] body,
            String contentType,
            Duration connectTimeout,
            Duration timeout) {
        HttpResponse<String> response = await(
                send(
                        uri,
                        headers,
                        body,
                        contentType,
                        "application/json",
                        timeout,
                        connectTimeout,
                        HttpResponse.BodyHandlers.ofString()),
                timeout);
        return new HttpResult(response.statusCode(), response.headers(), response.body());
    }

    /**
     * POSTs a body asking for a stream. Returns once the status and headers have arrived (within {@code timeout}):
     * a 2xx answer with its body open for incremental reading, or an error answer read whole.
     */
    public StreamingResponse openStream(
            URI uri,
            Map<String, String> headers,
            byte[] body,
            String accept,
            Duration connectTimeout,
            Duration timeout) {
        long start = System.nanoTime();
        HttpResponse<StreamBody> response = await(
                send(uri, headers, body, "application/json", accept, timeout, connectTimeout, info -> new StreamBody()),
                timeout);
        StreamBody stream = response.body();
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new StreamingResponse(status, response.headers(), stream, null);
        }
        try {
            // The error body must arrive within what is left of the timeout, or a moment to take what is there.
            long deadline = start + ProviderStream.cappedNanos(timeout);
            long moment = System.nanoTime() + 1_000_000;
            if (deadline - moment < 0) {
                deadline = moment;
            }
            String text = readAll(stream, deadline);
            return new StreamingResponse(
                    status, response.headers(), null, new HttpResult(status, response.headers(), text));
        } finally {
            stream.close();
        }
    }

    private static String readAll(StreamBody stream, long deadlineNanos) {
        byte[] buffer = new byte[64 * 1024];
        int length = stream.readFully(buffer, 0, buffer.length, deadlineNanos);
        return new String(buffer, 0, length, java.nio.charset.StandardCharsets.UTF_8);
    }

    private <T> CompletableFuture<HttpResponse<T>> send(
            URI uri,
            Map<String, String> headers,
            byte[] body,
            String contentType,
            String accept,
            Duration timeout,
            Duration connectTimeout,
            HttpResponse.BodyHandler<T> handler) {
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
        return client(connectTimeout).sendAsync(request.build(), handler);
    }

    /**
     * Sets one header, refusing a value the JDK would refuse with an exception that quotes it (the value may hold a
     * secret): the failure names the header and the offending character's code point and position, never the value.
     * A credential header's bad value is {@code invalid_auth}, any other {@code invalid_request}.
     */
    private static void header(HttpRequest.Builder request, String name, String value) {
        String problem = SecretRef.headerValueProblem(value);
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
        return CREDENTIAL_HEADERS.contains(header.toLowerCase(Locale.ROOT))
                ? ErrorType.INVALID_AUTH
                : ErrorType.INVALID_REQUEST;
    }

    /** The response of an exchange, waiting at most {@code timeout}; the exchange is cancelled when time is up. */
    private static <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> exchange, Duration timeout) {
        try {
            return exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
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

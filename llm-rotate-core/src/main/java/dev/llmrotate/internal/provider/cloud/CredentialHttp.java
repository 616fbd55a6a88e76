package dev.llmrotate.internal.provider.cloud;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.ProviderException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP exchanges of the credential sources (token endpoints, metadata servers, STS): GET, PUT or POST with a
 * deadline for the whole exchange and a limit on the answer's size ({@value #MAX_ANSWER_BYTES} bytes; a token answer
 * is under 4 KiB). A failure is a {@link ProviderException} whose message names the source and its URL and never
 * quotes what it sent or answered: {@code connection_error} when it cannot be reached, {@code timeout} when it does not
 * answer in time, {@code invalid_response} when the answer is too large. Redirects are not followed. Thread-safe.
 */
public final class CredentialHttp {
    /** The largest answer read from a credential source. */
    public static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final Duration connectTimeout;
    private volatile HttpClient client;

    /** An answer: its status and body (UTF-8). */
    public record Answer(int status, String body) {
        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    public CredentialHttp(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    /** The connect timeout of this client's connections. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    private HttpClient client() {
        HttpClient made = client;
        if (made == null) {
            synchronized (this) {
                made = client;
                if (made == null) {
                    made = HttpClient.newBuilder()
                            .connectTimeout(connectTimeout)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build();
                    client = made;
                }
            }
        }
        return made;
    }

    /**
     * Sends one request and waits for the whole answer, at most {@code timeout}.
     *
     * @param source what is asked, for messages ({@code "the GCE metadata server"})
     * @param method GET, PUT or POST
     * @param body the body, or null for none
     * @param contentType the body's type, or null
     * @throws ProviderException classified, naming {@code source} and {@code uri}
     * @throws CallCancelledException when the calling thread is interrupted
     */
    public Answer send(
            String source,
            String method,
            URI uri,
            Map<String, String> headers,
            byte[] body,
            String contentType,
            Duration timeout) {
        HttpRequest request;
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
            headers.forEach(builder::header);
            if (contentType != null) {
                builder.header("Content-Type", contentType);
            }
            builder.method(
                    method,
                    body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            request = builder.build();
        } catch (IllegalArgumentException e) {
            // A header value the JDK refuses: its message would quote the value, which may be a token.
            throw new ProviderException(
                    ErrorType.INVALID_AUTH, null, null, source + " (" + uri + "): a request header cannot be sent");
        }
        CompletableFuture<HttpResponse<byte[]>> future = client().sendAsync(request, info -> new Limited());
        try {
            HttpResponse<byte[]> response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Answer(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new ProviderException(
                    ErrorType.TIMEOUT, null, null, source + " (" + uri + ") did not answer within " + timeout);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallCancelledException("interrupted waiting for " + source);
        } catch (ExecutionException e) {
            throw failure(source, uri, e.getCause());
        }
    }

    private static ProviderException failure(String source, URI uri, Throwable cause) {
        if (cause instanceof TooLarge) {
            return new ProviderException(
                    ErrorType.INVALID_RESPONSE,
                    null,
                    null,
                    source + " (" + uri + ") answered more than " + MAX_ANSWER_BYTES + " bytes");
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new ProviderException(
                    ErrorType.CONNECTION_ERROR, null, null, source + " (" + uri + "): connect" + " timed out");
        }
        if (cause instanceof java.net.http.HttpTimeoutException) {
            return new ProviderException(
                    ErrorType.TIMEOUT, null, null, source + " (" + uri + ") did not answer in time");
        }
        return new ProviderException(
                ErrorType.CONNECTION_ERROR,
                null,
                null,
                source + " (" + uri + ") cannot be reached: " + cause.getClass().getSimpleName());
    }

    /** Fails the answer past {@link #MAX_ANSWER_BYTES} instead of buffering whatever a hostile server sends. */
    private static final class Limited implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (bytes.size() + item.remaining() > MAX_ANSWER_BYTES) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    private static final class TooLarge extends java.io.IOException {
        TooLarge() {
            super("answer too large", null);
        }
    }
}

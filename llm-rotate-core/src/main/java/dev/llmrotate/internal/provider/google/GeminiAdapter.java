package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamingResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The Gemini {@code generateContent} / {@code streamGenerateContent?alt=sse} exchange shared by AI Studio and Vertex
 * (see {@link GeminiFormat} for the JSON, {@link GoogleErrorClassifier} for errors). Subclasses say where to post and
 * how to authenticate.
 */
public abstract class GeminiAdapter implements ProviderAdapter {
    private final HttpTransport transport;
    private final GeminiFormat format;
    private final GoogleErrorClassifier classifier;
    private final ObjectMapper json;
    private final Clock clock;

    protected GeminiAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        this.transport = transport;
        this.json = json;
        this.format = new GeminiFormat(json);
        this.classifier = new GoogleErrorClassifier(json);
        this.clock = clock;
    }

    /**
     * The URL of a method of the attempt's model: {@code generateContent} or {@code streamGenerateContent} (the
     * caller adds {@code ?alt=sse}).
     */
    protected abstract URI methodUrl(Attempt attempt, String method);

    /** The authentication headers, obtained within {@code timeout}. */
    protected abstract Map<String, String> authHeaders(Attempt attempt, Duration timeout);

    /**
     * {@link #authHeaders} for an asynchronous attempt, within {@code timeout}; by default computed on the calling
     * thread. Adapters whose headers may need a network round trip override it. Never throws.
     */
    protected CompletableFuture<Map<String, String>> authHeadersAsync(Attempt attempt, Duration timeout) {
        try {
            return CompletableFuture.completedFuture(authHeaders(attempt, timeout));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Called once per attempt when the API refused it; returns true to resend it once with fresh {@link
     * #authHeaders} (a cached token the API no longer takes), false to let the failure stand.
     */
    protected boolean renewAuth(Attempt attempt, ProviderException failure) {
        return false;
    }

    @Override
    public void checkSupported(ChatRequest request) {
        format.checkSupported(request, provider());
    }

    @Override
    public ProviderReply send(Attempt attempt) {
        byte[] body = format.requestBytes(attempt.request(), provider());
        URI url = methodUrl(attempt, "generateContent");
        long start = System.nanoTime();
        Answer answer = post(attempt, url, body, start);
        if (answer.failure() != null) {
            if (!renewAuth(attempt, answer.failure())) {
                throw answer.failure();
            }
            answer = post(attempt, url, body, start);
            if (answer.failure() != null) {
                throw answer.failure();
            }
        }
        return answer.reply();
    }

    /** The API's answer to one exchange: the reply, or the classified failure it answered with. */
    private record Answer(ProviderReply reply, ProviderException failure) {}

    /** Parses or classifies a response (on the HTTP client thread that received it). */
    private Answer answer(HttpResult response) {
        return response.isSuccess()
                ? new Answer(format.reply(response.body(), provider()), null)
                : new Answer(null, classifier.classify(response, clock.instant()));
    }

    @Override
    public CompletableFuture<ProviderReply> sendAsync(Attempt attempt, Executor executor) {
        try {
            return new AsyncSend(
                            attempt,
                            methodUrl(attempt, "generateContent"),
                            format.requestBytes(attempt.request(), provider()))
                    .start();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * One asynchronous attempt: the auth headers, the exchange, and the exchange once more with fresh headers when
     * {@link #renewAuth} asks, each step started when the one before completes. Failing or cancelling the attempt's
     * future cancels the step in flight.
     */
    private final class AsyncSend {
        private final Attempt attempt;
        private final URI url;
        private final byte[] body;
        private final long start = System.nanoTime();
        private final CompletableFuture<ProviderReply> result = new CompletableFuture<>();
        private volatile CompletableFuture<?> step;
        /** Written and read by the steps, one after the other. */
        private boolean renewed;

        AsyncSend(Attempt attempt, URI url, byte[] body) {
            this.attempt = attempt;
            this.url = url;
            this.body = body;
        }

        CompletableFuture<ProviderReply> start() {
            result.whenComplete((reply, error) -> {
                CompletableFuture<?> current = step;
                if (error != null && current != null) {
                    current.cancel(true);
                }
            });
            authenticate();
            return result;
        }

        private void authenticate() {
            CompletableFuture<Map<String, String>> auth;
            try {
                auth = authHeadersAsync(attempt, remaining(attempt, start));
            } catch (RuntimeException e) {
                auth = CompletableFuture.failedFuture(e);
            }
            track(auth).whenComplete(this::post);
        }

        private void post(Map<String, String> headers, Throwable error) {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            CompletableFuture<Answer> sent;
            try {
                sent = transport.postJsonAsync(
                        url,
                        headers,
                        body,
                        attempt.settings().connectTimeout(),
                        remaining(attempt, start),
                        GeminiAdapter.this::answer);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            track(sent).whenComplete(this::answered);
        }

        private void answered(Answer answer, Throwable error) {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            try {
                if (answer.failure() == null) {
                    result.complete(answer.reply());
                    return;
                }
                if (renewed || !renewAuth(attempt, answer.failure())) {
                    result.completeExceptionally(answer.failure());
                    return;
                }
                renewed = true;
                authenticate();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }

        private <S> CompletableFuture<S> track(CompletableFuture<S> next) {
            step = next;
            if (result.isDone()) {
                next.cancel(true); // the attempt ended while this step was being started
            }
            return next;
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private Answer post(Attempt attempt, URI url, byte[] body, long start) {
        Map<String, String> headers = authHeaders(attempt, remaining(attempt, start));
        return transport.postJson(
                url, headers, body, attempt.settings().connectTimeout(), remaining(attempt, start), this::answer);
    }

    @Override
    public ProviderStream openStream(Attempt attempt) {
        byte[] body = format.requestBytes(attempt.request(), provider());
        URI url = URI.create(methodUrl(attempt, "streamGenerateContent") + "?alt=sse");
        long start = System.nanoTime();
        StreamingResponse response = open(attempt, url, body, start);
        if (!response.isSuccess()) {
            ProviderException failure = classifier.classify(response.error(), clock.instant());
            if (!renewAuth(attempt, failure)) {
                throw failure;
            }
            response = open(attempt, url, body, start);
            if (!response.isSuccess()) {
                throw classifier.classify(response.error(), clock.instant());
            }
        }
        return new GeminiStream(response.body(), json, classifier, provider());
    }

    private StreamingResponse open(Attempt attempt, URI url, byte[] body, long start) {
        Map<String, String> headers = authHeaders(attempt, remaining(attempt, start));
        return transport.openStream(
                url,
                headers,
                body,
                "text/event-stream",
                attempt.settings().connectTimeout(),
                remaining(attempt, start));
    }

    /** What is left of the attempt's time. */
    private static Duration remaining(Attempt attempt, long startNanos) {
        Duration left = attempt.timeout().minusNanos(System.nanoTime() - startNanos);
        if (left.isNegative() || left.isZero()) {
            throw new ProviderException(
                    ErrorType.TIMEOUT, null, null, "attempt time of " + attempt.timeout() + " used up");
        }
        return left;
    }

    /** The model id as a path segment: a leading {@code models/} is dropped. */
    protected static String modelId(Attempt attempt) {
        String model = attempt.model();
        return model.startsWith("models/") ? model.substring("models/".length()) : model;
    }

    protected static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

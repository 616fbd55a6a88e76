package dev.llmrotate.provider.google;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.provider.Attempt;
import dev.llmrotate.provider.ProviderAdapter;
import dev.llmrotate.provider.ProviderException;
import dev.llmrotate.provider.ProviderReply;
import dev.llmrotate.provider.ProviderStream;
import dev.llmrotate.provider.http.HttpResult;
import dev.llmrotate.provider.http.HttpTransport;
import dev.llmrotate.provider.http.StreamingResponse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

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

    /** Told about every classified failure of an attempt (e.g. to drop a cached token the API rejected). */
    protected void onFailure(Attempt attempt, ProviderException failure) {}

    @Override
    public void checkSupported(ChatRequest request) {
        GeminiFormat.checkSupported(request, provider());
    }

    @Override
    public ProviderReply send(Attempt attempt) {
        byte[] body = format.requestBytes(attempt.request());
        long start = System.nanoTime();
        Map<String, String> headers = authHeaders(attempt, attempt.timeout());
        HttpResult response = transport.postJson(
                methodUrl(attempt, "generateContent"),
                headers,
                body,
                attempt.settings().connectTimeout(),
                remaining(attempt, start));
        if (!response.isSuccess()) {
            throw failed(attempt, classifier.classify(response, clock.instant()));
        }
        return format.reply(response.body());
    }

    @Override
    public ProviderStream openStream(Attempt attempt) {
        byte[] body = format.requestBytes(attempt.request());
        long start = System.nanoTime();
        Map<String, String> headers = authHeaders(attempt, attempt.timeout());
        URI url = URI.create(methodUrl(attempt, "streamGenerateContent") + "?alt=sse");
        StreamingResponse response = transport.openStream(
                url,
                headers,
                body,
                "text/event-stream",
                attempt.settings().connectTimeout(),
                remaining(attempt, start));
        if (!response.isSuccess()) {
            throw failed(attempt, classifier.classify(response.error(), clock.instant()));
        }
        return new GeminiStream(response.body(), json, classifier);
    }

    private ProviderException failed(Attempt attempt, ProviderException failure) {
        onFailure(attempt, failure);
        return failure;
    }

    /** What is left of the attempt's time after authentication. */
    private static Duration remaining(Attempt attempt, long startNanos) {
        Duration left = attempt.timeout().minusNanos(System.nanoTime() - startNanos);
        if (left.isNegative() || left.isZero()) {
            throw new ProviderException(
                    ErrorType.TIMEOUT, null, null, "no time left after authentication (" + attempt.timeout() + ")");
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

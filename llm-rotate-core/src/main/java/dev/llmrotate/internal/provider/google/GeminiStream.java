package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.StreamBody;
import dev.llmrotate.internal.provider.sse.SseEvent;
import dev.llmrotate.internal.provider.sse.SseReader;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamPiece;
import java.io.IOException;

/**
 * Reads {@code streamGenerateContent?alt=sse}: every {@code data:} event is a whole {@code GenerateContentResponse}
 * carrying the next text; there is no end marker. The event with a finish reason is the final piece, with the usage
 * of the last {@code usageMetadata} seen (Gemini's counts are cumulative). A body that ends before a finish reason
 * is an interrupted stream; an {@code error} event is classified like an error response.
 */
final class GeminiStream implements ProviderStream {
    private final StreamBody body;
    private final SseReader events;
    private final ObjectMapper json;
    private final GoogleErrorClassifier classifier;
    private Usage usage;
    private String model;
    private String responseId;
    private boolean finalEmitted;

    GeminiStream(StreamBody body, ObjectMapper json, GoogleErrorClassifier classifier) {
        this.body = body;
        this.events = new SseReader(body);
        this.json = json;
        this.classifier = classifier;
    }

    /** Events without text or finish reason (empty parts, usage only) are read within the same deadline. */
    @Override
    public StreamPiece next(long deadlineNanos) {
        while (!finalEmitted) {
            SseEvent event = events.next(deadlineNanos);
            if (event == null) {
                throw new ProviderException(
                        ErrorType.STREAM_INTERRUPTED, null, null, "stream ended before a finish reason");
            }
            StreamPiece piece = read(event.data());
            if (piece != null) {
                return piece;
            }
        }
        return null;
    }

    /** Takes one event in; returns its piece, or null when it carries neither text nor a finish reason. */
    private StreamPiece read(String data) {
        JsonNode chunk;
        try {
            chunk = json.readTree(data);
        } catch (IOException e) {
            chunk = null;
        }
        if (chunk == null || !chunk.isObject()) {
            throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event");
        }
        if (chunk.has("error")) {
            throw classifier.classifyEvent(chunk.get("error"));
        }
        String version = GeminiFormat.textOrNull(chunk, "modelVersion");
        model = version != null ? version : model;
        String id = GeminiFormat.textOrNull(chunk, "responseId");
        responseId = id != null ? id : responseId;
        if (chunk.path("usageMetadata").isObject()) {
            usage = GeminiFormat.usage(chunk.get("usageMetadata"));
        }
        JsonNode candidate = GeminiFormat.firstCandidate(chunk, null);
        String delta = GeminiFormat.text(candidate);
        FinishReason reason = GeminiFormat.finishReason(candidate, null);
        if (reason != null) {
            finalEmitted = true;
            return new StreamPiece(delta, reason, usage == null ? Usage.UNREPORTED : usage, model, responseId);
        }
        return delta.isEmpty() ? null : new StreamPiece(delta, null, null, model, responseId);
    }

    @Override
    public void close() {
        body.close();
    }
}

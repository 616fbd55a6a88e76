package dev.llmrotate.internal.provider.openai;

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
 * Reads an OpenAI Chat Completions SSE stream: {@code chat.completion.chunk} events, a chunk with the finish
 * reason, a usage chunk (with {@code stream_options.include_usage}), then {@code data: [DONE]}. A stream that ends
 * without [DONE] after its finish reason is complete; one that ends before it is interrupted.
 */
final class OpenAiStream implements ProviderStream {
    private final StreamBody body;
    private final SseReader events;
    private final ObjectMapper json;
    private final OpenAiErrorClassifier classifier;
    private FinishReason finishReason;
    private Usage usage;
    private String model;
    private String responseId;
    private boolean finalEmitted;

    OpenAiStream(StreamBody body, ObjectMapper json, OpenAiErrorClassifier classifier) {
        this.body = body;
        this.events = new SseReader(body);
        this.json = json;
        this.classifier = classifier;
    }

    /** Role-only and empty chunks, the usage chunk and SSE comments are read within the same deadline. */
    @Override
    public StreamPiece next(long deadlineNanos) {
        while (!finalEmitted) {
            SseEvent event = events.next(deadlineNanos);
            if (event == null) {
                if (finishReason == null) {
                    throw new ProviderException(
                            ErrorType.STREAM_INTERRUPTED, null, null, "stream ended before the answer was complete");
                }
                return finalPiece(); // ended cleanly without [DONE], but the answer was complete
            }
            if (event.data().equals("[DONE]")) {
                if (finishReason == null) {
                    finishReason = FinishReason.UNKNOWN; // complete by its end marker, reason not given
                }
                return finalPiece();
            }
            String delta = read(event.data());
            if (!delta.isEmpty()) {
                return new StreamPiece(delta, null, null, model, responseId);
            }
        }
        return null;
    }

    /** Takes one chunk in; returns its text (possibly empty). */
    private String read(String data) {
        JsonNode chunk;
        try {
            chunk = json.readTree(data);
        } catch (IOException e) {
            throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event");
        }
        if (chunk == null || !chunk.isObject()) {
            throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event");
        }
        if (chunk.has("error")) {
            throw classifier.classifyEvent(chunk.get("error"));
        }
        if (chunk.path("model").isTextual()) {
            model = chunk.get("model").asText();
        }
        if (chunk.path("id").isTextual()) {
            responseId = chunk.get("id").asText();
        }
        JsonNode tokens = chunk.get("usage");
        if (tokens != null && tokens.isObject()) {
            usage = OpenAiAdapter.usage(tokens);
        }
        JsonNode choice = chunk.path("choices").path(0);
        String reason = choice.path("finish_reason").asText("");
        if (!reason.isEmpty() && !choice.path("finish_reason").isNull()) {
            finishReason = OpenAiAdapter.finishReason(reason);
        }
        JsonNode content = choice.path("delta").path("content");
        return content.isTextual() ? content.asText() : "";
    }

    private StreamPiece finalPiece() {
        finalEmitted = true;
        return new StreamPiece("", finishReason, usage == null ? Usage.UNREPORTED : usage, model, responseId);
    }

    @Override
    public void close() {
        body.close();
    }
}

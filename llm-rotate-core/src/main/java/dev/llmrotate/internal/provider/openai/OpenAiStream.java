package dev.llmrotate.internal.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.sse.SseEvent;
import dev.llmrotate.internal.provider.sse.SseReader;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamBody;
import dev.llmrotate.spi.StreamPiece;
import java.io.IOException;
import java.util.List;

/**
 * Reads an OpenAI Chat Completions SSE stream: {@code chat.completion.chunk} events, a chunk with the finish
 * reason, a usage chunk (with {@code stream_options.include_usage}), then {@code data: [DONE]}. A stream that ends
 * without [DONE] after its finish reason is complete; one that ends before it is interrupted. Besides {@code
 * delta.content}, a chunk's {@code delta.tool_calls} (by index) and reasoning text ({@code delta.reasoning}, {@code
 * delta.reasoning_content}) are content (see {@link OpenAiTools}).
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
            StreamPiece piece = read(event.data());
            if (piece != null) {
                return piece;
            }
        }
        return null;
    }

    /** Takes one chunk in; returns the piece of content it carries, or null. */
    private StreamPiece read(String data) {
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
        JsonNode delta = choice.path("delta");
        JsonNode content = delta.path("content");
        String text = content.isTextual() ? content.asText() : "";
        String reasoning = OpenAiTools.reasoningText(delta);
        List<ToolCallDelta> calls = OpenAiTools.toolCallDeltas(delta);
        if (text.isEmpty() && reasoning.isEmpty() && calls.isEmpty()) {
            return null;
        }
        return new StreamPiece(text, null, null, model, responseId, reasoning, calls, List.of());
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

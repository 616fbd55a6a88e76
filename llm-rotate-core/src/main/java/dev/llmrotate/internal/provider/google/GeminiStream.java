package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
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
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code streamGenerateContent?alt=sse}: every {@code data:} event is a whole {@code GenerateContentResponse}
 * carrying the next parts; there is no end marker. The event with a finish reason is the final piece, with the usage
 * of the last {@code usageMetadata} seen (Gemini's counts are cumulative). A body that ends before a finish reason
 * is an interrupted stream; an {@code error} event is classified like an error response.
 *
 * <p>Parts become content as in a reply (see {@link GeminiTools}): text is text; {@code thought: true} parts are
 * reasoning deltas; a {@code functionCall} arrives whole in one event, so it is one tool-call delta with its id (or
 * the same synthesized id a reply would get), name, all of its arguments and its {@code thoughtSignature}, numbered
 * in the order of the calls. A {@code thoughtSignature} on a text or thought part is handed over as a reasoning part
 * with the thought text before it (unsigned), so that {@code collect()} keeps the same parts a reply has. A final
 * {@code STOP} after function calls is {@code TOOL_CALLS}.
 */
final class GeminiStream implements ProviderStream {
    /** More tool calls than this in one answer is a malformed stream. */
    private static final int MAX_TOOL_CALLS = 1024;

    private final StreamBody body;
    private final SseReader events;
    private final ObjectMapper json;
    private final GoogleErrorClassifier classifier;
    private final String provider;
    private Usage usage;
    private String model;
    private String responseId;
    private boolean finalEmitted;
    private int toolCalls;
    /** Thought text not yet handed over in a reasoning part. */
    private final StringBuilder thoughts = new StringBuilder();

    GeminiStream(StreamBody body, ObjectMapper json, GoogleErrorClassifier classifier, String provider) {
        this.body = body;
        this.events = new SseReader(body);
        this.json = json;
        this.classifier = classifier;
        this.provider = provider;
    }

    /** Events without content or finish reason (empty parts, usage only) are read within the same deadline. */
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

    /** Takes one event in; returns its piece, or null when it carries neither content nor a finish reason. */
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
        StringBuilder text = new StringBuilder();
        StringBuilder reasoning = new StringBuilder();
        List<ToolCallDelta> calls = new ArrayList<>(0);
        List<ContentPart> blocks = new ArrayList<>(0);
        JsonNode parts = candidate == null ? null : candidate.path("content").path("parts");
        if (parts != null) {
            for (JsonNode part : parts) {
                readPart(part, text, reasoning, calls, blocks);
            }
        }
        FinishReason reason = GeminiFormat.finishReason(candidate, null);
        boolean last = reason != null;
        if ((last || !blocks.isEmpty()) && !thoughts.isEmpty()) {
            // Hand the rest over too: a piece's reasoning parts replace the reasoning text read before them.
            blocks.add(new ContentPart.Reasoning(thoughts.toString(), null, provider));
            thoughts.setLength(0);
        }
        if (last) {
            finalEmitted = true;
            if (reason == FinishReason.STOP && toolCalls > 0) {
                reason = FinishReason.TOOL_CALLS;
            }
            return new StreamPiece(
                    text.toString(),
                    reason,
                    usage == null ? Usage.UNREPORTED : usage,
                    model,
                    responseId,
                    reasoning.toString(),
                    calls,
                    blocks);
        }
        if (text.isEmpty() && reasoning.isEmpty() && calls.isEmpty() && blocks.isEmpty()) {
            return null;
        }
        return new StreamPiece(text.toString(), null, null, model, responseId, reasoning.toString(), calls, blocks);
    }

    private void readPart(
            JsonNode part,
            StringBuilder text,
            StringBuilder reasoning,
            List<ToolCallDelta> calls,
            List<ContentPart> blocks) {
        String signature = GeminiTools.signature(part);
        if (part.has("functionCall")) {
            if (toolCalls >= MAX_TOOL_CALLS) {
                throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event");
            }
            int index = toolCalls++;
            ToolCall call = GeminiTools.call(part, responseId, index, null);
            calls.add(new ToolCallDelta(index, call.id(), call.name(), call.arguments(), call.signature()));
            return;
        }
        String partText = part.path("text").isTextual() ? part.get("text").asText() : "";
        boolean thought = part.path("thought").asBoolean(false);
        if (thought) {
            reasoning.append(partText);
        } else {
            text.append(partText);
        }
        if (signature == null) {
            if (thought) {
                thoughts.append(partText);
            }
            return;
        }
        if (!thoughts.isEmpty()) {
            blocks.add(new ContentPart.Reasoning(thoughts.toString(), null, provider));
            thoughts.setLength(0);
        }
        blocks.add(new ContentPart.Reasoning(thought ? partText : "", signature, provider));
    }

    @Override
    public void close() {
        body.close();
    }
}

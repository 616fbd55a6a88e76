package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamBody;
import dev.llmrotate.spi.StreamPiece;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a ConverseStream response: event-stream messages whose {@code :event-type} is {@code messageStart},
 * {@code contentBlockStart}, {@code contentBlockDelta}, {@code contentBlockStop}, {@code messageStop} ({@code
 * stopReason}) and {@code metadata} ({@code usage}, {@code metrics}). Messages whose {@code :message-type} is {@code
 * exception} ({@code :exception-type} names it) or {@code error} are classified failures. Content blocks, told apart
 * by {@code contentBlockIndex}, become pieces:
 *
 * <ul>
 *   <li>{@code delta.text}: text;
 *   <li>a tool use block: a tool call, numbered from 0 in the order of such blocks: its {@code contentBlockStart}
 *       gives {@code start.toolUse} ({@code toolUseId}, {@code name}), each {@code delta.toolUse.input} more of the
 *       arguments' JSON text;
 *   <li>a reasoning block: its {@code delta.reasoningContent.text} pieces are reasoning text; at {@code
 *       contentBlockStop} the whole block, with the {@code signature} its deltas brought, is handed over as a
 *       reasoning part for the next turn ({@code redactedContent} pieces: as redacted reasoning).
 * </ul>
 *
 * <p>The final piece is emitted once both {@code messageStop} and {@code metadata} have arrived. A body that ends
 * cleanly after {@code messageStop} but without {@code metadata} still completes (usage not reported); a body that ends
 * before {@code messageStop} is {@link ErrorType#STREAM_INTERRUPTED}, and so is a malformed event (a tool input delta
 * for a block that did not start as a tool use, redacted content that is not base64).
 */
final class ConverseStream implements ProviderStream {
    /** More tool calls than this in one answer is a malformed stream. */
    private static final int MAX_TOOL_CALLS = 1024;

    private final StreamBody body;
    private final EventStreamDecoder decoder;
    private final ObjectMapper json;
    private final BedrockErrorClassifier classifier;
    private final String requestId;
    private FinishReason finishReason;
    private Usage usage;
    private boolean finalEmitted;
    /** The tool call number of each tool use block, by the block's index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();

    private int toolCalls;
    /** The reasoning block being read (its index, text, signature, redacted bytes), handed over when it stops. */
    private int reasoningIndex = -1;

    private StringBuilder reasoningText;
    private String signature;
    private ByteArrayOutputStream redacted;

    ConverseStream(StreamBody body, ObjectMapper json, BedrockErrorClassifier classifier, String requestId) {
        this.body = body;
        this.decoder = new EventStreamDecoder(body::readFully);
        this.json = json;
        this.classifier = classifier;
        this.requestId = requestId;
    }

    /** Messages without content (start, stop, empty deltas) are read within the same deadline. */
    @Override
    public StreamPiece next(long deadlineNanos) {
        while (!finalEmitted) {
            EventStreamDecoder.Message message = decoder.next(deadlineNanos);
            if (message == null) {
                if (finishReason == null) {
                    throw new ProviderException(
                            ErrorType.STREAM_INTERRUPTED, null, null, "stream ended before messageStop");
                }
                return finalPiece(); // messageStop arrived, metadata did not: complete, without usage
            }
            StreamPiece piece = read(message);
            if (piece != null) {
                return piece;
            }
            if (finishReason != null && usage != null) {
                return finalPiece();
            }
        }
        return null;
    }

    /** Takes one message in; returns the piece it yields, or null. */
    private StreamPiece read(EventStreamDecoder.Message message) {
        String messageType = message.header(":message-type");
        if ("exception".equals(messageType)) {
            throw classifier.classifyStreamException(message.header(":exception-type"), message.payloadText());
        }
        if ("error".equals(messageType)) {
            throw classifier.classifyStreamError(message.header(":error-code"), message.header(":error-message"));
        }
        String eventType = message.header(":event-type");
        if (eventType == null) {
            return null;
        }
        switch (eventType) {
            case "contentBlockStart" -> {
                JsonNode event = payload(message);
                return blockStart(event.path("contentBlockIndex").asInt(-1), event.path("start"));
            }
            case "contentBlockDelta" -> {
                JsonNode event = payload(message);
                return blockDelta(event.path("contentBlockIndex").asInt(-1), event.path("delta"));
            }
            case "contentBlockStop" -> {
                return blockStop(payload(message).path("contentBlockIndex").asInt(-1));
            }
            case "messageStop" -> {
                FinishReason reason = ConverseFormat.finishReason(
                        payload(message).path("stopReason").asText(""));
                // messageStop is the end marker: without a reason the answer is complete, why it stopped unknown.
                finishReason = reason == null ? FinishReason.UNKNOWN : reason;
            }
            case "metadata" -> usage = ConverseFormat.usage(payload(message).path("usage"));
            default -> {
                // messageStart and events added later carry no content
            }
        }
        return null;
    }

    private StreamPiece blockStart(int index, JsonNode start) {
        JsonNode use = start.path("toolUse");
        if (!use.isObject()) {
            return null; // text and reasoning blocks start with their first delta
        }
        if (toolCalls >= MAX_TOOL_CALLS || index < 0 || toolBlocks.containsKey(index)) {
            throw malformed();
        }
        int call = toolCalls++;
        toolBlocks.put(index, call);
        ToolCallDelta first = new ToolCallDelta(
                call, use.path("toolUseId").asText(null), use.path("name").asText(null), "");
        return piece("", "", List.of(first), List.of());
    }

    private StreamPiece blockDelta(int index, JsonNode delta) {
        JsonNode text = delta.path("text");
        if (text.isTextual()) {
            return text.asText().isEmpty() ? null : new StreamPiece(text.asText(), null, null, null, requestId);
        }
        JsonNode use = delta.path("toolUse");
        if (use.isObject()) {
            Integer call = toolBlocks.get(index);
            if (call == null) {
                throw malformed();
            }
            String input = use.path("input").asText("");
            return input.isEmpty()
                    ? null
                    : piece("", "", List.of(new ToolCallDelta(call, null, null, input)), List.of());
        }
        JsonNode reasoning = delta.path("reasoningContent");
        if (reasoning.isObject()) {
            return reasoningDelta(index, reasoning);
        }
        return null; // citations and deltas added later
    }

    private StreamPiece reasoningDelta(int index, JsonNode reasoning) {
        if (reasoningIndex != index) {
            reasoningIndex = index;
            reasoningText = new StringBuilder();
            signature = null;
            redacted = null;
        }
        if (reasoning.path("signature").isTextual()) {
            signature = reasoning.get("signature").asText();
        }
        if (reasoning.path("redactedContent").isTextual()) {
            if (redacted == null) {
                redacted = new ByteArrayOutputStream();
            }
            try {
                redacted.writeBytes(Base64.getDecoder()
                        .decode(reasoning.get("redactedContent").asText()));
            } catch (IllegalArgumentException e) {
                throw malformed();
            }
        }
        String text = reasoning.path("text").asText("");
        if (text.isEmpty()) {
            return null;
        }
        reasoningText.append(text);
        return piece("", text, List.of(), List.of());
    }

    /** The end of a block: a reasoning block is handed over whole, with its signature. */
    private StreamPiece blockStop(int index) {
        if (index != reasoningIndex) {
            return null;
        }
        List<ContentPart> blocks = new ArrayList<>(2);
        if (!reasoningText.isEmpty() || signature != null) {
            blocks.add(new ContentPart.Reasoning(reasoningText.toString(), signature, ConverseFormat.ORIGIN));
        }
        if (redacted != null) {
            blocks.add(new ContentPart.RedactedReasoning(
                    Base64.getEncoder().encodeToString(redacted.toByteArray()), ConverseFormat.ORIGIN));
        }
        reasoningIndex = -1;
        reasoningText = null;
        signature = null;
        redacted = null;
        return blocks.isEmpty() ? null : piece("", "", List.of(), blocks);
    }

    private StreamPiece piece(String text, String reasoning, List<ToolCallDelta> calls, List<ContentPart> blocks) {
        return new StreamPiece(text, null, null, null, requestId, reasoning, calls, blocks);
    }

    private static ProviderException malformed() {
        return new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event");
    }

    private JsonNode payload(EventStreamDecoder.Message message) {
        try {
            JsonNode node = json.readTree(message.payload());
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException e) {
            // reported below
        }
        throw new ProviderException(
                ErrorType.STREAM_INTERRUPTED, null, null, "malformed " + message.header(":event-type") + " event");
    }

    private StreamPiece finalPiece() {
        finalEmitted = true;
        return new StreamPiece("", finishReason, usage == null ? Usage.UNREPORTED : usage, null, requestId);
    }

    @Override
    public void close() {
        body.close();
    }
}

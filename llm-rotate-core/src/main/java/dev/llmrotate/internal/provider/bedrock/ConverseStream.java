package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.StreamBody;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamPiece;
import java.io.IOException;

/**
 * Reads a ConverseStream response: event-stream messages whose {@code :event-type} is {@code messageStart},
 * {@code contentBlockStart}, {@code contentBlockDelta} ({@code delta.text}), {@code contentBlockStop},
 * {@code messageStop} ({@code stopReason}) and {@code metadata} ({@code usage}, {@code metrics}). Messages whose
 * {@code :message-type} is {@code exception} ({@code :exception-type} names it) or {@code error} are classified
 * failures.
 *
 * <p>The final piece is emitted once both {@code messageStop} and {@code metadata} have arrived. A body that ends
 * cleanly after {@code messageStop} but without {@code metadata} still completes (usage not reported); a body that ends
 * before {@code messageStop} is {@link ErrorType#STREAM_INTERRUPTED}.
 */
final class ConverseStream implements ProviderStream {
    private final StreamBody body;
    private final EventStreamDecoder decoder;
    private final ObjectMapper json;
    private final BedrockErrorClassifier classifier;
    private final String requestId;
    private FinishReason finishReason;
    private Usage usage;
    private boolean finalEmitted;

    ConverseStream(StreamBody body, ObjectMapper json, BedrockErrorClassifier classifier, String requestId) {
        this.body = body;
        this.decoder = new EventStreamDecoder(body::readFully);
        this.json = json;
        this.classifier = classifier;
        this.requestId = requestId;
    }

    /** Messages without text (start, stop, empty deltas) are read within the same deadline. */
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
            String delta = read(message);
            if (!delta.isEmpty()) {
                return new StreamPiece(delta, null, null, null, requestId);
            }
            if (finishReason != null && usage != null) {
                return finalPiece();
            }
        }
        return null;
    }

    /** Takes one message in; returns its text (possibly empty). */
    private String read(EventStreamDecoder.Message message) {
        String messageType = message.header(":message-type");
        if ("exception".equals(messageType)) {
            throw classifier.classifyStreamException(message.header(":exception-type"), message.payloadText());
        }
        if ("error".equals(messageType)) {
            throw classifier.classifyStreamError(message.header(":error-code"), message.header(":error-message"));
        }
        String eventType = message.header(":event-type");
        if (eventType == null) {
            return "";
        }
        switch (eventType) {
            case "contentBlockDelta" -> {
                JsonNode text = payload(message).path("delta").path("text");
                return text.isTextual() ? text.asText() : "";
            }
            case "messageStop" -> {
                FinishReason reason = ConverseFormat.finishReason(
                        payload(message).path("stopReason").asText(""));
                // messageStop is the end marker: without a reason the answer is complete, why it stopped unknown.
                finishReason = reason == null ? FinishReason.UNKNOWN : reason;
            }
            case "metadata" -> usage = ConverseFormat.usage(payload(message).path("usage"));
            default -> {
                // messageStart, contentBlockStart, contentBlockStop and events added later carry no text
            }
        }
        return "";
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

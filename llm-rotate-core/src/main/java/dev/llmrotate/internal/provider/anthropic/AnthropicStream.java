package dev.llmrotate.internal.provider.anthropic;

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
 * Reads an Anthropic Messages SSE stream: {@code message_start} (id, model, input usage), content blocks whose
 * {@code text_delta}s become pieces, {@code message_delta} (stop reason, cumulative usage), {@code message_stop}
 * (the final piece). {@code ping}, non-text deltas (thinking, tool input) and event types this version does not know
 * are skipped, as Anthropic's versioning policy asks.
 *
 * <ul>
 *   <li>An {@code error} event is thrown classified by its {@code error.type} ({@code overloaded_error}: transient).
 *   <li>The body ending before {@code message_stop} is {@code stream_interrupted}, unless a {@code message_delta}
 *       with a stop reason already came: then the answer is complete and the final piece is returned (the same rule
 *       as for an OpenAI stream that ends after its finish reason without {@code [DONE]}).
 *   <li>A malformed event (data that is not a JSON object) is {@code stream_interrupted}.
 *   <li>{@link #next(long)} waits until its deadline for the next piece in all: pings and non-text events do not
 *       extend it, so a stream that only pings times out. (A model that thinks silently for longer than the
 *       provider's {@code stream_idle_timeout_seconds} needs a longer one.)
 * </ul>
 */
final class AnthropicStream implements ProviderStream {
    private final StreamBody body;
    private final SseReader events;
    private final ObjectMapper json;
    private final AnthropicErrorClassifier classifier;
    private String model;
    private String responseId;
    private long inputTokens;
    private long cacheCreationTokens;
    private long cacheReadTokens;
    private long outputTokens;
    private boolean usageReported;
    private FinishReason finishReason;
    private boolean finalEmitted;

    AnthropicStream(StreamBody body, ObjectMapper json, AnthropicErrorClassifier classifier) {
        this.body = body;
        this.events = new SseReader(body);
        this.json = json;
        this.classifier = classifier;
    }

    @Override
    public StreamPiece next(long deadlineNanos) {
        while (!finalEmitted) {
            SseEvent event = events.next(deadlineNanos);
            if (event == null) {
                if (finishReason == null) {
                    throw new ProviderException(
                            ErrorType.STREAM_INTERRUPTED, null, null, "stream ended before message_stop");
                }
                return finalPiece(); // message_delta said why it stopped: the answer is complete
            }
            StreamPiece piece = read(event);
            if (piece != null) {
                return piece;
            }
        }
        return null;
    }

    /** Takes one event in; returns the piece it yields, or null. */
    private StreamPiece read(SseEvent event) {
        JsonNode data = parse(event.data());
        String type = data.path("type").isTextual() ? data.get("type").asText() : event.event();
        switch (type) {
            case "message_start" -> {
                JsonNode message = data.path("message");
                if (message.path("id").isTextual()) {
                    responseId = message.get("id").asText();
                }
                if (message.path("model").isTextual()) {
                    model = message.get("model").asText();
                }
                takeUsage(message.path("usage"));
                return null;
            }
            case "content_block_start" -> {
                JsonNode block = data.path("content_block");
                return "text".equals(block.path("type").asText()) ? text(block.path("text")) : null;
            }
            case "content_block_delta" -> {
                JsonNode delta = data.path("delta");
                return "text_delta".equals(delta.path("type").asText()) ? text(delta.path("text")) : null;
            }
            case "message_delta" -> {
                JsonNode reason = data.path("delta").path("stop_reason");
                if (reason.isTextual()) {
                    finishReason = AnthropicAdapter.finishReason(reason.asText());
                }
                takeUsage(data.path("usage"));
                return null;
            }
            case "message_stop" -> {
                if (finishReason == null) {
                    finishReason = FinishReason.UNKNOWN; // complete by its end marker, reason not given
                }
                return finalPiece();
            }
            case "error" -> throw classifier.classifyEvent(data);
            default -> {
                return null; // ping, content_block_stop, and event types added after this version
            }
        }
    }

    private JsonNode parse(String data) {
        JsonNode node;
        try {
            node = json.readTree(data);
        } catch (IOException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event");
        }
        return node;
    }

    private StreamPiece text(JsonNode text) {
        return text.isTextual() && !text.asText().isEmpty()
                ? new StreamPiece(text.asText(), null, null, model, responseId)
                : null;
    }

    /** Usage counts are cumulative: a count a later event sends replaces the earlier one. */
    private void takeUsage(JsonNode usage) {
        usageReported |= usage.isObject();
        inputTokens = count(usage, "input_tokens", inputTokens);
        cacheCreationTokens = count(usage, "cache_creation_input_tokens", cacheCreationTokens);
        cacheReadTokens = count(usage, "cache_read_input_tokens", cacheReadTokens);
        outputTokens = count(usage, "output_tokens", outputTokens);
    }

    private static long count(JsonNode usage, String field, long previous) {
        JsonNode value = usage.get(field);
        return value != null && value.isNumber() ? value.asLong() : previous;
    }

    private StreamPiece finalPiece() {
        finalEmitted = true;
        Usage usage = usageReported
                ? AnthropicAdapter.usage(inputTokens, cacheCreationTokens, cacheReadTokens, outputTokens)
                : Usage.UNREPORTED;
        return new StreamPiece("", finishReason, usage, model, responseId);
    }

    @Override
    public void close() {
        body.close();
    }
}

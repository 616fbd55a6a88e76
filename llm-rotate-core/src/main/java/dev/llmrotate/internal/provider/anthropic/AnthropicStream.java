package dev.llmrotate.internal.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.sse.SseEvent;
import dev.llmrotate.internal.provider.sse.SseReader;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamBody;
import dev.llmrotate.spi.StreamPiece;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an Anthropic Messages SSE stream (https://docs.anthropic.com/en/docs/build-with-claude/streaming): {@code
 * message_start} (id, model, input usage), content blocks, {@code message_delta} (stop reason, cumulative usage),
 * {@code message_stop} (the final piece). Content blocks become pieces:
 *
 * <ul>
 *   <li>{@code text}: its {@code text_delta}s are text;
 *   <li>{@code tool_use}: a tool call, numbered from 0 in the order of such blocks: its {@code content_block_start}
 *       gives the id and name, each {@code input_json_delta}'s {@code partial_json} more of the arguments;
 *   <li>{@code thinking}: its {@code thinking_delta}s are reasoning text; at {@code content_block_stop} the whole
 *       block with the {@code signature} of its {@code signature_delta} is handed over as a reasoning part, for the
 *       next turn; {@code redacted_thinking} is handed over as it starts.
 * </ul>
 *
 * {@code ping} and event or block types this version does not know are skipped, as Anthropic's versioning policy
 * asks.
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
    /** More tool calls than this in one answer is a malformed stream. */
    private static final int MAX_TOOL_CALLS = 1024;

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
    /** The tool call number of each tool_use block, by the block's index. */
    private final Map<Integer, Integer> toolBlocks = new HashMap<>();

    private int toolCalls;
    /** The thinking block being read: its text and signature, handed over when it stops. */
    private StringBuilder thinking;

    private String signature;

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
                return blockStart(data.path("index").asInt(-1), data.path("content_block"));
            }
            case "content_block_delta" -> {
                return blockDelta(data.path("index").asInt(-1), data.path("delta"));
            }
            case "content_block_stop" -> {
                return blockStop();
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
                return null; // ping, and event types added after this version
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
            throw malformed();
        }
        return node;
    }

    private StreamPiece blockStart(int index, JsonNode block) {
        switch (block.path("type").asText()) {
            case "text" -> {
                return text(block.path("text"));
            }
            case "tool_use" -> {
                if (toolCalls >= MAX_TOOL_CALLS || index < 0) {
                    throw malformed();
                }
                int call = toolCalls++;
                toolBlocks.put(index, call);
                ToolCallDelta start = new ToolCallDelta(
                        call, block.path("id").asText(null), block.path("name").asText(null), "");
                return piece("", "", List.of(start), List.of());
            }
            case "thinking" -> {
                thinking = new StringBuilder(block.path("thinking").asText(""));
                signature = null;
                return thinking.isEmpty() ? null : piece("", thinking.toString(), List.of(), List.of());
            }
            case "redacted_thinking" -> {
                return piece("", "", List.of(), AnthropicRequest.reasoningOf(block));
            }
            default -> {
                return null;
            }
        }
    }

    private StreamPiece blockDelta(int index, JsonNode delta) {
        switch (delta.path("type").asText()) {
            case "text_delta" -> {
                return text(delta.path("text"));
            }
            case "input_json_delta" -> {
                Integer call = toolBlocks.get(index);
                String json = delta.path("partial_json").asText("");
                if (call == null) {
                    throw malformed();
                }
                return json.isEmpty()
                        ? null
                        : piece("", "", List.of(new ToolCallDelta(call, null, null, json)), List.of());
            }
            case "thinking_delta" -> {
                String text = delta.path("thinking").asText("");
                if (thinking == null || text.isEmpty()) {
                    return null;
                }
                thinking.append(text);
                return piece("", text, List.of(), List.of());
            }
            case "signature_delta" -> {
                if (delta.path("signature").isTextual()) {
                    signature = delta.get("signature").asText();
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    /** The end of a block: a thinking block is handed over whole, with its signature. */
    private StreamPiece blockStop() {
        if (thinking == null) {
            return null;
        }
        ContentPart.Reasoning block =
                new ContentPart.Reasoning(thinking.toString(), signature, ProviderCatalog.ANTHROPIC);
        thinking = null;
        signature = null;
        return piece("", "", List.of(), List.of(block));
    }

    private StreamPiece piece(String text, String reasoning, List<ToolCallDelta> calls, List<ContentPart> blocks) {
        return new StreamPiece(text, null, null, model, responseId, reasoning, calls, blocks);
    }

    private static ProviderException malformed() {
        return new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event");
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

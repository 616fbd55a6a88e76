package dev.llmrotate.server.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link ChatResponse} as an OpenAI {@code chat.completion} object
 * (https://platform.openai.com/docs/api-reference/chat/object), and the server-sent-event framing of a stream
 * (https://platform.openai.com/docs/api-reference/chat-streaming): {@code data: <json>\n\n} events, the closing
 * {@code data: [DONE]\n\n}, and the in-band error event {@code data: {"error": {...}}\n\n} that ends a stream which
 * broke after its first chunk (without {@code [DONE]}, so that no client takes a cut answer for a whole one). The
 * chunks themselves are {@link OpenAiChunkWriter}'s.
 *
 * <p>Written with Jackson's streaming generator straight into the caller's stream (no tree, no intermediate
 * string); the {@code byte[]} forms are for tests and small answers.
 */
public final class OpenAiChatResponses {
    static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    static final byte[] EVENT_END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private OpenAiChatResponses() {}

    /**
     * The {@code id} of the completion of a call.
     *
     * @param callId the call's id
     * @return {@code chatcmpl-<callId>}
     */
    public static String completionId(String callId) {
        return "chatcmpl-" + callId;
    }

    /**
     * The {@code chat.completion} JSON of {@code response}; see {@link #writeCompletion}.
     *
     * @param response the answer
     * @param callId the call's id
     * @param created when the call started, in epoch seconds
     * @return the JSON as UTF-8 bytes
     */
    public static byte[] completion(ChatResponse response, String callId, long created) {
        return WireJson.bytes(
                512 + response.content().length(), out -> writeCompletion(response, callId, created, out));
    }

    /**
     * Writes the {@code chat.completion} JSON of {@code response}: one choice whose message has the text ({@code
     * content}, null when the model only called tools), {@code tool_calls}, and the reasoning text as {@code
     * reasoning_content} when there is any (the field DeepSeek and vLLM use; OpenAI itself returns none); {@code
     * model} is the model that answered; {@code usage} only when the provider reported it.
     *
     * @param response the answer
     * @param callId the call's id; the completion's id is {@link #completionId(String) chatcmpl-&lt;callId&gt;}
     * @param created when the call started, in epoch seconds
     * @param out where the JSON goes, as UTF-8; left open
     * @throws IOException when {@code out} fails
     */
    public static void writeCompletion(ChatResponse response, String callId, long created, OutputStream out)
            throws IOException {
        WireJson.write(out, json -> {
            json.writeStartObject();
            json.writeStringField("id", completionId(callId));
            json.writeStringField("object", "chat.completion");
            json.writeNumberField("created", created);
            json.writeStringField("model", response.model());
            json.writeArrayFieldStart("choices");
            json.writeStartObject();
            json.writeNumberField("index", 0);
            json.writeObjectFieldStart("message");
            json.writeStringField("role", "assistant");
            boolean toolsOnly = response.content().isEmpty() && response.hasToolCalls();
            json.writeStringField("content", toolsOnly ? null : response.content());
            json.writeNullField("refusal");
            String reasoning = response.reasoningText();
            if (!reasoning.isEmpty()) {
                json.writeStringField("reasoning_content", reasoning);
            }
            if (response.hasToolCalls()) {
                json.writeArrayFieldStart("tool_calls");
                for (ToolCall call : response.toolCalls()) {
                    json.writeStartObject();
                    json.writeStringField("id", call.id());
                    json.writeStringField("type", "function");
                    json.writeObjectFieldStart("function");
                    json.writeStringField("name", call.name());
                    json.writeStringField("arguments", call.arguments());
                    json.writeEndObject();
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
            json.writeNullField("logprobs");
            json.writeStringField("finish_reason", finishReason(response.finishReason()));
            json.writeEndObject();
            json.writeEndArray();
            if (response.usage().reported()) {
                json.writeFieldName("usage");
                writeUsage(json, response.usage());
            }
            json.writeEndObject();
        });
    }

    /**
     * The OpenAI {@code finish_reason} of a finish reason: {@code stop}, {@code length}, {@code tool_calls} or
     * {@code content_filter}. {@link FinishReason#OTHER} and {@link FinishReason#UNKNOWN} (and null) become {@code
     * stop}: OpenAI has no other value, and the official SDKs refuse values outside their enum when validating.
     *
     * @param reason the finish reason, or null
     * @return the OpenAI value
     */
    public static String finishReason(FinishReason reason) {
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case LENGTH -> "length";
            case TOOL_CALLS -> "tool_calls";
            case CONTENT_FILTER -> "content_filter";
            case STOP, OTHER, UNKNOWN -> "stop";
        };
    }

    /**
     * Writes {@code {"prompt_tokens", "completion_tokens", "total_tokens", "prompt_tokens_details": {"cached_tokens"},
     * "completion_tokens_details": {"reasoning_tokens"}}}.
     */
    static void writeUsage(JsonGenerator json, Usage usage) throws IOException {
        json.writeStartObject();
        json.writeNumberField("prompt_tokens", usage.inputTokens());
        json.writeNumberField("completion_tokens", usage.outputTokens());
        json.writeNumberField("total_tokens", usage.totalTokens());
        json.writeObjectFieldStart("prompt_tokens_details");
        json.writeNumberField("cached_tokens", usage.cachedInputTokens());
        json.writeEndObject();
        json.writeObjectFieldStart("completion_tokens_details");
        json.writeNumberField("reasoning_tokens", usage.reasoningTokens());
        json.writeEndObject();
        json.writeEndObject();
    }

    /**
     * The end of a complete stream.
     *
     * @return {@code data: [DONE]\n\n} as bytes, a fresh array
     */
    public static byte[] doneEvent() {
        return DONE.clone();
    }

    /**
     * Writes {@code data: [DONE]\n\n}.
     *
     * @param out where the event goes
     * @throws IOException when {@code out} fails
     */
    public static void writeDoneEvent(OutputStream out) throws IOException {
        out.write(DONE);
    }

    /**
     * The last event of a stream that broke after its first chunk.
     *
     * @param error the error to tell
     * @return {@code data: {"error": {...}}\n\n} as UTF-8 bytes
     */
    public static byte[] errorEvent(OpenAiError error) {
        return WireJson.bytes(160 + error.message().length(), out -> writeErrorEvent(error, out));
    }

    /**
     * Writes {@code data: {"error": {...}}\n\n}.
     *
     * @param error the error to tell
     * @param out where the event goes
     * @throws IOException when {@code out} fails
     */
    public static void writeErrorEvent(OpenAiError error, OutputStream out) throws IOException {
        out.write(DATA);
        WireJson.write(out, json -> OpenAiErrors.write(json, error));
        out.write(EVENT_END);
    }
}

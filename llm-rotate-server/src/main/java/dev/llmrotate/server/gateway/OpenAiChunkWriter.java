package dev.llmrotate.server.gateway;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.Usage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes one stream's {@link StreamChunk}s as OpenAI {@code chat.completion.chunk} server-sent events
 * (https://platform.openai.com/docs/api-reference/chat-streaming/streaming):
 *
 * <ul>
 *   <li>every event {@code data: {"id", "object": "chat.completion.chunk", "created", "model", "choices": [{"index":
 *       0, "delta": {...}, "logprobs": null, "finish_reason": ...}]}\n\n}, with {@code "usage": null} when the client
 *       asked for usage (as OpenAI writes it);
 *   <li>the first event's delta carries {@code "role": "assistant"} and {@code content} (possibly empty);
 *   <li>text as {@code delta.content}, reasoning as {@code delta.reasoning_content}, tool calls as {@code
 *       delta.tool_calls[]} by {@code index}: the first piece of a call with {@code id}, {@code type} and {@code
 *       function.name}, then pieces of {@code function.arguments};
 *   <li>the final chunk's event carries the {@code finish_reason}; when the client asked for usage ({@code
 *       stream_options.include_usage}) and the provider reported it, one more event follows with empty {@code
 *       choices} and the {@code usage}.
 * </ul>
 *
 * A chunk with nothing to tell (no text, reasoning or tool call, not first, not final: a reasoning signature, say)
 * writes nothing. The caller ends a complete stream with {@link OpenAiChatResponses#writeDoneEvent}. One writer per
 * stream; not thread-safe.
 */
public final class OpenAiChunkWriter {
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;
    private boolean first = true;

    /**
     * @param callId the call's id; every chunk's id is {@link OpenAiChatResponses#completionId chatcmpl-&lt;callId&gt;}
     * @param created when the call started, in epoch seconds
     * @param model the model that answers (the stream's, a fallback's included)
     * @param includeUsage whether the client asked for the usage chunk
     */
    public OpenAiChunkWriter(String callId, long created, String model, boolean includeUsage) {
        this.id = OpenAiChatResponses.completionId(Objects.requireNonNull(callId, "callId"));
        this.created = created;
        this.model = Objects.requireNonNull(model, "model");
        this.includeUsage = includeUsage;
    }

    /**
     * The events of a chunk; see {@link #writeEvents}.
     *
     * @param chunk the next chunk of the stream
     * @return the events as UTF-8 bytes, possibly none (an empty array)
     */
    public byte[] events(StreamChunk chunk) {
        return WireJson.bytes(256 + chunk.delta().length(), out -> writeEvents(chunk, out));
    }

    /**
     * Writes the events of {@code chunk} into {@code out}: none, one, or (the final chunk, with usage) two.
     *
     * @param chunk the next chunk of the stream
     * @param out where the events go
     * @return whether anything was written (nothing to flush otherwise)
     * @throws IOException when {@code out} fails
     */
    public boolean writeEvents(StreamChunk chunk, OutputStream out) throws IOException {
        boolean wrote = false;
        if (first
                || chunk.isFinal()
                || !chunk.delta().isEmpty()
                || !chunk.reasoningDelta().isEmpty()
                || !chunk.toolCallDeltas().isEmpty()) {
            out.write(OpenAiChatResponses.DATA);
            WireJson.write(out, json -> writeChunk(json, chunk));
            out.write(OpenAiChatResponses.EVENT_END);
            first = false;
            wrote = true;
        }
        if (chunk.isFinal()
                && includeUsage
                && chunk.usage() != null
                && chunk.usage().reported()) {
            out.write(OpenAiChatResponses.DATA);
            WireJson.write(out, json -> writeUsageChunk(json, chunk.usage()));
            out.write(OpenAiChatResponses.EVENT_END);
            wrote = true;
        }
        return wrote;
    }

    private void writeChunk(JsonGenerator json, StreamChunk chunk) throws IOException {
        writeHead(json);
        json.writeStartObject();
        json.writeNumberField("index", 0);
        json.writeObjectFieldStart("delta");
        if (first) {
            json.writeStringField("role", "assistant");
        }
        if (first || !chunk.delta().isEmpty()) {
            json.writeStringField("content", chunk.delta());
        }
        if (!chunk.reasoningDelta().isEmpty()) {
            json.writeStringField("reasoning_content", chunk.reasoningDelta());
        }
        if (!chunk.toolCallDeltas().isEmpty()) {
            json.writeArrayFieldStart("tool_calls");
            for (ToolCallDelta delta : chunk.toolCallDeltas()) {
                json.writeStartObject();
                json.writeNumberField("index", delta.index());
                if (delta.id() != null) {
                    json.writeStringField("id", delta.id());
                    json.writeStringField("type", "function");
                }
                json.writeObjectFieldStart("function");
                if (delta.name() != null) {
                    json.writeStringField("name", delta.name());
                }
                json.writeStringField("arguments", delta.argumentsDelta());
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        json.writeEndObject();
        json.writeNullField("logprobs");
        json.writeStringField(
                "finish_reason", chunk.isFinal() ? OpenAiChatResponses.finishReason(chunk.finishReason()) : null);
        json.writeEndObject();
        json.writeEndArray();
        if (includeUsage) {
            json.writeNullField("usage");
        }
        json.writeEndObject();
    }

    private void writeUsageChunk(JsonGenerator json, Usage usage) throws IOException {
        writeHead(json);
        json.writeEndArray();
        json.writeFieldName("usage");
        OpenAiChatResponses.writeUsage(json, usage);
        json.writeEndObject();
    }

    /** {@code {"id", "object", "created", "model", "choices": [}, left open. */
    private void writeHead(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField("id", id);
        json.writeStringField("object", "chat.completion.chunk");
        json.writeNumberField("created", created);
        json.writeStringField("model", model);
        json.writeArrayFieldStart("choices");
    }
}

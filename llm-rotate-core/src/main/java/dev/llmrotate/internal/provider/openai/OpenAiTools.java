package dev.llmrotate.internal.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.tools.ToolCallIds;
import dev.llmrotate.spi.ProviderException;
import java.util.ArrayList;
import java.util.List;

/**
 * Tools, tool calls, structured output and reasoning in the Chat Completions format
 * (https://platform.openai.com/docs/api-reference/chat/create, https://platform.openai.com/docs/guides/function-calling,
 * https://platform.openai.com/docs/guides/structured-outputs):
 *
 * <ul>
 *   <li>{@code tools: [{"type": "function", "function": {"name", "description", "parameters", "strict"}}]};
 *   <li>{@code tool_choice}: {@code "auto"}, {@code "none"}, {@code "required"} or {@code {"type": "function",
 *       "function": {"name": …}}}; {@code parallel_tool_calls}: a boolean;
 *   <li>{@code response_format}: {@code {"type": "text"}}, {@code {"type": "json_object"}} or {@code {"type":
 *       "json_schema", "json_schema": {"name", "schema", "strict"}}};
 *   <li>an assistant message's calls: {@code "tool_calls": [{"id", "type": "function", "function": {"name",
 *       "arguments"}}]}, its {@code content} the text or null; a tool result: {@code {"role": "tool", "tool_call_id",
 *       "content"}};
 *   <li>replies: {@code message.tool_calls}; streams: {@code delta.tool_calls[]} by {@code index}, the first delta of
 *       a call with its {@code id} and {@code function.name}, the next ones with pieces of {@code
 *       function.arguments};
 *   <li>reasoning text, which OpenAI itself does not return but OpenAI-compatible servers do: {@code
 *       message.reasoning} (OpenRouter) or {@code message.reasoning_content} (DeepSeek, vLLM), and the same fields of
 *       a stream's {@code delta}.
 * </ul>
 *
 * Tool-call ids are sent in their {@link ToolCallIds#portable portable} form. Reasoning parts of earlier answers are
 * not sent: Chat Completions has no field for them.
 */
final class OpenAiTools {
    /** More tool calls than this in one answer is a malformed stream (OpenAI takes at most 128 tools). */
    static final int MAX_TOOL_CALLS = 1024;

    private OpenAiTools() {}

    /** Whether the message needs the tool-aware form (calls, a tool result, or reasoning to leave out). */
    static boolean needsToolForm(ChatMessage message) {
        return !message.toolCalls().isEmpty()
                || message.role().equals("tool")
                || !message.reasoning().isEmpty();
    }

    static void addMessage(ObjectNode m, ChatMessage message) {
        m.put("role", message.role());
        if (message.role().equals("tool")) {
            m.put("tool_call_id", ToolCallIds.portable(message.toolCallId()));
            m.put("content", message.text());
            return;
        }
        String text = message.text();
        if (text.isEmpty() && !message.toolCalls().isEmpty()) {
            m.putNull("content");
        } else {
            m.put("content", text);
        }
        if (!message.toolCalls().isEmpty()) {
            ArrayNode calls = m.putArray("tool_calls");
            for (ToolCall call : message.toolCalls()) {
                ObjectNode c = calls.addObject();
                c.put("id", ToolCallIds.portable(call.id()));
                c.put("type", "function");
                c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
    }

    /** Adds {@code tools}, {@code tool_choice}, {@code parallel_tool_calls} and {@code response_format}. */
    static void addFields(ObjectNode root, ChatRequest request, ObjectMapper json) {
        if (!request.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode function = tools.addObject().put("type", "function").putObject("function");
                function.put("name", tool.name());
                if (tool.description() != null) {
                    function.put("description", tool.description());
                }
                function.putPOJO("parameters", tool.parameters());
                if (tool.strict() != null) {
                    function.put("strict", tool.strict());
                }
            }
        }
        ToolChoice choice = request.toolChoice();
        if (choice != null) {
            switch (choice.type()) {
                case AUTO -> root.put("tool_choice", "auto");
                case NONE -> root.put("tool_choice", "none");
                case REQUIRED -> root.put("tool_choice", "required");
                case TOOL ->
                    root.putObject("tool_choice")
                            .put("type", "function")
                            .putObject("function")
                            .put("name", choice.toolName());
            }
        }
        if (request.parallelToolCalls() != null) {
            root.put("parallel_tool_calls", request.parallelToolCalls());
        }
        ResponseFormat format = request.responseFormat();
        if (format != null) {
            ObjectNode f = root.putObject("response_format");
            switch (format.type()) {
                case TEXT -> f.put("type", "text");
                case JSON_OBJECT -> f.put("type", "json_object");
                case JSON_SCHEMA -> {
                    f.put("type", "json_schema");
                    ObjectNode schema = f.putObject("json_schema");
                    schema.put("name", format.name());
                    schema.putPOJO("schema", format.schema());
                    if (format.strict() != null) {
                        schema.put("strict", format.strict());
                    }
                }
            }
        }
    }

    /** The tool calls of a reply's {@code message}. */
    static List<ToolCall> toolCalls(JsonNode message) {
        JsonNode calls = message.path("tool_calls");
        if (!calls.isArray() || calls.isEmpty()) {
            return List.of();
        }
        List<ToolCall> result = new ArrayList<>(calls.size());
        for (JsonNode call : calls) {
            String id = call.path("id").asText("");
            String name = call.path("function").path("name").asText("");
            if (id.isEmpty() || name.isEmpty()) {
                throw new ProviderException(
                        ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response has a tool call without id or name");
            }
            JsonNode arguments = call.path("function").path("arguments");
            result.add(new ToolCall(id, name, arguments.isTextual() ? arguments.asText() : arguments.toString()));
        }
        return result;
    }

    /** The tool-call deltas of a stream chunk's {@code delta}. */
    static List<ToolCallDelta> toolCallDeltas(JsonNode delta) {
        JsonNode calls = delta.path("tool_calls");
        if (!calls.isArray() || calls.isEmpty()) {
            return List.of();
        }
        List<ToolCallDelta> result = new ArrayList<>(calls.size());
        for (JsonNode call : calls) {
            JsonNode index = call.path("index");
            if (!index.canConvertToInt() || index.asInt() < 0 || index.asInt() >= MAX_TOOL_CALLS) {
                throw new ProviderException(
                        ErrorType.STREAM_INTERRUPTED, null, null, "malformed stream event: tool call index " + index);
            }
            JsonNode function = call.path("function");
            result.add(new ToolCallDelta(
                    index.asInt(),
                    text(call.path("id")),
                    text(function.path("name")),
                    function.path("arguments").isTextual()
                            ? function.get("arguments").asText()
                            : ""));
        }
        return result;
    }

    /** Reasoning text of a message or delta: OpenRouter's {@code reasoning}, else {@code reasoning_content}. */
    static String reasoningText(JsonNode node) {
        JsonNode reasoning = node.path("reasoning");
        if (reasoning.isTextual()) {
            return reasoning.asText();
        }
        JsonNode content = node.path("reasoning_content");
        return content.isTextual() ? content.asText() : "";
    }

    /** The reasoning of a reply's {@code message} as parts (unsigned: for reading, not sent back). */
    static List<ContentPart> reasoning(JsonNode message, String provider) {
        String text = reasoningText(message);
        return text.isEmpty() ? List.of() : List.of(new ContentPart.Reasoning(text, null, provider));
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}

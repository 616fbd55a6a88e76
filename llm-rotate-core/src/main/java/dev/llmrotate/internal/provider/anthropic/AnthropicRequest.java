package dev.llmrotate.internal.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.internal.provider.extra.ScopedExtra;
import dev.llmrotate.internal.provider.tools.ToolCallIds;
import java.util.Base64;
import java.util.List;

/**
 * A {@link ChatRequest} as a Messages API body (https://docs.anthropic.com/en/api/messages), and the checks before
 * any is sent.
 *
 * <ul>
 *   <li>System messages are hoisted into the top-level {@code system} string, joined with a blank line. Text parts are
 *       {@code text} blocks (a message of one text part is a plain string), image bytes {@code image} blocks, PDF
 *       bytes {@code document} blocks, both with a base64 source, in user messages (and tool results) only.
 *   <li>An assistant message's blocks are its reasoning, its text and its tool calls, in that order: reasoning that
 *       Anthropic produced ({@code origin} {@code anthropic}) becomes {@code thinking} blocks with their {@code
 *       signature}, or {@code redacted_thinking} blocks, as the extended-thinking docs ask for the next turn; other
 *       reasoning (another provider's, or without a signature) is left out. Tool calls are {@code tool_use} blocks,
 *       the arguments parsed into {@code input}.
 *   <li>Consecutive tool results become one user message of {@code tool_result} blocks ({@code tool_use_id}, {@code
 *       content} a string or text and image blocks), as Anthropic asks for the results of parallel calls.
 *   <li>Tool-call ids are sent in their {@link ToolCallIds#portable portable} form (Anthropic takes only {@code
 *       [a-zA-Z0-9_-]}).
 *   <li>{@code tools}: {@code name}, {@code description}, {@code input_schema}, {@code strict}. {@code tool_choice}:
 *       {@code auto}, {@code none}, {@code any} (required) or {@code tool} with its {@code name};
 *       {@code parallelToolCalls} false is {@code disable_parallel_tool_use: true} on it.
 *   <li>A thinking budget is {@code thinking}: {@code {"type": "enabled", "budget_tokens": n}}, 0 {@code
 *       {"type": "disabled"}}, -1 {@code {"type": "adaptive"}}; without {@code maxTokens}, {@code max_tokens} is the
 *       budget plus {@value AnthropicAdapter#DEFAULT_MAX_TOKENS}, since it must exceed the budget.
 *   <li>A reasoning effort is {@code output_config.effort} ({@code low}, {@code medium}, {@code high}, {@code max});
 *       a JSON-schema response format is {@code output_config.format}: {@code {"type": "json_schema", "schema": …}}
 *       (structured outputs; the schema's name is not sent, since Anthropic has none, and the output always follows
 *       the schema).
 *   <li>{@code temperature} and {@code top_p} when set; {@code extra} entries are top-level fields and replace fields
 *       of the same name.
 * </ul>
 */
final class AnthropicRequest {
    private static final String ORIGIN = ProviderCatalog.ANTHROPIC;

    private final ObjectMapper json;

    AnthropicRequest(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Rejects what Anthropic cannot take, before any request is sent.
     *
     * @throws IllegalArgumentException naming the problem
     */
    void check(ChatRequest request) {
        boolean conversation = false;
        boolean toolBlocks = false;
        for (ChatMessage message : request.messages()) {
            conversation |= !message.role().equals("system");
            toolBlocks |= !message.toolCalls().isEmpty() || message.role().equals("tool");
            for (ContentPart part : message.content()) {
                checkPart(message.role(), part);
            }
            for (ToolCall call : message.toolCalls()) {
                input(call);
            }
        }
        if (!conversation) {
            throw new IllegalArgumentException(
                    "anthropic needs at least one user or assistant message besides the system messages");
        }
        if (toolBlocks && request.tools().isEmpty()) {
            throw new IllegalArgumentException("anthropic needs the tool definitions (tools) in a request whose"
                    + " messages carry tool calls or tool results");
        }
        checkControls(request);
    }

    private static void checkPart(String role, ContentPart part) {
        if (part instanceof ContentPart.FileRef) {
            throw new IllegalArgumentException("anthropic does not take FileRef parts (references to uploaded"
                    + " files); send the bytes inline as image or PDF parts");
        }
        if (part instanceof ContentPart.Text
                || part instanceof ContentPart.Reasoning
                || part instanceof ContentPart.RedactedReasoning) {
            return;
        }
        if (!role.equals("user") && !role.equals("tool")) {
            throw new IllegalArgumentException(
                    "anthropic takes images and PDFs in user messages and tool results only, not in " + role
                            + " messages");
        }
        if (part instanceof ContentPart.PdfBytes pdf && !pdf.mimeType().equals("application/pdf")) {
            throw new IllegalArgumentException(
                    "anthropic takes PDF documents as application/pdf, got " + pdf.mimeType());
        }
    }

    private static void checkControls(ChatRequest request) {
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() == ResponseFormat.Type.JSON_OBJECT) {
            throw new IllegalArgumentException("response format json_object is not supported by anthropic, which has"
                    + " no JSON mode without a schema; use ResponseFormat.jsonSchema");
        }
        ClaudeReasoning.check(request, "anthropic", "AUTO or NONE");
    }

    /** The request body without {@code stream}. */
    ObjectNode body(ChatRequest request, String model) {
        ObjectNode root = json.createObjectNode();
        root.put("model", model);
        root.put("max_tokens", maxTokens(request));
        StringBuilder system = new StringBuilder();
        ArrayNode messages = json.createArrayNode();
        ArrayNode toolResults = null;
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("system")) {
                if (!system.isEmpty()) {
                    system.append("\n\n");
                }
                system.append(message.text());
                continue;
            }
            if (message.role().equals("tool")) {
                if (toolResults == null) {
                    ObjectNode user = messages.addObject().put("role", "user");
                    toolResults = user.putArray("content");
                }
                addToolResult(toolResults, message);
                continue;
            }
            toolResults = null;
            ObjectNode m = messages.addObject();
            m.put("role", message.role());
            if (message.content().size() == 1
                    && message.toolCalls().isEmpty()
                    && message.content().get(0) instanceof ContentPart.Text t) {
                m.put("content", t.text());
            } else {
                ArrayNode blocks = m.putArray("content");
                message.content().forEach(part -> addBlock(blocks, part));
                for (ToolCall call : message.toolCalls()) {
                    ObjectNode use = blocks.addObject().put("type", "tool_use");
                    use.put("id", ToolCallIds.portable(call.id()));
                    use.put("name", call.name());
                    use.set("input", input(call));
                }
            }
        }
        if (!system.isEmpty()) {
            root.put("system", system.toString());
        }
        root.set("messages", messages);
        if (request.temperature() != null) {
            root.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            root.put("top_p", request.topP());
        }
        addTools(root, request);
        addControls(root, request);
        ScopedExtra.forFormat(request.extra(), ScopedExtra.ANTHROPIC)
                .forEach((name, value) -> root.set(name, json.valueToTree(value)));
        return root;
    }

    private static int maxTokens(ChatRequest request) {
        if (request.maxTokens() != null) {
            return request.maxTokens();
        }
        Integer budget = request.thinkingBudget();
        return budget != null && budget > 0
                ? budget + AnthropicAdapter.DEFAULT_MAX_TOKENS
                : AnthropicAdapter.DEFAULT_MAX_TOKENS;
    }

    private void addToolResult(ArrayNode blocks, ChatMessage message) {
        ObjectNode result = blocks.addObject().put("type", "tool_result");
        result.put("tool_use_id", ToolCallIds.portable(message.toolCallId()));
        if (message.content().size() == 1 && message.content().get(0) instanceof ContentPart.Text t) {
            result.put("content", t.text());
        } else {
            ArrayNode content = result.putArray("content");
            message.content().forEach(part -> addBlock(content, part));
        }
    }

    private void addTools(ObjectNode root, ChatRequest request) {
        if (!request.tools().isEmpty()) {
            ArrayNode tools = root.putArray("tools");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode t = tools.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    t.put("description", tool.description());
                }
                t.putPOJO("input_schema", tool.parameters());
                if (tool.strict() != null) {
                    t.put("strict", tool.strict());
                }
            }
        }
        ToolChoice choice = request.toolChoice();
        Boolean parallel = request.parallelToolCalls();
        if (choice == null && parallel == null) {
            return;
        }
        ObjectNode c = root.putObject("tool_choice");
        ToolChoice.Type type = choice == null ? ToolChoice.Type.AUTO : choice.type();
        switch (type) {
            case AUTO -> c.put("type", "auto");
            case NONE -> c.put("type", "none");
            case REQUIRED -> c.put("type", "any");
            case TOOL -> c.put("type", "tool").put("name", choice.toolName());
        }
        if (parallel != null && type != ToolChoice.Type.NONE) {
            c.put("disable_parallel_tool_use", !parallel);
        }
    }

    private void addControls(ObjectNode root, ChatRequest request) {
        Integer budget = request.thinkingBudget();
        if (budget != null) {
            ObjectNode thinking = root.putObject("thinking");
            if (budget > 0) {
                thinking.put("type", "enabled").put("budget_tokens", budget);
            } else {
                thinking.put("type", budget == 0 ? "disabled" : "adaptive");
            }
        }
        ReasoningEffort effort = request.reasoningEffort();
        ResponseFormat format = request.responseFormat();
        boolean schema = format != null && format.type() == ResponseFormat.Type.JSON_SCHEMA;
        if (effort == null && !schema) {
            return;
        }
        ObjectNode output = root.putObject("output_config");
        if (effort != null) {
            output.put("effort", effort.wireName());
        }
        if (schema) {
            output.putObject("format").put("type", "json_schema").putPOJO("schema", format.schema());
        }
    }

    private static void addBlock(ArrayNode blocks, ContentPart part) {
        if (part instanceof ContentPart.Text t) {
            if (!t.text().isEmpty()) { // Anthropic refuses empty text blocks
                blocks.addObject().put("type", "text").put("text", t.text());
            }
        } else if (part instanceof ContentPart.ImageBytes image) {
            base64Block(blocks, "image", image.mimeType(), image.data());
        } else if (part instanceof ContentPart.PdfBytes pdf) {
            base64Block(blocks, "document", "application/pdf", pdf.data());
        } else if (part instanceof ContentPart.Reasoning r && ORIGIN.equals(r.origin()) && r.signature() != null) {
            blocks.addObject().put("type", "thinking").put("thinking", r.text()).put("signature", r.signature());
        } else if (part instanceof ContentPart.RedactedReasoning r && ORIGIN.equals(r.origin())) {
            blocks.addObject().put("type", "redacted_thinking").put("data", r.data());
        }
    }

    private static void base64Block(ArrayNode blocks, String type, String mediaType, byte[] data) {
        ObjectNode source = blocks.addObject().put("type", type).putObject("source");
        source.put("type", "base64");
        source.put("media_type", mediaType);
        source.put("data", Base64.getEncoder().encodeToString(data));
    }

    /** A tool call's arguments as the {@code input} object Anthropic takes. */
    private JsonNode input(ToolCall call) {
        JsonNode input;
        try {
            input = json.readTree(call.arguments());
        } catch (JsonProcessingException e) {
            input = null;
        }
        if (input == null || !input.isObject()) {
            throw new IllegalArgumentException("tool call " + call.id() + " (" + call.name()
                    + ") has arguments that are not a JSON object; anthropic takes a tool call's input as an object");
        }
        return input;
    }

    /** The reasoning of a reply block ({@code thinking}, {@code redacted_thinking}) as parts. */
    static List<ContentPart> reasoningOf(JsonNode block) {
        String type = block.path("type").asText();
        if (type.equals("thinking")) {
            String signature =
                    block.path("signature").isTextual() ? block.get("signature").asText() : null;
            return List.of(new ContentPart.Reasoning(block.path("thinking").asText(""), signature, ORIGIN));
        }
        if (type.equals("redacted_thinking") && block.path("data").isTextual()) {
            return List.of(new ContentPart.RedactedReasoning(block.get("data").asText(), ORIGIN));
        }
        return List.of();
    }
}

package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.anthropic.AnthropicAdapter;
import dev.llmrotate.internal.provider.anthropic.ClaudeReasoning;
import dev.llmrotate.internal.provider.extra.ScopedExtra;
import dev.llmrotate.internal.provider.tools.ToolCallIds;
import dev.llmrotate.spi.ProviderException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Converse request and response bodies (shared by Converse and ConverseStream), as the Bedrock Runtime API
 * reference and its service model define them.
 *
 * <p>Request: system messages become the top-level {@code system} blocks, in order; user and assistant messages
 * become {@code messages[{role, content: [{text} | {image: {format, source: {bytes}}} | {document: {format: "pdf",
 * name, source: {bytes}}}]}]} (bytes base64, as REST-JSON encodes blobs); {@code maxTokens}, {@code temperature}
 * and {@code topP} go to {@code inferenceConfig}. {@link ChatRequest#extra()} entries named like a top-level
 * Converse field ({@link #TOP_LEVEL_FIELDS}) are sent at the top level; every other entry goes into
 * {@code additionalModelRequestFields}, the place for a model's own parameters (e.g. {@code top_k}).
 *
 * <p>Tools, structured output and reasoning:
 *
 * <ul>
 *   <li>{@code toolConfig.tools[{toolSpec: {name, description, inputSchema: {json}, strict}}]}; {@code
 *       toolConfig.toolChoice} {@code {auto: {}}}, {@code {any: {}}} (required) or {@code {tool: {name}}}. Converse
 *       has no "none" choice: {@link ToolChoice#NONE} sends no {@code toolConfig} at all (the model, shown no tool,
 *       calls none), which Converse allows only while no message carries tool calls or results; with them, it is
 *       refused. Converse has no switch for parallel calls either: {@code parallelToolCalls(false)} is refused,
 *       {@code true} is what the models do anyway.
 *   <li>An assistant message's blocks are its reasoning, its text and its tool calls ({@code toolUse: {toolUseId,
 *       name, input}}, the arguments parsed into {@code input}), in that order. Consecutive tool results become one
 *       user message of {@code toolResult: {toolUseId, content: [{text} | {image} | {document}]}} blocks (Converse
 *       wants user and assistant turns to alternate); a user message right after them joins that message, after the
 *       results. Tool-call ids are sent in their {@link ToolCallIds#portable portable} form (Converse takes only
 *       {@code [a-zA-Z0-9_-]}, at most 64).
 *   <li>Reasoning that Bedrock produced ({@code origin} {@code aws_bedrock}) goes back as {@code reasoningContent:
 *       {reasoningText: {text, signature}}} or {@code {redactedContent}}, as the extended-thinking docs ask for the
 *       next turn; reasoning without a signature, or another provider's, is left out.
 *   <li>A JSON-schema response format is {@code outputConfig.textFormat: {type: "json_schema", structure:
 *       {jsonSchema: {schema, name}}}}, the schema as JSON text (Bedrock's structured outputs; the output always
 *       follows the schema).
 *   <li>A thinking budget and a reasoning effort are model parameters, sent in {@code additionalModelRequestFields}
 *       for Anthropic Claude models only (model ids with {@code anthropic.claude}, also in inference profiles and
 *       ARNs): {@code thinking} as in the Messages API ({@code {"type": "enabled", "budget_tokens": n}}, 0 {@code
 *       disabled}, -1 {@code adaptive}; without {@code maxTokens}, {@code inferenceConfig.maxTokens} is the budget
 *       plus {@value AnthropicAdapter#DEFAULT_MAX_TOKENS}, since it must exceed the budget) and {@code
 *       output_config.effort}. Other families name them differently, so they are refused for other models: pass the
 *       model's own fields through {@code extra}.
 * </ul>
 */
final class ConverseFormat {
    /** Converse request members besides messages, system and inferenceConfig that {@code extra} may set. */
    static final Set<String> TOP_LEVEL_FIELDS = Set.of(
            "toolConfig",
            "guardrailConfig",
            "additionalModelResponseFieldPaths",
            "promptVariables",
            "requestMetadata",
            "performanceConfig",
            "outputConfig");

    static final String ORIGIN = ProviderCatalog.AWS_BEDROCK;

    private static final Map<String, String> IMAGE_FORMATS = Map.of(
            "image/png", "png",
            "image/jpeg", "jpeg",
            "image/jpg", "jpeg",
            "image/gif", "gif",
            "image/webp", "webp");

    private final ObjectMapper json;

    ConverseFormat(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Rejects what Converse cannot take, before any attempt. The checks that depend on the model are made when
     * the attempt's body is built ({@link #requestBody}), since a fallback may send the request to another model.
     *
     * @throws IllegalArgumentException naming the part and what to use instead
     */
    void check(ChatRequest request) {
        boolean toolBlocks = false;
        for (ChatMessage message : request.messages()) {
            toolBlocks |= !message.toolCalls().isEmpty() || message.role().equals("tool");
            boolean hasDocument = false;
            boolean hasText = false;
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Text) {
                    hasText = true;
                } else if (part instanceof ContentPart.ImageBytes image) {
                    requireUserOrTool(message, "images");
                    if (imageFormat(image.mimeType()) == null) {
                        throw new IllegalArgumentException("aws_bedrock Converse takes png, jpeg, gif or webp images,"
                                + " not " + image.mimeType());
                    }
                } else if (part instanceof ContentPart.PdfBytes pdf) {
                    requireUserOrTool(message, "documents");
                    if (!pdf.mimeType().toLowerCase(Locale.ROOT).equals("application/pdf")) {
                        throw new IllegalArgumentException(
                                "aws_bedrock Converse documents must be application/pdf here, not " + pdf.mimeType());
                    }
                    hasDocument = true;
                } else if (part instanceof ContentPart.FileRef) {
                    throw new IllegalArgumentException("aws_bedrock Converse does not take "
                            + part.getClass().getSimpleName() + " parts (files by URI); send the bytes as"
                            + " image_bytes or pdf_bytes instead");
                }
            }
            if (hasDocument && !hasText) {
                throw new IllegalArgumentException(
                        "aws_bedrock Converse needs a text part in every message that carries a PDF document");
            }
            for (ToolCall call : message.toolCalls()) {
                input(call);
            }
        }
        if (toolBlocks && request.tools().isEmpty() && !request.extra().containsKey("toolConfig")) {
            throw new IllegalArgumentException("aws_bedrock needs the tool definitions (tools) in a request whose"
                    + " messages carry tool calls or tool results (Converse requires toolConfig then)");
        }
        checkControls(request, toolBlocks);
    }

    private static void requireUserOrTool(ChatMessage message, String what) {
        if (!message.role().equals("user") && !message.role().equals("tool")) {
            throw new IllegalArgumentException("aws_bedrock Converse takes " + what
                    + " only in user messages and tool results, not in " + message.role() + " messages");
        }
    }

    private static void checkControls(ChatRequest request, boolean toolBlocks) {
        ToolChoice choice = request.toolChoice();
        if (choice != null && choice.type() == ToolChoice.Type.NONE && toolBlocks) {
            throw new IllegalArgumentException("toolChoice NONE is not supported by aws_bedrock in a conversation"
                    + " that carries tool calls or results: Converse has no \"none\" tool choice (only auto, any"
                    + " and tool) and requires the tools then; use AUTO");
        }
        if (Boolean.FALSE.equals(request.parallelToolCalls())) {
            throw new IllegalArgumentException("parallelToolCalls false is not supported by aws_bedrock: Converse has"
                    + " no switch for parallel tool calls");
        }
        ResponseFormat format = request.responseFormat();
        if (format != null && format.type() == ResponseFormat.Type.JSON_OBJECT) {
            throw new IllegalArgumentException("response format json_object is not supported by aws_bedrock, whose"
                    + " structured output (outputConfig.textFormat) needs a schema; use ResponseFormat.jsonSchema");
        }
        if (format != null
                && format.type() == ResponseFormat.Type.JSON_SCHEMA
                && request.extra().containsKey("outputConfig")) {
            throw new IllegalArgumentException("responseFormat and extra 'outputConfig' both set the same request"
                    + " field: set it once, either first-class or through extra");
        }
        ClaudeReasoning.check(request, "aws_bedrock", "AUTO");
    }

    /**
     * Rejects, for the model an attempt goes to, the reasoning controls that only Claude models take here.
     *
     * @throws ProviderException {@link ErrorType#INVALID_REQUEST} naming the control, the model and the way out
     */
    private static void checkModel(ChatRequest request, String model) {
        String control = request.thinkingBudget() != null
                ? "thinkingBudget"
                : request.reasoningEffort() != null ? "reasoningEffort" : null;
        if (control != null && !isClaude(model)) {
            throw new ProviderException(
                    ErrorType.INVALID_REQUEST,
                    null,
                    null,
                    control + " is supported by aws_bedrock for Anthropic Claude models only (model ids with"
                            + " 'anthropic.claude'), not for " + model + "; pass the model's own reasoning fields"
                            + " through extra (they go to additionalModelRequestFields)");
        }
    }

    static boolean isClaude(String model) {
        return model.toLowerCase(Locale.ROOT).contains("anthropic.claude");
    }

    static String imageFormat(String mimeType) {
        return IMAGE_FORMATS.get(mimeType.toLowerCase(Locale.ROOT));
    }

    /** The Converse request body for {@code request}, sent to {@code model}. */
    ObjectNode requestBody(ChatRequest request, String model) {
        checkModel(request, model);
        ObjectNode root = json.createObjectNode();
        ArrayNode messages = root.putArray("messages");
        ArrayNode system = json.createArrayNode();
        int[] documents = {0};
        ArrayNode toolResults = null;
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("system")) {
                for (ContentPart part : message.content()) {
                    if (part instanceof ContentPart.Text t && !t.text().isEmpty()) {
                        system.addObject().put("text", t.text());
                    }
                }
                continue;
            }
            if (message.role().equals("tool")) {
                if (toolResults == null) {
                    toolResults = messages.addObject().put("role", "user").putArray("content");
                }
                addToolResult(toolResults, message, documents);
                continue;
            }
            if (toolResults != null && message.role().equals("user")) {
                // Converse wants the roles to alternate: the user's words follow the results in the same message.
                for (ContentPart part : message.content()) {
                    addBlock(toolResults, part, documents, false);
                }
                toolResults = null;
                continue;
            }
            toolResults = null;
            ObjectNode m = messages.addObject();
            m.put("role", message.role());
            ArrayNode content = m.putArray("content");
            boolean calls = !message.toolCalls().isEmpty();
            for (ContentPart part : message.content()) {
                addBlock(content, part, documents, calls);
            }
            for (ToolCall call : message.toolCalls()) {
                ObjectNode use = content.addObject().putObject("toolUse");
                use.put("toolUseId", ToolCallIds.portable(call.id()));
                use.put("name", call.name());
                use.set("input", input(call));
            }
        }
        if (!system.isEmpty()) {
            root.set("system", system);
        }
        Integer maxTokens = request.maxTokens();
        Integer budget = request.thinkingBudget();
        if (maxTokens == null && budget != null && budget > 0) {
            maxTokens = budget + AnthropicAdapter.DEFAULT_MAX_TOKENS; // Claude needs room beyond the budget
        }
        if (maxTokens != null || request.temperature() != null || request.topP() != null) {
            ObjectNode inference = root.putObject("inferenceConfig");
            if (maxTokens != null) {
                inference.put("maxTokens", maxTokens);
            }
            if (request.temperature() != null) {
                inference.put("temperature", request.temperature());
            }
            if (request.topP() != null) {
                inference.put("topP", request.topP());
            }
        }
        addTools(root, request);
        addOutputConfig(root, request.responseFormat());
        ObjectNode additional = json.createObjectNode();
        addReasoning(additional, request);
        ScopedExtra.forFormat(request.extra(), ScopedExtra.BEDROCK).forEach((name, value) -> {
            if (TOP_LEVEL_FIELDS.contains(name)) {
                root.set(name, json.valueToTree(value));
            } else {
                additional.set(name, json.valueToTree(value));
            }
        });
        if (!additional.isEmpty()) {
            root.set("additionalModelRequestFields", additional);
        }
        return root;
    }

    /**
     * One content part as a block. Empty text is left out of a message that carries tool calls (Converse refuses
     * blank text blocks, and an assistant turn of calls often has none).
     */
    private static void addBlock(ArrayNode content, ContentPart part, int[] documents, boolean withCalls) {
        if (part instanceof ContentPart.Text t) {
            if (!withCalls || !t.text().isEmpty()) {
                content.addObject().put("text", t.text());
            }
        } else if (part instanceof ContentPart.ImageBytes image) {
            ObjectNode block = content.addObject().putObject("image");
            block.put("format", imageFormat(image.mimeType()));
            block.putObject("source").put("bytes", base64(image.data()));
        } else if (part instanceof ContentPart.PdfBytes pdf) {
            documents[0]++;
            ObjectNode block = content.addObject().putObject("document");
            block.put("format", "pdf");
            // Names allow letters, digits, single spaces, hyphens, parentheses and brackets; keep it neutral.
            block.put("name", "document-" + documents[0]);
            block.putObject("source").put("bytes", base64(pdf.data()));
        } else if (part instanceof ContentPart.Reasoning r && ORIGIN.equals(r.origin()) && r.signature() != null) {
            content.addObject()
                    .putObject("reasoningContent")
                    .putObject("reasoningText")
                    .put("text", r.text())
                    .put("signature", r.signature());
        } else if (part instanceof ContentPart.RedactedReasoning r && ORIGIN.equals(r.origin())) {
            content.addObject().putObject("reasoningContent").put("redactedContent", r.data());
        }
    }

    private void addToolResult(ArrayNode blocks, ChatMessage message, int[] documents) {
        ObjectNode result = blocks.addObject().putObject("toolResult");
        result.put("toolUseId", ToolCallIds.portable(message.toolCallId()));
        ArrayNode content = result.putArray("content");
        for (ContentPart part : message.content()) {
            addBlock(content, part, documents, false);
        }
    }

    private void addTools(ObjectNode root, ChatRequest request) {
        ToolChoice choice = request.toolChoice();
        if (request.tools().isEmpty() || (choice != null && choice.type() == ToolChoice.Type.NONE)) {
            return; // NONE: no tools shown, none called (refused before when the messages carry tool blocks)
        }
        ObjectNode config = root.putObject("toolConfig");
        ArrayNode tools = config.putArray("tools");
        for (ToolDefinition tool : request.tools()) {
            ObjectNode spec = tools.addObject().putObject("toolSpec");
            spec.put("name", tool.name());
            if (tool.description() != null && !tool.description().isEmpty()) { // Converse: at least 1 character
                spec.put("description", tool.description());
            }
            spec.putObject("inputSchema").putPOJO("json", tool.parameters());
            if (tool.strict() != null) {
                spec.put("strict", tool.strict());
            }
        }
        if (choice != null) {
            ObjectNode c = config.putObject("toolChoice");
            switch (choice.type()) {
                case AUTO -> c.putObject("auto");
                case REQUIRED -> c.putObject("any");
                case TOOL -> c.putObject("tool").put("name", choice.toolName());
                case NONE -> throw new IllegalStateException("NONE sends no toolConfig");
            }
        }
    }

    private void addOutputConfig(ObjectNode root, ResponseFormat format) {
        if (format == null || format.type() != ResponseFormat.Type.JSON_SCHEMA) {
            return; // TEXT is the default; JSON_OBJECT was refused
        }
        ObjectNode textFormat = root.putObject("outputConfig").putObject("textFormat");
        textFormat.put("type", "json_schema");
        ObjectNode schema = textFormat.putObject("structure").putObject("jsonSchema");
        try {
            schema.put("schema", json.writeValueAsString(format.schema())); // a string, not an object, in Converse
        } catch (JsonProcessingException e) {
            throw new ProviderException(ErrorType.INVALID_REQUEST, null, null, "schema not serialisable: " + e);
        }
        schema.put("name", format.name());
    }

    private static void addReasoning(ObjectNode additional, ChatRequest request) {
        Integer budget = request.thinkingBudget();
        if (budget != null) {
            ObjectNode thinking = additional.putObject("thinking");
            if (budget > 0) {
                thinking.put("type", "enabled").put("budget_tokens", budget);
            } else {
                thinking.put("type", budget == 0 ? "disabled" : "adaptive");
            }
        }
        if (request.reasoningEffort() != null) {
            additional
                    .putObject("output_config")
                    .put("effort", request.reasoningEffort().wireName());
        }
    }

    /** A tool call's arguments as the {@code input} object Converse takes. */
    private JsonNode input(ToolCall call) {
        JsonNode input;
        try {
            input = json.readTree(call.arguments());
        } catch (JsonProcessingException e) {
            input = null;
        }
        if (input == null || !input.isObject()) {
            throw new IllegalArgumentException("tool call " + call.id() + " (" + call.name()
                    + ") has arguments that are not a JSON object; aws_bedrock takes a tool call's input as an"
                    + " object");
        }
        return input;
    }

    private static String base64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    /** The text of a Converse {@code output.message}: its text blocks joined. */
    static String text(JsonNode message) {
        StringBuilder out = new StringBuilder();
        for (JsonNode block : message.path("content")) {
            JsonNode text = block.get("text");
            if (text != null && text.isTextual()) {
                out.append(text.asText());
            }
        }
        return out.toString();
    }

    /** The {@code toolUse} blocks of a Converse {@code output.message} as tool calls, {@code input} as JSON text. */
    static List<ToolCall> toolCalls(JsonNode message) {
        List<ToolCall> calls = new ArrayList<>(0);
        for (JsonNode block : message.path("content")) {
            JsonNode use = block.get("toolUse");
            if (use == null) {
                continue;
            }
            String id = use.path("toolUseId").asText("");
            String name = use.path("name").asText("");
            if (id.isEmpty() || name.isEmpty()) {
                throw new ProviderException(
                        ErrorType.TRANSIENT_SERVER_ERROR,
                        200,
                        null,
                        "response has a toolUse block without toolUseId or name");
            }
            JsonNode input = use.path("input");
            calls.add(new ToolCall(id, name, input.isObject() ? input.toString() : "{}"));
        }
        return calls;
    }

    /** The {@code reasoningContent} blocks of a Converse {@code output.message} as reasoning parts. */
    static List<ContentPart> reasoning(JsonNode message) {
        List<ContentPart> parts = new ArrayList<>(0);
        for (JsonNode block : message.path("content")) {
            JsonNode reasoning = block.get("reasoningContent");
            if (reasoning == null) {
                continue;
            }
            JsonNode text = reasoning.path("reasoningText");
            if (text.isObject()) {
                JsonNode signature = text.path("signature");
                parts.add(new ContentPart.Reasoning(
                        text.path("text").asText(""), signature.isTextual() ? signature.asText() : null, ORIGIN));
            } else if (reasoning.path("redactedContent").isTextual()) {
                parts.add(new ContentPart.RedactedReasoning(
                        reasoning.get("redactedContent").asText(), ORIGIN));
            }
        }
        return parts;
    }

    /**
     * Usage from a Converse {@code usage} object. Bedrock counts {@code inputTokens} without the tokens read from
     * or written to the prompt cache, which it reports apart; our input count includes both, and the cached count is
     * {@code cacheReadInputTokens}. Bedrock does not count reasoning tokens apart (they are in {@code outputTokens}).
     * Without the object, the usage is not reported.
     */
    static Usage usage(JsonNode usage) {
        if (!usage.isObject()) {
            return Usage.UNREPORTED;
        }
        long cacheRead = usage.path("cacheReadInputTokens").asLong(0);
        long cacheWrite = usage.path("cacheWriteInputTokens").asLong(0);
        return new Usage(
                usage.path("inputTokens").asLong(0) + cacheRead + cacheWrite,
                usage.path("outputTokens").asLong(0),
                cacheRead,
                0);
    }

    static FinishReason finishReason(String stopReason) {
        return switch (stopReason) {
            case "" -> null; // not given: the engine tells a reply without content and reason apart
            case "end_turn", "stop_sequence" -> FinishReason.STOP;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "content_filtered", "guardrail_intervened" -> FinishReason.CONTENT_FILTER;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            default -> FinishReason.OTHER;
        };
    }
}

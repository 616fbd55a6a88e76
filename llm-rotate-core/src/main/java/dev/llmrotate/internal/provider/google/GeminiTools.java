package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.GenerateContentControls;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.tools.ToolCallIds;
import dev.llmrotate.spi.ProviderException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tools, tool calls, structured output and thinking in the Gemini {@code generateContent} format, the same on AI
 * Studio (https://ai.google.dev/api/caching#Tool, https://ai.google.dev/gemini-api/docs/function-calling) and Vertex
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Content):
 *
 * <ul>
 *   <li>{@code tools: [{"functionDeclarations": [{"name", "description", "parametersJsonSchema"}]}]}: the schema goes
 *       as {@code parametersJsonSchema}, which takes JSON Schema as it is ({@code parameters} takes only Google's
 *       OpenAPI subset and refuses e.g. {@code additionalProperties}). Gemini has no {@code strict} flag: a tool with
 *       {@code strict} true is refused (nothing would hold the arguments to the schema), false is the default and is
 *       not sent.
 *   <li>{@code toolConfig.functionCallingConfig.mode}: {@code AUTO}, {@code NONE}, {@code ANY} (required), or {@code
 *       ANY} with {@code allowedFunctionNames: [name]} (a named tool). Gemini cannot be held to one call per turn:
 *       {@code parallelToolCalls} false is refused; true is what Gemini does anyway and sends nothing.
 *   <li>An assistant message is a {@code model} content: its signed Gemini reasoning (below), its text, then one
 *       {@code {"functionCall": {"id", "name", "args"}, "thoughtSignature"}} part per call, {@code args} the arguments
 *       parsed (a JSON object). Ids go in their {@link ToolCallIds#portable portable} form. A call's {@code
 *       thoughtSignature} ({@link ToolCall#signature()}) goes back with it, as Gemini requires
 *       (https://ai.google.dev/gemini-api/docs/thought-signatures); when no call of a message has one (calls another
 *       provider made), the first gets {@value #FOREIGN_SIGNATURE}, the value that page documents for history Gemini
 *       did not produce, since Gemini 3 refuses a current turn's calls without a signature.
 *   <li>Tool results are {@code {"functionResponse": {"id", "name", "response": {"output": text}}}} parts of one
 *       {@code user} content per run of consecutive results (all results of parallel calls together); {@code name}
 *       is the name of the call the result answers, {@code output} the key the reference names for a function's
 *       output. Results take text only.
 *   <li>{@code generationConfig.responseMimeType}: {@code text/plain} (text), {@code application/json} (a JSON
 *       object, or a JSON schema, which goes in {@code responseJsonSchema}: JSON Schema as it is, unlike {@code
 *       responseSchema}; its name is not sent, and Gemini always holds the answer to it).
 *   <li>{@code generationConfig.thinkingConfig}: a budget is {@code thinkingBudget} (0 off, -1 dynamic); an effort
 *       is Gemini 3's {@code thinkingLevel} {@code MINIMAL}, {@code LOW}, {@code MEDIUM} or {@code HIGH} (Gemini has
 *       no level to turn thinking off nor above high; the two cannot be combined). With either (but a budget of 0),
 *       {@code includeThoughts} is true, so that thought summaries come back as reasoning.
 *   <li>Answers: {@code functionCall} parts are tool calls (their {@code id} when Gemini gives one, else a fixed
 *       function of the response id, the call's position, name and arguments), {@code thought: true} parts are
 *       reasoning, and the {@code thoughtSignature} of a text or thought part is kept as reasoning (with an empty
 *       text for a text part), for the next turn.
 * </ul>
 *
 * Reasoning goes back only to the Gemini providers, and only signed (unsigned thought summaries are for reading): a
 * signed thought part as {@code {"text", "thought": true, "thoughtSignature"}}, a text part's signature as {@code
 * {"text": "", "thoughtSignature"}}, the form Gemini itself streams it in.
 */
final class GeminiTools {
    /** The signature Google documents for function calls in history that Gemini did not produce. */
    static final String FOREIGN_SIGNATURE = "skip_thought_signature_validator";

    private GeminiTools() {}

    /**
     * Rejects what Gemini cannot take, before any request is sent.
     *
     * @throws IllegalArgumentException naming the feature and the provider
     */
    static void check(ChatRequest request, String provider, ObjectMapper json) {
        for (ToolDefinition tool : request.tools()) {
            if (Boolean.TRUE.equals(tool.strict())) {
                throw new IllegalArgumentException("strict tool schemas (tool " + tool.name()
                        + ") are not supported by " + provider + ": Gemini has no strict flag, so nothing would hold"
                        + " the arguments to the schema; leave strict unset or false");
            }
        }
        if (Boolean.FALSE.equals(request.parallelToolCalls())) {
            throw new IllegalArgumentException("parallelToolCalls false is not supported by " + provider
                    + ": Gemini cannot be held to one tool call per turn");
        }
        ReasoningEffort effort = request.reasoningEffort();
        if (effort == ReasoningEffort.NONE || effort == ReasoningEffort.XHIGH || effort == ReasoningEffort.MAX) {
            throw new IllegalArgumentException("reasoningEffort " + effort + " is not supported by " + provider
                    + ", whose thinkingLevel is minimal, low, medium or high (thinkingBudget 0 turns thinking off"
                    + " where the model allows it)");
        }
        if (effort != null && request.thinkingBudget() != null) {
            throw new IllegalArgumentException(
                    provider + " takes a reasoningEffort (thinkingLevel) or a" + " thinkingBudget, not both");
        }
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("tool")) {
                for (ContentPart part : message.content()) {
                    if (!(part instanceof ContentPart.Text)) {
                        throw new IllegalArgumentException(provider + " takes only text in a tool result, not "
                                + part.getClass().getSimpleName() + " parts (tool call " + message.toolCallId() + ")");
                    }
                }
            }
            for (ToolCall call : message.toolCalls()) {
                args(call, provider, json);
            }
        }
        checkExtra(request);
    }

    /**
     * First-class fields and the {@code extra} entries {@link ChatRequest} cannot see collide: those inside an
     * {@code extra} {@code generationConfig}, and a {@code thinking_budget} beside an effort (both thinking config).
     */
    private static void checkExtra(ChatRequest request) {
        Object config = request.extra().get("generationConfig");
        Map<?, ?> generation = config instanceof Map<?, ?> map ? map : Map.of();
        if (request.responseFormat() != null) {
            for (String name : List.of("responseMimeType", "responseSchema", "responseJsonSchema")) {
                if (generation.containsKey(name)) {
                    throw collision("responseFormat", "generationConfig." + name);
                }
            }
        }
        if (generation.containsKey("thinkingConfig")) {
            if (request.thinkingBudget() != null) {
                throw collision("thinkingBudget", "generationConfig.thinkingConfig");
            }
            if (request.reasoningEffort() != null) {
                throw collision("reasoningEffort", "generationConfig.thinkingConfig");
            }
        }
        if (request.reasoningEffort() != null
                && request.extra().containsKey(GenerateContentControls.EXTRA_THINKING_BUDGET)) {
            throw collision("reasoningEffort", GenerateContentControls.EXTRA_THINKING_BUDGET);
        }
    }

    private static IllegalArgumentException collision(String field, String extra) {
        return new IllegalArgumentException(field + " and extra '" + extra
                + "' both set the same request field: set it once, either first-class or through extra");
    }

    /** The function name of every call in the conversation, by call id (a result needs its call's name). */
    static Map<String, String> callNames(ChatRequest request) {
        Map<String, String> names = new HashMap<>();
        for (ChatMessage message : request.messages()) {
            for (ToolCall call : message.toolCalls()) {
                names.put(call.id(), call.name());
            }
        }
        return names;
    }

    /** An assistant message's reasoning (the signed Gemini parts) and tool calls, as {@code model} parts. */
    static void addReasoning(ArrayNode parts, ChatMessage message) {
        for (ContentPart part : message.reasoning()) {
            if (part instanceof ContentPart.Reasoning r && r.signature() != null && isGemini(r.origin())) {
                ObjectNode p = parts.addObject().put("text", r.text());
                if (!r.text().isEmpty()) {
                    p.put("thought", true);
                }
                p.put("thoughtSignature", r.signature());
            }
        }
    }

    static void addCalls(ArrayNode parts, ChatMessage message, String provider, ObjectMapper json) {
        boolean signed = false;
        for (ToolCall call : message.toolCalls()) {
            signed |= call.signature() != null;
        }
        boolean first = true;
        for (ToolCall call : message.toolCalls()) {
            ObjectNode part = parts.addObject();
            ObjectNode f = part.putObject("functionCall");
            f.put("id", ToolCallIds.portable(call.id()));
            f.put("name", call.name());
            f.set("args", args(call, provider, json));
            if (call.signature() != null) {
                part.put("thoughtSignature", call.signature());
            } else if (!signed && first) {
                part.put("thoughtSignature", FOREIGN_SIGNATURE);
            }
            first = false;
        }
    }

    /** A tool result as a {@code functionResponse} part. */
    static void addResult(ArrayNode parts, ChatMessage message, Map<String, String> callNames) {
        ObjectNode f = parts.addObject().putObject("functionResponse");
        f.put("id", ToolCallIds.portable(message.toolCallId()));
        f.put("name", callNames.get(message.toolCallId()));
        f.putObject("response").put("output", message.text());
    }

    /** Adds {@code tools} and {@code toolConfig}. */
    static void addTools(ObjectNode root, ChatRequest request, ObjectMapper json) {
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = root.putArray("tools").addObject().putArray("functionDeclarations");
            for (ToolDefinition tool : request.tools()) {
                ObjectNode d = declarations.addObject().put("name", tool.name());
                if (tool.description() != null) {
                    d.put("description", tool.description());
                }
                d.putPOJO("parametersJsonSchema", tool.parameters());
            }
        }
        ToolChoice choice = request.toolChoice();
        if (choice != null) {
            ObjectNode config = root.putObject("toolConfig").putObject("functionCallingConfig");
            switch (choice.type()) {
                case AUTO -> config.put("mode", "AUTO");
                case NONE -> config.put("mode", "NONE");
                case REQUIRED -> config.put("mode", "ANY");
                case TOOL -> {
                    config.put("mode", "ANY");
                    config.putArray("allowedFunctionNames").add(choice.toolName());
                }
            }
        }
    }

    /** Adds the response format and the thinking config to {@code generationConfig}. */
    static void addControls(ObjectNode config, ChatRequest request, ObjectMapper json) {
        ResponseFormat format = request.responseFormat();
        if (format != null) {
            switch (format.type()) {
                case TEXT -> config.put("responseMimeType", "text/plain");
                case JSON_OBJECT -> config.put("responseMimeType", "application/json");
                case JSON_SCHEMA -> {
                    config.put("responseMimeType", "application/json");
                    config.putPOJO("responseJsonSchema", format.schema());
                }
            }
        }
        Integer budget = request.thinkingBudget();
        ReasoningEffort effort = request.reasoningEffort();
        if (budget != null) {
            ObjectNode thinking = config.putObject("thinkingConfig").put("thinkingBudget", budget);
            if (budget != 0) {
                thinking.put("includeThoughts", true);
            }
        } else if (effort != null) {
            config.putObject("thinkingConfig")
                    .put("thinkingLevel", effort.name())
                    .put("includeThoughts", true);
        }
    }

    /** A tool call's arguments as the {@code args} object Gemini takes. */
    private static JsonNode args(ToolCall call, String provider, ObjectMapper json) {
        JsonNode args;
        try {
            args = json.readTree(call.arguments());
        } catch (JsonProcessingException e) {
            args = null;
        }
        if (args == null || !args.isObject()) {
            throw new IllegalArgumentException("tool call " + call.id() + " (" + call.name()
                    + ") has arguments that are not a JSON object; " + provider
                    + " takes a function call's args as an object");
        }
        return args;
    }

    static boolean isGemini(String origin) {
        return ProviderCatalog.GOOGLE_AI_STUDIO.equals(origin) || ProviderCatalog.GOOGLE_VERTEX.equals(origin);
    }

    /**
     * A {@code functionCall} part as a tool call: the id Gemini gave, else a fixed function of the response id, the
     * call's position in the answer, its name and arguments ({@code call_} and 32 base64url characters of their
     * SHA-256), so that a reply and the same reply streamed give the same ids.
     */
    static ToolCall call(JsonNode part, String responseId, int index, Integer status) {
        JsonNode f = part.path("functionCall");
        String name = f.path("name").asText("");
        if (name.isEmpty()) {
            ErrorType type = status == null ? ErrorType.STREAM_INTERRUPTED : ErrorType.TRANSIENT_SERVER_ERROR;
            throw new ProviderException(type, status, null, "response has a function call without a name");
        }
        JsonNode argsNode = f.path("args");
        String args = argsNode.isObject() ? argsNode.toString() : "{}";
        String id = f.path("id").asText("");
        if (id.isEmpty()) {
            id = synthesizedId(responseId + "/" + index + "/" + name + "/" + args);
        }
        return new ToolCall(id, name, args, signature(part));
    }

    static String signature(JsonNode part) {
        JsonNode signature = part.path("thoughtSignature");
        return signature.isTextual() && !signature.asText().isEmpty() ? signature.asText() : null;
    }

    private static String synthesizedId(String seed) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        return "call_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 32);
    }

    /** The text, tool calls and reasoning of a reply's candidate. */
    record Answer(String text, List<ToolCall> calls, List<ContentPart> reasoning) {}

    static Answer answer(JsonNode candidate, String responseId, String provider) {
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>(0);
        List<ContentPart> reasoning = new ArrayList<>(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            String signature = signature(part);
            if (part.has("functionCall")) {
                calls.add(call(part, responseId, calls.size(), 200));
            } else if (part.path("thought").asBoolean(false)) {
                reasoning.add(new ContentPart.Reasoning(part.path("text").asText(""), signature, provider));
            } else {
                if (part.path("text").isTextual()) {
                    text.append(part.get("text").asText());
                }
                if (signature != null) {
                    reasoning.add(new ContentPart.Reasoning("", signature, provider));
                }
            }
        }
        return new Answer(text.toString(), calls, reasoning);
    }
}

package dev.llmrotate.server.gateway;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an OpenAI Chat Completions request body ({@code POST /v1/chat/completions},
 * https://platform.openai.com/docs/api-reference/chat/create) into an {@link OpenAiChatRequest}.
 *
 * <ul>
 *   <li>messages: {@code system} and {@code developer} (as system) with text; {@code user} with text, {@code
 *       image_url} (a base64 {@code data:} URL becomes {@link ContentPart.ImageBytes}, an http(s) URL a {@link
 *       ContentPart.FileRef} with the MIME type its extension tells, else {@code image/jpeg}) and {@code file} parts
 *       ({@code file_data}: a PDF, or an image); {@code assistant} with content and {@code tool_calls}; {@code tool}
 *       with {@code tool_call_id}. Fields of a message or part that the library has no place for ({@code name},
 *       {@code detail}, {@code refusal}, ...) are dropped.
 *   <li>first-class: {@code max_tokens} / {@code max_completion_tokens}, {@code temperature}, {@code top_p}, {@code
 *       tools} (functions), {@code tool_choice}, {@code parallel_tool_calls}, {@code response_format}, {@code
 *       reasoning_effort};
 *   <li>the gateway's own: {@code model} (as sent), {@code stream}, {@code stream_options.include_usage}, {@code n}
 *       (1 only);
 *   <li>everything else ({@code stop}, {@code seed}, {@code user}, penalties, {@code logit_bias}, {@code metadata},
 *       unknown fields) into {@link ChatRequest#extra()} as plain Java values, for OpenAI-format upstreams; a JSON
 *       null is the same as an absent field.
 * </ul>
 *
 * <p>Every refusal is an {@link OpenAiRequestException} whose message names the field path and the problem, e.g.
 * {@code messages[2].content: expected a string or an array of parts, got a number}. The JSON is bounded: nesting
 * depth {@value #MAX_DEPTH}, strings and the document no longer than the body limit, duplicate keys refused.
 * Thread-safe; make one per body limit and share it.
 */
public final class OpenAiChatRequests {
    /** The gateway's default body limit, 20 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

    /** Deepest JSON nesting read (tool schemas nest; nothing sane nests deeper). */
    static final int MAX_DEPTH = 64;

    /** Longest request value an error message quotes; a longer one is described, not shown. */
    static final int MAX_QUOTED = 64;

    /** Longest start of a bad token that a JSON syntax error quotes. */
    static final int MAX_ERROR_TOKEN = 8;

    /** Longest parser message quoted in a syntax error. */
    static final int MAX_PARSER_MESSAGE = 200;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String NAME_RULE = "expected 1 to 64 letters, digits, '_' or '-', got ";
    private static final String PARTS = "expected a string or an array of parts, got ";

    /** The scope of the fields passed on: OpenAI-format providers get them, others do not. */
    static final String OPENAI_SCOPE = "openai:";

    /** The fields read here; every other one goes to {@code extra}. */
    private static final Set<String> READ = Set.of(
            "model",
            "messages",
            "stream",
            "stream_options",
            "n",
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "top_p",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "response_format",
            "reasoning_effort");

    private final ObjectMapper mapper;

    /** A reader for bodies up to {@link #DEFAULT_MAX_BODY_BYTES}. */
    public OpenAiChatRequests() {
        this(DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * A reader for bodies up to {@code maxBodyBytes} (the caller refuses longer bodies first; this bounds the
     * parser's own strings and document to the same).
     *
     * @param maxBodyBytes the largest body, in bytes, positive
     * @throws IllegalArgumentException when {@code maxBodyBytes} is not positive
     */
    public OpenAiChatRequests(int maxBodyBytes) {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        }
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxStringLength(maxBodyBytes)
                        .maxDocumentLength(maxBodyBytes)
                        .build())
                // Parse errors quote the start of a bad token and no excerpt of the body (which could hold anything,
                // a pasted secret included).
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(MAX_ERROR_TOKEN)
                        .maxRawContentLength(0)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * Reads a whole body.
     *
     * @param body the request body, UTF-8 JSON
     * @return the request
     * @throws OpenAiRequestException for a body the gateway refuses, naming the field and the problem
     */
    public OpenAiChatRequest parse(byte[] body) {
        return parse(body, 0, body.length);
    }

    /**
     * Reads the body in {@code body[offset, offset + length)} (a server's buffer, without copying it).
     *
     * @param body the buffer holding the body, UTF-8 JSON
     * @param offset where the body starts
     * @param length the body's length in bytes
     * @return the request
     * @throws OpenAiRequestException for a body the gateway refuses, naming the field and the problem
     */
    public OpenAiChatRequest parse(byte[] body, int offset, int length) {
        JsonNode root = readTree(body, offset, length);
        if (!root.isObject()) {
            throw fail(null, "the body must be a JSON object, got " + kind(root));
        }
        String model = string(root, "model", "model", true);
        if (model.isBlank()) {
            throw fail("model", "must not be empty");
        }
        List<ChatMessage> messages = messages(root.get("messages"));
        boolean stream = bool(root.get("stream"), "stream", false);
        boolean includeUsage = false;
        JsonNode streamOptions = present(root.get("stream_options"));
        if (streamOptions != null) {
            requireObject(streamOptions, "stream_options");
            includeUsage = bool(streamOptions.get("include_usage"), "stream_options.include_usage", false);
        }
        JsonNode n = present(root.get("n"));
        if (n != null && !(n.isIntegralNumber() && n.canConvertToInt() && n.intValue() == 1)) {
            throw fail("n", "only 1 choice is supported, got " + (n.isIntegralNumber() ? quote(n.asText()) : kind(n)));
        }
        Integer maxTokens = maxTokens(root);
        Double temperature = number(root.get("temperature"), "temperature");
        Double topP = number(root.get("top_p"), "top_p");
        List<ToolDefinition> tools = tools(root.get("tools"));
        ToolChoice toolChoice = toolChoice(root.get("tool_choice"), tools);
        Boolean parallel = parallelToolCalls(root.get("parallel_tool_calls"), tools);
        ResponseFormat format = responseFormat(root.get("response_format"));
        ReasoningEffort effort = reasoningEffort(root.get("reasoning_effort"));
        Map<String, Object> extra = extra(root);
        String user = (String) extra.get(OPENAI_SCOPE + "user");
        ChatRequest request;
        try {
            request = new ChatRequest(
                    model,
                    messages,
                    null,
                    maxTokens,
                    temperature,
                    topP,
                    null,
                    null,
                    extra,
                    null,
                    tools,
                    toolChoice,
                    parallel,
                    format,
                    effort,
                    null);
        } catch (IllegalArgumentException e) {
            // What the checks above leave to the library: a pass-through field that sets what a first-class one
            // sets (functions with tools, ...).
            throw fail(null, e.getMessage());
        }
        return new OpenAiChatRequest(request, model, stream, includeUsage, user);
    }

    private JsonNode readTree(byte[] body, int offset, int length) {
        JsonNode root;
        try {
            root = mapper.readTree(body, offset, length);
        } catch (StreamConstraintsException e) {
            throw constraint(e);
        } catch (JsonProcessingException e) {
            if (e.getCause() instanceof StreamConstraintsException c) {
                throw constraint(c);
            }
            throw fail(null, "the body is not valid JSON: " + cut(e.getOriginalMessage()) + where(e.getLocation()));
        } catch (IOException e) {
            throw fail(null, "the body is not valid JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw fail(null, "the body is empty; expected a JSON object");
        }
        return root;
    }

    private static OpenAiRequestException constraint(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.contains("nesting depth")) {
            return fail(null, "the body nests JSON deeper than " + MAX_DEPTH + " levels");
        }
        return fail(null, "the body has a value longer than the gateway's limits allow");
    }

    /** A parser message, cut: it may quote a field name of any length (a duplicate key). */
    private static String cut(String message) {
        return message.length() <= MAX_PARSER_MESSAGE ? message : message.substring(0, MAX_PARSER_MESSAGE) + "...";
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0
                ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }

    // ---- messages

    private static List<ChatMessage> messages(JsonNode node) {
        node = present(node);
        if (node == null) {
            throw fail("messages", "required");
        }
        if (!node.isArray()) {
            throw fail("messages", "expected an array of messages, got " + kind(node));
        }
        if (node.isEmpty()) {
            throw fail("messages", "expected at least one message");
        }
        List<ChatMessage> messages = new ArrayList<>(node.size());
        Set<String> callIds = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode m = node.get(i);
            requireObject(m, path);
            String role = string(m, "role", path + ".role", true);
            messages.add(
                    switch (role) {
                        case "system", "developer" ->
                            new ChatMessage("system", textParts(m.get("content"), path + ".content", role));
                        case "user" -> new ChatMessage("user", userParts(m.get("content"), path + ".content"));
                        case "assistant" -> assistant(m, path, callIds);
                        case "tool" -> toolResult(m, path, callIds);
                        case "function" ->
                            throw fail(
                                    path + ".role",
                                    "'function' messages are deprecated and not supported; send tool messages");
                        default ->
                            throw fail(
                                    path + ".role",
                                    "expected system, developer, user, assistant or tool, got " + quote(role));
                    });
        }
        return messages;
    }

    /** The content of a system, developer or tool message: a string or text parts. */
    private static List<ContentPart> textParts(JsonNode content, String path, String role) {
        JsonNode parts = contentArray(content, path);
        if (parts == null) {
            return List.of(new ContentPart.Text(content.textValue()));
        }
        List<ContentPart> result = new ArrayList<>(parts.size());
        for (int j = 0; j < parts.size(); j++) {
            String partPath = path + "[" + j + "]";
            JsonNode part = parts.get(j);
            String type = partType(part, partPath);
            if (!type.equals("text")) {
                throw fail(partPath + ".type", "a " + role + " message takes text parts only, got " + quote(type));
            }
            result.add(new ContentPart.Text(string(part, "text", partPath + ".text", true)));
        }
        return result;
    }

    private static List<ContentPart> userParts(JsonNode content, String path) {
        JsonNode parts = contentArray(content, path);
        if (parts == null) {
            return List.of(new ContentPart.Text(content.textValue()));
        }
        List<ContentPart> result = new ArrayList<>(parts.size());
        for (int j = 0; j < parts.size(); j++) {
            String partPath = path + "[" + j + "]";
            JsonNode part = parts.get(j);
            String type = partType(part, partPath);
            result.add(
                    switch (type) {
                        case "text" -> new ContentPart.Text(string(part, "text", partPath + ".text", true));
                        case "image_url" -> imageUrl(part.get("image_url"), partPath + ".image_url");
                        case "file" -> file(part.get("file"), partPath + ".file");
                        case "input_audio" ->
                            throw fail(
                                    partPath + ".type",
                                    "'input_audio' parts are not supported; expected text," + " image_url or file");
                        default ->
                            throw fail(partPath + ".type", "expected text, image_url or file, got " + quote(type));
                    });
        }
        return result;
    }

    /** The parts array of a content field, or null when the content is a string; fails on anything else. */
    private static JsonNode contentArray(JsonNode content, String path) {
        content = present(content);
        if (content == null) {
            throw fail(path, "required");
        }
        if (content.isTextual()) {
            return null;
        }
        if (!content.isArray()) {
            throw fail(path, PARTS + kind(content));
        }
        if (content.isEmpty()) {
            throw fail(path, "expected at least one part");
        }
        return content;
    }

    private static String partType(JsonNode part, String path) {
        requireObject(part, path);
        return string(part, "type", path + ".type", true);
    }

    /** {@code image_url: {"url": ..., "detail": ...}} (the bare string form some clients send is taken too). */
    private static ContentPart imageUrl(JsonNode node, String path) {
        node = present(node);
        if (node == null) {
            throw fail(path, "required");
        }
        String urlPath = path;
        String url;
        if (node.isTextual()) {
            url = node.textValue();
        } else {
            requireObject(node, path);
            urlPath = path + ".url";
            url = string(node, "url", urlPath, true);
        }
        if (startsWithIgnoreCase(url, "data:")) {
            DataUrl data = dataUrl(url, urlPath);
            if (!data.mimeType.startsWith("image/")) {
                throw fail(urlPath, "expected an image MIME type, got " + quote(data.mimeType));
            }
            return new ContentPart.ImageBytes(data.bytes, data.mimeType);
        }
        if (startsWithIgnoreCase(url, "https://") || startsWithIgnoreCase(url, "http://")) {
            return new ContentPart.FileRef(url, imageType(url));
        }
        throw fail(urlPath, "expected an http(s) URL or a base64 data: URL");
    }

    /** {@code file: {"file_data": ..., "filename": ...}}: a data URL (or bare base64, a PDF) of a PDF or an image. */
    private static ContentPart file(JsonNode node, String path) {
        node = present(node);
        if (node == null) {
            throw fail(path, "required");
        }
        requireObject(node, path);
        if (present(node.get("file_data")) == null) {
            if (present(node.get("file_id")) != null) {
                throw fail(path + ".file_id", "uploaded files are not supported; send the file inline as file_data");
            }
            throw fail(path + ".file_data", "required");
        }
        String dataPath = path + ".file_data";
        String data = string(node, "file_data", dataPath, true);
        if (!startsWithIgnoreCase(data, "data:")) {
            return new ContentPart.PdfBytes(base64(data, 0, dataPath), "application/pdf");
        }
        DataUrl file = dataUrl(data, dataPath);
        if (file.mimeType.equals("application/pdf")) {
            return new ContentPart.PdfBytes(file.bytes, file.mimeType);
        }
        if (file.mimeType.startsWith("image/")) {
            return new ContentPart.ImageBytes(file.bytes, file.mimeType);
        }
        throw fail(dataPath, "expected a PDF or an image, got " + quote(file.mimeType));
    }

    private record DataUrl(String mimeType, byte[] bytes) {}

    /** {@code data:<mime type>[;<parameter>]*;base64,<data>} (RFC 2397); the MIME type in lower case. */
    private static DataUrl dataUrl(String url, String path) {
        int comma = url.indexOf(',');
        String header = comma < 0 ? "" : url.substring(5, comma);
        if (comma < 0 || !header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw fail(path, "expected a base64 data URL (data:<mime type>;base64,<data>)");
        }
        int semicolon = header.indexOf(';');
        String mimeType = header.substring(0, semicolon).trim().toLowerCase(Locale.ROOT);
        if (mimeType.isEmpty()) {
            throw fail(path, "the data URL names no MIME type (data:<mime type>;base64,<data>)");
        }
        return new DataUrl(mimeType, base64(url, comma + 1, path));
    }

    private static byte[] base64(String text, int from, String path) {
        try {
            return Base64.getDecoder().decode(from == 0 ? text : text.substring(from));
        } catch (IllegalArgumentException e) {
            throw fail(path, "the base64 data is not valid");
        }
    }

    /** The image type an http(s) URL's path ends in; JPEG when it tells none (the provider reads the bytes). */
    private static String imageType(String url) {
        int end = url.length();
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        String path = url.substring(0, end).toLowerCase(Locale.ROOT);
        if (path.endsWith(".png")) {
            return "image/png";
        } else if (path.endsWith(".gif")) {
            return "image/gif";
        } else if (path.endsWith(".webp")) {
            return "image/webp";
        } else if (path.endsWith(".heic")) {
            return "image/heic";
        } else if (path.endsWith(".heif")) {
            return "image/heif";
        }
        return "image/jpeg";
    }

    private static ChatMessage assistant(JsonNode m, String path, Set<String> callIds) {
        List<ContentPart> content = List.of();
        JsonNode node = present(m.get("content"));
        if (node != null && node.isTextual()) {
            content = List.of(new ContentPart.Text(node.textValue()));
        } else if (node != null) {
            JsonNode parts = contentArray(node, path + ".content");
            List<ContentPart> texts = new ArrayList<>(parts.size());
            for (int j = 0; j < parts.size(); j++) {
                String partPath = path + ".content[" + j + "]";
                JsonNode part = parts.get(j);
                String type = partType(part, partPath);
                switch (type) {
                    case "text" -> texts.add(new ContentPart.Text(string(part, "text", partPath + ".text", true)));
                    // An earlier refusal, sent back as what the model said.
                    case "refusal" ->
                        texts.add(new ContentPart.Text(string(part, "refusal", partPath + ".refusal", true)));
                    default -> throw fail(partPath + ".type", "expected text or refusal, got " + quote(type));
                }
            }
            content = texts;
        }
        List<ToolCall> calls = toolCalls(m.get("tool_calls"), path + ".tool_calls");
        if (calls.isEmpty() && content.isEmpty()) {
            throw fail(path, "an assistant message needs content or tool_calls");
        }
        if (!calls.isEmpty()
                && content.size() == 1
                && content.get(0) instanceof ContentPart.Text t
                && t.text().isEmpty()) {
            content = List.of(); // "content": "" beside tool calls is no text
        }
        for (ToolCall call : calls) {
            callIds.add(call.id());
        }
        return new ChatMessage("assistant", content, calls, null);
    }

    private static List<ToolCall> toolCalls(JsonNode node, String path) {
        node = present(node);
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw fail(path, "expected an array of tool calls, got " + kind(node));
        }
        List<ToolCall> calls = new ArrayList<>(node.size());
        Set<String> ids = new HashSet<>();
        for (int j = 0; j < node.size(); j++) {
            String callPath = path + "[" + j + "]";
            JsonNode call = node.get(j);
            requireObject(call, callPath);
            String id = string(call, "id", callPath + ".id", true);
            if (id.isEmpty()) {
                throw fail(callPath + ".id", "must not be empty");
            }
            if (!ids.add(id)) {
                throw fail(callPath + ".id", quote(id) + " appears twice in this message");
            }
            String type = string(call, "type", callPath + ".type", false);
            if (type != null && !type.equals("function")) {
                throw fail(callPath + ".type", "only function tool calls are supported, got " + quote(type));
            }
            JsonNode function = present(call.get("function"));
            if (function == null) {
                throw fail(callPath + ".function", "required");
            }
            requireObject(function, callPath + ".function");
            String name = string(function, "name", callPath + ".function.name", true);
            if (name.isEmpty()) {
                throw fail(callPath + ".function.name", "must not be empty");
            }
            String arguments = string(function, "arguments", callPath + ".function.arguments", true);
            calls.add(new ToolCall(id, name, arguments));
        }
        return calls;
    }

    private static ChatMessage toolResult(JsonNode m, String path, Set<String> callIds) {
        String id = string(m, "tool_call_id", path + ".tool_call_id", true);
        if (!callIds.contains(id)) {
            throw fail(path + ".tool_call_id", "answers no tool call of an earlier assistant message: " + quote(id));
        }
        return new ChatMessage("tool", textParts(m.get("content"), path + ".content", "tool"), List.of(), id);
    }

    // ---- parameters

    private static Integer maxTokens(JsonNode root) {
        Integer maxTokens = positiveInt(root.get("max_tokens"), "max_tokens");
        Integer maxCompletionTokens = positiveInt(root.get("max_completion_tokens"), "max_completion_tokens");
        if (maxTokens != null && maxCompletionTokens != null && !maxTokens.equals(maxCompletionTokens)) {
            throw fail(
                    "max_completion_tokens",
                    "differs from max_tokens (" + maxCompletionTokens + " and " + maxTokens + "); set one of them");
        }
        return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
    }

    private static List<ToolDefinition> tools(JsonNode node) {
        node = present(node);
        if (node == null) {
            return List.of();
        }
        if (!node.isArray()) {
            throw fail("tools", "expected an array of tools, got " + kind(node));
        }
        List<ToolDefinition> tools = new ArrayList<>(node.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "tools[" + i + "]";
            JsonNode tool = node.get(i);
            requireObject(tool, path);
            String type = string(tool, "type", path + ".type", true);
            if (!type.equals("function")) {
                throw fail(path + ".type", "only function tools are supported, got " + quote(type));
            }
            JsonNode function = present(tool.get("function"));
            if (function == null) {
                throw fail(path + ".function", "required");
            }
            requireObject(function, path + ".function");
            String name = name(function, path + ".function.name");
            if (!names.add(name)) {
                throw fail(path + ".function.name", quote(name) + " names an earlier tool too");
            }
            String description = string(function, "description", path + ".function.description", false);
            Map<String, Object> parameters = schema(function.get("parameters"), path + ".function.parameters", false);
            if (parameters != null && !"object".equals(parameters.get("type"))) {
                throw fail(path + ".function.parameters", "expected a JSON object schema (\"type\": \"object\")");
            }
            Boolean strict = optionalBool(function.get("strict"), path + ".function.strict");
            tools.add(new ToolDefinition(name, description, parameters, strict));
        }
        return tools;
    }

    private static ToolChoice toolChoice(JsonNode node, List<ToolDefinition> tools) {
        node = present(node);
        if (node == null) {
            return null;
        }
        if (node.isTextual()) {
            ToolChoice choice = switch (node.textValue()) {
                case "auto" -> ToolChoice.AUTO;
                case "none" -> ToolChoice.NONE;
                case "required" -> ToolChoice.REQUIRED;
                default ->
                    throw fail(
                            "tool_choice",
                            "expected none, auto, required or an object naming a function, got "
                                    + quote(node.textValue()));
            };
            if (choice == ToolChoice.REQUIRED && tools.isEmpty()) {
                throw fail("tool_choice", "'required' needs tools");
            }
            return choice;
        }
        if (!node.isObject()) {
            throw fail("tool_choice", "expected a string or an object, got " + kind(node));
        }
        String type = string(node, "type", "tool_choice.type", true);
        if (!type.equals("function")) {
            throw fail("tool_choice.type", "only function is supported, got " + quote(type));
        }
        JsonNode function = present(node.get("function"));
        if (function == null) {
            throw fail("tool_choice.function", "required");
        }
        requireObject(function, "tool_choice.function");
        String name = string(function, "name", "tool_choice.function.name", true);
        for (ToolDefinition tool : tools) {
            if (tool.name().equals(name)) {
                return ToolChoice.tool(name);
            }
        }
        throw fail("tool_choice.function.name", "names no tool in tools: " + quote(name));
    }

    private static Boolean parallelToolCalls(JsonNode node, List<ToolDefinition> tools) {
        Boolean parallel = optionalBool(node, "parallel_tool_calls");
        if (parallel != null && tools.isEmpty()) {
            throw fail("parallel_tool_calls", "only allowed with tools");
        }
        return parallel;
    }

    private static ResponseFormat responseFormat(JsonNode node) {
        node = present(node);
        if (node == null) {
            return null;
        }
        requireObject(node, "response_format");
        String type = string(node, "type", "response_format.type", true);
        return switch (type) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> ResponseFormat.JSON_OBJECT;
            case "json_schema" -> {
                JsonNode schema = present(node.get("json_schema"));
                if (schema == null) {
                    throw fail("response_format.json_schema", "required");
                }
                requireObject(schema, "response_format.json_schema");
                String name = name(schema, "response_format.json_schema.name");
                Map<String, Object> body = schema(schema.get("schema"), "response_format.json_schema.schema", true);
                Boolean strict = optionalBool(schema.get("strict"), "response_format.json_schema.strict");
                yield new ResponseFormat(ResponseFormat.Type.JSON_SCHEMA, name, body, strict);
            }
            default ->
                throw fail("response_format.type", "expected text, json_object or json_schema, got " + quote(type));
        };
    }

    private static ReasoningEffort reasoningEffort(JsonNode node) {
        node = present(node);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            throw fail("reasoning_effort", "expected a string, got " + kind(node));
        }
        for (ReasoningEffort effort : ReasoningEffort.values()) {
            if (effort.wireName().equals(node.textValue())) {
                return effort;
            }
        }
        throw fail(
                "reasoning_effort",
                "expected none, minimal, low, medium, high, xhigh or max, got " + quote(node.textValue()));
    }

    /** Every field not read above, without JSON nulls; {@code stop}, {@code seed}, {@code user} and penalties checked. */
    private static Map<String, Object> extra(JsonNode root) {
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (READ.contains(name) || value.isNull()) {
                continue;
            }
            switch (name) {
                case "stop" -> stop(value);
                case "seed" -> {
                    if (!value.isIntegralNumber()) {
                        throw fail("seed", "expected an integer, got " + kind(value));
                    }
                }
                case "user" -> {
                    if (!value.isTextual()) {
                        throw fail("user", "expected a string, got " + kind(value));
                    }
                }
                case "presence_penalty", "frequency_penalty" -> number(value, name);
                default -> {
                    // passed on unchecked: the upstream judges it
                }
            }
            // Scoped to OpenAI's format: sent to OpenAI-format upstreams, left out for Anthropic, Gemini and Bedrock
            // (see ChatRequest.extra), so a fallback does not carry fields those refuse.
            extra.put(OPENAI_SCOPE + name, plain(value));
        }
        return extra;
    }

    private static void stop(JsonNode value) {
        if (value.isTextual()) {
            return;
        }
        if (!value.isArray()) {
            throw fail("stop", "expected a string or an array of strings, got " + kind(value));
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw fail("stop[" + i + "]", "expected a string, got " + kind(value.get(i)));
            }
        }
    }

    // ---- values

    /** A JSON schema (an object) as plain Java values, or null when absent and not required. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema(JsonNode node, String path, boolean required) {
        node = present(node);
        if (node == null) {
            if (required) {
                throw fail(path, "required");
            }
            return null;
        }
        requireObject(node, path);
        return (Map<String, Object>) plain(node);
    }

    /** A JSON value as plain, unmodifiable Java values: maps (order kept), lists, strings, numbers, booleans, null. */
    static Object plain(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>(Math.max(4, node.size() * 4 / 3 + 1));
                for (Map.Entry<String, JsonNode> field : node.properties()) {
                    map.put(field.getKey(), plain(field.getValue()));
                }
                return Collections.unmodifiableMap(map);
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode item : node) {
                    list.add(plain(item));
                }
                return Collections.unmodifiableList(list);
            }
            case STRING -> {
                return node.textValue();
            }
            case NUMBER -> {
                return node.numberValue();
            }
            case BOOLEAN -> {
                return node.booleanValue();
            }
            default -> {
                return null; // NULL; the tree of a parsed body holds nothing else
            }
        }
    }

    /** A tool or schema name, checked against the names every provider takes. */
    private static String name(JsonNode parent, String path) {
        String name = string(parent, "name", path, true);
        if (!NAME.matcher(name).matches()) {
            throw fail(path, NAME_RULE + quote(name));
        }
        return name;
    }

    /** The string field {@code field} of {@code parent}; null when absent (or JSON null) and not required. */
    private static String string(JsonNode parent, String field, String path, boolean required) {
        JsonNode node = present(parent.get(field));
        if (node == null) {
            if (required) {
                throw fail(path, "required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw fail(path, "expected a string, got " + kind(node));
        }
        return node.textValue();
    }

    private static boolean bool(JsonNode node, String path, boolean absent) {
        Boolean value = optionalBool(node, path);
        return value == null ? absent : value;
    }

    private static Boolean optionalBool(JsonNode node, String path) {
        node = present(node);
        if (node == null) {
            return null;
        }
        if (!node.isBoolean()) {
            throw fail(path, "expected a boolean, got " + kind(node));
        }
        return node.booleanValue();
    }

    private static Double number(JsonNode node, String path) {
        node = present(node);
        if (node == null) {
            return null;
        }
        if (!node.isNumber()) {
            throw fail(path, "expected a number, got " + kind(node));
        }
        return node.doubleValue();
    }

    private static Integer positiveInt(JsonNode node, String path) {
        node = present(node);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw fail(path, "expected a positive integer, got " + kind(node));
        }
        if (!node.canConvertToInt() || node.intValue() <= 0) {
            throw fail(path, "expected a positive integer, got " + quote(node.asText()));
        }
        return node.intValue();
    }

    private static void requireObject(JsonNode node, String path) {
        if (!node.isObject()) {
            throw fail(path, "expected an object, got " + kind(node));
        }
    }

    /** The node, or null when it is absent or JSON null (OpenAI treats a null field as not sent). */
    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static boolean startsWithIgnoreCase(String text, String prefix) {
        return text.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> "a value";
        };
    }

    /**
     * A request value fit to quote in a message: in single quotes when it is short printable ASCII, else described
     * (a value could be anything a client sent, a pasted secret or a megabyte of base64 included).
     */
    static String quote(String value) {
        if (value.length() > MAX_QUOTED) {
            return "(a value of " + value.length() + " characters, not shown)";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "(a value with unprintable or non-ASCII characters, not shown)";
            }
        }
        return "'" + value + "'";
    }

    private static OpenAiRequestException fail(String param, String problem) {
        return new OpenAiRequestException(param, param == null ? problem : param + ": " + problem);
    }
}

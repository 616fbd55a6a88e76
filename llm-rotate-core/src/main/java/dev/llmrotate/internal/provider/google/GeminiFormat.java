package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.GenerateContentControls;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.extra.ScopedExtra;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;

/**
 * The Gemini {@code GenerateContentRequest}/{@code GenerateContentResponse} JSON shared by AI Studio and Vertex.
 *
 * <p>Request: user and assistant messages become {@code contents} with roles {@code user} and {@code model}; text is
 * {@code {"text"}}, image and PDF bytes are {@code {"inlineData":{"mimeType","data"}}} (standard base64), file
 * references are {@code {"fileData":{"mimeType","fileUri"}}}; system messages become {@code systemInstruction}.
 * Tools, tool calls and results, the response format and thinking are mapped by {@link GeminiTools}. {@code
 * maxTokens}, {@code temperature} and {@code topP} go to {@code generationConfig}, and so do these {@link
 * ChatRequest#extra()} entries: {@code seed}, {@code response_mime_type} ({@code responseMimeType}) and {@code
 * thinking_budget} ({@code thinkingConfig.thinkingBudget}); an extra {@code generationConfig} object is merged into
 * it field by field. {@code disable_automatic_function_calling} has no wire form and is dropped. Every other extra
 * entry is a top-level request field sent as it is ({@code safetySettings}, {@code tools}, {@code toolConfig},
 * {@code cachedContent}, {@code labels}).
 *
 * <p>Response: the text parts of the first candidate, thought summaries excluded, joined, with its function calls and
 * reasoning (see {@link GeminiTools}); the finish reason normalised ({@code MAX_TOKENS} is {@link
 * FinishReason#LENGTH}; {@code SAFETY}, {@code RECITATION}, {@code BLOCKLIST}, {@code PROHIBITED_CONTENT}, {@code
 * SPII} and {@code IMAGE_SAFETY} are {@link FinishReason#CONTENT_FILTER}; a function call is {@link
 * FinishReason#TOOL_CALLS}); usage from {@code usageMetadata}: input is {@code promptTokenCount} plus {@code
 * toolUsePromptTokenCount}, output is {@code candidatesTokenCount} plus {@code thoughtsTokenCount} (Gemini counts
 * thinking apart from the candidates but bills it as output), reasoning is {@code thoughtsTokenCount}, cached input
 * is {@code cachedContentTokenCount}. A prompt blocked by {@code promptFeedback.blockReason} (no candidates) is
 * {@code content_filtered}.
 */
final class GeminiFormat {
    private final ObjectMapper json;

    GeminiFormat(ObjectMapper json) {
        this.json = json;
    }

    /** Rejects, before any request, what the Gemini format cannot express. */
    void checkSupported(ChatRequest request, String provider) {
        boolean hasTurn = false;
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("system")) {
                for (ContentPart part : message.content()) {
                    if (!(part instanceof ContentPart.Text)) {
                        throw new IllegalArgumentException(provider + " takes only text in a system instruction, not "
                                + part.getClass().getSimpleName() + " parts");
                    }
                }
            } else {
                hasTurn = true;
            }
        }
        if (!hasTurn) {
            throw new IllegalArgumentException(provider + " needs at least one user or assistant message");
        }
        GeminiTools.check(request, provider, json);
    }

    byte[] requestBytes(ChatRequest request, String provider) {
        try {
            return json.writeValueAsBytes(request(request, provider));
        } catch (IOException e) {
            throw new ProviderException(ErrorType.INVALID_REQUEST, null, null, "request not serialisable: " + e);
        }
    }

    ObjectNode request(ChatRequest request, String provider) {
        ObjectNode root = json.createObjectNode();
        ArrayNode contents = root.putArray("contents");
        ArrayNode system = null;
        ArrayNode results = null;
        Map<String, String> callNames = null;
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("system")) {
                if (system == null) {
                    system = root.putObject("systemInstruction").putArray("parts");
                }
                for (ContentPart part : message.content()) {
                    addPart(system, part);
                }
                continue;
            }
            if (message.role().equals("tool")) {
                if (results == null) {
                    results = contents.addObject().put("role", "user").putArray("parts");
                    callNames = callNames == null ? GeminiTools.callNames(request) : callNames;
                }
                GeminiTools.addResult(results, message, callNames);
                continue;
            }
            results = null;
            ObjectNode content = contents.addObject();
            boolean assistant = message.role().equals("assistant");
            content.put("role", assistant ? "model" : "user");
            ArrayNode parts = content.putArray("parts");
            if (assistant) {
                GeminiTools.addReasoning(parts, message);
            }
            for (ContentPart part : message.content()) {
                if (!(assistant
                        && part instanceof ContentPart.Text t
                        && t.text().isEmpty())) {
                    addPart(parts, part);
                }
            }
            GeminiTools.addCalls(parts, message, provider, json);
        }
        GeminiTools.addTools(root, request, json);
        ObjectNode config = json.createObjectNode();
        if (request.maxTokens() != null) {
            config.put("maxOutputTokens", request.maxTokens());
        }
        if (request.temperature() != null) {
            config.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            config.put("topP", request.topP());
        }
        GeminiTools.addControls(config, request, json);
        for (Map.Entry<String, Object> entry :
                ScopedExtra.forFormat(request.extra(), ScopedExtra.GEMINI).entrySet()) {
            JsonNode value = json.valueToTree(entry.getValue());
            switch (entry.getKey()) {
                case GenerateContentControls.EXTRA_SEED -> config.set("seed", value);
                case GenerateContentControls.EXTRA_RESPONSE_MIME_TYPE -> config.set("responseMimeType", value);
                case GenerateContentControls.EXTRA_THINKING_BUDGET ->
                    config.putObject("thinkingConfig").set("thinkingBudget", value);
                case GenerateContentControls.EXTRA_DISABLE_AUTOMATIC_FUNCTION_CALLING -> {
                    // Client-side in Google's SDKs; there is nothing to send.
                }
                case "generationConfig" -> {
                    if (value.isObject()) {
                        value.fields().forEachRemaining(f -> config.set(f.getKey(), f.getValue()));
                    } else {
                        throw new ProviderException(
                                ErrorType.INVALID_REQUEST, null, null, "extra generationConfig must be an object");
                    }
                }
                default -> root.set(entry.getKey(), value);
            }
        }
        if (!config.isEmpty()) {
            root.set("generationConfig", config);
        }
        return root;
    }

    private static void addPart(ArrayNode parts, ContentPart part) {
        if (part instanceof ContentPart.Text t) {
            parts.addObject().put("text", t.text());
        } else if (part instanceof ContentPart.ImageBytes image) {
            inline(parts, image.mimeType(), image.data());
        } else if (part instanceof ContentPart.PdfBytes pdf) {
            inline(parts, pdf.mimeType(), pdf.data());
        } else if (part instanceof ContentPart.FileRef file) {
            parts.addObject()
                    .putObject("fileData")
                    .put("mimeType", file.mimeType())
                    .put("fileUri", file.fileUri());
        }
    }

    private static void inline(ArrayNode parts, String mimeType, byte[] data) {
        parts.addObject()
                .putObject("inlineData")
                .put("mimeType", mimeType)
                .put("data", Base64.getEncoder().encodeToString(data));
    }

    /** The normalised reply of a 2xx {@code generateContent} body. */
    ProviderReply reply(String body, String provider) {
        JsonNode root;
        try {
            root = json.readTree(body == null ? "" : body);
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response body is not JSON");
        }
        JsonNode candidate = firstCandidate(root, 200);
        if (candidate == null) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response has no candidates");
        }
        String responseId = textOrNull(root, "responseId");
        GeminiTools.Answer answer = GeminiTools.answer(candidate, responseId, provider);
        return new ProviderReply(
                answer.text(),
                finishReason(candidate, null),
                usage(root.path("usageMetadata")),
                textOrNull(root, "modelVersion"),
                responseId,
                answer.calls(),
                answer.reasoning());
    }

    /**
     * The first candidate of a response or stream chunk; a blocked prompt (no candidates, a {@code blockReason}) is
     * {@code content_filtered}; null when there are no candidates otherwise.
     */
    static JsonNode firstCandidate(JsonNode root, Integer status) {
        JsonNode candidates = root.path("candidates");
        if (candidates.isArray() && !candidates.isEmpty()) {
            return candidates.get(0);
        }
        JsonNode feedback = root.path("promptFeedback");
        String block = feedback.path("blockReason").asText("");
        if (!block.isEmpty()) {
            String why = feedback.path("blockReasonMessage").asText("");
            throw new ProviderException(
                    ErrorType.CONTENT_FILTERED,
                    status,
                    null,
                    "prompt blocked: " + block + (why.isEmpty() ? "" : " (" + why + ")"));
        }
        return null;
    }

    /** The candidate's finish reason, normalised; {@code whenAbsent} when it has none. */
    static FinishReason finishReason(JsonNode candidate, FinishReason whenAbsent) {
        String reason = candidate == null ? "" : candidate.path("finishReason").asText("");
        if (reason.isEmpty() || reason.equals("FINISH_REASON_UNSPECIFIED")) {
            return whenAbsent;
        }
        FinishReason normalised = finishReason(reason);
        return normalised == FinishReason.STOP && hasFunctionCall(candidate) ? FinishReason.TOOL_CALLS : normalised;
    }

    static FinishReason finishReason(String reason) {
        return switch (reason) {
            case "STOP" -> FinishReason.STOP;
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" ->
                FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    private static boolean hasFunctionCall(JsonNode candidate) {
        for (JsonNode part : candidate.path("content").path("parts")) {
            if (part.has("functionCall")) {
                return true;
            }
        }
        return false;
    }

    /** Usage from {@code usageMetadata} (absent counts are zero; absent object: not reported); see the class comment. */
    static Usage usage(JsonNode meta) {
        if (!meta.isObject()) {
            return Usage.UNREPORTED;
        }
        long thoughts = meta.path("thoughtsTokenCount").asLong(0);
        long input = meta.path("promptTokenCount").asLong(0)
                + meta.path("toolUsePromptTokenCount").asLong(0);
        long cached = Math.min(meta.path("cachedContentTokenCount").asLong(0), input);
        return new Usage(input, meta.path("candidatesTokenCount").asLong(0) + thoughts, cached, thoughts);
    }

    static String textOrNull(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}

package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.internal.provider.tools.ToolSupport;
import java.util.Base64;
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
 */
final class ConverseFormat {
    /** Converse request members besides messages, system and inferenceConfig that {@code extra} may set. */
    static final Set<String> TOP_LEVEL_FIELDS = Set.of(
            "toolConfig",
            "guardrailConfig",
            "additionalModelResponseFieldPaths",
            "promptVariables",
            "requestMetadata",
            "performanceConfig");

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
     * Rejects what Converse cannot take, before any attempt.
     *
     * @throws IllegalArgumentException naming the part and what to use instead
     */
    static void checkSupported(ChatRequest request) {
        ToolSupport.rejectAll(request, "aws_bedrock");
        for (ChatMessage message : request.messages()) {
            boolean hasDocument = false;
            boolean hasText = false;
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Text) {
                    hasText = true;
                } else if (part instanceof ContentPart.ImageBytes image) {
                    requireUser(message, "images");
                    if (imageFormat(image.mimeType()) == null) {
                        throw new IllegalArgumentException("aws_bedrock Converse takes png, jpeg, gif or webp images,"
                                + " not " + image.mimeType());
                    }
                } else if (part instanceof ContentPart.PdfBytes pdf) {
                    requireUser(message, "documents");
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
        }
    }

    private static void requireUser(ChatMessage message, String what) {
        if (!message.role().equals("user")) {
            throw new IllegalArgumentException("aws_bedrock Converse takes " + what + " only in user messages, not in "
                    + message.role() + " messages");
        }
    }

    static String imageFormat(String mimeType) {
        return IMAGE_FORMATS.get(mimeType.toLowerCase(Locale.ROOT));
    }

    /** The Converse request body for {@code request}. */
    ObjectNode requestBody(ChatRequest request) {
        ObjectNode root = json.createObjectNode();
        ArrayNode messages = root.putArray("messages");
        ArrayNode system = json.createArrayNode();
        int documents = 0;
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("system")) {
                for (ContentPart part : message.content()) {
                    if (part instanceof ContentPart.Text t && !t.text().isEmpty()) {
                        system.addObject().put("text", t.text());
                    }
                }
                continue;
            }
            ObjectNode m = messages.addObject();
            m.put("role", message.role());
            ArrayNode content = m.putArray("content");
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Text t) {
                    content.addObject().put("text", t.text());
                } else if (part instanceof ContentPart.ImageBytes image) {
                    ObjectNode block = content.addObject().putObject("image");
                    block.put("format", imageFormat(image.mimeType()));
                    block.putObject("source").put("bytes", base64(image.data()));
                } else if (part instanceof ContentPart.PdfBytes pdf) {
                    documents++;
                    ObjectNode block = content.addObject().putObject("document");
                    block.put("format", "pdf");
                    // Names allow letters, digits, single spaces, hyphens, parentheses and brackets; keep it neutral.
                    block.put("name", "document-" + documents);
                    block.putObject("source").put("bytes", base64(pdf.data()));
                }
            }
        }
        if (!system.isEmpty()) {
            root.set("system", system);
        }
        if (request.maxTokens() != null || request.temperature() != null || request.topP() != null) {
            ObjectNode inference = root.putObject("inferenceConfig");
            if (request.maxTokens() != null) {
                inference.put("maxTokens", request.maxTokens());
            }
            if (request.temperature() != null) {
                inference.put("temperature", request.temperature());
            }
            if (request.topP() != null) {
                inference.put("topP", request.topP());
            }
        }
        ObjectNode additional = json.createObjectNode();
        request.extra().forEach((name, value) -> {
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

    private static String base64(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    /** The text of a Converse {@code output.message}: its text blocks joined (tool use blocks are left out). */
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

    /**
     * Usage from a Converse {@code usage} object. Bedrock counts {@code inputTokens} without the tokens read from
     * or written to the prompt cache, which it reports apart; our input count includes both, and the cached count is
     * {@code cacheReadInputTokens}. Without the object, the usage is not reported.
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

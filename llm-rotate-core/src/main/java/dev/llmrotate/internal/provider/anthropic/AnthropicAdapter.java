package dev.llmrotate.internal.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpResult;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.internal.provider.http.StreamingResponse;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.ProviderStream;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Anthropic Messages API ({@code POST {base_url}/messages}, headers {@code x-api-key} and {@code anthropic-version:
 * 2023-06-01}), with and without streaming.
 *
 * <p>How a {@link ChatRequest} becomes a Messages request:
 *
 * <ul>
 *   <li>System messages are hoisted into the top-level {@code system} string; several are joined with a blank line,
 *       in order. The other messages keep their order and roles. Consecutive messages of one role are sent as they
 *       are: the API reference says consecutive user or assistant turns are combined into a single turn.
 *   <li>{@code max_tokens} is required by Anthropic: the request's {@code maxTokens}, else {@value #DEFAULT_MAX_TOKENS}.
 *   <li>{@code temperature} and {@code top_p} when set; {@code extra} entries are top-level fields and replace
 *       fields of the same name (e.g. a {@code system} array with {@code cache_control}), except {@code stream}.
 *   <li>Text parts are {@code text} blocks (a message of one text part is sent as a plain string), image bytes are
 *       {@code image} blocks with a base64 source, PDF bytes are {@code document} blocks with a base64 source.
 *       Images and PDFs go in user messages only; {@link ContentPart.FileRef} is not supported.
 * </ul>
 *
 * <p>The answer: text blocks joined (other blocks such as {@code thinking} or {@code tool_use} are left out),
 * {@code stop_reason} normalised ({@code end_turn}, {@code stop_sequence}: stop; {@code max_tokens}, {@code
 * model_context_window_exceeded}: length; {@code tool_use}: tool calls; {@code refusal}: content filter; anything
 * else, e.g. {@code pause_turn}: other), and usage mapped as {@link #usage(JsonNode)} describes.
 */
public final class AnthropicAdapter implements ProviderAdapter {
    /** The {@code max_tokens} sent when the request sets none. */
    public static final int DEFAULT_MAX_TOKENS = 4096;

    /** The API version this adapter speaks. */
    public static final String API_VERSION = "2023-06-01";

    private final HttpTransport transport;
    private final ObjectMapper json;
    private final AnthropicErrorClassifier classifier;
    private final Clock clock;
    /** The messages URL of each base URL seen (a handful): parsing it for every call cost about a microsecond. */
    private final Map<URI, URI> messagesUrls = new ConcurrentHashMap<>();

    public AnthropicAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        this.transport = transport;
        this.json = json;
        this.classifier = new AnthropicErrorClassifier(json);
        this.clock = clock;
    }

    /** Anthropic continues a trailing assistant message (prefill). */
    @Override
    public boolean continuesPrefill() {
        return true;
    }

    @Override
    public String provider() {
        return ProviderCatalog.ANTHROPIC;
    }

    @Override
    public void checkSupported(ChatRequest request) {
        boolean conversation = false;
        for (ChatMessage message : request.messages()) {
            conversation |= !message.role().equals("system");
            for (ContentPart part : message.content()) {
                checkPart(message.role(), part);
            }
        }
        if (!conversation) {
            throw new IllegalArgumentException(
                    provider() + " needs at least one user or assistant message besides the system messages");
        }
    }

    private void checkPart(String role, ContentPart part) {
        if (part instanceof ContentPart.FileRef) {
            throw new IllegalArgumentException(provider() + " does not take FileRef parts (references to uploaded"
                    + " files); send the bytes inline as image or PDF parts");
        }
        if (part instanceof ContentPart.Text) {
            return;
        }
        if (!role.equals("user")) {
            throw new IllegalArgumentException(
                    provider() + " takes images and PDFs in user messages only, not in " + role + " messages");
        }
        if (part instanceof ContentPart.PdfBytes pdf && !pdf.mimeType().equals("application/pdf")) {
            throw new IllegalArgumentException(
                    provider() + " takes PDF documents as application/pdf, got " + pdf.mimeType());
        }
    }

    @Override
    public ProviderReply send(Attempt attempt) {
        return transport.postJson(
                messagesUrl(attempt),
                headers(attempt),
                plainBody(attempt),
                attempt.settings().connectTimeout(),
                attempt.timeout(),
                this::reply);
    }

    @Override
    public CompletableFuture<ProviderReply> sendAsync(Attempt attempt, Executor executor) {
        try {
            return transport.postJsonAsync(
                    messagesUrl(attempt),
                    headers(attempt),
                    plainBody(attempt),
                    attempt.settings().connectTimeout(),
                    attempt.timeout(),
                    this::reply);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private byte[] plainBody(Attempt attempt) {
        ObjectNode root = requestJson(attempt);
        root.remove("stream");
        return bytes(root);
    }

    private ProviderReply reply(HttpResult response) {
        if (!response.isSuccess()) {
            throw classifier.classify(response, clock.instant());
        }
        return parseReply(response.body());
    }

    @Override
    public ProviderStream openStream(Attempt attempt) {
        ObjectNode root = requestJson(attempt);
        root.put("stream", true);
        StreamingResponse response = transport.openStream(
                messagesUrl(attempt),
                headers(attempt),
                bytes(root),
                "text/event-stream",
                attempt.settings().connectTimeout(),
                attempt.timeout());
        if (!response.isSuccess()) {
            throw classifier.classify(response.error(), clock.instant());
        }
        return new AnthropicStream(response.body(), json, classifier);
    }

    private static Map<String, String> headers(Attempt attempt) {
        return Map.of("x-api-key", attempt.secret(), "anthropic-version", API_VERSION);
    }

    private URI messagesUrl(Attempt attempt) {
        URI base = attempt.settings().baseUrl();
        URI url = messagesUrls.get(base);
        return url != null
                ? url
                : messagesUrls.computeIfAbsent(base, b -> {
                    String text = b.toString();
                    return URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/messages");
                });
    }

    /** The request body without {@code stream}. */
    ObjectNode requestJson(Attempt attempt) {
        ChatRequest request = attempt.request();
        ObjectNode root = json.createObjectNode();
        root.put("model", request.model());
        root.put("max_tokens", request.maxTokens() != null ? request.maxTokens() : DEFAULT_MAX_TOKENS);
        StringBuilder system = new StringBuilder();
        ArrayNode messages = json.createArrayNode();
        for (ChatMessage message : request.messages()) {
            if (message.role().equals("system")) {
                if (!system.isEmpty()) {
                    system.append("\n\n");
                }
                system.append(message.text());
                continue;
            }
            ObjectNode m = messages.addObject();
            m.put("role", message.role());
            if (message.content().size() == 1 && message.content().get(0) instanceof ContentPart.Text t) {
                m.put("content", t.text());
            } else {
                ArrayNode blocks = m.putArray("content");
                message.content().forEach(part -> addBlock(blocks, part));
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
        request.extra().forEach((name, value) -> root.set(name, json.valueToTree(value)));
        return root;
    }

    private static void addBlock(ArrayNode blocks, ContentPart part) {
        if (part instanceof ContentPart.Text t) {
            blocks.addObject().put("type", "text").put("text", t.text());
        } else if (part instanceof ContentPart.ImageBytes image) {
            base64Block(blocks, "image", image.mimeType(), image.data());
        } else if (part instanceof ContentPart.PdfBytes pdf) {
            base64Block(blocks, "document", "application/pdf", pdf.data());
        }
    }

    private static void base64Block(ArrayNode blocks, String type, String mediaType, byte[] data) {
        ObjectNode source = blocks.addObject().put("type", type).putObject("source");
        source.put("type", "base64");
        source.put("media_type", mediaType);
        source.put("data", Base64.getEncoder().encodeToString(data));
    }

    private byte[] bytes(ObjectNode root) {
        try {
            return json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new ProviderException(ErrorType.INVALID_REQUEST, null, null, "request not serialisable: " + e);
        }
    }

    private ProviderReply parseReply(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response body is not JSON");
        }
        if (root == null || !root.path("content").isArray()) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response has no content");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : root.get("content")) {
            if ("text".equals(block.path("type").asText()) && block.path("text").isTextual()) {
                text.append(block.get("text").asText());
            }
        }
        return new ProviderReply(
                text.toString(),
                finishReason(root.path("stop_reason").asText("")),
                usage(root.path("usage")),
                root.path("model").isTextual() ? root.get("model").asText() : null,
                root.path("id").isTextual() ? root.get("id").asText() : null);
    }

    /**
     * Usage from an Anthropic {@code usage} object. Anthropic's {@code input_tokens} counts only the prompt tokens
     * after the last cache breakpoint, so the input is {@code input_tokens + cache_creation_input_tokens +
     * cache_read_input_tokens} (every prompt token processed); cached input is {@code cache_read_input_tokens}
     * (tokens written to the cache are billed as input, not served from it); output is {@code output_tokens}, which
     * includes extended-thinking tokens. Anthropic does not report thinking tokens apart, so reasoning is 0. Without
     * the object, the usage is not reported.
     */
    static Usage usage(JsonNode usage) {
        if (!usage.isObject()) {
            return Usage.UNREPORTED;
        }
        return usage(
                usage.path("input_tokens").asLong(0),
                usage.path("cache_creation_input_tokens").asLong(0),
                usage.path("cache_read_input_tokens").asLong(0),
                usage.path("output_tokens").asLong(0));
    }

    static Usage usage(long input, long cacheCreation, long cacheRead, long output) {
        return new Usage(
                Math.max(0, input) + Math.max(0, cacheCreation) + Math.max(0, cacheRead),
                Math.max(0, output),
                Math.max(0, cacheRead),
                0);
    }

    static FinishReason finishReason(String stopReason) {
        return switch (stopReason) {
            case "" -> null; // not given: the engine tells a reply without content and reason apart
            case "end_turn", "stop_sequence" -> FinishReason.STOP;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }
}

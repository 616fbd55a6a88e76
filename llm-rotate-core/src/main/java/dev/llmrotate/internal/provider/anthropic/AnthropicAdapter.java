package dev.llmrotate.internal.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamingResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Anthropic Messages API ({@code POST {base_url}/messages}, headers {@code x-api-key} and {@code anthropic-version:
 * 2023-06-01}), with and without streaming. {@link AnthropicRequest} maps the request (messages, tools, tool choice,
 * thinking, structured output).
 *
 * <p>The answer: text blocks joined; {@code tool_use} blocks are the tool calls (their {@code input} as the
 * arguments' JSON text); {@code thinking} blocks (with their {@code signature}) and {@code redacted_thinking} blocks
 * are the reasoning, kept so that the next turn can send them back; {@code stop_reason} normalised ({@code end_turn},
 * {@code stop_sequence}: stop; {@code max_tokens}, {@code model_context_window_exceeded}: length; {@code tool_use}:
 * tool calls; {@code refusal}: content filter; anything else, e.g. {@code pause_turn}: other), and usage mapped as
 * {@link #usage(JsonNode)} describes.
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
    private final AnthropicRequest format;
    /** The messages URL of each base URL seen (a handful): parsing it for every call cost about a microsecond. */
    private final Map<URI, URI> messagesUrls = new ConcurrentHashMap<>();

    public AnthropicAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        this.transport = transport;
        this.json = json;
        this.classifier = new AnthropicErrorClassifier(json);
        this.clock = clock;
        this.format = new AnthropicRequest(json);
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
        format.check(request);
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
        return format.body(attempt.request(), attempt.model());
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
        List<ToolCall> toolCalls = new ArrayList<>(0);
        List<ContentPart> reasoning = new ArrayList<>(0);
        for (JsonNode block : root.get("content")) {
            String type = block.path("type").asText();
            if (type.equals("text") && block.path("text").isTextual()) {
                text.append(block.get("text").asText());
            } else if (type.equals("tool_use")) {
                toolCalls.add(toolCall(block));
            } else {
                reasoning.addAll(AnthropicRequest.reasoningOf(block));
            }
        }
        return new ProviderReply(
                text.toString(),
                finishReason(root.path("stop_reason").asText("")),
                usage(root.path("usage")),
                root.path("model").isTextual() ? root.get("model").asText() : null,
                root.path("id").isTextual() ? root.get("id").asText() : null,
                toolCalls,
                reasoning);
    }

    private static ToolCall toolCall(JsonNode block) {
        String id = block.path("id").asText("");
        String name = block.path("name").asText("");
        if (id.isEmpty() || name.isEmpty()) {
            throw new ProviderException(
                    ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response has a tool_use block without id or name");
        }
        JsonNode input = block.path("input");
        return new ToolCall(id, name, input.isObject() ? input.toString() : "{}");
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

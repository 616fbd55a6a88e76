package dev.llmrotate.internal.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.extra.ScopedExtra;
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
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * OpenAI Chat Completions ({@code POST {base_url}/chat/completions}, bearer auth), with and without streaming. Any server that
 * speaks the same format works through {@code base_url}. Tools, tool calls, structured output and reasoning as
 * {@link OpenAiTools} describes.
 */
public class OpenAiAdapter implements ProviderAdapter {
    private final HttpTransport transport;
    private final ObjectMapper json;
    private final OpenAiErrorClassifier classifier;
    private final Clock clock;
    /** The chat URL of each base URL seen (a handful): parsing it for every call cost about a microsecond. */
    private final Map<URI, URI> chatUrls = new ConcurrentHashMap<>();

    public OpenAiAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        this.transport = transport;
        this.json = json;
        this.classifier = new OpenAiErrorClassifier(json);
        this.clock = clock;
    }

    @Override
    public String provider() {
        return ProviderCatalog.OPENAI;
    }

    /**
     * Rejects parts Chat Completions cannot take (images outside user messages, anything but text in a tool result,
     * PDFs and file references) and reasoning controls it has no field for.
     */
    @Override
    public void checkSupported(ChatRequest request) {
        for (ChatMessage message : request.messages()) {
            for (ContentPart part : message.content()) {
                if (part instanceof ContentPart.Reasoning || part instanceof ContentPart.RedactedReasoning) {
                    continue; // not sent: Chat Completions has no field for earlier reasoning
                }
                if (!(part instanceof ContentPart.Text) && !(part instanceof ContentPart.ImageBytes)) {
                    throw new IllegalArgumentException(provider() + " chat does not take "
                            + part.getClass().getSimpleName() + " parts; use text or image_bytes");
                }
                if (part instanceof ContentPart.ImageBytes && message.role().equals("tool")) {
                    throw new IllegalArgumentException(provider() + " takes only text in tool results");
                }
                if (part instanceof ContentPart.ImageBytes && !message.role().equals("user")) {
                    throw new IllegalArgumentException(provider() + " takes images only in user messages");
                }
            }
        }
        checkReasoningControls(request);
    }

    /**
     * OpenAI and Azure take {@code reasoning_effort} {@code none} to {@code xhigh}, and no token budget; a broker
     * (OpenRouter) maps both its own way.
     */
    protected void checkReasoningControls(ChatRequest request) {
        if (request.thinkingBudget() != null) {
            throw new IllegalArgumentException("thinkingBudget is not supported by " + provider()
                    + ", which takes a reasoning effort (reasoningEffort) instead of a token budget");
        }
        if (request.reasoningEffort() == ReasoningEffort.MAX) {
            throw new IllegalArgumentException("reasoningEffort MAX is not supported by " + provider()
                    + ", whose reasoning_effort goes from none to xhigh");
        }
    }

    /** Adds the reasoning controls: {@code reasoning_effort}. */
    protected void addReasoningControls(ObjectNode root, ChatRequest request) {
        if (request.reasoningEffort() != null) {
            root.put("reasoning_effort", request.reasoningEffort().wireName());
        }
    }

    @Override
    public ProviderReply send(Attempt attempt) {
        return transport.postJson(
                chatUrl(attempt),
                authHeaders(attempt),
                requestBody(attempt),
                attempt.settings().connectTimeout(),
                attempt.timeout(),
                this::reply);
    }

    @Override
    public CompletableFuture<ProviderReply> sendAsync(Attempt attempt, Executor executor) {
        try {
            return transport.postJsonAsync(
                    chatUrl(attempt),
                    authHeaders(attempt),
                    requestBody(attempt),
                    attempt.settings().connectTimeout(),
                    attempt.timeout(),
                    this::reply);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ProviderReply reply(HttpResult response) {
        if (!response.isSuccess()) {
            throw classify(response, classifier.classify(response, clock.instant()));
        }
        return parseReply(response.body());
    }

    @Override
    public ProviderStream openStream(Attempt attempt) {
        ObjectNode root = requestJson(attempt);
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        byte[] body;
        try {
            body = json.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new ProviderException(ErrorType.INVALID_REQUEST, null, null, "request not serialisable: " + e);
        }
        StreamingResponse response = transport.openStream(
                chatUrl(attempt),
                authHeaders(attempt),
                body,
                "text/event-stream",
                attempt.settings().connectTimeout(),
                attempt.timeout());
        if (!response.isSuccess()) {
            throw classify(response.error(), classifier.classify(response.error(), clock.instant()));
        }
        return new OpenAiStream(response.body(), json, classifier);
    }

    /** Where chat completions are posted: {@code {base_url}/chat/completions}. */
    protected URI chatUrl(Attempt attempt) {
        URI base = attempt.settings().baseUrl();
        URI url = chatUrls.get(base);
        return url != null
                ? url
                : chatUrls.computeIfAbsent(base, b -> URI.create(stripSlash(b.toString()) + "/chat/completions"));
    }

    /** The authentication headers: a bearer token. */
    protected Map<String, String> authHeaders(Attempt attempt) {
        return Map.of("Authorization", "Bearer " + attempt.secret());
    }

    /** The request body; subclasses (brokers) add their routing fields. */
    protected ObjectNode requestJson(Attempt attempt) {
        ChatRequest request = attempt.request();
        ObjectNode root = json.createObjectNode();
        root.put("model", request.model());
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage message : request.messages()) {
            ObjectNode m = messages.addObject();
            if (OpenAiTools.needsToolForm(message)) {
                OpenAiTools.addMessage(m, message);
                continue;
            }
            m.put("role", message.role());
            if (message.content().size() == 1 && message.content().get(0) instanceof ContentPart.Text t) {
                m.put("content", t.text());
            } else {
                ArrayNode parts = m.putArray("content");
                for (ContentPart part : message.content()) {
                    addPart(parts, part);
                }
            }
        }
        if (request.maxTokens() != null) {
            root.put(maxTokensField(), request.maxTokens());
        }
        if (request.temperature() != null) {
            root.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            root.put("top_p", request.topP());
        }
        OpenAiTools.addFields(root, request, json);
        addReasoningControls(root, request);
        ScopedExtra.forFormat(request.extra(), ScopedExtra.OPENAI)
                .forEach((name, value) -> root.set(name, json.valueToTree(value)));
        return root;
    }

    /** Lets a subclass re-classify a failure the OpenAI rules classified as {@code classified}. */
    protected ProviderException classify(HttpResult response, ProviderException classified) {
        return classified;
    }

    /** OpenAI deprecated {@code max_tokens} for {@code max_completion_tokens}; compatible brokers keep the old name. */
    protected String maxTokensField() {
        return "max_completion_tokens";
    }

    private byte[] requestBody(Attempt attempt) {
        try {
            return json.writeValueAsBytes(requestJson(attempt));
        } catch (IOException e) {
            throw new ProviderException(ErrorType.INVALID_REQUEST, null, null, "request not serialisable: " + e);
        }
    }

    private static void addPart(ArrayNode parts, ContentPart part) {
        if (part instanceof ContentPart.Text t) {
            parts.addObject().put("type", "text").put("text", t.text());
        } else if (part instanceof ContentPart.ImageBytes image) {
            String url = "data:" + image.mimeType() + ";base64,"
                    + Base64.getEncoder().encodeToString(image.data());
            parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
        }
    }

    private ProviderReply parseReply(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response body is not JSON");
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        if (choice == null || choice.isMissingNode()) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response has no choices");
        }
        JsonNode message = choice.path("message");
        JsonNode content = message.path("content");
        Usage tokens = usage(root.path("usage"));
        return new ProviderReply(
                content.isTextual() ? content.asText() : "",
                finishReason(choice.path("finish_reason").asText("")),
                tokens,
                root.path("model").isTextual() ? root.path("model").asText() : null,
                root.path("id").isTextual() ? root.path("id").asText() : null,
                OpenAiTools.toolCalls(message),
                OpenAiTools.reasoning(message, provider()));
    }

    /** Usage from an OpenAI {@code usage} object (absent fields count zero); without the object, not reported. */
    static Usage usage(JsonNode usage) {
        if (!usage.isObject()) {
            return Usage.UNREPORTED;
        }
        return new Usage(
                usage.path("prompt_tokens").asLong(0),
                usage.path("completion_tokens").asLong(0),
                usage.path("prompt_tokens_details").path("cached_tokens").asLong(0),
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
    }

    static FinishReason finishReason(String reason) {
        return switch (reason) {
            case "" -> null; // not given: the engine tells a reply without content and reason apart
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            default -> FinishReason.OTHER;
        };
    }

    protected static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}

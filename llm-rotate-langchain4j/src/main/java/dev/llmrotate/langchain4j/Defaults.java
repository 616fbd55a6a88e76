package dev.llmrotate.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What both models' builders collect: the default request parameters, listeners and capabilities. */
final class Defaults {
    private ChatRequestParameters parameters;
    private String modelName;
    private Double temperature;
    private Double topP;
    private Integer maxOutputTokens;
    List<ChatModelListener> listeners = List.of();
    Set<Capability> capabilities = Set.of();

    void parameters(ChatRequestParameters parameters) {
        this.parameters = parameters;
    }

    void modelName(String modelName) {
        this.modelName = modelName;
    }

    void temperature(Double temperature) {
        this.temperature = temperature;
    }

    void topP(Double topP) {
        this.topP = topP;
    }

    void maxOutputTokens(Integer maxOutputTokens) {
        this.maxOutputTokens = maxOutputTokens;
    }

    void listeners(List<ChatModelListener> listeners) {
        Objects.requireNonNull(listeners, "listeners");
        for (int i = 0; i < listeners.size(); i++) {
            Objects.requireNonNull(listeners.get(i), "listeners[" + i + "]");
        }
        this.listeners = List.copyOf(listeners);
    }

    void capabilities(Capability... capabilities) {
        this.capabilities = Set.copyOf(java.util.Arrays.asList(capabilities)); // a repeated one is harmless
    }

    /**
     * The merged defaults: {@code defaultRequestParameters}, then the single setters over them, always as {@link
     * LlmRotateChatRequestParameters} so that merging a request's parameters keeps the llm-rotate fields.
     *
     * @throws IllegalArgumentException for a bad value, naming it
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for a parameter llm-rotate cannot send
     */
    LlmRotateChatRequestParameters build() {
        LlmRotateChatRequestParameters.Builder merged = LlmRotateChatRequestParameters.builder();
        if (parameters != null) {
            merged.overrideWith(parameters);
        }
        LlmRotateChatRequestParameters defaults = merged.overrideWith(LlmRotateChatRequestParameters.builder()
                        .modelName(modelName)
                        .temperature(temperature)
                        .topP(topP)
                        .maxOutputTokens(maxOutputTokens)
                        .build())
                .build();
        if (defaults.modelName() != null && defaults.modelName().isBlank()) {
            throw new IllegalArgumentException("modelName must not be blank");
        }
        if (defaults.maxOutputTokens() != null && defaults.maxOutputTokens() <= 0) {
            throw new IllegalArgumentException("maxOutputTokens must be positive, got " + defaults.maxOutputTokens());
        }
        Requests.checkSupported(defaults);
        check(defaults);
        return defaults;
    }

    /**
     * Fails on a default that every call would fail on (a caller id with spaces, a negative retry count, a zero
     * deadline, ...), with the message our request gives, now rather than at the first call. Tools, tool choice and
     * the response format depend on each other and on the request, so they are checked per call.
     */
    private static void check(LlmRotateChatRequestParameters d) {
        new dev.llmrotate.chat.ChatRequest(
                d.modelName() == null ? "any" : d.modelName(),
                List.of(dev.llmrotate.chat.ChatMessage.user("")),
                d.provider(),
                d.maxOutputTokens(),
                d.temperature(),
                d.topP(),
                d.maxRetries(),
                d.deadline(),
                d.extra(),
                null,
                List.of(),
                null,
                null,
                null,
                d.reasoningEffort(),
                d.thinkingBudget(),
                d.caller());
    }
}

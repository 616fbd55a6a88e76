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
        this.capabilities = Set.of(capabilities);
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
        if (defaults.maxOutputTokens() != null && defaults.maxOutputTokens() <= 0) {
            throw new IllegalArgumentException("maxOutputTokens must be positive, got " + defaults.maxOutputTokens());
        }
        if (defaults.modelName() != null && defaults.modelName().isBlank()) {
            throw new IllegalArgumentException("modelName must not be blank");
        }
        Requests.checkSupported(defaults);
        return defaults;
    }
}

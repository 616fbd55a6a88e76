package dev.llmrotate.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.llmrotate.LlmRotate;
import java.util.List;
import java.util.Objects;

/**
 * What the builders of {@link LlmRotateChatModel} and {@link LlmRotateStreamingChatModel} share: the instance and the
 * default request parameters. Not extended outside this package.
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <M> the model it builds
 */
public abstract class ModelBuilder<B extends ModelBuilder<B, M>, M> {
    final LlmRotate lm;
    final Defaults defaults = new Defaults();

    ModelBuilder(LlmRotate lm) {
        this.lm = Objects.requireNonNull(lm, "lm");
    }

    /** This builder, as its own type. */
    abstract B self();

    /**
     * Default request parameters (LangChain4j's, or {@link LlmRotateChatRequestParameters} for the llm-rotate
     * fields); the single setters of this builder override their fields.
     *
     * @param parameters the defaults, or null for none
     * @return this builder
     */
    public B defaultRequestParameters(ChatRequestParameters parameters) {
        defaults.parameters(parameters);
        return self();
    }

    /**
     * The model to ask for when a request names none; llm-rotate infers its provider from the keys.
     *
     * @param modelName a model id such as {@code gpt-4o-mini}, or null for none
     * @return this builder
     */
    public B modelName(String modelName) {
        defaults.modelName(modelName);
        return self();
    }

    /**
     * The default sampling temperature.
     *
     * @param temperature the temperature, or null for the provider's default
     * @return this builder
     */
    public B temperature(Double temperature) {
        defaults.temperature(temperature);
        return self();
    }

    /**
     * The default nucleus sampling.
     *
     * @param topP the probability mass to sample from, or null for the provider's default
     * @return this builder
     */
    public B topP(Double topP) {
        defaults.topP(topP);
        return self();
    }

    /**
     * The default output cap.
     *
     * @param maxOutputTokens the most tokens an answer may have, positive, or null for the provider's default
     * @return this builder
     */
    public B maxOutputTokens(Integer maxOutputTokens) {
        defaults.maxOutputTokens(maxOutputTokens);
        return self();
    }

    /**
     * The listeners LangChain4j calls around every call, in order; none by default.
     *
     * @param listeners the listeners, not null and without null elements; copied
     * @return this builder
     */
    public B listeners(List<ChatModelListener> listeners) {
        defaults.listeners(listeners);
        return self();
    }

    /**
     * What the model's {@code supportedCapabilities()} reports; none by default. An AI Service asks for a JSON schema
     * response format ({@code RESPONSE_FORMAT_JSON_SCHEMA}) only from a model that reports it, and else puts the
     * format into the prompt, which every model follows. Every llm-rotate provider takes a JSON schema, but not every
     * model does, and a call may fall back to another model; llm-rotate sends a schema only to routes whose model
     * takes it (and fails with {@code InvalidRequestException} when none does). So report it when the models you
     * configured, fallbacks included, take structured outputs.
     *
     * @param capabilities the capabilities to report, without nulls (repeats count once); replaces earlier ones
     * @return this builder
     */
    public B supportedCapabilities(Capability... capabilities) {
        defaults.capabilities(capabilities);
        return self();
    }

    /**
     * The model.
     *
     * @return a new model over the builder's {@code LlmRotate}, with its defaults
     * @throws IllegalArgumentException for a bad default (a blank model name, a non-positive output cap, any value
     *     llm-rotate's request refuses, such as a caller id with spaces), naming it
     * @throws dev.langchain4j.exception.UnsupportedFeatureException for a default llm-rotate cannot send
     */
    public abstract M build();
}

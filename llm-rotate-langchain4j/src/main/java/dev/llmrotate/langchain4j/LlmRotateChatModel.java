package dev.llmrotate.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.llmrotate.LlmRotate;
import java.util.List;
import java.util.Set;

/**
 * A LangChain4j {@link ChatModel} whose calls go through llm-rotate: every call picks a healthy key, rotates away
 * from rate-limited or revoked keys, retries transient failures and falls back across providers, as {@link
 * LlmRotate#chat(dev.llmrotate.chat.ChatRequest)} does. Use it wherever LangChain4j takes a chat model, AI Services
 * included.
 *
 * <pre>{@code
 * LlmRotate lm = LlmRotate.fromFile(Path.of("llm-rotate.yaml"));
 * ChatModel model = LlmRotateChatModel.builder(lm).modelName("gpt-4o-mini").temperature(0.2).build();
 * Assistant assistant = AiServices.builder(Assistant.class).chatModel(model).tools(new WeatherTools()).build();
 * }</pre>
 *
 * <p><b>Requests.</b> Messages (system, user text, images and PDFs as base64 data, AI messages with tool execution
 * requests, tool results), tool specifications, tool choice, the response format (JSON, JSON schema), {@code
 * modelName}, {@code temperature}, {@code topP} and {@code maxOutputTokens} map onto llm-rotate's request, and so do
 * the {@link LlmRotateChatRequestParameters} fields. What llm-rotate cannot send ({@code topK}, {@code
 * frequencyPenalty}, {@code presencePenalty}, {@code stopSequences}, image URLs, audio, video) fails the call with
 * {@link dev.langchain4j.exception.UnsupportedFeatureException} naming it, rather than being dropped; only a user
 * message's {@code name} and a tool result's {@code isError} flag, hints llm-rotate's request has no place for, are
 * not sent.
 *
 * <p><b>Responses.</b> The AI message has the text, the tool execution requests and the reasoning ({@code
 * thinking()}); its attributes keep the reasoning signatures a provider asks to get back on the next turn. The
 * metadata's {@code id()} is the call's id (the {@code call_id} of its usage record: look there for the provider, key
 * and fallback that served it), {@code modelName()} the model that actually answered (a fallback's, after a fallback),
 * {@code tokenUsage()} the provider's counts (null when it reported none), {@code finishReason()} why the model
 * stopped (null when the provider gave no reason).
 *
 * <p><b>Errors.</b> A failed call throws LangChain4j's exceptions (rate limit, timeout, authentication, invalid
 * request, content filtered, model not found, server error) with llm-rotate's as the cause, so that retry code tells
 * what a retry can fix; the table is in the {@linkplain dev.llmrotate.langchain4j package documentation}.
 *
 * <p><b>Listeners</b> get {@code onRequest}, then {@code onResponse} or {@code onError}, from LangChain4j's own
 * {@link ChatModel#chat(ChatRequest)}, with one attributes map per call. The provider they see is {@link
 * ModelProvider#OTHER}: llm-rotate may serve one call from any of its providers. Thread-safe; share one instance.
 */
public final class LlmRotateChatModel implements ChatModel {
    private final LlmRotate lm;
    private final LlmRotateChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final Set<Capability> capabilities;
    private final ToolDefinitions toolCache = new ToolDefinitions();

    private LlmRotateChatModel(Builder builder) {
        this.lm = builder.lm;
        this.defaults = builder.defaults.build();
        this.listeners = builder.defaults.listeners;
        this.capabilities = builder.defaults.capabilities;
    }

    /**
     * A builder of a model over {@code lm}.
     *
     * @param lm the instance every call goes through, not null; the caller keeps and closes it
     * @return a builder with no defaults set
     */
    public static Builder builder(LlmRotate lm) {
        return new Builder(lm);
    }

    /**
     * Sends {@code request} (its parameters already merged with the defaults by {@link ChatModel#chat(ChatRequest)})
     * through llm-rotate and returns the answer.
     */
    @Override
    public ChatResponse doChat(ChatRequest request) {
        dev.llmrotate.chat.ChatRequest ours = Requests.toRequest(request, toolCache);
        dev.llmrotate.chat.ChatResponse answer;
        try {
            answer = lm.chat(ours);
        } catch (RuntimeException e) {
            throw Errors.map(e);
        }
        return Replies.toResponse(answer);
    }

    /** The builder's defaults; a request's parameters override them field by field. */
    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    /** {@link ModelProvider#OTHER}: one call may be served by any of llm-rotate's providers. */
    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /**
     * The capabilities given to the builder; none by default. See {@link Builder#supportedCapabilities(Capability...)}.
     */
    @Override
    public Set<Capability> supportedCapabilities() {
        return capabilities;
    }

    @Override
    public String toString() {
        return "LlmRotateChatModel[" + defaults.modelName() + "]";
    }

    /** Builds a {@link LlmRotateChatModel}. */
    public static final class Builder extends ModelBuilder<Builder, LlmRotateChatModel> {

        private Builder(LlmRotate lm) {
            super(lm);
        }

        @Override
        Builder self() {
            return this;
        }

        @Override
        public LlmRotateChatModel build() {
            return new LlmRotateChatModel(this);
        }
    }
}

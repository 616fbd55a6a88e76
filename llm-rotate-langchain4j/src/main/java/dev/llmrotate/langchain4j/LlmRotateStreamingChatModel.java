package dev.llmrotate.langchain4j;

import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.llmrotate.LlmRotate;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A LangChain4j {@link StreamingChatModel} whose calls go through llm-rotate's {@link
 * LlmRotate#chatStream(dev.llmrotate.chat.ChatRequest)}: until the first chunk a call rotates keys, retries and falls
 * back like a plain one, so a 429 storm or a provider outage costs the handler nothing but time; after it, the chunks
 * go to the handler as they come. Requests, responses, errors and listeners are mapped as by {@link
 * LlmRotateChatModel}.
 *
 * <pre>{@code
 * StreamingChatModel model = LlmRotateStreamingChatModel.builder(lm).modelName("gpt-4o-mini").build();
 * model.chat("Tell me a story", new StreamingChatResponseHandler() {
 *     public void onPartialResponse(String text) { System.out.print(text); }
 *     public void onCompleteResponse(ChatResponse response) { System.out.println(response.tokenUsage()); }
 *     public void onError(Throwable error) { error.printStackTrace(); }
 * });
 * }</pre>
 *
 * <p>The handler gets, on one of the executor's threads: {@code onPartialThinking} for reasoning, {@code
 * onPartialResponse} for text, {@code onPartialToolCall} for each piece of a tool call's arguments and {@code
 * onCompleteToolCall} once the call is whole (when the next one starts, or the stream ends); then exactly one of
 * {@code onCompleteResponse} (the whole answer, usage and finish reason included) or {@code onError}. A request
 * llm-rotate cannot send goes to {@code onError} too: {@code chat} never throws for it. The contexts' {@link
 * dev.langchain4j.model.chat.response.StreamingHandle} cancels the stream: the connection is released, the call is
 * recorded as {@code cancelled}, and the handler hears nothing more. A handler callback that throws ends the stream
 * the same way and its exception goes to {@code onError}; a throwing {@code onCompleteResponse} goes to {@code
 * onError} as well, as with LangChain4j's own models. Thread-safe; share one instance.
 */
public final class LlmRotateStreamingChatModel implements StreamingChatModel {
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final LlmRotate lm;
    private final Executor executor;
    private final LlmRotateChatRequestParameters defaults;
    private final List<ChatModelListener> listeners;
    private final Set<Capability> capabilities;
    private final ToolDefinitions toolCache = new ToolDefinitions();

    private LlmRotateStreamingChatModel(Builder builder) {
        this.lm = builder.lm;
        this.executor = builder.executor != null ? builder.executor : SharedExecutor.POOL;
        this.defaults = builder.defaults.build();
        this.listeners = builder.defaults.listeners;
        this.capabilities = builder.defaults.capabilities;
    }

    /** A builder of a model over {@code lm}, which the caller keeps and closes. */
    public static Builder builder(LlmRotate lm) {
        return new Builder(lm);
    }

    /**
     * Starts streaming {@code request} (its parameters already merged with the defaults by {@link
     * StreamingChatModel#chat(ChatRequest, StreamingChatResponseHandler)}) on the executor and returns at once.
     */
    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        StreamCall call;
        try {
            call = new StreamCall(lm, Requests.toRequest(request, toolCache), handler);
        } catch (RuntimeException e) {
            StreamCall.fail(handler, Errors.map(e));
            return;
        }
        try {
            executor.execute(call);
        } catch (RejectedExecutionException e) {
            StreamCall.fail(
                    handler, new LangChain4jException("the streaming executor refused the call: " + e.getMessage(), e));
        }
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

    /** The capabilities given to the builder; none by default (see {@link LlmRotateChatModel}'s builder). */
    @Override
    public Set<Capability> supportedCapabilities() {
        return capabilities;
    }

    @Override
    public String toString() {
        return "LlmRotateStreamingChatModel[" + defaults.modelName() + "]";
    }

    /**
     * The default executor, shared by every model without one of its own: a thread per running stream (a stream
     * blocks its thread while it waits for the provider), daemon threads, idle ones ending after a minute.
     */
    private static final class SharedExecutor {
        static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "llm-rotate-langchain4j-stream-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Builds a {@link LlmRotateStreamingChatModel}. */
    public static final class Builder {
        private final LlmRotate lm;
        private final Defaults defaults = new Defaults();
        private Executor executor;

        private Builder(LlmRotate lm) {
            this.lm = Objects.requireNonNull(lm, "lm");
        }

        /**
         * Default request parameters (LangChain4j's, or {@link LlmRotateChatRequestParameters} for the llm-rotate
         * fields); the single setters of this builder override their fields.
         */
        public Builder defaultRequestParameters(ChatRequestParameters parameters) {
            defaults.parameters(parameters);
            return this;
        }

        /** The model to ask for when a request names none; llm-rotate infers its provider from the keys. */
        public Builder modelName(String modelName) {
            defaults.modelName(modelName);
            return this;
        }

        /** The default sampling temperature. */
        public Builder temperature(Double temperature) {
            defaults.temperature(temperature);
            return this;
        }

        /** The default nucleus sampling. */
        public Builder topP(Double topP) {
            defaults.topP(topP);
            return this;
        }

        /** The default output cap, positive. */
        public Builder maxOutputTokens(Integer maxOutputTokens) {
            defaults.maxOutputTokens(maxOutputTokens);
            return this;
        }

        /** The listeners LangChain4j calls around every call, in order. */
        public Builder listeners(List<ChatModelListener> listeners) {
            defaults.listeners(listeners);
            return this;
        }

        /** What {@link StreamingChatModel#supportedCapabilities()} reports; none by default, as for the plain model. */
        public Builder supportedCapabilities(Capability... capabilities) {
            defaults.capabilities(capabilities);
            return this;
        }

        /**
         * Where streams run, one task per stream for its whole length (e.g. {@code
         * Executors.newVirtualThreadPerTaskExecutor()} on Java 21). Default: a shared pool of daemon threads, one per
         * running stream.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The model.
         *
         * @throws IllegalArgumentException for a bad default (a blank model name, a non-positive output cap, any value
         *     llm-rotate's request refuses, such as a caller id with spaces), naming it
         * @throws dev.langchain4j.exception.UnsupportedFeatureException for a default llm-rotate cannot send
         */
        public LlmRotateStreamingChatModel build() {
            return new LlmRotateStreamingChatModel(this);
        }
    }
}

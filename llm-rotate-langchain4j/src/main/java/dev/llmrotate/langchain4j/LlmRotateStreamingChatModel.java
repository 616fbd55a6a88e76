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
    public static final class Builder extends ModelBuilder<Builder, LlmRotateStreamingChatModel> {
        private Executor executor;

        private Builder(LlmRotate lm) {
            super(lm);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Where streams run, one task per stream for its whole length (e.g. {@code
         * Executors.newVirtualThreadPerTaskExecutor()} on Java 21). Default: a shared pool of daemon threads, one per
         * running stream.
         *
         * @param executor runs the streams, not null; the caller keeps and shuts it down
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        @Override
        public LlmRotateStreamingChatModel build() {
            return new LlmRotateStreamingChatModel(this);
        }
    }
}

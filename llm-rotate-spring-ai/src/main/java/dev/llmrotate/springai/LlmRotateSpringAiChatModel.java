package dev.llmrotate.springai;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import java.util.List;
import java.util.Objects;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolExecutionEligibilityPredicate;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.ai.model.tool.ToolExecutionEligibilityPredicate;
import org.springframework.ai.model.tool.ToolExecutionResult;
import org.springframework.ai.model.tool.internal.ToolCallReactiveContextHolder;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A Spring AI {@link ChatModel} whose calls go through llm-rotate: every call picks a healthy key, rotates away from
 * rate-limited or revoked keys, retries transient failures and falls back across providers, as {@link
 * LlmRotate#chat(dev.llmrotate.chat.ChatRequest)} does; a stream does all that before its first chunk. Use it
 * wherever Spring AI takes a chat model, {@code ChatClient} included.
 *
 * <pre>{@code
 * LlmRotate lm = LlmRotate.fromFile(Path.of("llm-rotate.yaml"));
 * ChatModel model = LlmRotateSpringAiChatModel.builder(lm)
 *         .defaultOptions(LlmRotateChatOptions.builder().model("gpt-4o-mini").temperature(0.2).build())
 *         .build();
 * String answer = ChatClient.create(model).prompt().user("What should I wear in Paris today?")
 *         .tools(new WeatherTools()).call().content();
 * }</pre>
 *
 * <p><b>Options.</b> A prompt's options override the builder's defaults field by field, as with Spring AI's own
 * models; they may be {@link LlmRotateChatOptions} (which adds llm-rotate's request fields: provider pin, caller,
 * retries, deadline, reasoning, {@code extra}) or any {@link ChatOptions}. {@code model}, {@code temperature}, {@code
 * topP} and {@code maxTokens} are sent; {@code topK}, the penalties and stop sequences, which llm-rotate's providers do
 * not share, fail the call with {@link IllegalArgumentException} naming them rather than being dropped.
 *
 * <p><b>Messages.</b> System, user (text; images and PDFs as bytes or {@code data:} URLs), assistant (text, tool
 * calls) and tool response messages. Media by URL, other media types and other message types fail with {@link
 * IllegalArgumentException}.
 *
 * <p><b>Tools.</b> The options' tool callbacks and tool names (resolved by the {@link ToolCallingManager}) go out as
 * tool definitions; the model's tool calls come back as the assistant message's. With internal tool execution (Spring
 * AI's default; see {@link ToolCallingChatOptions#getInternalToolExecutionEnabled()}), the model runs them through the
 * tool calling manager and sends the results back until the model answers, as Spring AI's OpenAI model does, in
 * calls and streams, {@code returnDirect} tools included; without it, the response carries the tool calls for the
 * caller to run. A structured-output schema ({@link LlmRotateChatOptions#getOutputSchema()}, set by ChatClient's
 * {@code .entity(...)} with {@code AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT}) goes out as the provider's JSON
 * schema format; without it, {@code .entity(...)} puts the format into the prompt, which every model follows.
 *
 * <p><b>Responses.</b> One generation: the assistant message (its text, tool calls, and in its metadata the
 * reasoning a provider asks to get back on the next turn) and the finish reason ({@code STOP}, {@code LENGTH}, {@code
 * TOOL_CALLS}, {@code CONTENT_FILTER}, {@code OTHER}, or empty when the provider gave none). The metadata's {@code
 * getId()} is the call's id (the {@code call_id} of its usage record), {@code getModel()} the model that actually
 * answered (a fallback's, after a fallback), {@code getUsage()} the provider's token counts (added up over a tool
 * loop's turns, as Spring AI's own models do; our {@link dev.llmrotate.chat.Usage} as the native usage), and the
 * entries {@value #PROVIDER}, {@value #KEY_ID} (never a secret), {@value #ATTEMPTS}, {@value #ROTATIONS}, {@value
 * #FALLBACK_USED} and {@value #PROVIDER_RESPONSE_ID} say how it was served.
 *
 * <p><b>Streaming.</b> {@link #stream(Prompt)} returns a cold {@link Flux}: each subscription is one call. It emits a
 * response per piece of text, then one last response without text that has the tool calls, the finish reason, the
 * usage and the metadata. Chunks are read from the provider only as the subscriber requests them, on the builder's
 * {@link Scheduler} (reading blocks; default {@link Schedulers#boundedElastic()}). Cancelling releases the connection
 * at once and records the call as {@code cancelled}; a failure ends the flux with the mapped exception.
 *
 * <p><b>Errors.</b> A failed call throws (or a stream signals) Spring AI's {@code TransientAiException} when a later
 * call may succeed (rate limit, timeout, server fault, every key resting) and {@code NonTransientAiException} when
 * only a change can help (authentication, an invalid request, an unknown model, the configuration), llm-rotate's
 * exception as the cause; the table is in the {@linkplain dev.llmrotate.springai package documentation}.
 *
 * <p><b>Observations.</b> This model emits no Spring AI chat model observation ({@code gen_ai.client.operation}) and
 * no {@code gen_ai.client.token.usage} meter: llm-rotate's own telemetry (the {@code llm-rotate-micrometer} module) is
 * the one emitter of the {@code gen_ai.client.*} measurements, per attempt and with the provider and key that served
 * it, so nothing is counted twice when Spring AI's ChatClient observations are on. ChatClient's own observation
 * ({@code spring.ai.chat.client}) and the tool calling manager's are Spring AI's and unaffected.
 *
 * <p>Thread-safe; share one instance. The {@link LlmRotate} stays the caller's to close.
 */
public final class LlmRotateSpringAiChatModel implements ChatModel {
    /** Response metadata key: the provider that served the call ({@code openai}, {@code anthropic}, ...). */
    public static final String PROVIDER = "provider";
    /** Response metadata key: the id of the key that served the call (its configured id, never the secret). */
    public static final String KEY_ID = "key_id";
    /** Response metadata key: how many attempts the call took, retries and fallbacks included. */
    public static final String ATTEMPTS = "attempts";
    /** Response metadata key: how many times the call moved to another key. */
    public static final String ROTATIONS = "rotations";
    /** Response metadata key: whether a fallback (another provider or model) served the call. */
    public static final String FALLBACK_USED = "fallback_used";
    /** Response metadata key: the provider's own id of the response, when it gave one. */
    public static final String PROVIDER_RESPONSE_ID = "provider_response_id";

    private static final ToolCallingManager DEFAULT_TOOL_CALLING_MANAGER =
            ToolCallingManager.builder().build();

    private final LlmRotate lm;
    private final LlmRotateChatOptions defaults;
    private final ToolCallingManager toolCallingManager;
    private final ToolExecutionEligibilityPredicate toolExecutionEligibility;
    private final Scheduler scheduler;
    private final ToolDefinitions toolCache = new ToolDefinitions();

    private LlmRotateSpringAiChatModel(Builder builder) {
        this.lm = builder.lm;
        this.defaults = builder.defaults;
        this.toolCallingManager = builder.toolCallingManager;
        this.toolExecutionEligibility = builder.toolExecutionEligibility;
        this.scheduler = builder.scheduler;
    }

    /**
     * A builder of a model over {@code lm}.
     *
     * @param lm the instance every call goes through, not null; the caller keeps and closes it
     * @return a builder with no default options
     */
    public static Builder builder(LlmRotate lm) {
        return new Builder(lm);
    }

    /**
     * Sends {@code prompt} through llm-rotate (its options over the defaults) and returns the answer, after running
     * the tools the model asks for when internal tool execution is on.
     *
     * @throws IllegalArgumentException for a prompt llm-rotate cannot send, naming what
     * @throws org.springframework.ai.retry.TransientAiException when a later call may succeed
     * @throws org.springframework.ai.retry.NonTransientAiException when it cannot without a change
     */
    @Override
    public ChatResponse call(Prompt prompt) {
        return call(prompt.getInstructions(), LlmRotateChatOptions.merge(prompt.getOptions(), defaults), null);
    }

    private ChatResponse call(List<Message> messages, LlmRotateChatOptions options, ChatResponse previous) {
        ChatRequest request = Requests.toRequest(messages, options, toolCallingManager, toolCache);
        dev.llmrotate.chat.ChatResponse answer;
        try {
            answer = lm.chat(request);
        } catch (RuntimeException e) {
            throw Errors.map(e);
        }
        ChatResponse response = Replies.toResponse(answer, answer.content(), previous);
        // Without tool calls there is nothing to run, whatever the predicate says (Spring AI's default looks for them
        // with a stream per call).
        if (answer.toolCalls().isEmpty() || !toolExecutionEligibility.isToolExecutionRequired(options, response)) {
            return response;
        }
        ToolExecutionResult result = toolCallingManager.executeToolCalls(new Prompt(messages, options), response);
        if (result.returnDirect()) {
            return ChatResponse.builder()
                    .from(response)
                    .generations(ToolExecutionResult.buildGenerations(result))
                    .build();
        }
        return call(result.conversationHistory(), options, response);
    }

    /**
     * Streams {@code prompt}: a cold flux, one call per subscription (see the class comment). A prompt llm-rotate
     * cannot send ends it with {@link IllegalArgumentException}: this method never throws for it.
     */
    @Override
    public Flux<ChatResponse> stream(Prompt prompt) {
        LlmRotateChatOptions options = LlmRotateChatOptions.merge(prompt.getOptions(), defaults);
        return stream(prompt.getInstructions(), options, null);
    }

    private Flux<ChatResponse> stream(List<Message> messages, LlmRotateChatOptions options, ChatResponse previous) {
        return Flux.defer(() -> {
            ChatRequest request = Requests.toRequest(messages, options, toolCallingManager, toolCache);
            StreamCall call = new StreamCall(lm, request, previous);
            Flux<ChatResponse> responses = call.responses(scheduler);
            if (request.tools().isEmpty()) {
                return responses; // the model can call no tool: nothing to run
            }
            // concatMap without prefetch: the provider is still read only as the subscriber requests.
            return responses.concatMap(response -> runTools(messages, options, call, response), 0);
        });
    }

    /**
     * {@code response} itself, or when it asks for tools this model runs: the tools' results ({@code returnDirect})
     * or the next turn's stream. The turn sent back is the whole answer (the streamed text included), not the last
     * response, which has no text.
     */
    private Flux<ChatResponse> runTools(
            List<Message> messages, LlmRotateChatOptions options, StreamCall call, ChatResponse response) {
        if (call.answer() == null || !toolExecutionEligibility.isToolExecutionRequired(options, response)) {
            return Flux.just(response);
        }
        return Flux.deferContextual(context -> {
                    // Only its message is used: the history's assistant turn.
                    ChatResponse whole =
                            Replies.toResponse(call.answer(), call.answer().content(), null);
                    ToolExecutionResult result;
                    try {
                        ToolCallReactiveContextHolder.setContext(context);
                        result = toolCallingManager.executeToolCalls(new Prompt(messages, options), whole);
                    } finally {
                        ToolCallReactiveContextHolder.clearContext();
                    }
                    if (result.returnDirect()) {
                        return Flux.just(ChatResponse.builder()
                                .from(response)
                                .generations(ToolExecutionResult.buildGenerations(result))
                                .build());
                    }
                    return stream(result.conversationHistory(), options, response);
                })
                .subscribeOn(scheduler);
    }

    /** A copy of the builder's defaults, which ChatClient copies again and sets tools on. */
    @Override
    public ChatOptions getDefaultOptions() {
        return defaults.duplicate();
    }

    @Override
    public String toString() {
        return "LlmRotateSpringAiChatModel[" + defaults.getModel() + "]";
    }

    /** Builds a {@link LlmRotateSpringAiChatModel}. */
    public static final class Builder {
        private final LlmRotate lm;
        private LlmRotateChatOptions defaults = new LlmRotateChatOptions();
        private ToolCallingManager toolCallingManager = DEFAULT_TOOL_CALLING_MANAGER;
        private ToolExecutionEligibilityPredicate toolExecutionEligibility =
                new DefaultToolExecutionEligibilityPredicate();
        private Scheduler scheduler = Schedulers.boundedElastic();

        private Builder(LlmRotate lm) {
            this.lm = Objects.requireNonNull(lm, "lm");
        }

        /**
         * The default options, which a prompt's override field by field: {@link LlmRotateChatOptions}, or any {@link
         * ChatOptions} (its portable and tool-calling fields are taken). Copied.
         *
         * @param options the defaults, not null
         * @return this builder
         */
        public Builder defaultOptions(ChatOptions options) {
            Objects.requireNonNull(options, "options");
            this.defaults = LlmRotateChatOptions.merge(options, new LlmRotateChatOptions())
                    .duplicate();
            return this;
        }

        /**
         * What resolves tool names and runs the tools the model asks for; default {@code
         * ToolCallingManager.builder().build()} (tools from the options' callbacks; give one with a {@code
         * ToolCallbackResolver} to resolve tool names, e.g. from a Spring context).
         *
         * @param toolCallingManager the manager, not null
         * @return this builder
         */
        public Builder toolCallingManager(ToolCallingManager toolCallingManager) {
            this.toolCallingManager = Objects.requireNonNull(toolCallingManager, "toolCallingManager");
            return this;
        }

        /**
         * Decides, from the options and a response, whether this model runs the tools; default {@link
         * DefaultToolExecutionEligibilityPredicate} (internal tool execution on and tool calls in the response).
         *
         * @param predicate the predicate, not null
         * @return this builder
         */
        public Builder toolExecutionEligibilityPredicate(ToolExecutionEligibilityPredicate predicate) {
            this.toolExecutionEligibility = Objects.requireNonNull(predicate, "predicate");
            return this;
        }

        /**
         * Where streams read from the provider, and stream tool loops run tools (both block); default {@link
         * Schedulers#boundedElastic()}.
         *
         * @param scheduler a scheduler whose threads may block, not null
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * The model.
         *
         * @return a new model over the builder's {@code LlmRotate}, with its defaults
         * @throws IllegalArgumentException for a default every call would fail on (a blank model, a non-positive
         *     {@code maxTokens}, an option llm-rotate cannot send, any value llm-rotate's request refuses, such as a
         *     caller id with spaces), naming it
         */
        public LlmRotateSpringAiChatModel build() {
            check(defaults);
            return new LlmRotateSpringAiChatModel(this);
        }

        /**
         * Fails on a default that every call would fail on, with the message our request gives, now rather than at
         * the first call. Tools depend on the request, so they are checked per call.
         */
        private static void check(LlmRotateChatOptions d) {
            if (d.getModel() != null && d.getModel().isBlank()) {
                throw new IllegalArgumentException("model must not be blank");
            }
            if (d.getMaxTokens() != null && d.getMaxTokens() <= 0) {
                throw new IllegalArgumentException("maxTokens must be positive, got " + d.getMaxTokens());
            }
            Requests.checkSupported(d);
            new ChatRequest(
                    d.getModel() == null ? "any" : d.getModel(),
                    List.of(dev.llmrotate.chat.ChatMessage.user("")),
                    d.getProvider(),
                    d.getMaxTokens(),
                    d.getTemperature(),
                    d.getTopP(),
                    d.getMaxRetries(),
                    d.getDeadline(),
                    d.getExtra(),
                    null,
                    List.of(),
                    null,
                    null,
                    Requests.responseFormat(d.getOutputSchema()),
                    d.getReasoningEffort(),
                    d.getThinkingBudget(),
                    d.getCaller());
        }
    }
}

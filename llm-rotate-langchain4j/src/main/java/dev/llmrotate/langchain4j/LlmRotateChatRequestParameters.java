package dev.llmrotate.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.llmrotate.chat.ReasoningEffort;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * LangChain4j's request parameters plus the llm-rotate ones it has no field for: reasoning, parallel tool calls, a
 * pinned provider, the caller named in usage records, per-call retries and deadline, and provider fields passed
 * through as they are. Set them as a model's defaults ({@code LlmRotateChatModel.builder(lm).defaultRequestParameters
 * (...)}) or on one request ({@code ChatRequest.builder().parameters(...)}); a request's values override the
 * defaults field by field, as LangChain4j merges its own parameters.
 *
 * <pre>{@code
 * ChatRequest request = ChatRequest.builder()
 *         .messages(UserMessage.from("Plan the trip"))
 *         .parameters(LlmRotateChatRequestParameters.builder()
 *                 .modelName("o3")
 *                 .reasoningEffort(ReasoningEffort.HIGH)
 *                 .caller("tenant-42")
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>Each field has the meaning of the {@link dev.llmrotate.chat.ChatRequest} field of the same name.
 */
public final class LlmRotateChatRequestParameters extends DefaultChatRequestParameters {
    /** No field set. */
    static final LlmRotateChatRequestParameters NONE = builder().build();

    private final ReasoningEffort reasoningEffort;
    private final Integer thinkingBudget;
    private final Boolean parallelToolCalls;
    private final String provider;
    private final String caller;
    private final Integer maxRetries;
    private final Duration deadline;
    private final Map<String, Object> extra;

    private LlmRotateChatRequestParameters(Builder builder) {
        super(builder);
        this.reasoningEffort = builder.reasoningEffort;
        this.thinkingBudget = builder.thinkingBudget;
        this.parallelToolCalls = builder.parallelToolCalls;
        this.provider = builder.provider;
        this.caller = builder.caller;
        this.maxRetries = builder.maxRetries;
        this.deadline = builder.deadline;
        if (builder.extra != null) {
            builder.extra.forEach((name, value) -> {
                if (name == null || value == null) {
                    throw new IllegalArgumentException("extra must not hold null names or values, got " + name + "="
                            + (value == null ? "null" : "a value"));
                }
            });
        }
        this.extra = builder.extra == null ? null : Map.copyOf(builder.extra);
    }

    /**
     * How much a reasoning model thinks.
     *
     * @return the effort, or null for the provider's default
     */
    public ReasoningEffort reasoningEffort() {
        return reasoningEffort;
    }

    /**
     * A thinking budget in tokens.
     *
     * @return a positive token count, 0 for thinking off, -1 for the model decides, or null for the provider's default
     */
    public Integer thinkingBudget() {
        return thinkingBudget;
    }

    /**
     * Whether the model may call several tools in one turn.
     *
     * @return true or false, or null for the provider's default
     */
    public Boolean parallelToolCalls() {
        return parallelToolCalls;
    }

    /**
     * The provider the call is pinned to: no fallback chain is walked.
     *
     * @return a provider name from the configuration, or null to let llm-rotate choose
     */
    public String provider() {
        return provider;
    }

    /**
     * Who makes the call, written to its usage record as {@code caller} and never sent to a provider.
     *
     * @return 1 to 64 letters, digits, {@code .}, {@code _}, {@code :}, {@code @} or {@code -}, or null for nobody
     */
    public String caller() {
        return caller;
    }

    /**
     * Backoff retries per route for this call.
     *
     * @return a count, 0 or more, or null for {@code defaults.max_retries}
     */
    public Integer maxRetries() {
        return maxRetries;
    }

    /**
     * The call's deadline: all its attempts and waits, a stream's until its first chunk.
     *
     * @return a positive duration, or null for {@code defaults.call_deadline_seconds}
     */
    public Duration deadline() {
        return deadline;
    }

    /**
     * Provider request fields sent as they are ({@link dev.llmrotate.chat.ChatRequest#extra()}, e.g. {@code
     * "openai:seed"}); a request's map replaces the defaults' whole.
     *
     * @return an unmodifiable map from field name to value, or null for none
     */
    public Map<String, Object> extra() {
        return extra;
    }

    @Override
    public ChatRequestParameters overrideWith(ChatRequestParameters that) {
        if (that == null || that == DefaultChatRequestParameters.EMPTY) {
            return this; // a request without parameters of its own: the defaults as they are, with no copy
        }
        return builder().overrideWith(this).overrideWith(that).build();
    }

    @Override
    public ChatRequestParameters defaultedBy(ChatRequestParameters that) {
        return builder().overrideWith(that).overrideWith(this).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlmRotateChatRequestParameters that
                && super.equals(that)
                && reasoningEffort == that.reasoningEffort
                && Objects.equals(thinkingBudget, that.thinkingBudget)
                && Objects.equals(parallelToolCalls, that.parallelToolCalls)
                && Objects.equals(provider, that.provider)
                && Objects.equals(caller, that.caller)
                && Objects.equals(maxRetries, that.maxRetries)
                && Objects.equals(deadline, that.deadline)
                && Objects.equals(extra, that.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                super.hashCode(),
                reasoningEffort,
                thinkingBudget,
                parallelToolCalls,
                provider,
                caller,
                maxRetries,
                deadline,
                extra);
    }

    @Override
    public String toString() {
        return "LlmRotateChatRequestParameters{" + super.toString() + ", reasoningEffort=" + reasoningEffort
                + ", thinkingBudget=" + thinkingBudget + ", parallelToolCalls=" + parallelToolCalls + ", provider="
                + provider + ", caller=" + caller + ", maxRetries=" + maxRetries + ", deadline=" + deadline
                + ", extra=" + (extra == null ? null : extra.keySet()) + "}";
    }

    /**
     * A builder with every field unset.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link LlmRotateChatRequestParameters}; LangChain4j's own fields come from its builder. */
    public static final class Builder extends DefaultChatRequestParameters.Builder<Builder> {
        private ReasoningEffort reasoningEffort;
        private Integer thinkingBudget;
        private Boolean parallelToolCalls;
        private String provider;
        private String caller;
        private Integer maxRetries;
        private Duration deadline;
        private Map<String, Object> extra;

        private Builder() {}

        /**
         * Takes every field {@code parameters} sets (the llm-rotate ones too, when it is an {@link
         * LlmRotateChatRequestParameters}), keeping this builder's value where it sets none.
         *
         * @param parameters the values to take, or null for none
         * @return this builder
         */
        @Override
        public Builder overrideWith(ChatRequestParameters parameters) {
            super.overrideWith(parameters);
            if (parameters instanceof LlmRotateChatRequestParameters that) {
                reasoningEffort = or(that.reasoningEffort, reasoningEffort);
                thinkingBudget = or(that.thinkingBudget, thinkingBudget);
                parallelToolCalls = or(that.parallelToolCalls, parallelToolCalls);
                provider = or(that.provider, provider);
                caller = or(that.caller, caller);
                maxRetries = or(that.maxRetries, maxRetries);
                deadline = or(that.deadline, deadline);
                extra = or(that.extra, extra);
            }
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#reasoningEffort()}.
         *
         * @param reasoningEffort the effort, or null for the provider's default
         * @return this builder
         */
        public Builder reasoningEffort(ReasoningEffort reasoningEffort) {
            this.reasoningEffort = reasoningEffort;
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#thinkingBudget()}.
         *
         * @param thinkingBudget a positive token count, 0 for off, -1 for the model decides, or null for the provider's
         *     default
         * @return this builder
         */
        public Builder thinkingBudget(Integer thinkingBudget) {
            this.thinkingBudget = thinkingBudget;
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#parallelToolCalls()}.
         *
         * @param parallelToolCalls true or false, or null for the provider's default
         * @return this builder
         */
        public Builder parallelToolCalls(Boolean parallelToolCalls) {
            this.parallelToolCalls = parallelToolCalls;
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#provider()}.
         *
         * @param provider a provider name, or null to let llm-rotate choose
         * @return this builder
         */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#caller()}.
         *
         * @param caller the caller id, or null for nobody
         * @return this builder
         */
        public Builder caller(String caller) {
            this.caller = caller;
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#maxRetries()}.
         *
         * @param maxRetries a count, 0 or more, or null for {@code defaults.max_retries}
         * @return this builder
         */
        public Builder maxRetries(Integer maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#deadline()}.
         *
         * @param deadline a positive duration, or null for {@code defaults.call_deadline_seconds}
         * @return this builder
         */
        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /**
         * See {@link LlmRotateChatRequestParameters#extra()}.
         *
         * @param extra provider fields by name, without null names or values, or null for none; copied on build
         * @return this builder
         */
        public Builder extra(Map<String, Object> extra) {
            this.extra = extra;
            return this;
        }

        private static <T> T or(T value, T otherwise) {
            return value != null ? value : otherwise;
        }

        @Override
        public LlmRotateChatRequestParameters build() {
            return new LlmRotateChatRequestParameters(this);
        }
    }
}

package dev.llmrotate.springai;

import dev.llmrotate.chat.ReasoningEffort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.model.tool.StructuredOutputChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * Spring AI chat options for {@link LlmRotateSpringAiChatModel}: the portable ones ({@code model}, {@code temperature},
 * {@code topP}, {@code maxTokens}), tool calling ({@link ToolCallingChatOptions}), native structured output ({@link
 * StructuredOutputChatOptions}), and the llm-rotate request fields Spring AI has no name for: {@code provider} (pin
 * the call to one provider), {@code caller} (whose call it is, for usage per caller), {@code maxRetries}, {@code
 * deadline} (the whole call's, rotation and fallback included), {@code reasoningEffort}, {@code thinkingBudget},
 * {@code parallelToolCalls} and {@code extra} (a provider's own request fields, e.g. {@code "openai:seed"}).
 *
 * <p>{@code topK}, {@code frequencyPenalty}, {@code presencePenalty} and {@code stopSequences} can be set, because
 * {@link ChatOptions} has them, but a call with any of them fails with {@link IllegalArgumentException} naming it:
 * llm-rotate's providers do not share them, and a call may fall back to another provider. Pass a provider's own field
 * through {@link Builder#extra(String, Object)} instead ({@code "openai:stop"}, {@code "anthropic:top_k"}).
 *
 * <p>Mutable, as Spring AI's options are (ChatClient copies them and sets tools and the output schema on the copy);
 * not thread-safe. Give the model's builder one, or a prompt its own.
 */
public final class LlmRotateChatOptions implements ToolCallingChatOptions, StructuredOutputChatOptions {
    /** Nothing set: what a prompt's options of another type add of ours. Never changed. */
    private static final LlmRotateChatOptions EMPTY = new LlmRotateChatOptions();

    private String model;
    private Double temperature;
    private Double topP;
    private Integer maxTokens;
    private Integer topK;
    private Double frequencyPenalty;
    private Double presencePenalty;
    private List<String> stopSequences;
    private List<ToolCallback> toolCallbacks = new ArrayList<>();
    private Set<String> toolNames = new HashSet<>();
    private Map<String, Object> toolContext = new HashMap<>();
    private Boolean internalToolExecutionEnabled;
    private String outputSchema;
    private String provider;
    private String caller;
    private Integer maxRetries;
    private Duration deadline;
    private ReasoningEffort reasoningEffort;
    private Integer thinkingBudget;
    private Boolean parallelToolCalls;
    private Map<String, Object> extra = Map.of();

    /** Options with nothing set. */
    public LlmRotateChatOptions() {}

    /**
     * A builder of options.
     *
     * @return a builder with nothing set
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code runtime} (a prompt's options, of any type, or null) over {@code defaults}, as Spring AI's own models merge
     * them: each set field of {@code runtime} wins; its tool callbacks and tool names replace the defaults' when it
     * has any; tool contexts and {@code extra} maps are merged, {@code runtime}'s entries winning. The result is read
     * only, by this package: it may share {@code defaults} itself or its lists, which nothing changes.
     */
    static LlmRotateChatOptions merge(ChatOptions runtime, LlmRotateChatOptions defaults) {
        if (runtime == null) {
            return defaults;
        }
        LlmRotateChatOptions merged = new LlmRotateChatOptions();
        merged.model = or(runtime.getModel(), defaults.model);
        merged.temperature = or(runtime.getTemperature(), defaults.temperature);
        merged.topP = or(runtime.getTopP(), defaults.topP);
        merged.maxTokens = or(runtime.getMaxTokens(), defaults.maxTokens);
        merged.topK = or(runtime.getTopK(), defaults.topK);
        merged.frequencyPenalty = or(runtime.getFrequencyPenalty(), defaults.frequencyPenalty);
        merged.presencePenalty = or(runtime.getPresencePenalty(), defaults.presencePenalty);
        merged.stopSequences = or(runtime.getStopSequences(), defaults.stopSequences);
        if (runtime instanceof ToolCallingChatOptions tools) {
            merged.internalToolExecutionEnabled =
                    or(tools.getInternalToolExecutionEnabled(), defaults.internalToolExecutionEnabled);
            merged.toolNames = tools.getToolNames().isEmpty() ? defaults.toolNames : tools.getToolNames();
            merged.toolCallbacks =
                    tools.getToolCallbacks().isEmpty() ? defaults.toolCallbacks : tools.getToolCallbacks();
            merged.toolContext = tools.getToolContext().isEmpty()
                    ? defaults.toolContext
                    : ToolCallingChatOptions.mergeToolContext(tools.getToolContext(), defaults.toolContext);
        } else {
            merged.internalToolExecutionEnabled = defaults.internalToolExecutionEnabled;
            merged.toolNames = defaults.toolNames;
            merged.toolCallbacks = defaults.toolCallbacks;
            merged.toolContext = defaults.toolContext;
        }
        merged.outputSchema = runtime instanceof StructuredOutputChatOptions structured
                ? or(structured.getOutputSchema(), defaults.outputSchema)
                : defaults.outputSchema;
        LlmRotateChatOptions ours = runtime instanceof LlmRotateChatOptions o ? o : EMPTY;
        merged.provider = or(ours.provider, defaults.provider);
        merged.caller = or(ours.caller, defaults.caller);
        merged.maxRetries = or(ours.maxRetries, defaults.maxRetries);
        merged.deadline = or(ours.deadline, defaults.deadline);
        merged.reasoningEffort = or(ours.reasoningEffort, defaults.reasoningEffort);
        merged.thinkingBudget = or(ours.thinkingBudget, defaults.thinkingBudget);
        merged.parallelToolCalls = or(ours.parallelToolCalls, defaults.parallelToolCalls);
        if (ours.extra.isEmpty() || defaults.extra.isEmpty()) {
            merged.extra = ours.extra.isEmpty() ? defaults.extra : ours.extra;
        } else {
            Map<String, Object> extra = new LinkedHashMap<>(defaults.extra);
            extra.putAll(ours.extra);
            merged.extra = Map.copyOf(extra);
        }
        return merged;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /**
     * A copy whose lists and maps are this one's copied, so that setting tools on it leaves this one as it is; of
     * this type ({@code LlmRotateChatOptions copy = options.copy();}).
     */
    @Override
    @SuppressWarnings("unchecked")
    public <T extends ChatOptions> T copy() {
        return (T) duplicate();
    }

    LlmRotateChatOptions duplicate() {
        LlmRotateChatOptions copy = new LlmRotateChatOptions();
        copy.model = model;
        copy.temperature = temperature;
        copy.topP = topP;
        copy.maxTokens = maxTokens;
        copy.topK = topK;
        copy.frequencyPenalty = frequencyPenalty;
        copy.presencePenalty = presencePenalty;
        copy.stopSequences = stopSequences == null ? null : new ArrayList<>(stopSequences);
        copy.toolCallbacks = new ArrayList<>(toolCallbacks);
        copy.toolNames = new HashSet<>(toolNames);
        copy.toolContext = new HashMap<>(toolContext);
        copy.internalToolExecutionEnabled = internalToolExecutionEnabled;
        copy.outputSchema = outputSchema;
        copy.provider = provider;
        copy.caller = caller;
        copy.maxRetries = maxRetries;
        copy.deadline = deadline;
        copy.reasoningEffort = reasoningEffort;
        copy.thinkingBudget = thinkingBudget;
        copy.parallelToolCalls = parallelToolCalls;
        copy.extra = extra;
        return copy;
    }

    /** The model to ask for; llm-rotate infers its provider from the keys. */
    @Override
    public String getModel() {
        return model;
    }

    /**
     * Sets {@link #getModel()}.
     *
     * @param model a model id such as {@code gpt-4o-mini}, or null for none
     */
    public void setModel(String model) {
        this.model = model;
    }

    @Override
    public Double getTemperature() {
        return temperature;
    }

    /**
     * Sets {@link #getTemperature()}.
     *
     * @param temperature the sampling temperature, or null for the provider's default
     */
    public void setTemperature(Double temperature) {
        this.temperature = temperature;
    }

    @Override
    public Double getTopP() {
        return topP;
    }

    /**
     * Sets {@link #getTopP()}.
     *
     * @param topP the nucleus sampling probability mass, or null for the provider's default
     */
    public void setTopP(Double topP) {
        this.topP = topP;
    }

    /** The output cap, positive. */
    @Override
    public Integer getMaxTokens() {
        return maxTokens;
    }

    /**
     * Sets {@link #getMaxTokens()}.
     *
     * @param maxTokens the most tokens an answer may have, positive, or null for the provider's default
     */
    public void setMaxTokens(Integer maxTokens) {
        this.maxTokens = maxTokens;
    }

    /** Refused at call time when set: see the class comment. */
    @Override
    public Integer getTopK() {
        return topK;
    }

    /**
     * Sets {@link #getTopK()}.
     *
     * @param topK null; any other value fails the call
     */
    public void setTopK(Integer topK) {
        this.topK = topK;
    }

    /** Refused at call time when set: see the class comment. */
    @Override
    public Double getFrequencyPenalty() {
        return frequencyPenalty;
    }

    /**
     * Sets {@link #getFrequencyPenalty()}.
     *
     * @param frequencyPenalty null; any other value fails the call
     */
    public void setFrequencyPenalty(Double frequencyPenalty) {
        this.frequencyPenalty = frequencyPenalty;
    }

    /** Refused at call time when set: see the class comment. */
    @Override
    public Double getPresencePenalty() {
        return presencePenalty;
    }

    /**
     * Sets {@link #getPresencePenalty()}.
     *
     * @param presencePenalty null; any other value fails the call
     */
    public void setPresencePenalty(Double presencePenalty) {
        this.presencePenalty = presencePenalty;
    }

    /** Refused at call time when not empty: see the class comment. */
    @Override
    public List<String> getStopSequences() {
        return stopSequences;
    }

    /**
     * Sets {@link #getStopSequences()}.
     *
     * @param stopSequences null or empty; any other value fails the call
     */
    public void setStopSequences(List<String> stopSequences) {
        this.stopSequences = stopSequences;
    }

    @Override
    public List<ToolCallback> getToolCallbacks() {
        return toolCallbacks;
    }

    @Override
    public void setToolCallbacks(List<ToolCallback> toolCallbacks) {
        Objects.requireNonNull(toolCallbacks, "toolCallbacks");
        for (int i = 0; i < toolCallbacks.size(); i++) {
            Objects.requireNonNull(toolCallbacks.get(i), "toolCallbacks[" + i + "]");
        }
        this.toolCallbacks = new ArrayList<>(toolCallbacks);
    }

    @Override
    public Set<String> getToolNames() {
        return toolNames;
    }

    @Override
    public void setToolNames(Set<String> toolNames) {
        Objects.requireNonNull(toolNames, "toolNames");
        for (String name : toolNames) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("toolNames must not contain a null or blank name");
            }
        }
        this.toolNames = new HashSet<>(toolNames);
    }

    @Override
    public Map<String, Object> getToolContext() {
        return toolContext;
    }

    @Override
    public void setToolContext(Map<String, Object> toolContext) {
        this.toolContext = new HashMap<>(Objects.requireNonNull(toolContext, "toolContext"));
    }

    /**
     * Whether the model runs the tools the model asks for (through its {@code ToolCallingManager}) and sends their
     * results back, or returns the tool calls to the caller; null for Spring AI's default (run them).
     */
    @Override
    public Boolean getInternalToolExecutionEnabled() {
        return internalToolExecutionEnabled;
    }

    @Override
    public void setInternalToolExecutionEnabled(Boolean internalToolExecutionEnabled) {
        this.internalToolExecutionEnabled = internalToolExecutionEnabled;
    }

    /**
     * The JSON schema the answer must follow (sent as the provider's structured-output format), which ChatClient sets
     * for {@code .entity(...)} with {@code AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT}; null for none.
     */
    @Override
    public String getOutputSchema() {
        return outputSchema;
    }

    @Override
    public void setOutputSchema(String outputSchema) {
        this.outputSchema = outputSchema;
    }

    /**
     * The provider the call is pinned to: no fallback chain is walked.
     *
     * @return a provider name from the configuration, or null to let llm-rotate choose
     */
    public String getProvider() {
        return provider;
    }

    /**
     * Sets {@link #getProvider()}.
     *
     * @param provider a provider name from the configuration, or null to let llm-rotate choose
     */
    public void setProvider(String provider) {
        this.provider = provider;
    }

    /**
     * Whose call it is (a tenant, a service), written to its usage record as {@code caller} and never sent to a
     * provider.
     *
     * @return 1 to 64 letters, digits, {@code .}, {@code _}, {@code :}, {@code @} or {@code -}, or null for nobody
     */
    public String getCaller() {
        return caller;
    }

    /**
     * Sets {@link #getCaller()}.
     *
     * @param caller the caller id, or null for nobody
     */
    public void setCaller(String caller) {
        this.caller = caller;
    }

    /**
     * Backoff retries per route for this call (timeouts, 5xx, connection errors; rotating keys does not use one up).
     *
     * @return a count, 0 or more, or null for {@code defaults.max_retries}
     */
    public Integer getMaxRetries() {
        return maxRetries;
    }

    /**
     * Sets {@link #getMaxRetries()}.
     *
     * @param maxRetries a count, 0 or more, or null for {@code defaults.max_retries}
     */
    public void setMaxRetries(Integer maxRetries) {
        this.maxRetries = maxRetries;
    }

    /**
     * The whole call's deadline: rotation, retries, fallback and waits included; a stream's until its first chunk.
     *
     * @return a positive duration, or null for {@code defaults.call_deadline_seconds}
     */
    public Duration getDeadline() {
        return deadline;
    }

    /**
     * Sets {@link #getDeadline()}.
     *
     * @param deadline a positive duration, or null for {@code defaults.call_deadline_seconds}
     */
    public void setDeadline(Duration deadline) {
        this.deadline = deadline;
    }

    /**
     * How much a reasoning model thinks.
     *
     * @return the effort, or null for the provider's default
     */
    public ReasoningEffort getReasoningEffort() {
        return reasoningEffort;
    }

    /**
     * Sets {@link #getReasoningEffort()}.
     *
     * @param reasoningEffort the effort, or null for the provider's default
     */
    public void setReasoningEffort(ReasoningEffort reasoningEffort) {
        this.reasoningEffort = reasoningEffort;
    }

    /**
     * The reasoning token budget, for providers that take one.
     *
     * @return a positive token count, 0 for thinking off, -1 for the model decides, or null for the provider's default
     */
    public Integer getThinkingBudget() {
        return thinkingBudget;
    }

    /**
     * Sets {@link #getThinkingBudget()}.
     *
     * @param thinkingBudget a positive token count, 0 for off, -1 for the model decides, or null for the provider's
     *     default
     */
    public void setThinkingBudget(Integer thinkingBudget) {
        this.thinkingBudget = thinkingBudget;
    }

    /**
     * Whether the model may call several tools in one turn.
     *
     * @return true or false, or null for the provider's default
     */
    public Boolean getParallelToolCalls() {
        return parallelToolCalls;
    }

    /**
     * Sets {@link #getParallelToolCalls()}.
     *
     * @param parallelToolCalls true or false, or null for the provider's default
     */
    public void setParallelToolCalls(Boolean parallelToolCalls) {
        this.parallelToolCalls = parallelToolCalls;
    }

    /**
     * A provider's own request fields, sent as they are; a name scoped with a wire format (e.g. {@code "openai:seed"})
     * goes only to the providers of that format.
     *
     * @return an unmodifiable map from field name to value, empty for none
     */
    public Map<String, Object> getExtra() {
        return extra;
    }

    /**
     * Replaces {@link #getExtra()}.
     *
     * @param extra provider fields by name, not null, without null names or values; copied
     */
    public void setExtra(Map<String, Object> extra) {
        this.extra = Map.copyOf(Objects.requireNonNull(extra, "extra"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LlmRotateChatOptions that
                && Objects.equals(model, that.model)
                && Objects.equals(temperature, that.temperature)
                && Objects.equals(topP, that.topP)
                && Objects.equals(maxTokens, that.maxTokens)
                && Objects.equals(topK, that.topK)
                && Objects.equals(frequencyPenalty, that.frequencyPenalty)
                && Objects.equals(presencePenalty, that.presencePenalty)
                && Objects.equals(stopSequences, that.stopSequences)
                && toolCallbacks.equals(that.toolCallbacks)
                && toolNames.equals(that.toolNames)
                && toolContext.equals(that.toolContext)
                && Objects.equals(internalToolExecutionEnabled, that.internalToolExecutionEnabled)
                && Objects.equals(outputSchema, that.outputSchema)
                && Objects.equals(provider, that.provider)
                && Objects.equals(caller, that.caller)
                && Objects.equals(maxRetries, that.maxRetries)
                && Objects.equals(deadline, that.deadline)
                && reasoningEffort == that.reasoningEffort
                && Objects.equals(thinkingBudget, that.thinkingBudget)
                && Objects.equals(parallelToolCalls, that.parallelToolCalls)
                && extra.equals(that.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, temperature, topP, maxTokens, toolNames, provider, caller, deadline);
    }

    /** The set options; tools by name, the tool context by its keys only (its values may be anything). */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("LlmRotateChatOptions[");
        append(out, "model", model);
        append(out, "temperature", temperature);
        append(out, "topP", topP);
        append(out, "maxTokens", maxTokens);
        append(out, "topK", topK);
        append(out, "frequencyPenalty", frequencyPenalty);
        append(out, "presencePenalty", presencePenalty);
        append(out, "stopSequences", stopSequences);
        if (!toolCallbacks.isEmpty()) {
            List<String> names = new ArrayList<>(toolCallbacks.size());
            toolCallbacks.forEach(t -> names.add(t.getToolDefinition().name()));
            append(out, "toolCallbacks", names);
        }
        append(out, "toolNames", toolNames.isEmpty() ? null : toolNames);
        append(out, "toolContext", toolContext.isEmpty() ? null : toolContext.keySet());
        append(out, "internalToolExecutionEnabled", internalToolExecutionEnabled);
        append(out, "outputSchema", outputSchema == null ? null : "(" + outputSchema.length() + " chars)");
        append(out, "provider", provider);
        append(out, "caller", caller);
        append(out, "maxRetries", maxRetries);
        append(out, "deadline", deadline);
        append(out, "reasoningEffort", reasoningEffort);
        append(out, "thinkingBudget", thinkingBudget);
        append(out, "parallelToolCalls", parallelToolCalls);
        append(out, "extra", extra.isEmpty() ? null : extra.keySet());
        if (out.charAt(out.length() - 1) == ' ') {
            out.setLength(out.length() - 2);
        }
        return out.append(']').toString();
    }

    private static void append(StringBuilder out, String name, Object value) {
        if (value != null) {
            out.append(name).append('=').append(value).append(", ");
        }
    }

    /** Builds {@link LlmRotateChatOptions}; every setter may be left out. */
    public static final class Builder implements ToolCallingChatOptions.Builder {
        private final LlmRotateChatOptions options = new LlmRotateChatOptions();

        private Builder() {}

        @Override
        public Builder model(String model) {
            options.setModel(model);
            return this;
        }

        @Override
        public Builder temperature(Double temperature) {
            options.setTemperature(temperature);
            return this;
        }

        @Override
        public Builder topP(Double topP) {
            options.setTopP(topP);
            return this;
        }

        @Override
        public Builder maxTokens(Integer maxTokens) {
            options.setMaxTokens(maxTokens);
            return this;
        }

        /** Refused at call time: see {@link LlmRotateChatOptions}. */
        @Override
        public Builder topK(Integer topK) {
            options.setTopK(topK);
            return this;
        }

        /** Refused at call time: see {@link LlmRotateChatOptions}. */
        @Override
        public Builder frequencyPenalty(Double frequencyPenalty) {
            options.setFrequencyPenalty(frequencyPenalty);
            return this;
        }

        /** Refused at call time: see {@link LlmRotateChatOptions}. */
        @Override
        public Builder presencePenalty(Double presencePenalty) {
            options.setPresencePenalty(presencePenalty);
            return this;
        }

        /** Refused at call time: see {@link LlmRotateChatOptions}. */
        @Override
        public Builder stopSequences(List<String> stopSequences) {
            options.setStopSequences(stopSequences);
            return this;
        }

        @Override
        public Builder toolCallbacks(List<ToolCallback> toolCallbacks) {
            options.setToolCallbacks(toolCallbacks);
            return this;
        }

        @Override
        public Builder toolCallbacks(ToolCallback... toolCallbacks) {
            return toolCallbacks(List.of(toolCallbacks));
        }

        @Override
        public Builder toolNames(Set<String> toolNames) {
            options.setToolNames(toolNames);
            return this;
        }

        @Override
        public Builder toolNames(String... toolNames) {
            return toolNames(Set.of(toolNames));
        }

        @Override
        public Builder internalToolExecutionEnabled(Boolean internalToolExecutionEnabled) {
            options.setInternalToolExecutionEnabled(internalToolExecutionEnabled);
            return this;
        }

        @Override
        public Builder toolContext(Map<String, Object> context) {
            Map<String, Object> merged = new HashMap<>(options.getToolContext());
            merged.putAll(Objects.requireNonNull(context, "context"));
            options.setToolContext(merged);
            return this;
        }

        @Override
        public Builder toolContext(String key, Object value) {
            return toolContext(Map.of(key, value));
        }

        /**
         * The JSON schema the answer must follow; see {@link LlmRotateChatOptions#getOutputSchema()}.
         *
         * @param outputSchema the schema as JSON text, or null for none
         * @return this builder
         */
        public Builder outputSchema(String outputSchema) {
            options.setOutputSchema(outputSchema);
            return this;
        }

        /**
         * Pins the call to one provider: no fallback chain is walked.
         *
         * @param provider a provider name from the configuration, or null to let llm-rotate choose
         * @return this builder
         */
        public Builder provider(String provider) {
            options.setProvider(provider);
            return this;
        }

        /**
         * Whose call it is; see {@link LlmRotateChatOptions#getCaller()}.
         *
         * @param caller 1 to 64 letters, digits, {@code .}, {@code _}, {@code :}, {@code @} or {@code -}, or null
         * @return this builder
         */
        public Builder caller(String caller) {
            options.setCaller(caller);
            return this;
        }

        /**
         * Backoff retries per route; see {@link LlmRotateChatOptions#getMaxRetries()}.
         *
         * @param maxRetries a count, 0 or more, or null for {@code defaults.max_retries}
         * @return this builder
         */
        public Builder maxRetries(Integer maxRetries) {
            options.setMaxRetries(maxRetries);
            return this;
        }

        /**
         * The whole call's deadline, rotation, retries and fallback included.
         *
         * @param deadline a positive duration, or null for {@code defaults.call_deadline_seconds}
         * @return this builder
         */
        public Builder deadline(Duration deadline) {
            options.setDeadline(deadline);
            return this;
        }

        /**
         * How much a reasoning model thinks.
         *
         * @param reasoningEffort the effort, or null for the provider's default
         * @return this builder
         */
        public Builder reasoningEffort(ReasoningEffort reasoningEffort) {
            options.setReasoningEffort(reasoningEffort);
            return this;
        }

        /**
         * The reasoning token budget.
         *
         * @param thinkingBudget a positive token count, 0 for off, -1 for the model decides, or null for the provider's
         *     default
         * @return this builder
         */
        public Builder thinkingBudget(Integer thinkingBudget) {
            options.setThinkingBudget(thinkingBudget);
            return this;
        }

        /**
         * Whether the model may call several tools in one turn.
         *
         * @param parallelToolCalls true or false, or null for the provider's default
         * @return this builder
         */
        public Builder parallelToolCalls(Boolean parallelToolCalls) {
            options.setParallelToolCalls(parallelToolCalls);
            return this;
        }

        /**
         * Adds a provider's own request field, replacing an earlier value of the same name; see {@link
         * LlmRotateChatOptions#getExtra()}.
         *
         * @param name the field's name, optionally scoped with a wire format (e.g. {@code "openai:seed"}), not null
         * @param value the field's value as it goes into the request body, not null
         * @return this builder
         */
        public Builder extra(String name, Object value) {
            Map<String, Object> extra = new LinkedHashMap<>(options.getExtra());
            extra.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, () -> "extra " + name));
            options.setExtra(extra);
            return this;
        }

        @Override
        public LlmRotateChatOptions build() {
            return options.duplicate();
        }
    }
}

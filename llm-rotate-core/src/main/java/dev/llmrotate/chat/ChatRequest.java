package dev.llmrotate.chat;

import dev.llmrotate.config.StreamRecovery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A chat call. Build with {@link #builder(String)}; only the model and the messages are required.
 *
 * <p>Tools, tool choice, response format and reasoning are first-class fields, mapped onto each provider's own form.
 * The same settings can still be passed in a provider's raw form through {@code extra} (which is sent as it is), but
 * not both: a first-class field and an {@code extra} entry that sets the same thing on some provider ({@code tools},
 * {@code tool_choice}, {@code response_format}, {@code thinking}, ...) fail the request at construction, naming both.
 *
 * @param model the model id; its provider is inferred from the keys' {@code models} unless {@code provider} is set
 * @param messages the conversation; every {@code tool} message answers a tool call of an earlier assistant message
 * @param provider pins the call to one provider (no fallback chain is walked), or null
 * @param maxTokens output cap, or null for the provider's default
 * @param temperature sampling temperature, or null
 * @param topP nucleus sampling, or null
 * @param maxRetries overrides {@code defaults.max_retries} for this call, or null
 * @param deadline overrides {@code defaults.call_deadline_seconds} for this call, or null
 * @param extra further provider parameters passed through into the request body as they are; a name scoped with a
 *     wire format ({@code openai:seed}, {@code anthropic:metadata}, {@code gemini:...}, {@code bedrock:...}) is sent,
 *     without the scope, only to the providers of that format (OpenAI's format: {@code openai}, {@code
 *     azure_openai}, {@code openrouter}), so that a fallback to another provider does not carry a field it refuses
 * @param streamRecovery overrides the provider's (or model's) {@code stream_recovery} for this call, or null
 * @param tools the tools the model may call, names unique; empty for none
 * @param toolChoice whether and which tool the model must call, or null for the provider's default (auto when there
 *     are tools)
 * @param parallelToolCalls whether the model may call several tools in one turn, or null for the provider's default;
 *     only with tools
 * @param responseFormat the form of the answer (JSON object, JSON schema), or null for text
 * @param reasoningEffort how much a reasoning model thinks, or null for the provider's default
 * @param thinkingBudget a token budget for thinking: a positive count, 0 to turn thinking off, -1 to let the model
 *     decide (Anthropic adaptive thinking, Gemini dynamic thinking); null for the provider's default
 * @param caller who makes the call, as the application names it (the gateway puts the gateway key's id here; a
 *     tenant, a service): written to the call's usage record as {@code caller}, never sent to a provider; 1 to 64
 *     letters, digits, {@code . _ : @ -}; or null
 */
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        String provider,
        Integer maxTokens,
        Double temperature,
        Double topP,
        Integer maxRetries,
        Duration deadline,
        Map<String, Object> extra,
        StreamRecovery streamRecovery,
        List<ToolDefinition> tools,
        ToolChoice toolChoice,
        Boolean parallelToolCalls,
        ResponseFormat responseFormat,
        ReasoningEffort reasoningEffort,
        Integer thinkingBudget,
        String caller) {

    private static final java.util.regex.Pattern CALLER = java.util.regex.Pattern.compile("[A-Za-z0-9._:@-]{1,64}");

    /**
     * The {@code extra} entries that set what a first-class field sets, on at least one provider: OpenAI and
     * OpenRouter names, Anthropic's, Gemini's (as {@code generateContent} passes them) and Bedrock's.
     */
    private static final Map<String, List<String>> EXTRA_EQUIVALENTS = Map.of(
            "tools", List.of("tools", "functions", "toolConfig"),
            "toolChoice", List.of("tool_choice", "function_call", "toolConfig"),
            "parallelToolCalls", List.of("parallel_tool_calls"),
            "responseFormat",
                    List.of(
                            "response_format",
                            "output_format",
                            "output_config",
                            GenerateContentControls.EXTRA_RESPONSE_MIME_TYPE),
            "reasoningEffort", List.of("reasoning_effort", "reasoning", "output_config"),
            "thinkingBudget",
                    List.of("thinking", "reasoning", "thinkingConfig", GenerateContentControls.EXTRA_THINKING_BUDGET));

    /**
     * Checks every field (see above) and copies the lists and maps, unmodifiable.
     *
     * @param model the model id, not blank
     * @param messages the conversation, at least one message
     * @param provider the provider to pin the call to, or null
     * @param maxTokens output cap, positive, or null
     * @param temperature sampling temperature, or null
     * @param topP nucleus sampling, or null
     * @param maxRetries retries per route, 0 or more, or null
     * @param deadline the whole call's time limit, positive, or null
     * @param extra further provider parameters, no null values; null for none
     * @param streamRecovery stream recovery for this call, or null
     * @param tools the tools, names unique; null for none
     * @param toolChoice the tool choice, or null; a REQUIRED or TOOL choice needs tools
     * @param parallelToolCalls whether the model may call several tools in one turn, or null; only with tools
     * @param responseFormat the form of the answer, or null for text
     * @param reasoningEffort how much a reasoning model thinks, or null
     * @param thinkingBudget a token budget for thinking, -1 or more, or null
     * @param caller who makes the call, 1 to 64 letters, digits, {@code . _ : @ -}; or null
     * @throws IllegalArgumentException naming the first field that is wrong
     */
    public ChatRequest {
        Objects.requireNonNull(model, "model");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request needs at least one message");
        }
        if (maxTokens != null && maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        }
        if (maxRetries != null && maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative, got " + maxRetries);
        }
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        tools = tools == null ? List.of() : List.copyOf(tools);
        if (thinkingBudget != null && thinkingBudget < -1) {
            throw new IllegalArgumentException(
                    "thinkingBudget must be -1 (the model decides), 0 (off) or a token count, got " + thinkingBudget);
        }
        if (caller != null && !CALLER.matcher(caller).matches()) {
            throw new IllegalArgumentException(
                    "caller must be 1 to 64 letters, digits, '.', '_', ':', '@' or '-', got " + describe(caller));
        }
        checkTools(tools, toolChoice, parallelToolCalls);
        checkToolResults(messages);
        checkExtra(extra, tools, toolChoice, parallelToolCalls, responseFormat, reasoningEffort, thinkingBudget);
    }

    /**
     * A request without a {@link #caller()}.
     *
     * @param model the model id, not blank
     * @param messages the conversation, at least one message
     * @param provider the provider to pin the call to, or null
     * @param maxTokens output cap, positive, or null
     * @param temperature sampling temperature, or null
     * @param topP nucleus sampling, or null
     * @param maxRetries retries per route, 0 or more, or null
     * @param deadline the whole call's time limit, positive, or null
     * @param extra further provider parameters, no null values; null for none
     * @param streamRecovery stream recovery for this call, or null
     * @param tools the tools, names unique; null for none
     * @param toolChoice the tool choice, or null; a REQUIRED or TOOL choice needs tools
     * @param parallelToolCalls whether the model may call several tools in one turn, or null; only with tools
     * @param responseFormat the form of the answer, or null for text
     * @param reasoningEffort how much a reasoning model thinks, or null
     * @param thinkingBudget a token budget for thinking, -1 or more, or null
     */
    public ChatRequest(
            String model,
            List<ChatMessage> messages,
            String provider,
            Integer maxTokens,
            Double temperature,
            Double topP,
            Integer maxRetries,
            Duration deadline,
            Map<String, Object> extra,
            StreamRecovery streamRecovery,
            List<ToolDefinition> tools,
            ToolChoice toolChoice,
            Boolean parallelToolCalls,
            ResponseFormat responseFormat,
            ReasoningEffort reasoningEffort,
            Integer thinkingBudget) {
        this(
                model,
                messages,
                provider,
                maxTokens,
                temperature,
                topP,
                maxRetries,
                deadline,
                extra,
                streamRecovery,
                tools,
                toolChoice,
                parallelToolCalls,
                responseFormat,
                reasoningEffort,
                thinkingBudget,
                null);
    }

    private static String describe(String value) {
        return value.length() <= 64 && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)
                ? "'" + value + "'"
                : "a value of " + value.length() + " characters";
    }

    private static void checkTools(List<ToolDefinition> tools, ToolChoice choice, Boolean parallel) {
        Set<String> names = new HashSet<>();
        for (ToolDefinition tool : tools) {
            if (!names.add(tool.name())) {
                throw new IllegalArgumentException("two tools are named " + tool.name());
            }
        }
        if (choice != null && choice.type() == ToolChoice.Type.TOOL && !names.contains(choice.toolName())) {
            throw new IllegalArgumentException(
                    "tool choice names " + choice.toolName() + ", which is not among the tools " + names);
        }
        if (choice != null && choice.type() == ToolChoice.Type.REQUIRED && tools.isEmpty()) {
            throw new IllegalArgumentException("tool choice REQUIRED needs tools");
        }
        if (parallel != null && tools.isEmpty()) {
            throw new IllegalArgumentException("parallelToolCalls applies only to a request with tools");
        }
    }

    /** Every tool result answers a call of an earlier assistant message, as every provider requires. */
    private static void checkToolResults(List<ChatMessage> messages) {
        Set<String> calls = Set.of();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            for (ToolCall call : message.toolCalls()) {
                if (calls.isEmpty()) {
                    calls = new HashSet<>();
                }
                calls.add(call.id());
            }
            if (message.role().equals("tool") && !calls.contains(message.toolCallId())) {
                throw new IllegalArgumentException("messages[" + i + "] answers tool call " + message.toolCallId()
                        + ", which no earlier assistant message made");
            }
        }
    }

    private static void checkExtra(
            Map<String, Object> extra,
            List<ToolDefinition> tools,
            ToolChoice choice,
            Boolean parallel,
            ResponseFormat format,
            ReasoningEffort effort,
            Integer budget) {
        if (extra.isEmpty()) {
            return;
        }
        checkExtra(extra, "tools", !tools.isEmpty());
        checkExtra(extra, "toolChoice", choice != null);
        checkExtra(extra, "parallelToolCalls", parallel != null);
        checkExtra(extra, "responseFormat", format != null);
        checkExtra(extra, "reasoningEffort", effort != null);
        checkExtra(extra, "thinkingBudget", budget != null);
    }

    private static void checkExtra(Map<String, Object> extra, String field, boolean set) {
        if (!set) {
            return;
        }
        for (String name : EXTRA_EQUIVALENTS.get(field)) {
            for (String entry : extra.keySet()) {
                // A scoped entry (openai:tools) sets the same field for its format.
                int colon = entry.indexOf(':');
                if (entry.equals(name)
                        || (colon > 0
                                && entry.regionMatches(colon + 1, name, 0, name.length())
                                && entry.length() == colon + 1 + name.length())) {
                    throw new IllegalArgumentException(field + " and extra '" + entry
                            + "' both set the same request field: set it once, either first-class or through extra");
                }
            }
        }
    }

    /**
     * A request of a model and messages only; everything else is left to the configuration and the provider.
     *
     * @param model the model id
     * @param messages the conversation, at least one message
     * @return the request
     */
    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(
                model, messages, null, null, null, null, null, null, Map.of(), null, List.of(), null, null, null, null,
                null);
    }

    /**
     * A builder for a request to {@code model}; add at least one message before {@link Builder#build()}.
     *
     * @param model the model id
     * @return a new builder
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /**
     * A builder holding everything this request holds, to change some of it.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * A copy of this request for another model (used when a fallback target names its own model id).
     *
     * @param otherModel the model id
     * @return the copy
     */
    public ChatRequest withModel(String otherModel) {
        Builder copy = new Builder(this);
        copy.model = otherModel;
        return copy.build();
    }

    /**
     * A copy of this request pinned to {@code otherProvider} (no fallback chain is walked), or unpinned with null; a
     * gateway uses it for a model addressed as {@code provider/model}.
     *
     * @param otherProvider the provider to pin the call to, or null
     * @return the copy
     */
    public ChatRequest withProvider(String otherProvider) {
        return new Builder(this).provider(otherProvider).build();
    }

    /**
     * A copy of this request made by {@code otherCaller} (see {@link #caller()}), or by nobody named with null.
     *
     * @param otherCaller the caller, or null
     * @return the copy
     */
    public ChatRequest withCaller(String otherCaller) {
        return new Builder(this).caller(otherCaller).build();
    }

    /**
     * A copy of this request with other messages (a stream recovery adds the partial answer as a prefill).
     *
     * @param otherMessages the conversation, at least one message
     * @return the copy
     */
    public ChatRequest withMessages(List<ChatMessage> otherMessages) {
        return new Builder(this).messages(otherMessages).build();
    }

    /** Builds a {@link ChatRequest}. */
    public static final class Builder {
        private String model;
        private List<ChatMessage> messages = List.of();
        private String provider;
        private String caller;
        private Integer maxTokens;
        private Double temperature;
        private Double topP;
        private Integer maxRetries;
        private Duration deadline;
        private StreamRecovery streamRecovery;
        private final Map<String, Object> extra = new LinkedHashMap<>();
        private final List<ToolDefinition> tools = new ArrayList<>();
        private ToolChoice toolChoice;
        private Boolean parallelToolCalls;
        private ResponseFormat responseFormat;
        private ReasoningEffort reasoningEffort;
        private Integer thinkingBudget;

        private Builder(String model) {
            this.model = model;
        }

        private Builder(ChatRequest request) {
            this.model = request.model;
            this.messages = request.messages;
            this.provider = request.provider;
            this.caller = request.caller;
            this.maxTokens = request.maxTokens;
            this.temperature = request.temperature;
            this.topP = request.topP;
            this.maxRetries = request.maxRetries;
            this.deadline = request.deadline;
            this.streamRecovery = request.streamRecovery;
            this.extra.putAll(request.extra);
            this.tools.addAll(request.tools);
            this.toolChoice = request.toolChoice;
            this.parallelToolCalls = request.parallelToolCalls;
            this.responseFormat = request.responseFormat;
            this.reasoningEffort = request.reasoningEffort;
            this.thinkingBudget = request.thinkingBudget;
        }

        /**
         * Replaces the messages added so far.
         *
         * @param messages the conversation
         * @return this
         */
        public Builder messages(List<ChatMessage> messages) {
            this.messages = new ArrayList<>(messages);
            return this;
        }

        /**
         * Replaces the messages added so far.
         *
         * @param messages the conversation
         * @return this
         */
        public Builder messages(ChatMessage... messages) {
            return messages(List.of(messages));
        }

        /**
         * Adds one message after those added so far.
         *
         * @param message the message, not null
         * @return this
         */
        public Builder message(ChatMessage message) {
            if (!(messages instanceof ArrayList)) {
                messages = new ArrayList<>(messages);
            }
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        /**
         * Adds a user message after those added so far.
         *
         * @param text the message's text
         * @return this
         */
        public Builder user(String text) {
            return message(ChatMessage.user(text));
        }

        /**
         * Adds a system message after those added so far.
         *
         * @param text the message's text
         * @return this
         */
        public Builder system(String text) {
            return message(ChatMessage.system(text));
        }

        /**
         * Adds an assistant message after those added so far.
         *
         * @param text the message's text
         * @return this
         */
        public Builder assistant(String text) {
            return message(ChatMessage.assistant(text));
        }

        /**
         * Who makes the call (see {@link ChatRequest#caller()}): written to its usage record, never sent.
         *
         * @param caller 1 to 64 letters, digits, {@code . _ : @ -}; or null
         * @return this
         */
        public Builder caller(String caller) {
            this.caller = caller;
            return this;
        }

        /**
         * Pins the call to one provider (no fallback chain is walked); null infers it from the model.
         *
         * @param provider the provider's name, e.g. {@code openai}, or null
         * @return this
         */
        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        /**
         * The output cap; default: the provider's.
         *
         * @param maxTokens the most output tokens, positive
         * @return this
         */
        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        /**
         * The sampling temperature, sent as it is; default: the provider's.
         *
         * @param temperature the temperature
         * @return this
         */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Nucleus sampling, sent as it is; default: the provider's.
         *
         * @param topP the probability mass to sample from
         * @return this
         */
        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        /**
         * Backoff retries per route for this call; default {@code defaults.max_retries}.
         *
         * @param maxRetries the retries, 0 or more
         * @return this
         */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * The longest the whole call may take, all attempts and waits included; default {@code
         * defaults.call_deadline_seconds}.
         *
         * @param deadline a positive duration, or null for the default
         * @return this
         */
        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /**
         * Overrides {@code stream_recovery} for this call (streamed calls only).
         *
         * @param mode the recovery mode, or null for the provider's (or model's)
         * @return this
         */
        public Builder streamRecovery(StreamRecovery mode) {
            this.streamRecovery = mode;
            return this;
        }

        /**
         * Adds tools the model may call, after those added so far.
         *
         * @param tools the tools; names unique across all tools added
         * @return this
         */
        public Builder tools(ToolDefinition... tools) {
            return tools(List.of(tools));
        }

        /**
         * Adds tools the model may call, after those added so far.
         *
         * @param tools the tools; names unique across all tools added
         * @return this
         */
        public Builder tools(List<ToolDefinition> tools) {
            this.tools.addAll(tools);
            return this;
        }

        /**
         * Whether and which tool the model must call; default: the provider's (auto when there are tools).
         *
         * @param toolChoice the choice, or null for the default
         * @return this
         */
        public Builder toolChoice(ToolChoice toolChoice) {
            this.toolChoice = toolChoice;
            return this;
        }

        /**
         * Whether the model may call several tools in one turn (requires tools); default: the provider's.
         *
         * @param parallelToolCalls true to allow several calls per turn
         * @return this
         */
        public Builder parallelToolCalls(boolean parallelToolCalls) {
            this.parallelToolCalls = parallelToolCalls;
            return this;
        }

        /**
         * The form of the answer (JSON object, JSON schema); default: text.
         *
         * @param responseFormat the format, or null for text
         * @return this
         */
        public Builder responseFormat(ResponseFormat responseFormat) {
            this.responseFormat = responseFormat;
            return this;
        }

        /**
         * How much a reasoning model thinks; default: the provider's.
         *
         * @param reasoningEffort the effort, or null for the default
         * @return this
         */
        public Builder reasoningEffort(ReasoningEffort reasoningEffort) {
            this.reasoningEffort = reasoningEffort;
            return this;
        }

        /**
         * A thinking budget in tokens; 0 turns thinking off, -1 lets the model decide.
         *
         * @param thinkingBudget a token count, 0 or -1
         * @return this
         */
        public Builder thinkingBudget(int thinkingBudget) {
            this.thinkingBudget = thinkingBudget;
            return this;
        }

        /**
         * Adds a provider parameter sent as it is (see {@link ChatRequest#extra()}); a later value for the same name
         * replaces the earlier one.
         *
         * @param name the field's name, optionally scoped with a wire format ({@code openai:seed})
         * @param value the field's value, not null
         * @return this
         * @throws IllegalArgumentException when the name or the value is null
         */
        public Builder extra(String name, Object value) {
            if (name == null || value == null) {
                throw new IllegalArgumentException("extra entries need a name and a value, got "
                        + (name == null ? "no name" : "no value for '" + name + "'"));
            }
            extra.put(name, value);
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         * @throws IllegalArgumentException naming the first field that is wrong
         */
        public ChatRequest build() {
            return new ChatRequest(
                    model,
                    messages,
                    provider,
                    maxTokens,
                    temperature,
                    topP,
                    maxRetries,
                    deadline,
                    extra,
                    streamRecovery,
                    tools,
                    toolChoice,
                    parallelToolCalls,
                    responseFormat,
                    reasoningEffort,
                    thinkingBudget,
                    caller);
        }
    }
}

package dev.llmrotate.chat;

import dev.llmrotate.config.StreamRecovery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat call. Build with {@link #builder(String)}; only the model and the messages are required.
 *
 * @param model the model id; its provider is inferred from the keys' {@code models} unless {@code provider} is set
 * @param messages the conversation
 * @param provider pins the call to one provider (no fallback chain is walked), or null
 * @param maxTokens output cap, or null for the provider's default
 * @param temperature sampling temperature, or null
 * @param topP nucleus sampling, or null
 * @param maxRetries overrides {@code defaults.max_retries} for this call, or null
 * @param deadline overrides {@code defaults.call_deadline} for this call, or null
 * @param extra further provider parameters passed through into the request body as they are
 * @param streamRecovery overrides the provider's (or model's) {@code stream_recovery} for this call, or null
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
        StreamRecovery streamRecovery) {

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
    }

    public static ChatRequest of(String model, List<ChatMessage> messages) {
        return new ChatRequest(model, messages, null, null, null, null, null, null, Map.of(), null);
    }

    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** A copy of this request for another model (used when a fallback target names its own model id). */
    public ChatRequest withModel(String otherModel) {
        return new ChatRequest(
                otherModel,
                messages,
                provider,
                maxTokens,
                temperature,
                topP,
                maxRetries,
                deadline,
                extra,
                streamRecovery);
    }

    /** A copy of this request with other messages (a stream recovery adds the partial answer as a prefill). */
    public ChatRequest withMessages(List<ChatMessage> otherMessages) {
        return new ChatRequest(
                model,
                otherMessages,
                provider,
                maxTokens,
                temperature,
                topP,
                maxRetries,
                deadline,
                extra,
                streamRecovery);
    }

    /** Builds a {@link ChatRequest}. */
    public static final class Builder {
        private final String model;
        private List<ChatMessage> messages = List.of();
        private String provider;
        private Integer maxTokens;
        private Double temperature;
        private Double topP;
        private Integer maxRetries;
        private Duration deadline;
        private StreamRecovery streamRecovery;
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private Builder(String model) {
            this.model = model;
        }

        /** Replaces the messages added so far. */
        public Builder messages(List<ChatMessage> messages) {
            this.messages = new ArrayList<>(messages);
            return this;
        }

        /** Replaces the messages added so far. */
        public Builder messages(ChatMessage... messages) {
            return messages(List.of(messages));
        }

        /** Adds one message after those added so far. */
        public Builder message(ChatMessage message) {
            if (!(messages instanceof ArrayList)) {
                messages = new ArrayList<>(messages);
            }
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        /** Adds a user message after those added so far. */
        public Builder user(String text) {
            return message(ChatMessage.user(text));
        }

        /** Adds a system message after those added so far. */
        public Builder system(String text) {
            return message(ChatMessage.system(text));
        }

        /** Adds an assistant message after those added so far. */
        public Builder assistant(String text) {
            return message(ChatMessage.assistant(text));
        }

        public Builder provider(String provider) {
            this.provider = provider;
            return this;
        }

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder deadline(Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        /** Overrides {@code stream_recovery} for this call (streamed calls only). */
        public Builder streamRecovery(StreamRecovery mode) {
            this.streamRecovery = mode;
            return this;
        }

        public Builder extra(String name, Object value) {
            extra.put(name, value);
            return this;
        }

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
                    streamRecovery);
        }
    }
}

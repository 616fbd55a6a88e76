package dev.llmrotate.chat;

import java.time.Duration;
import java.util.Objects;

/**
 * The generation controls of a Google {@code generateContent} call (the original's keyword arguments). Every field
 * is optional; {@link #defaults()} sets none and leaves automatic function calling disabled.
 *
 * <p>On the wire ({@code google_ai_studio}, {@code google_vertex}) they become {@code systemInstruction} and
 * {@code generationConfig.{maxOutputTokens, temperature, topP, seed, responseMimeType, thinkingConfig.thinkingBudget}}.
 * They travel to the adapter inside a {@link ChatRequest}: the system instruction as a system message, the output
 * cap and sampling as {@link ChatRequest#maxTokens()}, {@link ChatRequest#temperature()} and {@link
 * ChatRequest#topP()}, the rest in {@link ChatRequest#extra()} under the {@code EXTRA_*} names below, which a
 * {@code chat()} call to a Google model may use too.
 *
 * @param systemInstruction the system prompt, or null
 * @param responseMimeType e.g. {@code application/json} for structured output, or null
 * @param maxOutputTokens output cap, or null for the model's default
 * @param temperature sampling temperature, or null
 * @param topP nucleus sampling, or null
 * @param seed decoding seed for reproducibility, or null
 * @param thinkingBudget reasoning-token budget where the model supports it ({@code 0} turns thinking off on models
 *     that allow it, {@code -1} lets the model decide), or null
 * @param disableAutomaticFunctionCalling kept for parity with the original, where it is passed to the Python SDK,
 *     which runs functions client-side. It has no REST field: llm-rotate never executes functions and
 *     {@code generateContent} declares no tools, so the request body is the same either way. Default true.
 * @param maxRetries overrides {@code defaults.max_retries} for this call, or null
 * @param provider pins the call to {@code google_ai_studio} or {@code google_vertex} (no fallback chain), or null
 * @param deadline overrides {@code defaults.call_deadline_seconds} for this call, or null
 */
public record GenerateContentControls(
        String systemInstruction,
        String responseMimeType,
        Integer maxOutputTokens,
        Double temperature,
        Double topP,
        Integer seed,
        Integer thinkingBudget,
        boolean disableAutomaticFunctionCalling,
        Integer maxRetries,
        String provider,
        Duration deadline) {

    /** {@link ChatRequest#extra()} name of the decoding seed ({@code generationConfig.seed}). */
    public static final String EXTRA_SEED = "seed";
    /** {@link ChatRequest#extra()} name of the response MIME type ({@code generationConfig.responseMimeType}). */
    public static final String EXTRA_RESPONSE_MIME_TYPE = "response_mime_type";
    /** {@link ChatRequest#extra()} name of the thinking budget ({@code generationConfig.thinkingConfig}). */
    public static final String EXTRA_THINKING_BUDGET = "thinking_budget";
    /** {@link ChatRequest#extra()} name of the automatic-function-calling switch (nothing is sent for it). */
    public static final String EXTRA_DISABLE_AUTOMATIC_FUNCTION_CALLING = "disable_automatic_function_calling";

    private static final GenerateContentControls DEFAULTS = builder().build();

    /**
     * Checks the limits below.
     *
     * @param systemInstruction the system prompt, or null
     * @param responseMimeType the answer's MIME type, or null
     * @param maxOutputTokens output cap, positive, or null
     * @param temperature sampling temperature, or null
     * @param topP nucleus sampling, or null
     * @param seed decoding seed, or null
     * @param thinkingBudget a token budget for thinking, -1 or more, or null
     * @param disableAutomaticFunctionCalling kept for parity with the original; nothing is sent for it
     * @param maxRetries retries per route, 0 or more, or null
     * @param provider {@code google_ai_studio} or {@code google_vertex}, or null
     * @param deadline the whole call's time limit, positive, or null
     * @throws IllegalArgumentException naming the first value out of its range
     */
    public GenerateContentControls {
        if (maxOutputTokens != null && maxOutputTokens <= 0) {
            throw new IllegalArgumentException("max_output_tokens must be positive, got " + maxOutputTokens);
        }
        if (thinkingBudget != null && thinkingBudget < -1) {
            throw new IllegalArgumentException(
                    "thinking_budget must be -1 (dynamic), 0 (off) or a positive token count, got " + thinkingBudget);
        }
        if (maxRetries != null && maxRetries < 0) {
            throw new IllegalArgumentException("max_retries must not be negative, got " + maxRetries);
        }
        if (deadline != null && (deadline.isNegative() || deadline.isZero())) {
            throw new IllegalArgumentException("deadline must be positive, got " + deadline);
        }
    }

    /**
     * No controls set; automatic function calling disabled.
     *
     * @return the default controls
     */
    public static GenerateContentControls defaults() {
        return DEFAULTS;
    }

    /**
     * A builder with no controls set and automatic function calling disabled.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these values.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.systemInstruction = systemInstruction;
        b.responseMimeType = responseMimeType;
        b.maxOutputTokens = maxOutputTokens;
        b.temperature = temperature;
        b.topP = topP;
        b.seed = seed;
        b.thinkingBudget = thinkingBudget;
        b.disableAutomaticFunctionCalling = disableAutomaticFunctionCalling;
        b.maxRetries = maxRetries;
        b.provider = provider;
        b.deadline = deadline;
        return b;
    }

    /** Builds {@link GenerateContentControls}. */
    public static final class Builder {
        private String systemInstruction;
        private String responseMimeType;
        private Integer maxOutputTokens;
        private Double temperature;
        private Double topP;
        private Integer seed;
        private Integer thinkingBudget;
        private boolean disableAutomaticFunctionCalling = true;
        private Integer maxRetries;
        private String provider;
        private Duration deadline;

        private Builder() {}

        /**
         * The system prompt, sent as {@code systemInstruction}.
         *
         * @param value the instructions, or null for none
         * @return this
         */
        public Builder systemInstruction(String value) {
            this.systemInstruction = value;
            return this;
        }

        /**
         * The answer's MIME type, e.g. {@code application/json} for structured output.
         *
         * @param value the MIME type, or null for the model's default
         * @return this
         */
        public Builder responseMimeType(String value) {
            this.responseMimeType = value;
            return this;
        }

        /**
         * The output cap; default: the model's.
         *
         * @param value the most output tokens, positive
         * @return this
         */
        public Builder maxOutputTokens(int value) {
            this.maxOutputTokens = value;
            return this;
        }

        /**
         * The sampling temperature, sent as it is; default: the model's.
         *
         * @param value the temperature
         * @return this
         */
        public Builder temperature(double value) {
            this.temperature = value;
            return this;
        }

        /**
         * Nucleus sampling, sent as it is; default: the model's.
         *
         * @param value the probability mass to sample from
         * @return this
         */
        public Builder topP(double value) {
            this.topP = value;
            return this;
        }

        /**
         * The decoding seed, for reproducible answers where the model supports it.
         *
         * @param value the seed
         * @return this
         */
        public Builder seed(int value) {
            this.seed = value;
            return this;
        }

        /**
         * A thinking budget in tokens; 0 turns thinking off where the model allows it, -1 lets the model decide.
         *
         * @param value a token count, 0 or -1
         * @return this
         */
        public Builder thinkingBudget(int value) {
            this.thinkingBudget = value;
            return this;
        }

        /**
         * Kept for parity with the original; nothing is sent for it (default true).
         *
         * @param value the switch
         * @return this
         */
        public Builder disableAutomaticFunctionCalling(boolean value) {
            this.disableAutomaticFunctionCalling = value;
            return this;
        }

        /**
         * Backoff retries per route for this call; default {@code defaults.max_retries}.
         *
         * @param value the retries, 0 or more
         * @return this
         */
        public Builder maxRetries(int value) {
            this.maxRetries = value;
            return this;
        }

        /**
         * Pins the call to {@code google_ai_studio} or {@code google_vertex}.
         *
         * @param value the provider, or null to infer it from the model
         * @return this
         */
        public Builder provider(String value) {
            this.provider = value;
            return this;
        }

        /**
         * The longest the whole call may take, all attempts and waits included; default {@code
         * defaults.call_deadline_seconds}.
         *
         * @param value a positive duration, not null
         * @return this
         */
        public Builder deadline(Duration value) {
            this.deadline = Objects.requireNonNull(value, "deadline");
            return this;
        }

        /**
         * Builds the controls.
         *
         * @return the controls
         * @throws IllegalArgumentException naming the first value out of its range
         */
        public GenerateContentControls build() {
            return new GenerateContentControls(
                    systemInstruction,
                    responseMimeType,
                    maxOutputTokens,
                    temperature,
                    topP,
                    seed,
                    thinkingBudget,
                    disableAutomaticFunctionCalling,
                    maxRetries,
                    provider,
                    deadline);
        }
    }
}

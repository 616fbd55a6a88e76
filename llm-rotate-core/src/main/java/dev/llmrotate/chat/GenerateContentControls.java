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

    /** No controls set; automatic function calling disabled. */
    public static GenerateContentControls defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these values. */
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

        public Builder systemInstruction(String value) {
            this.systemInstruction = value;
            return this;
        }

        public Builder responseMimeType(String value) {
            this.responseMimeType = value;
            return this;
        }

        public Builder maxOutputTokens(int value) {
            this.maxOutputTokens = value;
            return this;
        }

        public Builder temperature(double value) {
            this.temperature = value;
            return this;
        }

        public Builder topP(double value) {
            this.topP = value;
            return this;
        }

        public Builder seed(int value) {
            this.seed = value;
            return this;
        }

        public Builder thinkingBudget(int value) {
            this.thinkingBudget = value;
            return this;
        }

        public Builder disableAutomaticFunctionCalling(boolean value) {
            this.disableAutomaticFunctionCalling = value;
            return this;
        }

        public Builder maxRetries(int value) {
            this.maxRetries = value;
            return this;
        }

        /** Pins the call to {@code google_ai_studio} or {@code google_vertex}. */
        public Builder provider(String value) {
            this.provider = value;
            return this;
        }

        public Builder deadline(Duration value) {
            this.deadline = Objects.requireNonNull(value, "deadline");
            return this;
        }

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

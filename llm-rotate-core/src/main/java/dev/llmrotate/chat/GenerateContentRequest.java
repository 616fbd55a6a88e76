package dev.llmrotate.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Google multimodal {@code generateContent} call: a model, one user turn made of parts, and the generation
 * controls. Build with {@link #builder(String)}:
 *
 * <pre>{@code
 * GenerateContentRequest request = GenerateContentRequest.builder("gemini-2.5-flash")
 *         .contents("Summarise this report in three bullets.", ContentPart.pdf(pdfBytes))
 *         .systemInstruction("You are a careful analyst.")
 *         .responseMimeType("application/json")
 *         .maxOutputTokens(512)
 *         .thinkingBudget(0)
 *         .build();
 * }</pre>
 *
 * @param model the model id; its provider must be {@code google_ai_studio} or {@code google_vertex}
 * @param contents the parts of the user turn, in order; never empty
 * @param controls the generation controls
 */
public record GenerateContentRequest(String model, List<ContentPart> contents, GenerateContentControls controls) {

    /**
     * Checks the model and the parts; null controls become {@link GenerateContentControls#defaults()}.
     *
     * @param model the model id, not blank
     * @param contents the parts of the user turn, at least one
     * @param controls the generation controls, or null for the defaults
     */
    public GenerateContentRequest {
        Objects.requireNonNull(model, "model");
        if (model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        contents = List.copyOf(contents);
        if (contents.isEmpty()) {
            throw new IllegalArgumentException("generateContent needs at least one content part");
        }
        controls = controls == null ? GenerateContentControls.defaults() : controls;
    }

    /**
     * A request from the original's call shape: {@code contents} holds strings (text parts) and {@link ContentPart}s.
     *
     * @param model the model id, not blank
     * @param contents strings and {@link ContentPart}s, at least one
     * @param controls the generation controls, or null for the defaults
     * @return the request
     * @throws IllegalArgumentException naming the first element that is neither
     */
    public static GenerateContentRequest of(String model, List<?> contents, GenerateContentControls controls) {
        return new GenerateContentRequest(model, parts(contents), controls);
    }

    /**
     * A builder for a call to {@code model}; add at least one part before {@link Builder#build()}.
     *
     * @param model the model id; its provider must be {@code google_ai_studio} or {@code google_vertex}
     * @return a new builder
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /** Strings become text parts, parts stay as they are; anything else is rejected with its position. */
    static List<ContentPart> parts(List<?> contents) {
        Objects.requireNonNull(contents, "contents");
        List<ContentPart> parts = new ArrayList<>(contents.size());
        for (int i = 0; i < contents.size(); i++) {
            Object item = contents.get(i);
            if (item instanceof String text) {
                parts.add(new ContentPart.Text(text));
            } else if (item instanceof ContentPart part) {
                parts.add(part);
            } else {
                throw new IllegalArgumentException("contents[" + i + "]: expected a String or a ContentPart, got "
                        + (item == null ? "null" : item.getClass().getName()));
            }
        }
        return parts;
    }

    /**
     * The chat request this call runs as: an optional system message with the system instruction, one user message
     * with the parts, the output cap and sampling in their own fields, the other controls in {@link
     * ChatRequest#extra()} under {@link GenerateContentControls}'s {@code EXTRA_*} names.
     *
     * @return the chat request
     */
    public ChatRequest toChatRequest() {
        GenerateContentControls c = controls;
        ChatRequest.Builder chat = ChatRequest.builder(model);
        List<ChatMessage> messages = new ArrayList<>(2);
        if (c.systemInstruction() != null) {
            messages.add(ChatMessage.system(c.systemInstruction()));
        }
        messages.add(new ChatMessage("user", contents));
        chat.messages(messages);
        if (c.maxOutputTokens() != null) {
            chat.maxTokens(c.maxOutputTokens());
        }
        if (c.temperature() != null) {
            chat.temperature(c.temperature());
        }
        if (c.topP() != null) {
            chat.topP(c.topP());
        }
        if (c.maxRetries() != null) {
            chat.maxRetries(c.maxRetries());
        }
        if (c.deadline() != null) {
            chat.deadline(c.deadline());
        }
        chat.provider(c.provider());
        Map<String, Object> extra = new LinkedHashMap<>();
        if (c.seed() != null) {
            extra.put(GenerateContentControls.EXTRA_SEED, c.seed());
        }
        if (c.responseMimeType() != null) {
            extra.put(GenerateContentControls.EXTRA_RESPONSE_MIME_TYPE, c.responseMimeType());
        }
        if (c.thinkingBudget() != null) {
            extra.put(GenerateContentControls.EXTRA_THINKING_BUDGET, c.thinkingBudget());
        }
        extra.put(
                GenerateContentControls.EXTRA_DISABLE_AUTOMATIC_FUNCTION_CALLING, c.disableAutomaticFunctionCalling());
        extra.forEach(chat::extra);
        return chat.build();
    }

    /** Builds a {@link GenerateContentRequest}; the control setters are those of {@link GenerateContentControls}. */
    public static final class Builder {
        private final String model;
        private final List<ContentPart> contents = new ArrayList<>();
        private GenerateContentControls.Builder controls = GenerateContentControls.builder();

        private Builder(String model) {
            this.model = model;
        }

        /**
         * Appends parts: strings become text parts.
         *
         * @param items strings and {@link ContentPart}s
         * @return this
         * @throws IllegalArgumentException naming the first item that is neither
         */
        public Builder contents(Object... items) {
            return contents(List.of(items));
        }

        /**
         * Appends parts: strings become text parts.
         *
         * @param items strings and {@link ContentPart}s
         * @return this
         * @throws IllegalArgumentException naming the first item that is neither
         */
        public Builder contents(List<?> items) {
            contents.addAll(parts(items));
            return this;
        }

        /**
         * Replaces every control with these; setters called later change single controls again.
         *
         * @param value the controls, not null
         * @return this
         */
        public Builder controls(GenerateContentControls value) {
            this.controls = value.toBuilder();
            return this;
        }

        /**
         * The system prompt, sent as {@code systemInstruction}.
         *
         * @param value the instructions, or null for none
         * @return this
         */
        public Builder systemInstruction(String value) {
            controls.systemInstruction(value);
            return this;
        }

        /**
         * The answer's MIME type, e.g. {@code application/json} for structured output.
         *
         * @param value the MIME type, or null for the model's default
         * @return this
         */
        public Builder responseMimeType(String value) {
            controls.responseMimeType(value);
            return this;
        }

        /**
         * The output cap; default: the model's.
         *
         * @param value the most output tokens, positive
         * @return this
         */
        public Builder maxOutputTokens(int value) {
            controls.maxOutputTokens(value);
            return this;
        }

        /**
         * The sampling temperature, sent as it is; default: the model's.
         *
         * @param value the temperature
         * @return this
         */
        public Builder temperature(double value) {
            controls.temperature(value);
            return this;
        }

        /**
         * Nucleus sampling, sent as it is; default: the model's.
         *
         * @param value the probability mass to sample from
         * @return this
         */
        public Builder topP(double value) {
            controls.topP(value);
            return this;
        }

        /**
         * The decoding seed, for reproducible answers where the model supports it.
         *
         * @param value the seed
         * @return this
         */
        public Builder seed(int value) {
            controls.seed(value);
            return this;
        }

        /**
         * A thinking budget in tokens; 0 turns thinking off where the model allows it, -1 lets the model decide.
         *
         * @param value a token count, 0 or -1
         * @return this
         */
        public Builder thinkingBudget(int value) {
            controls.thinkingBudget(value);
            return this;
        }

        /**
         * Kept for parity with the original; nothing is sent for it (default true).
         *
         * @param value the switch
         * @return this
         */
        public Builder disableAutomaticFunctionCalling(boolean value) {
            controls.disableAutomaticFunctionCalling(value);
            return this;
        }

        /**
         * Backoff retries per route for this call; default {@code defaults.max_retries}.
         *
         * @param value the retries, 0 or more
         * @return this
         */
        public Builder maxRetries(int value) {
            controls.maxRetries(value);
            return this;
        }

        /**
         * Pins the call to {@code google_ai_studio} or {@code google_vertex}.
         *
         * @param value the provider, or null to infer it from the model
         * @return this
         */
        public Builder provider(String value) {
            controls.provider(value);
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
            controls.deadline(value);
            return this;
        }

        /**
         * Builds the request.
         *
         * @return the request
         * @throws IllegalArgumentException when there are no parts or a control is out of its range
         */
        public GenerateContentRequest build() {
            return new GenerateContentRequest(model, contents, controls.build());
        }
    }
}

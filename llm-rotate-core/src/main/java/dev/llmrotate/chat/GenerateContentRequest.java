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
     * @throws IllegalArgumentException naming the first element that is neither
     */
    public static GenerateContentRequest of(String model, List<?> contents, GenerateContentControls controls) {
        return new GenerateContentRequest(model, parts(contents), controls);
    }

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

        /** Appends parts: strings become text parts. */
        public Builder contents(Object... items) {
            return contents(List.of(items));
        }

        /** Appends parts: strings become text parts. */
        public Builder contents(List<?> items) {
            contents.addAll(parts(items));
            return this;
        }

        /** Replaces every control with these. */
        public Builder controls(GenerateContentControls value) {
            this.controls = value.toBuilder();
            return this;
        }

        public Builder systemInstruction(String value) {
            controls.systemInstruction(value);
            return this;
        }

        public Builder responseMimeType(String value) {
            controls.responseMimeType(value);
            return this;
        }

        public Builder maxOutputTokens(int value) {
            controls.maxOutputTokens(value);
            return this;
        }

        public Builder temperature(double value) {
            controls.temperature(value);
            return this;
        }

        public Builder topP(double value) {
            controls.topP(value);
            return this;
        }

        public Builder seed(int value) {
            controls.seed(value);
            return this;
        }

        public Builder thinkingBudget(int value) {
            controls.thinkingBudget(value);
            return this;
        }

        public Builder disableAutomaticFunctionCalling(boolean value) {
            controls.disableAutomaticFunctionCalling(value);
            return this;
        }

        public Builder maxRetries(int value) {
            controls.maxRetries(value);
            return this;
        }

        /** Pins the call to {@code google_ai_studio} or {@code google_vertex}. */
        public Builder provider(String value) {
            controls.provider(value);
            return this;
        }

        public Builder deadline(Duration value) {
            controls.deadline(value);
            return this;
        }

        public GenerateContentRequest build() {
            return new GenerateContentRequest(model, contents, controls.build());
        }
    }
}

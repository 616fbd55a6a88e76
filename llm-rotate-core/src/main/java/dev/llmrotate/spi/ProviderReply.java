package dev.llmrotate.spi;

import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.Usage;
import java.util.List;

/**
 * A provider's successful answer to one attempt, already normalised.
 *
 * @param content the generated text (without reasoning)
 * @param finishReason normalised finish reason
 * @param usage token usage reported by the provider; {@link Usage#UNREPORTED} (or null, taken as it) when the reply
 *     had none
 * @param model the model that answered, as the provider names it (null: the requested one)
 * @param responseId the provider's response id, or null
 * @param toolCalls the tool calls the model made, in order; null or empty for none
 * @param reasoning the model's reasoning parts ({@link ContentPart.Reasoning}, {@link ContentPart.RedactedReasoning})
 *     with the provider's id as their origin; null or empty for none
 */
public record ProviderReply(
        String content,
        FinishReason finishReason,
        Usage usage,
        String model,
        String responseId,
        List<ToolCall> toolCalls,
        List<ContentPart> reasoning) {
    /**
     * Takes a null usage as unreported and copies the lists (null ones become empty).
     *
     * @param content the generated text
     * @param finishReason normalised finish reason
     * @param usage token usage, or null when the reply had none
     * @param model the model that answered, or null
     * @param responseId the provider's response id, or null
     * @param toolCalls the tool calls, or null
     * @param reasoning the reasoning parts, or null
     */
    public ProviderReply {
        usage = usage == null ? Usage.UNREPORTED : usage;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        reasoning = reasoning == null ? List.of() : List.copyOf(reasoning);
    }

    /**
     * A text reply without tool calls or reasoning.
     *
     * @param content the generated text
     * @param finishReason normalised finish reason
     * @param usage token usage, or null when the reply had none
     * @param model the model that answered, or null
     * @param responseId the provider's response id, or null
     */
    public ProviderReply(String content, FinishReason finishReason, Usage usage, String model, String responseId) {
        this(content, finishReason, usage, model, responseId, List.of(), List.of());
    }
}

package dev.llmrotate.spi;

import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;

/**
 * A provider's successful answer to one attempt, already normalised.
 *
 * @param content the generated text
 * @param finishReason normalised finish reason
 * @param usage token usage reported by the provider; {@link Usage#UNREPORTED} (or null, taken as it) when the reply
 *     had none
 * @param model the model that answered, as the provider names it (null: the requested one)
 * @param responseId the provider's response id, or null
 */
public record ProviderReply(String content, FinishReason finishReason, Usage usage, String model, String responseId) {
    public ProviderReply {
        usage = usage == null ? Usage.UNREPORTED : usage;
    }
}

package dev.llmrotate.spi;

import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;

/**
 * One piece of a provider stream, normalised by its adapter. Content pieces carry text; the final piece carries the
 * finish reason and the usage (and may carry text too).
 *
 * @param delta new text, never null
 * @param finishReason set on the final piece only
 * @param usage set on the final piece only ({@link Usage#UNREPORTED} when the provider reported none; a final piece
 *     given null takes that)
 * @param model the model that answers, when the provider said so, else null
 * @param responseId the provider's response id, when known, else null
 */
public record StreamPiece(String delta, FinishReason finishReason, Usage usage, String model, String responseId) {
    public StreamPiece {
        delta = delta == null ? "" : delta;
        if (finishReason != null && usage == null) {
            usage = Usage.UNREPORTED;
        }
    }

    public static StreamPiece text(String delta) {
        return new StreamPiece(delta, null, null, null, null);
    }

    public boolean isFinal() {
        return finishReason != null;
    }
}

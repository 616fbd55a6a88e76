package dev.llmrotate.spi;

import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.Usage;
import java.util.List;

/**
 * One piece of a provider stream, normalised by its adapter. Content pieces carry text, reasoning or tool-call
 * deltas; the final piece carries the finish reason and the usage (and may carry content too).
 *
 * @param delta new text, never null
 * @param finishReason set on the final piece only
 * @param usage set on the final piece only ({@link Usage#UNREPORTED} when the provider reported none; a final piece
 *     given null takes that)
 * @param model the model that answers, when the provider said so, else null
 * @param responseId the provider's response id, when known, else null
 * @param reasoningDelta new reasoning text, never null
 * @param toolCallDeltas pieces of tool calls, never null
 * @param reasoning reasoning blocks completed with this piece, with their signatures and the provider's id as origin
 *     (see {@link dev.llmrotate.chat.StreamChunk#reasoning()}), never null
 */
public record StreamPiece(
        String delta,
        FinishReason finishReason,
        Usage usage,
        String model,
        String responseId,
        String reasoningDelta,
        List<ToolCallDelta> toolCallDeltas,
        List<ContentPart> reasoning) {
    public StreamPiece {
        delta = delta == null ? "" : delta;
        if (finishReason != null && usage == null) {
            usage = Usage.UNREPORTED;
        }
        reasoningDelta = reasoningDelta == null ? "" : reasoningDelta;
        toolCallDeltas = toolCallDeltas == null ? List.of() : List.copyOf(toolCallDeltas);
        reasoning = reasoning == null ? List.of() : List.copyOf(reasoning);
    }

    /** A piece of text only (or the final piece). */
    public StreamPiece(String delta, FinishReason finishReason, Usage usage, String model, String responseId) {
        this(delta, finishReason, usage, model, responseId, "", List.of(), List.of());
    }

    public static StreamPiece text(String delta) {
        return new StreamPiece(delta, null, null, null, null);
    }

    public boolean isFinal() {
        return finishReason != null;
    }

    /** Whether this piece carries anything besides text: reasoning or tool-call deltas. */
    public boolean hasNonText() {
        return !reasoningDelta.isEmpty() || !toolCallDeltas.isEmpty() || !reasoning.isEmpty();
    }
}

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
    /**
     * Takes null text as empty, a final piece's null usage as unreported, and copies the lists (null ones become
     * empty).
     *
     * @param delta new text, or null for none
     * @param finishReason set on the final piece only
     * @param usage set on the final piece only, or null
     * @param model the model that answers, or null
     * @param responseId the provider's response id, or null
     * @param reasoningDelta new reasoning text, or null for none
     * @param toolCallDeltas pieces of tool calls, or null for none
     * @param reasoning reasoning blocks completed with this piece, or null for none
     */
    public StreamPiece {
        delta = delta == null ? "" : delta;
        if (finishReason != null && usage == null) {
            usage = Usage.UNREPORTED;
        }
        reasoningDelta = reasoningDelta == null ? "" : reasoningDelta;
        toolCallDeltas = toolCallDeltas == null ? List.of() : List.copyOf(toolCallDeltas);
        reasoning = reasoning == null ? List.of() : List.copyOf(reasoning);
    }

    /**
     * A piece of text only (or the final piece).
     *
     * @param delta new text, or null for none
     * @param finishReason set on the final piece only
     * @param usage set on the final piece only, or null
     * @param model the model that answers, or null
     * @param responseId the provider's response id, or null
     */
    public StreamPiece(String delta, FinishReason finishReason, Usage usage, String model, String responseId) {
        this(delta, finishReason, usage, model, responseId, "", List.of(), List.of());
    }

    /**
     * A content piece of text only.
     *
     * @param delta the new text
     * @return the piece
     */
    public static StreamPiece text(String delta) {
        return new StreamPiece(delta, null, null, null, null);
    }

    /**
     * Whether this is the final piece.
     *
     * @return true when it carries a finish reason
     */
    public boolean isFinal() {
        return finishReason != null;
    }

    /**
     * Whether this piece carries anything besides text: reasoning or tool-call deltas.
     *
     * @return true when reasoning text, reasoning blocks or tool-call deltas are present
     */
    public boolean hasNonText() {
        return !reasoningDelta.isEmpty() || !toolCallDeltas.isEmpty() || !reasoning.isEmpty();
    }
}

package dev.llmrotate.chat;

import java.util.List;

/**
 * One piece of a streamed answer. Joining every {@code delta} gives the whole text, every {@code reasoningDelta}
 * the reasoning; tool calls come as {@link ToolCallDelta}s, told apart by index. The final chunk (and only it)
 * carries the finish reason and the usage. {@link dev.llmrotate.ChatStream#collect()}, or a {@link StreamAssembler}
 * fed every chunk, puts the answer back together.
 *
 * @param delta the new text, possibly empty (on the final chunk, or a chunk of reasoning or tool calls)
 * @param finishReason why the model stopped; null except on the final chunk
 * @param usage token usage of the whole call; null except on the final chunk, where it is {@link
 *     Usage#UNREPORTED} when the provider reported none
 * @param reasoningDelta new reasoning text, possibly empty
 * @param toolCallDeltas pieces of tool calls, possibly none
 * @param reasoning reasoning blocks completed with this chunk, with their signatures ({@link ContentPart.Reasoning},
 *     {@link ContentPart.RedactedReasoning}): what the provider needs back on the next turn, whose text the
 *     reasoning deltas have already shown; usually none
 */
public record StreamChunk(
        String delta,
        FinishReason finishReason,
        Usage usage,
        String reasoningDelta,
        List<ToolCallDelta> toolCallDeltas,
        List<ContentPart> reasoning) {
    /**
     * Null texts become empty, null lists empty; the lists are copied, unmodifiable.
     *
     * @param delta the new text, or null for none
     * @param finishReason why the model stopped, on the final chunk only; else null
     * @param usage the call's token usage, on the final chunk only; else null
     * @param reasoningDelta new reasoning text, or null for none
     * @param toolCallDeltas pieces of tool calls, or null for none
     * @param reasoning reasoning blocks completed with this chunk, or null for none
     */
    public StreamChunk {
        delta = delta == null ? "" : delta;
        reasoningDelta = reasoningDelta == null ? "" : reasoningDelta;
        toolCallDeltas = toolCallDeltas == null ? List.of() : List.copyOf(toolCallDeltas);
        reasoning = reasoning == null ? List.of() : List.copyOf(reasoning);
    }

    /**
     * A chunk of text only (or the final chunk).
     *
     * @param delta the new text, or null for none
     * @param finishReason why the model stopped, on the final chunk only; else null
     * @param usage the call's token usage, on the final chunk only; else null
     */
    public StreamChunk(String delta, FinishReason finishReason, Usage usage) {
        this(delta, finishReason, usage, "", List.of(), List.of());
    }

    /**
     * True for the last chunk of the stream.
     *
     * @return whether this chunk carries the finish reason
     */
    public boolean isFinal() {
        return finishReason != null;
    }
}

package dev.llmrotate.chat;

/**
 * One piece of a streamed answer. Joining every {@code delta} gives the whole text; the final chunk (and only it)
 * carries the finish reason and the usage.
 *
 * @param delta the new text, possibly empty on the final chunk
 * @param finishReason why the model stopped; null except on the final chunk
 * @param usage token usage of the whole call; null except on the final chunk, where it is {@link
 *     Usage#UNREPORTED} when the provider reported none
 */
public record StreamChunk(String delta, FinishReason finishReason, Usage usage) {
    public StreamChunk {
        delta = delta == null ? "" : delta;
    }

    /** True for the last chunk of the stream. */
    public boolean isFinal() {
        return finishReason != null;
    }
}

package dev.llmrotate.chat;

/**
 * Token usage of one call as the provider reported it.
 *
 * <p>A provider may answer without any usage (an OpenAI-compatible server that omits {@code usage}, a stream that
 * ends without its usage event): that answer's usage is {@link #UNREPORTED}, whose counts are 0 and whose
 * {@link #reported()} is false, so that "not reported" stays distinguishable from a reported 0 ({@link #NONE}).
 *
 * @param inputTokens prompt tokens, including cached ones
 * @param outputTokens completion tokens, including reasoning ones
 * @param cachedInputTokens prompt tokens served from the provider's cache
 * @param reasoningTokens output tokens spent on reasoning
 * @param reported true when the counts come from the provider's usage report; false for {@link #UNREPORTED}, whose
 *     counts are 0 because none were reported
 */
public record Usage(
        long inputTokens, long outputTokens, long cachedInputTokens, long reasoningTokens, boolean reported) {
    /** A reported usage of zero tokens. */
    public static final Usage NONE = new Usage(0, 0, 0, 0);

    /** The provider reported no usage: the counts are 0 and unknown. */
    public static final Usage UNREPORTED = new Usage(0, 0, 0, 0, false);

    /**
     * Checks the counts.
     *
     * @param inputTokens prompt tokens, 0 or more
     * @param outputTokens completion tokens, 0 or more
     * @param cachedInputTokens cached prompt tokens, 0 or more
     * @param reasoningTokens reasoning tokens, 0 or more
     * @param reported whether the provider reported usage; when false, every count must be 0
     */
    public Usage {
        if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0 || reasoningTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        if (!reported && (inputTokens | outputTokens | cachedInputTokens | reasoningTokens) != 0) {
            throw new IllegalArgumentException("a usage that was not reported has no token counts");
        }
    }

    /**
     * A reported usage with these counts.
     *
     * @param inputTokens prompt tokens, including cached ones; 0 or more
     * @param outputTokens completion tokens, including reasoning ones; 0 or more
     * @param cachedInputTokens prompt tokens served from the provider's cache, 0 or more
     * @param reasoningTokens output tokens spent on reasoning, 0 or more
     */
    public Usage(long inputTokens, long outputTokens, long cachedInputTokens, long reasoningTokens) {
        this(inputTokens, outputTokens, cachedInputTokens, reasoningTokens, true);
    }

    /**
     * A reported usage without cached or reasoning tokens.
     *
     * @param inputTokens prompt tokens, 0 or more
     * @param outputTokens completion tokens, 0 or more
     * @return the usage
     */
    public static Usage of(long inputTokens, long outputTokens) {
        return new Usage(inputTokens, outputTokens, 0, 0);
    }

    /**
     * Input and output tokens together (cached and reasoning tokens are already part of them).
     *
     * @return the total token count; 0 when not reported
     */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }
}

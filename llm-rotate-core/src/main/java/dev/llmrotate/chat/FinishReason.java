package dev.llmrotate.chat;

/** Why the model stopped, normalised across providers. */
public enum FinishReason {
    /** A natural end or a stop sequence. */
    STOP,
    /** The output token limit was reached. */
    LENGTH,
    /** The provider's content filter cut the answer. */
    CONTENT_FILTER,
    /** The model asked for a tool call. */
    TOOL_CALLS,
    /** Anything else the provider reported. */
    OTHER,
    /**
     * The answer ended cleanly (the provider's end marker) but the provider gave no reason: complete, but why it
     * stopped is not known.
     */
    UNKNOWN
}

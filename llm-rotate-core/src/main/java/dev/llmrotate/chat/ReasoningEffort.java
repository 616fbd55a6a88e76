package dev.llmrotate.chat;

import java.util.Locale;

/**
 * How much a reasoning model thinks before it answers. OpenAI and Azure {@code reasoning_effort}; OpenRouter {@code
 * reasoning.effort}; Anthropic {@code output_config.effort} ({@code low}, {@code medium}, {@code high}, {@code max});
 * Gemini 3 {@code thinkingLevel}. A provider that has no such level fails the call with {@code invalid_request}
 * before anything is sent. For a token budget instead, see {@link ChatRequest#thinkingBudget()}.
 */
public enum ReasoningEffort {
    /** No reasoning (OpenAI, Azure, OpenRouter). */
    NONE,
    /** The least reasoning (OpenAI, Azure, OpenRouter, Gemini 3). */
    MINIMAL,
    /** Low; every provider takes it. */
    LOW,
    /** Medium; every provider takes it. */
    MEDIUM,
    /** High; every provider takes it. */
    HIGH,
    /** Above high (OpenAI, Azure, OpenRouter). */
    XHIGH,
    /** The most (Anthropic, Bedrock). */
    MAX;

    /**
     * The value on the wire: the name in lower case, e.g. {@code medium}.
     *
     * @return the lower-case name
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}

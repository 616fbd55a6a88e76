package dev.llmrotate.config;

import java.util.Locale;

/** The key selection strategies, by their configuration names. */
public enum SelectionStrategyType {
    /** Highest priority first; within a tier, fewest recent failures; ties spread by weight (the default). */
    HEALTH_AWARE,
    /** Each provider's keys in turn. */
    ROUND_ROBIN,
    /** Always the highest-priority available key; ties in configuration order. */
    PRIORITY,
    /** Random, proportional to each key's weight. */
    WEIGHTED;

    /**
     * The configuration name ({@code defaults.selection_strategy}), e.g. {@code health_aware}.
     *
     * @return the lower-case name
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code health_aware}, {@code round_robin}, {@code priority} or {@code weighted}; null if unknown.
     *
     * @param name a configuration name, exactly as {@link #wireName()} returns it
     * @return the strategy, or null
     */
    public static SelectionStrategyType fromWireName(String name) {
        for (SelectionStrategyType type : values()) {
            if (type.wireName().equals(name)) {
                return type;
            }
        }
        return null;
    }
}

package dev.llmrotate.observe;

import java.util.Map;

/**
 * Counters since start (in-memory store) or shared by every worker (Redis store): overall and per provider, model
 * and key.
 */
public record UsageSummary(
        Totals overall, Map<String, Totals> byProvider, Map<String, Totals> byModel, Map<String, Totals> byKey) {

    public UsageSummary {
        byProvider = Map.copyOf(byProvider);
        byModel = Map.copyOf(byModel);
        byKey = Map.copyOf(byKey);
    }

    /**
     * Counters of one slice.
     *
     * @param calls calls finished
     * @param successes calls that returned a result
     * @param failures calls that ended in an exception
     * @param failuresByType failures per error type wire name ({@code rate_limit}, {@code no_available_key}, ...)
     * @param inputTokens prompt tokens
     * @param outputTokens completion tokens
     * @param cachedInputTokens prompt tokens served from cache
     * @param reasoningTokens output tokens spent on reasoning
     */
    public record Totals(
            long calls,
            long successes,
            long failures,
            Map<String, Long> failuresByType,
            long inputTokens,
            long outputTokens,
            long cachedInputTokens,
            long reasoningTokens) {
        public static final Totals EMPTY = new Totals(0, 0, 0, Map.of(), 0, 0, 0, 0);

        public Totals {
            failuresByType = Map.copyOf(failuresByType);
        }

        public long totalTokens() {
            return inputTokens + outputTokens;
        }
    }
}

package dev.llmrotate.observe;

import dev.llmrotate.internal.observe.ReportJson;
import java.util.Map;

/**
 * Counters since start (in-memory store) or shared by every worker (Redis store): overall and per provider, model,
 * key and caller. A call counts once, under the provider, model and key that answered it or failed last, and under
 * the caller that made it, if it named one.
 *
 * @param overall every call
 * @param byProvider per provider
 * @param byModel per model that answered (the requested one when none did; {@code (unknown)} for every call whose
 *     requested model no key lists)
 * @param byKey per key
 * @param byCaller per caller ({@link CallRecord#caller()}: the gateway key's id for calls through the gateway), the
 *     first {@value dev.llmrotate.spi.StateStore#MAX_CALLERS} apart and any further one under {@value
 *     dev.llmrotate.spi.StateStore#OTHER_CALLER}; calls that named no caller are in {@code overall} and the other
 *     groups only
 */
public record UsageSummary(
        Totals overall,
        Map<String, Totals> byProvider,
        Map<String, Totals> byModel,
        Map<String, Totals> byKey,
        Map<String, Totals> byCaller) {

    /**
     * Copies the maps, so that a summary never changes.
     *
     * @param overall every call
     * @param byProvider per provider, not null
     * @param byModel per model, not null
     * @param byKey per key, not null
     * @param byCaller per caller, not null
     */
    public UsageSummary {
        byProvider = Map.copyOf(byProvider);
        byModel = Map.copyOf(byModel);
        byKey = Map.copyOf(byKey);
        byCaller = Map.copyOf(byCaller);
    }

    /**
     * The summary as JSON (snake_case fields).
     *
     * @return the JSON object
     */
    public String toJson() {
        return ReportJson.write(this);
    }

    /**
     * Counters of one slice.
     *
     * @param calls calls finished
     * @param successes calls that returned a result
     * @param failures calls that did not (errors, no available key, interrupted or cancelled streams)
     * @param failuresByType failures per error type wire name ({@code rate_limit}, {@code no_available_key}, ...)
     * @param inputTokens prompt tokens
     * @param outputTokens completion tokens
     * @param cachedInputTokens prompt tokens served from cache
     * @param reasoningTokens output tokens spent on reasoning
     * @param costUsd estimated cost of the priced calls
     * @param unpricedCalls successful calls whose model has no price (their cost is not in {@code costUsd})
     * @param latency call latency percentiles
     */
    public record Totals(
            long calls,
            long successes,
            long failures,
            Map<String, Long> failuresByType,
            long inputTokens,
            long outputTokens,
            long cachedInputTokens,
            long reasoningTokens,
            double costUsd,
            long unpricedCalls,
            Latency latency) {
        /** No calls: every count, the cost and the latencies 0. */
        public static final Totals EMPTY = new Totals(0, 0, 0, Map.of(), 0, 0, 0, 0, 0, 0, Latency.EMPTY);

        /**
         * Copies {@code failuresByType}, so that the totals never change.
         *
         * @param calls calls finished
         * @param successes calls that returned a result
         * @param failures calls that did not
         * @param failuresByType failures per error type wire name, not null
         * @param inputTokens prompt tokens
         * @param outputTokens completion tokens
         * @param cachedInputTokens prompt tokens served from cache
         * @param reasoningTokens output tokens spent on reasoning
         * @param costUsd estimated cost of the priced calls
         * @param unpricedCalls successful calls whose model has no price
         * @param latency call latency percentiles
         */
        public Totals {
            failuresByType = Map.copyOf(failuresByType);
        }

        /**
         * Input plus output tokens (written as {@code total_tokens} in the JSON).
         *
         * @return {@code inputTokens + outputTokens}
         */
        @com.fasterxml.jackson.annotation.JsonProperty("total_tokens")
        public long totalTokens() {
            return inputTokens + outputTokens;
        }
    }

    /**
     * Latency percentiles in milliseconds, from log-linear buckets (each at most about 9% above the true value).
     *
     * @param p50Ms median
     * @param p90Ms 90th percentile
     * @param p95Ms 95th percentile
     * @param p99Ms 99th percentile
     * @param maxMs the slowest call's bucket
     */
    public record Latency(double p50Ms, double p90Ms, double p95Ms, double p99Ms, double maxMs) {
        /** No calls: every percentile 0. */
        public static final Latency EMPTY = new Latency(0, 0, 0, 0, 0);
    }
}

package dev.llmrotate.observe;

import java.time.Instant;

/**
 * One bucket of a {@link UsageSeries}: the calls that ended in {@code [start, start + bucket)}.
 *
 * @param start the bucket's start
 * @param totals calls, outcomes, failures by type, tokens, cost and call latency percentiles of the bucket
 *     ({@link UsageSummary.Totals#EMPTY} when no call ended in it)
 * @param firstChunk time-to-first-chunk percentiles of the bucket's streamed calls ({@link UsageSummary.Latency#EMPTY}
 *     when there were none)
 */
public record UsagePoint(Instant start, UsageSummary.Totals totals, UsageSummary.Latency firstChunk) {}

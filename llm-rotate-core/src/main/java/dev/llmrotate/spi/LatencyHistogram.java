package dev.llmrotate.spi;

import dev.llmrotate.observe.UsageSummary;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Call latencies in log-linear buckets (8 per doubling, from 0.1 ms to about 14 minutes), lock-free. Percentiles
 * are read as the upper bound of their bucket, so they are at most about 9% high. Bucket counts add up across
 * processes, which is how a shared store combines them.
 */
public final class LatencyHistogram {
    /** Sub-buckets per doubling. */
    static final int PER_DOUBLING = 8;
    /** Doublings above {@link #MIN_MS}. */
    static final int DOUBLINGS = 23;

    /** The number of buckets: the length of {@link #counts()}. */
    public static final int BUCKETS = PER_DOUBLING * DOUBLINGS + 1;

    static final double MIN_MS = 0.1;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /**
     * The bucket of a latency.
     *
     * @param millis the latency in milliseconds
     * @return the bucket index, 0 to {@code BUCKETS - 1}; 0 for 0.1 ms or less (and NaN), the last one for the
     *     longest latencies
     */
    public static int bucket(double millis) {
        if (!(millis > MIN_MS)) {
            return 0;
        }
        int index = (int) Math.ceil(Math.log(millis / MIN_MS) / Math.log(2) * PER_DOUBLING);
        return Math.min(index, BUCKETS - 1);
    }

    /**
     * The upper bound of a bucket.
     *
     * @param index the bucket index
     * @return the bound in milliseconds
     */
    public static double upperBound(int index) {
        return MIN_MS * Math.pow(2, (double) index / PER_DOUBLING);
    }

    /**
     * Counts one latency; thread-safe, lock-free.
     *
     * @param millis the latency in milliseconds
     */
    public void record(double millis) {
        counts.incrementAndGet(bucket(millis));
    }

    /**
     * A copy of the bucket counts.
     *
     * @return {@link #BUCKETS} counts, by bucket index
     */
    public long[] counts() {
        long[] copy = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) {
            copy[i] = counts.get(i);
        }
        return copy;
    }

    /**
     * p50, p90, p95, p99 and max of bucket counts (zeros when empty).
     *
     * @param counts counts by bucket index, such as {@link #counts()} or the sum of several
     * @return the percentiles in milliseconds, each its bucket's upper bound
     */
    public static UsageSummary.Latency summarise(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return UsageSummary.Latency.EMPTY;
        }
        return new UsageSummary.Latency(
                percentile(counts, total, 0.50),
                percentile(counts, total, 0.90),
                percentile(counts, total, 0.95),
                percentile(counts, total, 0.99),
                percentile(counts, total, 1.0));
    }

    private static double percentile(long[] counts, long total, double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank && counts[i] > 0) {
                return Math.round(upperBound(i) * 1000) / 1000.0;
            }
        }
        return Math.round(upperBound(counts.length - 1) * 1000) / 1000.0;
    }
}

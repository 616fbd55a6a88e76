package dev.llmrotate.spi;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The usage counters of some calls, mergeable: outcomes, failures by type, tokens, cost, and call latency and
 * time-to-first-chunk in {@link LatencyHistogram} buckets (whose counts add up, so counts of many buckets, slices or
 * processes merge exactly). What a {@link StateStore} keeps per slice and time bucket ({@link UsageBucket}).
 *
 * <p>The histograms are sparse: only the buckets that hold calls take memory (a minute of one slice's calls
 * typically spans a handful of the {@value LatencyHistogram#BUCKETS} buckets), so many of these stay small. Not
 * thread-safe: a store guards each instance with its own lock, and hands out copies.
 */
public final class UsageCounts {
    /** Low bits of a histogram entry hold the count, the bits above them the bucket index. */
    private static final int COUNT_BITS = 48;

    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    private long successes;
    private long failures;
    /** Failure names and their counts in parallel, {@code failureKinds} entries used; null until a failure. */
    private String[] failureNames;

    private long[] failureCounts;
    private int failureKinds;
    private long inputTokens;
    private long outputTokens;
    private long cachedInputTokens;
    private long reasoningTokens;
    private double costUsd;
    private long unpricedCalls;
    /** Sparse histograms, see {@link #increment}; null while empty. */
    private long[] latency;

    private long[] firstChunk;

    /** Empty counters. */
    public UsageCounts() {}

    /**
     * A copy of {@code other}.
     *
     * @param other the counters to copy; not changed
     */
    public UsageCounts(UsageCounts other) {
        add(other);
    }

    /**
     * Counts one finished call: a success, or a failure under {@link CallRecord#failureName()}; its tokens; its cost
     * (a success without a price counts as unpriced); its latency and, for streams, its time to first chunk.
     *
     * @param record the finished call
     */
    public void add(CallRecord record) {
        if (record.isSuccess()) {
            successes++;
        } else {
            addFailures(record.failureName(), 1);
        }
        inputTokens += record.inputTokens();
        outputTokens += record.outputTokens();
        cachedInputTokens += record.cachedInputTokens();
        reasoningTokens += record.reasoningTokens();
        Double cost = record.estimatedCostUsd();
        if (cost != null) {
            if (Double.isFinite(cost)) {
                costUsd += cost;
            }
        } else if (record.isSuccess()) {
            unpricedCalls++;
        }
        addLatency(LatencyHistogram.bucket(record.latencyMs()), 1);
        Double ttfc = record.timeToFirstChunkMs();
        if (ttfc != null) {
            addFirstChunk(LatencyHistogram.bucket(ttfc), 1);
        }
    }

    /**
     * Adds every counter of {@code other}, histograms included.
     *
     * @param other the counters to add; not changed
     */
    public void add(UsageCounts other) {
        successes += other.successes;
        for (int i = 0; i < other.failureKinds; i++) {
            addFailures(other.failureNames[i], other.failureCounts[i]);
        }
        inputTokens += other.inputTokens;
        outputTokens += other.outputTokens;
        cachedInputTokens += other.cachedInputTokens;
        reasoningTokens += other.reasoningTokens;
        costUsd += other.costUsd;
        unpricedCalls += other.unpricedCalls;
        latency = merge(latency, other.latency);
        firstChunk = merge(firstChunk, other.firstChunk);
    }

    /**
     * Adds {@code n} successful calls (for a store reading its counters back).
     *
     * @param n the number of calls
     */
    public void addSuccesses(long n) {
        successes += n;
    }

    /**
     * Adds {@code n} failed calls of one kind ({@link CallRecord#failureName()}).
     *
     * @param name the failure's name, e.g. {@code rate_limit} or {@code no_available_key}
     * @param n the number of calls; 0 adds nothing
     */
    public void addFailures(String name, long n) {
        if (n == 0) {
            return;
        }
        failures += n;
        for (int i = 0; i < failureKinds; i++) {
            if (failureNames[i].equals(name)) {
                failureCounts[i] += n;
                return;
            }
        }
        if (failureNames == null) {
            failureNames = new String[2];
            failureCounts = new long[2];
        } else if (failureKinds == failureNames.length) {
            failureNames = Arrays.copyOf(failureNames, failureKinds * 2);
            failureCounts = Arrays.copyOf(failureCounts, failureKinds * 2);
        }
        failureNames[failureKinds] = name;
        failureCounts[failureKinds++] = n;
    }

    /**
     * Adds tokens.
     *
     * @param input prompt tokens
     * @param output completion tokens
     * @param cachedInput prompt tokens served from cache
     * @param reasoning output tokens spent on reasoning
     */
    public void addTokens(long input, long output, long cachedInput, long reasoning) {
        inputTokens += input;
        outputTokens += output;
        cachedInputTokens += cachedInput;
        reasoningTokens += reasoning;
    }

    /**
     * Adds the estimated cost of priced calls.
     *
     * @param usd the cost in USD
     */
    public void addCost(double usd) {
        costUsd += usd;
    }

    /**
     * Adds {@code n} successful calls whose model had no price.
     *
     * @param n the number of calls
     */
    public void addUnpricedCalls(long n) {
        unpricedCalls += n;
    }

    /**
     * Adds {@code n} calls to latency bucket {@code bucket} (a {@link LatencyHistogram} index).
     *
     * @param bucket the bucket index, 0 to {@code LatencyHistogram.BUCKETS - 1}
     * @param n the number of calls
     * @throws IllegalArgumentException for a bucket index out of range
     */
    public void addLatency(int bucket, long n) {
        latency = increment(latency, bucket, n);
    }

    /**
     * Adds {@code n} streamed calls to time-to-first-chunk bucket {@code bucket}.
     *
     * @param bucket the bucket index, 0 to {@code LatencyHistogram.BUCKETS - 1}
     * @param n the number of calls
     * @throws IllegalArgumentException for a bucket index out of range
     */
    public void addFirstChunk(int bucket, long n) {
        firstChunk = increment(firstChunk, bucket, n);
    }

    /**
     * Adds {@code n} to entry {@code bucket} of a sparse histogram, inserting the entry when absent; returns the
     * histogram, a larger copy when it was full. A histogram is null when empty, else {@code h[0]} is its number of
     * entries and {@code h[1..h[0]]} are the entries, sorted by bucket index.
     */
    private static long[] increment(long[] h, int bucket, long n) {
        if (n == 0) {
            return h;
        }
        if (bucket < 0 || bucket >= LatencyHistogram.BUCKETS) {
            throw new IllegalArgumentException(
                    "latency bucket must be 0 to " + (LatencyHistogram.BUCKETS - 1) + ", got " + bucket);
        }
        int size = h == null ? 0 : (int) h[0];
        int low = 1;
        int high = size;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int at = index(h[mid]);
            if (at < bucket) {
                low = mid + 1;
            } else if (at > bucket) {
                high = mid - 1;
            } else {
                h[mid] += n;
                return h;
            }
        }
        long[] out = h;
        if (h == null || size + 1 == h.length) {
            // Room for a few more: one slice's latencies spread over neighbouring buckets one at a time.
            out = new long[Math.min(LatencyHistogram.BUCKETS + 1, size + 5)];
            if (h != null) {
                System.arraycopy(h, 1, out, 1, low - 1);
            }
        }
        if (h != null) {
            System.arraycopy(h, low, out, low + 1, size + 1 - low);
        }
        out[low] = ((long) bucket << COUNT_BITS) | n;
        out[0] = size + 1;
        return out;
    }

    private static int index(long entry) {
        return (int) (entry >>> COUNT_BITS);
    }

    /**
     * Calls counted.
     *
     * @return successes plus failures
     */
    public long calls() {
        return successes + failures;
    }

    /**
     * Whether no call is counted.
     *
     * @return true when there are neither successes nor failures
     */
    public boolean isEmpty() {
        return successes == 0 && failures == 0;
    }

    private static long[] merge(long[] into, long[] from) {
        if (from == null) {
            return into;
        }
        long[] out = into;
        for (int i = 1; i <= from[0]; i++) {
            out = increment(out, index(from[i]), from[i] & COUNT_MASK);
        }
        return out;
    }

    /**
     * The dense {@link LatencyHistogram} counts of call latency.
     *
     * @return a new array of {@link LatencyHistogram#BUCKETS} counts, by bucket index
     */
    public long[] latencyCounts() {
        return dense(latency);
    }

    /**
     * The dense {@link LatencyHistogram} counts of time to first chunk (streamed calls).
     *
     * @return a new array of {@link LatencyHistogram#BUCKETS} counts, by bucket index
     */
    public long[] firstChunkCounts() {
        return dense(firstChunk);
    }

    private static long[] dense(long[] h) {
        long[] out = new long[LatencyHistogram.BUCKETS];
        for (int i = 1; h != null && i <= h[0]; i++) {
            out[index(h[i])] = h[i] & COUNT_MASK;
        }
        return out;
    }

    /**
     * The counters as a summary's totals, with call latency percentiles.
     *
     * @return the totals; {@link UsageSummary.Totals#EMPTY} when no call is counted
     */
    public UsageSummary.Totals totals() {
        if (isEmpty()) {
            return UsageSummary.Totals.EMPTY;
        }
        Map<String, Long> byType = new HashMap<>();
        for (int i = 0; i < failureKinds; i++) {
            byType.put(failureNames[i], failureCounts[i]);
        }
        return new UsageSummary.Totals(
                successes + failures,
                successes,
                failures,
                byType,
                inputTokens,
                outputTokens,
                cachedInputTokens,
                reasoningTokens,
                costUsd,
                unpricedCalls,
                LatencyHistogram.summarise(latencyCounts()));
    }

    /**
     * Time-to-first-chunk percentiles of the streamed calls.
     *
     * @return the percentiles in milliseconds; {@link UsageSummary.Latency#EMPTY} when no stream is counted
     */
    public UsageSummary.Latency firstChunkLatency() {
        return firstChunk == null ? UsageSummary.Latency.EMPTY : LatencyHistogram.summarise(firstChunkCounts());
    }

    // ---- the packed form --------------------------------------------------------------------------------------

    /**
     * The counters in a few dozen bytes, for a store's buckets that are no longer written (a finished minute): every
     * count as an unsigned LEB128 varint, failure names inline, the cost as its 8 bytes (or none when 0), each
     * histogram as its entry count and (bucket index, count) pairs. {@link #unpack} reads it back exactly.
     */
    byte[] pack() {
        Packer out = new Packer(48 + 12 * failureKinds + 2 * histogramSize(latency) + 2 * histogramSize(firstChunk));
        out.varint(successes);
        out.varint(failureKinds);
        for (int i = 0; i < failureKinds; i++) {
            byte[] name = failureNames[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.varint(name.length);
            out.bytes(name);
            out.varint(failureCounts[i]);
        }
        out.varint(inputTokens);
        out.varint(outputTokens);
        out.varint(cachedInputTokens);
        out.varint(reasoningTokens);
        out.varint(unpricedCalls);
        long cost = Double.doubleToRawLongBits(costUsd);
        out.varint(cost == 0 ? 0 : 1);
        if (cost != 0) {
            out.fixed64(cost);
        }
        out.histogram(latency);
        out.histogram(firstChunk);
        return out.done();
    }

    /** The counters {@link #pack} wrote. */
    static UsageCounts unpack(byte[] packed) {
        Unpacker in = new Unpacker(packed);
        UsageCounts c = new UsageCounts();
        c.successes = in.varint();
        int kinds = (int) in.varint();
        for (int i = 0; i < kinds; i++) {
            int length = (int) in.varint();
            String name = in.text(length);
            c.addFailures(name, in.varint());
        }
        c.inputTokens = in.varint();
        c.outputTokens = in.varint();
        c.cachedInputTokens = in.varint();
        c.reasoningTokens = in.varint();
        c.unpricedCalls = in.varint();
        if (in.varint() != 0) {
            c.costUsd = Double.longBitsToDouble(in.fixed64());
        }
        c.latency = in.histogram();
        c.firstChunk = in.histogram();
        return c;
    }

    private static int histogramSize(long[] h) {
        return h == null ? 0 : (int) h[0];
    }

    /** Writes varints into a byte array that grows as needed. */
    private static final class Packer {
        private byte[] buffer;
        private int size;

        Packer(int expected) {
            buffer = new byte[expected];
        }

        void varint(long value) {
            ensure(10);
            long v = value;
            while ((v & ~0x7FL) != 0) {
                buffer[size++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buffer[size++] = (byte) v;
        }

        void fixed64(long value) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                buffer[size++] = (byte) (value >>> (8 * i));
            }
        }

        void bytes(byte[] value) {
            ensure(value.length);
            System.arraycopy(value, 0, buffer, size, value.length);
            size += value.length;
        }

        void histogram(long[] h) {
            int n = histogramSize(h);
            varint(n);
            for (int i = 1; i <= n; i++) {
                varint(index(h[i]));
                varint(h[i] & COUNT_MASK);
            }
        }

        private void ensure(int more) {
            if (size + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + more));
            }
        }

        byte[] done() {
            return Arrays.copyOf(buffer, size);
        }
    }

    /** Reads what a {@link Packer} wrote. */
    private static final class Unpacker {
        private final byte[] buffer;
        private int at;

        Unpacker(byte[] buffer) {
            this.buffer = buffer;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = buffer[at++];
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
        }

        long fixed64() {
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value |= (buffer[at++] & 0xFFL) << (8 * i);
            }
            return value;
        }

        String text(int length) {
            String value = new String(buffer, at, length, java.nio.charset.StandardCharsets.UTF_8);
            at += length;
            return value;
        }

        long[] histogram() {
            int n = (int) varint();
            if (n == 0) {
                return null;
            }
            long[] h = new long[n + 1];
            h[0] = n;
            for (int i = 1; i <= n; i++) {
                long index = varint();
                h[i] = (index << COUNT_BITS) | varint();
            }
            return h;
        }
    }

    @Override
    public String toString() {
        return "UsageCounts[calls=" + calls() + ", failures=" + failures + "]";
    }
}

package dev.llmrotate.internal.observe;

import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsagePoint;
import dev.llmrotate.observe.UsageSeries;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.UsageBucket;
import dev.llmrotate.spi.UsageCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage over a time frame, from a store's buckets: checks the frame against what is kept, reads minute buckets where
 * the frame needs them and hour buckets elsewhere, and adds them up into a series or a summary.
 *
 * <p>What is kept at {@code now}: minute buckets from {@code now} rounded down to the minute minus
 * {@link UsageBucket#MINUTES_KEPT}, hour buckets from {@code now} rounded down to the hour minus
 * {@link UsageBucket#HOURS_KEPT}; a frame's first bucket (its start rounded down to the bucket) must lie within them.
 */
public final class UsageFrames {
    private static final long MINUTE = UsageBucket.MINUTE.getSeconds();
    private static final long HOUR = UsageBucket.HOUR.getSeconds();
    /** The most points a series may have (a day of minutes is 1440). */
    public static final int MAX_POINTS = 10_000;

    private UsageFrames() {}

    /**
     * One point per bucket of {@code [from, until)} (widened to whole buckets), empty buckets included.
     *
     * @throws IllegalArgumentException for a null or empty frame, a frame older than what is kept, or a bucket that
     *     is not a whole number of minutes (of hours, for a frame reaching back more than a day)
     */
    public static UsageSeries series(
            StateStore store, Instant now, Instant from, Instant until, Duration bucket, UsageFilter filter) {
        checkFrame(now, from, until);
        if (filter == null) {
            throw new IllegalArgumentException("filter must not be null (UsageFilter.ALL for every call)");
        }
        if (bucket == null
                || bucket.isNegative()
                || bucket.isZero()
                || bucket.getNano() != 0
                || bucket.getSeconds() % MINUTE != 0) {
            throw new IllegalArgumentException(
                    "bucket must be a positive whole number of minutes (1m, 5m, 1h, ...), got " + bucket);
        }
        long size = bucket.getSeconds();
        long start = Math.floorDiv(from.getEpochSecond(), size) * size;
        long end = ceil(until, size);
        if (start < minutesKeptFrom(now) && size % HOUR != 0) {
            throw new IllegalArgumentException("bucket " + text(bucket) + " needs minute buckets, kept for "
                    + text(UsageBucket.MINUTES_KEPT) + "; a frame from " + Instant.ofEpochSecond(start)
                    + " reaches further back: use a bucket of whole hours (1h), or start at or after "
                    + Instant.ofEpochSecond(minutesKeptFrom(now)));
        }
        if ((end - start) / size > MAX_POINTS) {
            throw new IllegalArgumentException("the frame holds " + (end - start) / size + " buckets of " + text(bucket)
                    + ", at most " + MAX_POINTS + " are allowed: use a shorter frame or a larger bucket");
        }
        if (start < hoursKeptFrom(now)) {
            throw tooOld("from", Instant.ofEpochSecond(start), now);
        }
        Duration resolution = size % HOUR == 0 ? UsageBucket.HOUR : UsageBucket.MINUTE;
        List<UsageBucket> found = filter.caller() != null
                ? store.callerBuckets(
                        Instant.ofEpochSecond(start), Instant.ofEpochSecond(end), resolution, filter.caller())
                : store.usageBuckets(
                        Instant.ofEpochSecond(start), Instant.ofEpochSecond(end), resolution, filter, false);
        int count = (int) ((end - start) / size);
        UsageCounts[] sums = new UsageCounts[count];
        for (UsageBucket b : found) {
            long at = b.start().getEpochSecond();
            if (at >= start && at < end) {
                int index = (int) ((at - start) / size);
                if (sums[index] == null) {
                    sums[index] = new UsageCounts();
                }
                sums[index].add(b.counts());
            }
        }
        List<UsagePoint> points = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant at = Instant.ofEpochSecond(start + i * size);
            points.add(
                    sums[i] == null
                            ? new UsagePoint(at, UsageSummary.Totals.EMPTY, UsageSummary.Latency.EMPTY)
                            : new UsagePoint(at, sums[i].totals(), sums[i].firstChunkLatency()));
        }
        return new UsageSeries(Instant.ofEpochSecond(start), Instant.ofEpochSecond(end), bucket, points);
    }

    /**
     * The calls that ended in {@code [from, until)}, overall and per provider, model, key and caller: to the minute
     * where minute buckets are kept, to the hour before that ({@code from} rounded down, {@code until} up).
     *
     * @throws IllegalArgumentException for a null or empty frame, or one older than what is kept
     */
    public static UsageSummary summary(StateStore store, Instant now, Instant from, Instant until) {
        checkFrame(now, from, until);
        long minutesFrom = minutesKeptFrom(now);
        long start = from.getEpochSecond() < minutesFrom
                ? Math.floorDiv(from.getEpochSecond(), HOUR) * HOUR
                : Math.floorDiv(from.getEpochSecond(), MINUTE) * MINUTE;
        if (start < hoursKeptFrom(now)) {
            throw tooOld("from", Instant.ofEpochSecond(start), now);
        }
        long end = ceil(until, MINUTE);
        if (Math.floorDiv(end, HOUR) * HOUR < minutesFrom) {
            end = ceil(until, HOUR); // the end's minutes may be folded into their hour already
        }
        // Whole hours in the middle, minutes at the ends.
        long hoursFrom = Math.min(ceilSeconds(start, HOUR), end);
        long hoursUntil = Math.max(Math.floorDiv(end, HOUR) * HOUR, hoursFrom);
        Summer sum = new Summer();
        sum.read(store, start, hoursFrom, UsageBucket.MINUTE);
        sum.read(store, hoursFrom, hoursUntil, UsageBucket.HOUR);
        sum.read(store, hoursUntil, end, UsageBucket.MINUTE);
        return sum.summary();
    }

    /** Adds a store's per-slice and per-caller buckets up, overall and per provider, model, key and caller. */
    private static final class Summer {
        final UsageCounts overall = new UsageCounts();
        final Map<String, UsageCounts> byProvider = new HashMap<>();
        final Map<String, UsageCounts> byModel = new HashMap<>();
        final Map<String, UsageCounts> byKey = new HashMap<>();
        final Map<String, UsageCounts> byCaller = new HashMap<>();

        void read(StateStore store, long from, long until, Duration resolution) {
            if (from >= until) {
                return;
            }
            Instant start = Instant.ofEpochSecond(from);
            Instant end = Instant.ofEpochSecond(until);
            for (UsageBucket b : store.usageBuckets(start, end, resolution, UsageFilter.ALL, true)) {
                if (within(b, from, until)) {
                    overall.add(b.counts());
                    add(byProvider, b.provider(), b.counts());
                    add(byModel, b.model(), b.counts());
                    add(byKey, b.keyId(), b.counts());
                }
            }
            // The callers' slices count the same calls again (those that named a caller): not in overall.
            for (UsageBucket b : store.callerBuckets(start, end, resolution, null)) {
                if (within(b, from, until)) {
                    add(byCaller, b.caller(), b.counts());
                }
            }
        }

        private static boolean within(UsageBucket b, long from, long until) {
            long at = b.start().getEpochSecond();
            return at >= from && at < until;
        }

        private static void add(Map<String, UsageCounts> group, String name, UsageCounts counts) {
            if (name != null) {
                group.computeIfAbsent(name, n -> new UsageCounts()).add(counts);
            }
        }

        UsageSummary summary() {
            return new UsageSummary(
                    overall.totals(), totals(byProvider), totals(byModel), totals(byKey), totals(byCaller));
        }

        private static Map<String, UsageSummary.Totals> totals(Map<String, UsageCounts> group) {
            Map<String, UsageSummary.Totals> out = new HashMap<>();
            group.forEach((name, counts) -> out.put(name, counts.totals()));
            return out;
        }
    }

    /**
     * Checks a time frame.
     *
     * @throws IllegalArgumentException when {@code from} or {@code until} is null, or {@code from} is not before
     *     {@code until}
     */
    public static void checkFrame(Instant now, Instant from, Instant until) {
        if (from == null) {
            throw new IllegalArgumentException("from must not be null");
        }
        if (until == null) {
            throw new IllegalArgumentException("until must not be null");
        }
        if (!from.isBefore(until)) {
            throw new IllegalArgumentException("from (" + from + ") must be before until (" + until + ")");
        }
    }

    private static IllegalArgumentException tooOld(String name, Instant at, Instant now) {
        return new IllegalArgumentException(name + " (" + at + ") is before the usage kept: "
                + text(UsageBucket.HOURS_KEPT) + " (hour buckets from " + Instant.ofEpochSecond(hoursKeptFrom(now))
                + ")");
    }

    /** The first second of the minute buckets kept at {@code now}. */
    private static long minutesKeptFrom(Instant now) {
        return Math.floorDiv(now.getEpochSecond(), MINUTE) * MINUTE - UsageBucket.MINUTES_KEPT.getSeconds();
    }

    /** The first second of the hour buckets kept at {@code now}. */
    private static long hoursKeptFrom(Instant now) {
        return Math.floorDiv(now.getEpochSecond(), HOUR) * HOUR - UsageBucket.HOURS_KEPT.getSeconds();
    }

    /** {@code at} rounded up to a whole multiple of {@code size} seconds (an instant within a second counts). */
    private static long ceil(Instant at, long size) {
        long seconds = at.getEpochSecond() + (at.getNano() > 0 ? 1 : 0);
        return ceilSeconds(seconds, size);
    }

    private static long ceilSeconds(long seconds, long size) {
        return Math.floorDiv(seconds + size - 1, size) * size;
    }

    /** {@code 5m}, {@code 1h}, {@code 30d}: a duration as the server's parameters write it. */
    static String text(Duration d) {
        long s = d.getSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0 && d.getNano() == 0) {
            return s / 60 + "m";
        }
        return d.toString();
    }
}

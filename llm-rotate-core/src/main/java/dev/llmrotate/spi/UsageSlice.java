package dev.llmrotate.spi;

import dev.llmrotate.observe.CallRecord;
import java.util.List;

/**
 * The usage of one slice (provider, model, key) in the in-memory store: counters since start, minute buckets for the
 * last day and hour buckets for the last 30 days (see {@link UsageBucket} for the exact spans). Each call counts in
 * exactly one of the two bucket rings: in its minute, until that minute is older than the minutes kept, when it is
 * folded into its hour. So an hour's usage is its hour bucket plus its minutes still kept, and the hour ring holds only older
 * hours. Guarded by its own monitor, which only calls on the same slice contend for.
 */
final class UsageSlice {
    /** Minutes kept before the latest one. */
    static final int MINUTES_KEPT = (int) UsageBucket.MINUTES_KEPT.toMinutes();
    /** Hours kept before the latest one. */
    static final int HOURS_KEPT = (int) UsageBucket.HOURS_KEPT.toHours();

    final String provider;
    final String model;
    final String keyId;
    private final UsageCounts total = new UsageCounts();
    private final BucketRing minutes = new BucketRing(MINUTES_KEPT + 2);
    private final BucketRing hours = new BucketRing(HOURS_KEPT + 2);
    /** The latest epoch minute this slice has seen (a call's, or the store's last sweep). */
    private int latestMinute = Integer.MIN_VALUE;

    UsageSlice(String provider, String model, String keyId) {
        this.provider = provider;
        this.model = model;
        this.keyId = keyId;
    }

    synchronized void add(CallRecord record, int minute) {
        total.add(record);
        if (minute > latestMinute) {
            expire(minute);
        }
        if (minute < latestMinute - MINUTES_KEPT) {
            // Older than the minutes kept (a late record): straight into its hour, if that is still kept.
            int hour = Math.floorDiv(minute, 60);
            if (hour >= Math.floorDiv(latestMinute, 60) - HOURS_KEPT) {
                hours.add(hour, record);
            }
            return;
        }
        minutes.add(minute, record);
    }

    /** Moves time on to {@code minute}: minutes no longer kept fold into their hours, hours no longer kept go. */
    synchronized void expire(int minute) {
        if (minute <= latestMinute) {
            return;
        }
        latestMinute = minute;
        int oldestHour = Math.floorDiv(minute, 60) - HOURS_KEPT;
        hours.evictBefore(oldestHour, null);
        minutes.evictBefore(minute - MINUTES_KEPT, (counts, start) -> {
            int hour = Math.floorDiv(start, 60);
            if (hour >= oldestHour) {
                hours.add(hour, counts);
            }
        });
    }

    synchronized UsageCounts total() {
        return new UsageCounts(total);
    }

    /** Copies of the minute buckets in {@code [from, until)} (epoch minutes) into {@code out}. */
    synchronized void minutes(int from, int until, List<UsageBucketAt> out) {
        minutes.forEach(from, until, (counts, start) -> out.add(new UsageBucketAt(start, counts)));
    }

    /**
     * The usage of every hour in {@code [from, until)} (epoch hours) that has any, into {@code out}: the hour bucket
     * plus the hour's minutes not folded yet.
     */
    synchronized void hours(int from, int until, List<UsageBucketAt> out) {
        int first = out.size();
        hours.forEach(from, until, (counts, start) -> out.add(new UsageBucketAt(start, counts)));
        minutes.forEach(from * 60, until * 60, (counts, start) -> {
            int hour = Math.floorDiv(start, 60);
            for (int i = out.size() - 1; i >= first; i--) {
                if (out.get(i).start() == hour) {
                    out.get(i).counts().add(counts);
                    return;
                }
            }
            out.add(new UsageBucketAt(hour, counts));
        });
    }

    /** Buckets held, minute and hour (for tests and the memory benchmark). */
    synchronized int bucketCount() {
        return minutes.size() + hours.size();
    }

    /** A bucket's counts and its start in epoch minutes or hours. */
    record UsageBucketAt(int start, UsageCounts counts) {}
}

package dev.llmrotate.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * The usage counters of one slice (provider, model, key) or of one caller in one time bucket, as a {@link StateStore}
 * reads them back ({@link StateStore#usageBuckets}, {@link StateStore#callerBuckets}). A store keeps buckets at two
 * resolutions: {@link #MINUTE} for {@link #MINUTES_KEPT}, {@link #HOUR} for {@link #HOURS_KEPT}. A merged bucket
 * (several slices summed) has null provider, model and key; a caller's bucket has them null and its caller set.
 *
 * @param start the bucket's start, a whole multiple of its resolution since the epoch
 * @param provider the provider, or null (no attempt was made, a merged bucket, or a caller's)
 * @param model the configured model id the calls used ({@code (unknown)} for models no key lists), or null
 * @param keyId the key, or null (no key was used, a merged bucket, or a caller's)
 * @param caller the caller of a caller's bucket ({@link StateStore#OTHER_CALLER} for those beyond the bound), else
 *     null
 * @param counts the counters; the caller owns them
 */
public record UsageBucket(
        Instant start, String provider, String model, String keyId, String caller, UsageCounts counts) {
    /** The finer resolution. */
    public static final Duration MINUTE = Duration.ofMinutes(1);

    /** The coarser resolution. */
    public static final Duration HOUR = Duration.ofHours(1);

    /** A frame starting within this of now can be read in minute buckets (a 24-hour window at 1m or 5m). */
    public static final Duration MINUTE_RETENTION = Duration.ofHours(24);

    /** A frame starting within this of now can be read in hour buckets (a 30-day window at 1h). */
    public static final Duration HOUR_RETENTION = Duration.ofDays(30);

    /**
     * How long a store keeps minute buckets, counted back from the minute of the latest call: {@link
     * #MINUTE_RETENTION} and an hour more, so that a frame starting a day ago can begin at its first whole bucket.
     */
    public static final Duration MINUTES_KEPT = MINUTE_RETENTION.plus(HOUR);

    /**
     * How long a store keeps hour buckets, counted back from the hour of the latest call: {@link #HOUR_RETENTION} and
     * a day more, so that a 30-day frame can begin at its first whole day.
     */
    public static final Duration HOURS_KEPT = HOUR_RETENTION.plusDays(1);
}

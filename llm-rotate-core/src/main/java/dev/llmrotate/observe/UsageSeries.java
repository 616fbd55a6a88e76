package dev.llmrotate.observe;

import dev.llmrotate.internal.observe.ReportJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Usage over time: one {@link UsagePoint} per bucket of the frame, oldest first, empty buckets included (with zero
 * totals), so that {@code points.size()} is {@code (until - from) / bucket}. Buckets start at whole multiples of the
 * bucket length since the epoch (a 5-minute series has points at :00, :05, ...; a 1-day series at midnight UTC).
 *
 * @param from the first bucket's start (the requested start, rounded down to the bucket)
 * @param until the end of the last bucket (the requested end, rounded up to the bucket)
 * @param bucket the length of each bucket
 * @param points one per bucket, oldest first
 */
public record UsageSeries(Instant from, Instant until, Duration bucket, List<UsagePoint> points) {

    /**
     * Copies the points, so that a series never changes.
     *
     * @param from the first bucket's start
     * @param until the end of the last bucket
     * @param bucket the length of each bucket
     * @param points one per bucket, oldest first, not null
     */
    public UsageSeries {
        points = List.copyOf(points);
    }

    /**
     * The series as JSON (snake_case fields, ISO-8601 instants, the bucket as an ISO-8601 duration).
     *
     * @return the JSON object
     */
    public String toJson() {
        return ReportJson.write(this);
    }
}

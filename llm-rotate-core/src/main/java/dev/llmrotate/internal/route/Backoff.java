package dev.llmrotate.internal.route;

import java.time.Duration;
import java.util.random.RandomGenerator;

/** Exponential backoff with full jitter: retry n waits a random time in [0, min(max, base * 2^(n-1))). */
public final class Backoff {
    private final Duration base;
    private final Duration max;
    private final RandomGenerator random;

    public Backoff(Duration base, Duration max, RandomGenerator random) {
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** The wait before retry number {@code retry} (1-based). */
    public Duration delay(int retry) {
        long maxNanos = max.toNanos();
        int doublings = Math.max(0, retry - 1);
        long ceiling =
                doublings < 62 && base.toNanos() <= (maxNanos >> doublings) ? base.toNanos() << doublings : maxNanos;
        return Duration.ofNanos((long) (random.nextDouble() * ceiling));
    }
}

package dev.llmrotate.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code defaults} block: how calls are retried and bounded.
 *
 * @param selectionStrategy how a key is chosen ({@code selection_strategy}, default {@code health_aware})
 * @param maxRetries backoff retries per route of a call for timeouts, 5xx and connection errors ({@code
 *     max_retries}, 2); rotating to another key does not use one up
 * @param backoffBase first backoff ceiling ({@code backoff_base_seconds}, 0.5 s); doubled per retry, full jitter
 * @param backoffMax largest backoff ceiling ({@code backoff_max_seconds}, 8 s)
 * @param callDeadline the longest one call may take, all attempts and waits included ({@code call_deadline_seconds},
 *     120 s)
 * @param maxWaitForKey when every key is cooling down, the longest the call waits for the earliest one to come back
 *     ({@code max_wait_for_key_seconds}, 30 s; 0 never waits); always within the call deadline
 * @param waitBeforeFallback the longest a call waits for a resting key of its current route (a short
 *     {@code Retry-After}, a cooldown about to end) before it moves on to the next route of its fallback chain
 *     ({@code wait_before_fallback_seconds}, 3 s; 0 falls back at once); within the call deadline
 */
public record Defaults(
        SelectionStrategyType selectionStrategy,
        int maxRetries,
        Duration backoffBase,
        Duration backoffMax,
        Duration callDeadline,
        Duration maxWaitForKey,
        Duration waitBeforeFallback) {

    /** The values a configuration without a {@code defaults} block gets (those listed above). */
    public static final Defaults BUILT_IN = new Defaults(
            SelectionStrategyType.HEALTH_AWARE,
            2,
            Duration.ofMillis(500),
            Duration.ofSeconds(8),
            Duration.ofSeconds(120),
            Duration.ofSeconds(30),
            Duration.ofSeconds(3));

    /**
     * Checks that every field is set; ranges are checked when the configuration is built.
     *
     * @param selectionStrategy how a key is chosen, not null
     * @param maxRetries backoff retries per route, 0 or more
     * @param backoffBase first backoff ceiling, positive
     * @param backoffMax largest backoff ceiling, positive, not below {@code backoffBase}
     * @param callDeadline the longest one call may take, positive
     * @param maxWaitForKey the longest wait for a key once every route is exhausted, 0 or more
     * @param waitBeforeFallback the longest wait for a key of the current route, 0 or more
     */
    public Defaults {
        Objects.requireNonNull(selectionStrategy, "selection_strategy");
        Objects.requireNonNull(backoffBase, "backoff_base_seconds");
        Objects.requireNonNull(backoffMax, "backoff_max_seconds");
        Objects.requireNonNull(callDeadline, "call_deadline_seconds");
        Objects.requireNonNull(maxWaitForKey, "max_wait_for_key_seconds");
        Objects.requireNonNull(waitBeforeFallback, "wait_before_fallback_seconds");
    }

    /**
     * A copy with another {@code selection_strategy}.
     *
     * @param value the strategy, not null
     * @return the copy
     */
    public Defaults withSelectionStrategy(SelectionStrategyType value) {
        return new Defaults(
                value, maxRetries, backoffBase, backoffMax, callDeadline, maxWaitForKey, waitBeforeFallback);
    }

    /**
     * A copy with another {@code max_retries}.
     *
     * @param value backoff retries per route, 0 or more
     * @return the copy
     */
    public Defaults withMaxRetries(int value) {
        return new Defaults(
                selectionStrategy, value, backoffBase, backoffMax, callDeadline, maxWaitForKey, waitBeforeFallback);
    }

    /**
     * A copy with another {@code backoff_base_seconds} and {@code backoff_max_seconds}.
     *
     * @param base the first backoff ceiling, positive
     * @param max the largest backoff ceiling, not below {@code base}
     * @return the copy
     */
    public Defaults withBackoff(Duration base, Duration max) {
        return new Defaults(selectionStrategy, maxRetries, base, max, callDeadline, maxWaitForKey, waitBeforeFallback);
    }

    /**
     * A copy with another {@code call_deadline_seconds}.
     *
     * @param value the longest one call may take, positive
     * @return the copy
     */
    public Defaults withCallDeadline(Duration value) {
        return new Defaults(
                selectionStrategy, maxRetries, backoffBase, backoffMax, value, maxWaitForKey, waitBeforeFallback);
    }

    /**
     * A copy with another {@code max_wait_for_key_seconds}.
     *
     * @param value the longest wait for a key once every route is exhausted, 0 or more
     * @return the copy
     */
    public Defaults withMaxWaitForKey(Duration value) {
        return new Defaults(
                selectionStrategy, maxRetries, backoffBase, backoffMax, callDeadline, value, waitBeforeFallback);
    }

    /**
     * A copy with another {@code wait_before_fallback_seconds}.
     *
     * @param value the longest wait for a key of the current route before the fallback, 0 or more
     * @return the copy
     */
    public Defaults withWaitBeforeFallback(Duration value) {
        return new Defaults(selectionStrategy, maxRetries, backoffBase, backoffMax, callDeadline, maxWaitForKey, value);
    }
}

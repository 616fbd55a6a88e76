package dev.llmrotate.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code defaults} block: how calls are retried and bounded.
 *
 * @param selectionStrategy how a key is chosen ({@code selection_strategy}, default {@code health_aware})
 * @param maxRetries backoff retries per call for timeouts, 5xx and connection errors ({@code max_retries}, 2);
 *     rotating to another key does not use one up
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

    public static final Defaults BUILT_IN = new Defaults(
            SelectionStrategyType.HEALTH_AWARE,
            2,
            Duration.ofMillis(500),
            Duration.ofSeconds(8),
            Duration.ofSeconds(120),
            Duration.ofSeconds(30),
            Duration.ofSeconds(3));

    public Defaults {
        Objects.requireNonNull(selectionStrategy, "selection_strategy");
        Objects.requireNonNull(backoffBase, "backoff_base_seconds");
        Objects.requireNonNull(backoffMax, "backoff_max_seconds");
        Objects.requireNonNull(callDeadline, "call_deadline_seconds");
        Objects.requireNonNull(maxWaitForKey, "max_wait_for_key_seconds");
        Objects.requireNonNull(waitBeforeFallback, "wait_before_fallback_seconds");
    }

    public Defaults withSelectionStrategy(SelectionStrategyType value) {
        return new Defaults(
                value, maxRetries, backoffBase, backoffMax, callDeadline, maxWaitForKey, waitBeforeFallback);
    }

    public Defaults withMaxRetries(int value) {
        return new Defaults(
                selectionStrategy, value, backoffBase, backoffMax, callDeadline, maxWaitForKey, waitBeforeFallback);
    }

    public Defaults withBackoff(Duration base, Duration max) {
        return new Defaults(selectionStrategy, maxRetries, base, max, callDeadline, maxWaitForKey, waitBeforeFallback);
    }

    public Defaults withCallDeadline(Duration value) {
        return new Defaults(
                selectionStrategy, maxRetries, backoffBase, backoffMax, value, maxWaitForKey, waitBeforeFallback);
    }

    public Defaults withMaxWaitForKey(Duration value) {
        return new Defaults(
                selectionStrategy, maxRetries, backoffBase, backoffMax, callDeadline, value, waitBeforeFallback);
    }

    public Defaults withWaitBeforeFallback(Duration value) {
        return new Defaults(selectionStrategy, maxRetries, backoffBase, backoffMax, callDeadline, maxWaitForKey, value);
    }
}

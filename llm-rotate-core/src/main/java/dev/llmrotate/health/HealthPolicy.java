package dev.llmrotate.health;

import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import java.time.Duration;
import java.time.Instant;

/**
 * The key health state machine as pure functions from (stored health, event, time) to stored health, so that any
 * {@code StateStore} can apply them atomically.
 *
 * <pre>
 * ACTIVE     --rate_limit-->                 COOLDOWN   (cooldown, lengthened by Retry-After up to its cap)
 * ACTIVE     --quota_exhausted-->            QUARANTINE (quota_quarantine)
 * ACTIVE     --invalid_auth/permission-->    QUARANTINE (quarantine), one auth strike
 * ACTIVE     --max_consecutive_failures-->   QUARANTINE (quarantine)
 * COOLDOWN/QUARANTINE --deadline passes-->   PROBATION  (evaluated lazily)
 * PROBATION  --success-->                    ACTIVE     (counters and strikes cleared)
 * PROBATION  --key-level failure-->          QUARANTINE
 * PROBATION  --auth failure with a strike--> DISABLED   (failed auth again after its quarantine)
 * </pre>
 *
 * Transient failures (timeouts, 5xx, connection errors) only count towards {@code max_consecutive_failures}: a
 * provider-wide outage quarantines keys for a while but never disables them. The later deadline always wins.
 */
public final class HealthPolicy {
    /** Failures are counted in tumbling windows of this length for {@link KeyHealth#recentFailures()}. */
    public static final Duration RECENT_WINDOW = Duration.ofMinutes(5);

    private HealthPolicy() {}

    /** The state at {@code now}: a COOLDOWN or QUARANTINE whose deadline has passed is PROBATION. */
    public static KeyState effectiveState(KeyHealth h, Instant now) {
        if ((h.state() == KeyState.COOLDOWN || h.state() == KeyState.QUARANTINE) && !now.isBefore(h.until())) {
            return KeyState.PROBATION;
        }
        return h.state();
    }

    /** Failures within the current window at {@code now}. */
    public static int recentFailures(KeyHealth h, Instant now) {
        if (h.recentWindowStart() == null || !now.isBefore(h.recentWindowStart().plus(RECENT_WINDOW))) {
            return 0;
        }
        return h.recentFailures();
    }

    /** True when a call may use the key now: ACTIVE, or PROBATION with the trial slot free. */
    public static boolean selectable(KeyHealth h, Instant now) {
        KeyState state = effectiveState(h, now);
        return state == KeyState.ACTIVE || (state == KeyState.PROBATION && trialFree(h, now));
    }

    private static boolean trialFree(KeyHealth h, Instant now) {
        return h.trialHolder() == 0 || h.trialExpiresAt() == null || !now.isBefore(h.trialExpiresAt());
    }

    /**
     * Claims the PROBATION trial slot for {@code callToken} until {@code expiresAt}; returns the health unchanged when
     * the key is not in PROBATION or the slot is taken. The caller owns the slot when the result's
     * {@code trialHolder} is its token.
     */
    public static KeyHealth claimTrial(KeyHealth h, long callToken, Instant now, Instant expiresAt) {
        if (effectiveState(h, now) != KeyState.PROBATION || !trialFree(h, now)) {
            return h;
        }
        return h.withState(KeyState.PROBATION, null).withTrial(callToken, expiresAt);
    }

    /** Gives the trial slot back without a verdict (a lease closed without a report, a request-level error). */
    public static KeyHealth releaseTrial(KeyHealth h, long callToken) {
        return h.trialHolder() == callToken ? h.withTrial(0, null) : h;
    }

    /**
     * A successful call: the key is ACTIVE with a clean record. A DISABLED key stays DISABLED, and a key resting
     * since the call was sent keeps its rest (the failure that started it is the newer news).
     */
    public static KeyHealth onSuccess(KeyHealth h, Instant now) {
        KeyState state = effectiveState(h, now);
        if (state == KeyState.DISABLED || state == KeyState.COOLDOWN || state == KeyState.QUARANTINE) {
            return h;
        }
        if (h.state() == KeyState.ACTIVE
                && h.consecutiveFailures() == 0
                && h.authStrikes() == 0
                && h.trialHolder() == 0
                && h.lastSuccessAt() != null
                && !h.lastSuccessAt().isBefore(now.minusSeconds(1))) {
            return h; // nothing to change: lets stores skip the write on the common path
        }
        return new KeyHealth(
                KeyState.ACTIVE,
                null,
                0,
                h.recentFailures(),
                h.recentWindowStart(),
                0,
                h.lastErrorType(),
                h.lastFailureAt(),
                now,
                0,
                null,
                0);
    }

    /**
     * A failed attempt of type {@code type}. {@code retryAfter} is the provider's hint or null; it lengthens a rest
     * up to {@code settings.maxRetryAfter()}.
     */
    public static KeyHealth onFailure(
            KeyHealth h, ErrorType type, Duration retryAfter, Instant now, ProviderSettings settings) {
        if (!countsAgainstKey(type)) {
            return type == ErrorType.MODEL_UNAVAILABLE ? recordOnly(h, type, now, false) : h;
        }
        KeyState before = effectiveState(h, now);
        KeyHealth counted = recordOnly(h, type, now, true).withTrial(0, null);
        if (before == KeyState.DISABLED) {
            return counted;
        }
        Duration hint = retryAfter == null ? Duration.ZERO : min(retryAfter, settings.maxRetryAfter());
        switch (type) {
            case INVALID_AUTH, PERMISSION_DENIED -> {
                if (before == KeyState.QUARANTINE || before == KeyState.COOLDOWN) {
                    // Calls already in flight when the key was sidelined: the same news again, not a new strike.
                    return rest(counted, KeyState.QUARANTINE, now.plus(max(settings.quarantine(), hint)));
                }
                if (h.authStrikes() >= 1) {
                    return counted.withState(KeyState.DISABLED, null);
                }
                return rest(counted, KeyState.QUARANTINE, now.plus(max(settings.quarantine(), hint)))
                        .withAuthStrikes(h.authStrikes() + 1);
            }
            case QUOTA_EXHAUSTED -> {
                return rest(counted, KeyState.QUARANTINE, now.plus(max(settings.quotaQuarantine(), hint)));
            }
            case RATE_LIMIT -> {
                if (before == KeyState.PROBATION) {
                    return rest(counted, KeyState.QUARANTINE, now.plus(max(settings.quarantine(), hint)));
                }
                return rest(counted, KeyState.COOLDOWN, now.plus(max(settings.cooldown(), hint)));
            }
            default -> {
                // Transient: only the run of failures matters.
                if (counted.consecutiveFailures() >= settings.maxConsecutiveFailures()) {
                    return rest(counted, KeyState.QUARANTINE, now.plus(settings.quarantine()));
                }
                return counted;
            }
        }
    }

    /** Errors that say something about the key or its provider connection, as opposed to the request. */
    private static boolean countsAgainstKey(ErrorType type) {
        return switch (type) {
            case RATE_LIMIT,
                    QUOTA_EXHAUSTED,
                    INVALID_AUTH,
                    PERMISSION_DENIED,
                    TIMEOUT,
                    TRANSIENT_SERVER_ERROR,
                    CONNECTION_ERROR,
                    STREAM_INTERRUPTED -> true;
            default -> false;
        };
    }

    private static KeyHealth recordOnly(KeyHealth h, ErrorType type, Instant now, boolean consecutive) {
        boolean windowOpen = h.recentWindowStart() != null
                && now.isBefore(h.recentWindowStart().plus(RECENT_WINDOW));
        return new KeyHealth(
                h.state(),
                h.until(),
                consecutive ? h.consecutiveFailures() + 1 : h.consecutiveFailures(),
                windowOpen ? h.recentFailures() + 1 : 1,
                windowOpen ? h.recentWindowStart() : now,
                h.authStrikes(),
                type,
                now,
                h.lastSuccessAt(),
                h.trialHolder(),
                h.trialExpiresAt(),
                h.outageRests());
    }

    /** Moves to a resting state; an existing later deadline (and the more severe state) wins. */
    private static KeyHealth rest(KeyHealth h, KeyState state, Instant until) {
        boolean resting = h.state() == KeyState.COOLDOWN || h.state() == KeyState.QUARANTINE;
        if (resting && h.until() != null && h.until().isAfter(until)) {
            KeyState severe = h.state() == KeyState.QUARANTINE || state == KeyState.QUARANTINE
                    ? KeyState.QUARANTINE
                    : KeyState.COOLDOWN;
            return h.withState(severe, h.until());
        }
        return h.withState(state, until);
    }

    /** When the key can next be tried, from its health alone: null when DISABLED. */
    public static Instant availableAt(KeyHealth h, Instant now) {
        KeyState state = effectiveState(h, now);
        return switch (state) {
            case ACTIVE -> now;
            case COOLDOWN, QUARANTINE -> h.until();
            case PROBATION -> trialFree(h, now) ? now : h.trialExpiresAt();
            case DISABLED -> null;
        };
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}

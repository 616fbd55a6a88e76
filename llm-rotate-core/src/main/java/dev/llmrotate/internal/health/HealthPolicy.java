package dev.llmrotate.internal.health;

import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.spi.KeyHealth;
import java.time.Duration;
import java.time.Instant;

/**
 * The key health state machine as pure functions from (stored health, event, time) to stored health, so that any
 * {@code StateStore} can apply them atomically.
 *
 * <pre>
 * key-wide (the key id's scope):
 * ACTIVE     --quota_exhausted-->            QUARANTINE (quota_quarantine, or a longer Retry-After)
 * ACTIVE     --invalid_auth/permission-->    QUARANTINE (quarantine), one auth strike
 * PROBATION  --auth failure with a strike--> DISABLED   (failed auth again after its quarantine)
 * per (key, model):
 * ACTIVE     --rate_limit-->                 COOLDOWN   (Retry-After as given, capped; else cooldown)
 * ACTIVE     --model_unavailable-->          COOLDOWN   (cooldown)
 * ACTIVE     --5xx/timeout with Retry-After-> COOLDOWN   (Retry-After, capped)
 * ACTIVE     --max_consecutive_failures-->   COOLDOWN   (recovery_probe, doubled per failed probe, up to quarantine)
 * PROBATION  --rate_limit-->                 COOLDOWN   (as from ACTIVE)
 * PROBATION  --transient failure-->          COOLDOWN   (the next, doubled probe interval)
 * both:
 * COOLDOWN/QUARANTINE --deadline passes-->   PROBATION  (evaluated lazily; one trial call at a time)
 * PROBATION  --success-->                    ACTIVE     (counters, strikes and probe intervals cleared)
 * </pre>
 *
 * Transient failures never disable a key: a provider-wide outage rests (key, model) scopes for growing intervals
 * and heals by itself. The later deadline always wins: a newer, shorter signal never shortens a rest.
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
                && h.outageRests() == 0
                && h.lastSuccessAt() != null
                && !moreThanASecondBefore(h.lastSuccessAt(), now)) {
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

    /** Whether {@code at} is more than a second before {@code now}, compared field by field (no Instant made). */
    private static boolean moreThanASecondBefore(Instant at, Instant now) {
        long second = now.getEpochSecond() - 1;
        return at.getEpochSecond() < second || (at.getEpochSecond() == second && at.getNano() < now.getNano());
    }

    /**
     * A failed attempt of type {@code type}, applied to the scope the failure belongs to (the key for key-wide
     * failures, the (key, model) for the others; see {@link ErrorType#keyWide()}). {@code retryAfter} is the
     * provider's hint or null: it sets a rest to exactly what the provider said, capped by {@code
     * settings.maxRetryAfter()}; without one a rate limit rests {@code settings.cooldown()}. A rest already running
     * to a later deadline keeps it.
     */
    public static KeyHealth onFailure(
            KeyHealth h, ErrorType type, Duration retryAfter, Instant now, ProviderSettings settings) {
        if (type == ErrorType.MODEL_UNAVAILABLE) {
            // Not a fault of the connection: no consecutive failure, but the (key, model) rests so that other calls
            // do not keep asking a key for a model it cannot serve; probed again after the rest.
            return rest(
                    recordOnly(h, type, now, false).withTrial(0, null),
                    KeyState.COOLDOWN,
                    restEnd(now, settings.cooldown(), retryAfter, settings));
        }
        if (!countsAgainstKey(type)) {
            return h;
        }
        KeyState before = effectiveState(h, now);
        KeyHealth counted = recordOnly(h, type, now, true).withTrial(0, null);
        if (before == KeyState.DISABLED) {
            return counted;
        }
        Duration hint = capped(retryAfter, settings);
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
                // Also in PROBATION: a rate limit says "not now", not "broken".
                return rest(counted, KeyState.COOLDOWN, restEnd(now, settings.cooldown(), retryAfter, settings));
            }
            default -> {
                // Transient (5xx, timeouts, connection errors, a broken stream). A failed probe, or a run of
                // max_consecutive_failures, rests the scope for a short interval that doubles with every further
                // failed probe, up to the quarantine: an outage heals within seconds of its end.
                if (before == KeyState.COOLDOWN || before == KeyState.QUARANTINE) {
                    // Calls in flight when the scope began to rest: the same news again, no further escalation.
                    return retryAfter == null ? counted : rest(counted, KeyState.COOLDOWN, now.plus(hint));
                }
                if (before == KeyState.PROBATION
                        || counted.consecutiveFailures() >= settings.maxConsecutiveFailures()) {
                    Duration probe = probeInterval(h.outageRests(), settings);
                    return rest(counted, KeyState.COOLDOWN, now.plus(max(probe, hint)))
                            .withOutageRests(Math.min(h.outageRests() + 1, 30));
                }
                if (retryAfter != null) {
                    // A 503/529 that says when to come back: not before then.
                    return rest(counted, KeyState.COOLDOWN, now.plus(hint));
                }
                return counted;
            }
        }
    }

    /** {@code recovery_probe} doubled {@code rests} times, capped by {@code quarantine}. */
    public static Duration probeInterval(int rests, ProviderSettings settings) {
        Duration cap = settings.quarantine();
        Duration interval = settings.recoveryProbe();
        for (int i = 0; i < rests && interval.compareTo(cap) < 0; i++) {
            interval = interval.multipliedBy(2);
        }
        return min(interval, cap);
    }

    /** The end of a rest: the provider's (capped) Retry-After when given, else {@code otherwise}. */
    private static Instant restEnd(Instant now, Duration otherwise, Duration retryAfter, ProviderSettings settings) {
        return now.plus(retryAfter == null ? otherwise : capped(retryAfter, settings));
    }

    private static Duration capped(Duration retryAfter, ProviderSettings settings) {
        if (retryAfter == null || retryAfter.isNegative()) {
            return Duration.ZERO;
        }
        return min(retryAfter, settings.maxRetryAfter());
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
                    STREAM_INTERRUPTED,
                    INVALID_RESPONSE -> true;
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

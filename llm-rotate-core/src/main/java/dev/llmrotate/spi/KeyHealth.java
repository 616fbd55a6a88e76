package dev.llmrotate.spi;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import java.time.Instant;

/**
 * The stored health of one key, as kept by a {@code StateStore}. Timer-driven transitions (a cooldown running out)
 * are not written back: the engine evaluates them lazily against the clock. A store keeps the value as it is given
 * and hands back an equal value; only the engine's transitions create new ones.
 *
 * @param state the stored state
 * @param until end of a COOLDOWN or QUARANTINE, else null
 * @param consecutiveFailures failures since the last success (model-unavailable and request errors not counted)
 * @param recentFailures failures within the window that started at {@code recentWindowStart}
 * @param recentWindowStart start of the current five-minute failure window, or null
 * @param authStrikes auth/permission quarantines since the last success; a second one disables the key
 * @param lastErrorType the type of the latest failure, or null
 * @param lastFailureAt when the latest failure happened, or null
 * @param lastSuccessAt when the latest success happened, or null
 * @param trialHolder the call holding the PROBATION trial slot, or 0
 * @param trialExpiresAt when that slot is given up if the call never reports, or null
 * @param outageRests rests after runs of transient failures since the last success; the next rest is
 *     {@code recovery_probe_seconds} doubled this many times, capped by {@code quarantine_seconds}
 */
public record KeyHealth(
        KeyState state,
        Instant until,
        int consecutiveFailures,
        int recentFailures,
        Instant recentWindowStart,
        int authStrikes,
        ErrorType lastErrorType,
        Instant lastFailureAt,
        Instant lastSuccessAt,
        long trialHolder,
        Instant trialExpiresAt,
        int outageRests) {

    /** A key never seen before: ACTIVE with a clean record. */
    public static final KeyHealth INITIAL =
            new KeyHealth(KeyState.ACTIVE, null, 0, 0, null, 0, null, null, null, 0, null, 0);

    /**
     * This health in another state.
     *
     * @param newState the state
     * @param newUntil the end of the new COOLDOWN or QUARANTINE, else null
     * @return a copy that differs only in {@link #state()} and {@link #until()}
     */
    public KeyHealth withState(KeyState newState, Instant newUntil) {
        return new KeyHealth(
                newState,
                newUntil,
                consecutiveFailures,
                recentFailures,
                recentWindowStart,
                authStrikes,
                lastErrorType,
                lastFailureAt,
                lastSuccessAt,
                trialHolder,
                trialExpiresAt,
                outageRests);
    }

    /**
     * This health with the PROBATION trial slot held by another call, or free.
     *
     * @param holder the call holding the slot, or 0 to free it
     * @param expiresAt when the slot is given up if the call never reports, or null
     * @return a copy that differs only in {@link #trialHolder()} and {@link #trialExpiresAt()}
     */
    public KeyHealth withTrial(long holder, Instant expiresAt) {
        return new KeyHealth(
                state,
                until,
                consecutiveFailures,
                recentFailures,
                recentWindowStart,
                authStrikes,
                lastErrorType,
                lastFailureAt,
                lastSuccessAt,
                holder,
                expiresAt,
                outageRests);
    }

    /**
     * This health with another count of auth quarantines.
     *
     * @param strikes auth/permission quarantines since the last success
     * @return a copy that differs only in {@link #authStrikes()}
     */
    public KeyHealth withAuthStrikes(int strikes) {
        return new KeyHealth(
                state,
                until,
                consecutiveFailures,
                recentFailures,
                recentWindowStart,
                strikes,
                lastErrorType,
                lastFailureAt,
                lastSuccessAt,
                trialHolder,
                trialExpiresAt,
                outageRests);
    }

    /**
     * This health with another count of outage rests.
     *
     * @param rests rests after runs of transient failures since the last success
     * @return a copy that differs only in {@link #outageRests()}
     */
    public KeyHealth withOutageRests(int rests) {
        return new KeyHealth(
                state,
                until,
                consecutiveFailures,
                recentFailures,
                recentWindowStart,
                authStrikes,
                lastErrorType,
                lastFailureAt,
                lastSuccessAt,
                trialHolder,
                trialExpiresAt,
                rests);
    }
}

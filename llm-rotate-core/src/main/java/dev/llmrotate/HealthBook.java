package dev.llmrotate;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.internal.health.HealthPolicy;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.spi.HealthScope;
import dev.llmrotate.spi.KeyHealth;
import dev.llmrotate.spi.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what attempts tell about keys to the store: a key-wide failure (auth, permission, quota) to the key's
 * scope, every other failure to the (key, model) scope it happened on; a success to both; trial slots given back.
 * Logs state changes on {@value LogNames#HEALTH}: WARN when a key or model is quarantined, disabled or rests after a run
 * of failures, INFO when it is back, DEBUG for rate-limit cooldowns.
 */
final class HealthBook {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.HEALTH);

    private final StateStore store;
    private final Clock clock;

    HealthBook(StateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * A failed attempt with {@code key} on the model of {@code modelScope} (null: a lease of any model, where every
     * failure is the key's). Gives back the call's trial slots.
     */
    void failed(
            KeySpec key,
            String modelScope,
            ErrorType type,
            Duration retryAfter,
            ProviderSettings settings,
            long callToken) {
        Instant now = clock.instant();
        String scope = type.keyWide() || modelScope == null ? key.keyId() : modelScope;
        KeyHealth[] before = new KeyHealth[1];
        KeyHealth after = store.updateHealth(scope, h -> {
            before[0] = h;
            return HealthPolicy.releaseTrial(HealthPolicy.onFailure(h, type, retryAfter, now, settings), callToken);
        });
        String other = scope.equals(key.keyId()) ? modelScope : key.keyId();
        if (other != null) {
            release(other, callToken);
        }
        logChange(scope, before[0], after, now, type, retryAfter);
    }

    /** A successful attempt: both scopes ACTIVE with a clean record (writes only what changes). */
    void succeeded(KeySpec key, String modelScope, long callToken) {
        Instant now = clock.instant();
        succeeded(key.keyId(), callToken, now);
        if (modelScope != null) {
            succeeded(modelScope, callToken, now);
        }
    }

    private void succeeded(String scope, long callToken, Instant now) {
        KeyHealth current = store.health(scope);
        if (HealthPolicy.onSuccess(current, now) == current && current.trialHolder() != callToken) {
            return;
        }
        KeyHealth[] before = new KeyHealth[1];
        KeyHealth after = store.updateHealth(scope, h -> {
            before[0] = h;
            return HealthPolicy.onSuccess(HealthPolicy.releaseTrial(h, callToken), now);
        });
        logChange(scope, before[0], after, now, null, null);
    }

    /** Gives the call's trial slots back without a verdict (a request-level error, a lease closed unreported). */
    void released(KeySpec key, String modelScope, long callToken) {
        release(key.keyId(), callToken);
        if (modelScope != null) {
            release(modelScope, callToken);
        }
    }

    private void release(String scope, long callToken) {
        if (store.health(scope).trialHolder() == callToken) {
            store.updateHealth(scope, h -> HealthPolicy.releaseTrial(h, callToken));
        }
    }

    /**
     * Applies an operator's or a reload's {@code transition} (a reset, DISABLED lifted) to a scope; a change of state
     * goes into the history, without a cause.
     */
    void reset(String scope, UnaryOperator<KeyHealth> transition) {
        Instant now = clock.instant();
        KeyHealth[] before = new KeyHealth[1];
        KeyHealth after = store.updateHealth(scope, h -> {
            before[0] = h;
            return transition.apply(h);
        });
        keepChange(scope, before[0], after, now, null, null);
    }

    /**
     * Logs a change of a scope's state (or a new rest) and keeps it in the scope's history; {@code cause} is the
     * failure that caused it (null for a success), {@code retryAfter} the wait the provider asked for.
     */
    private void logChange(
            String scope, KeyHealth before, KeyHealth after, Instant now, ErrorType cause, Duration retryAfter) {
        if (!keepChange(scope, before, after, now, cause, retryAfter)) {
            return;
        }
        KeyState is = HealthPolicy.effectiveState(after, now);
        String what = describe(scope);
        String causeName = cause == null ? "" : cause.wireName();
        switch (is) {
            case DISABLED -> {
                if (LOG.isWarnEnabled()) {
                    LOG.warn(
                            "{} disabled after {} (failed auth again after its quarantine); reload or resetKey to use it again",
                            what,
                            causeName);
                }
            }
            case QUARANTINE -> {
                if (LOG.isWarnEnabled()) {
                    LOG.warn("{} quarantined after {} until {}", what, causeName, after.until());
                }
            }
            case COOLDOWN -> {
                if (after.outageRests() > before.outageRests()) {
                    if (LOG.isWarnEnabled()) {
                        LOG.warn(
                                "{} resting after {} failures in a row ({}); next probe at {}",
                                what,
                                after.consecutiveFailures(),
                                causeName,
                                after.until());
                    }
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug("{} cooling down after {} until {}", what, causeName, after.until());
                }
            }
            case ACTIVE -> {
                // Claiming the probe's trial slot rewrote the stored state to PROBATION, so the rest's cause tells
                // whether it was an operator-visible one (a quarantine or an outage) or a routine cooldown.
                boolean wasOut = before.outageRests() > 0
                        || (before.lastErrorType() != null
                                && before.lastErrorType().keyWide());
                if (wasOut && LOG.isInfoEnabled()) {
                    LOG.info("{} is back: ACTIVE after a successful call", what);
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug("{} ACTIVE again", what);
                }
            }
            default -> {}
        }
    }

    /**
     * Keeps the change in the store's history when the effective state changed or a new rest began; false when
     * nothing changed.
     */
    private boolean keepChange(
            String scope, KeyHealth before, KeyHealth after, Instant now, ErrorType cause, Duration retryAfter) {
        if (before == null || before == after) {
            return false;
        }
        KeyState was = HealthPolicy.effectiveState(before, now);
        KeyState is = HealthPolicy.effectiveState(after, now);
        boolean newRest = after.until() != null && !after.until().equals(before.until());
        if (was == is && !newRest) {
            return false;
        }
        store.recordStateChange(new KeyStateChange(
                now,
                HealthScope.keyIdOf(scope),
                HealthScope.modelOf(scope),
                was,
                is,
                cause == null ? null : cause.wireName(),
                retryAfter,
                is == KeyState.COOLDOWN || is == KeyState.QUARANTINE ? after.until() : null));
        return true;
    }

    /** {@code key 'openai-1'} or {@code key 'openai-1' for model 'gpt-4o'}: ids only, never a secret. */
    static String describe(String scope) {
        String model = HealthScope.modelOf(scope);
        String keyId = HealthScope.keyIdOf(scope);
        return model == null ? "key '" + keyId + "'" : "key '" + keyId + "' for model '" + model + "'";
    }
}

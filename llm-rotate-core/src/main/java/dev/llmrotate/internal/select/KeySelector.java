package dev.llmrotate.internal.select;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.internal.health.HealthPolicy;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.spi.KeyHealth;
import dev.llmrotate.spi.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Chooses a key for one attempt on a route: filters the route's keys to those usable now (health, PROBATION trial
 * slot, rpm and tpm budgets), lets the strategy pick, then claims the pick atomically (the trial slot, one request
 * of the rpm budget). A pick lost to a concurrent call is dropped and the strategy picks again.
 */
public final class KeySelector {
    /**
     * A claimed key.
     *
     * @param key the key
     * @param index its index in the route's {@link Route#keys()} (and {@link Route#modelScope(int)})
     * @param trial true when the call holds the key's PROBATION trial slot
     */
    public record Selection(KeySpec key, int index, boolean trial) {}

    /** How soon a caller waiting for a key on probation looks again while another call holds its trial slot. */
    static final Duration TRIAL_POLL = Duration.ofMillis(20);

    private final StateStore store;
    private final Clock clock;

    public KeySelector(StateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Claims a key of {@code route} for the call {@code callToken}, skipping keys whose id or (key, model) scope is in
     * {@code excluded}; null when no
     * key can serve now. A key serves when both its key-wide health and its health for the route's model allow it.
     *
     * @param trialHoldNanos how long from now a claimed trial slot is held if the call never reports back
     */
    public Selection select(
            Route route, SelectionStrategy strategy, Set<String> excluded, long callToken, long trialHoldNanos) {
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        List<KeySpec> keys = route.keys();
        Candidates candidates = new Candidates(keys);
        for (int i = 0; i < keys.size(); i++) {
            KeySpec key = keys.get(i);
            String modelScope = route.modelScope(i);
            if (isExcluded(excluded, key, modelScope)) {
                continue;
            }
            KeyHealth keyHealth = store.health(key.keyId());
            if (!HealthPolicy.selectable(keyHealth, now)) {
                continue;
            }
            KeyHealth modelHealth = modelScope == null ? KeyHealth.INITIAL : store.health(modelScope);
            if (!HealthPolicy.selectable(modelHealth, now) || !withinBudget(key, nowMillis)) {
                continue;
            }
            boolean probation = HealthPolicy.effectiveState(keyHealth, now) == KeyState.PROBATION
                    || HealthPolicy.effectiveState(modelHealth, now) == KeyState.PROBATION;
            candidates.add(
                    i,
                    probation,
                    keyHealth.consecutiveFailures() + modelHealth.consecutiveFailures(),
                    HealthPolicy.recentFailures(keyHealth, now) + HealthPolicy.recentFailures(modelHealth, now));
        }
        while (!candidates.isEmpty()) {
            int index = candidates.size() == 1 ? 0 : strategy.pick(candidates, route.scope());
            int position = candidates.position(index);
            boolean trial = candidates.state(index) == KeyState.PROBATION;
            candidates.remove(index);
            Selection claimed = claim(keys.get(position), position, trial, route, callToken, now, trialHoldNanos);
            if (claimed != null) {
                return claimed;
            }
        }
        return null;
    }

    /** Whether the call excluded the key itself or its (key, model) scope. */
    private static boolean isExcluded(Set<String> excluded, KeySpec key, String modelScope) {
        return !excluded.isEmpty()
                && (excluded.contains(key.keyId()) || (modelScope != null && excluded.contains(modelScope)));
    }

    private boolean withinBudget(KeySpec key, long nowMillis) {
        if (key.rateLimitTpm() != null && store.tokensInLastMinute(key.keyId(), nowMillis) >= key.rateLimitTpm()) {
            return false;
        }
        return key.rateLimitRpm() == null
                || store.nextRequestSlot(key.keyId(), key.rateLimitRpm(), nowMillis) <= nowMillis;
    }

    /**
     * Claims the pick: the PROBATION trial slot of each of its scopes that is on probation, then one request of its
     * rpm budget; gives back what it took when a later step fails.
     */
    private Selection claim(
            KeySpec key, int position, boolean trial, Route route, long callToken, Instant now, long trialHoldNanos) {
        String keyId = key.keyId();
        String modelScope = route.modelScope(position);
        boolean keyTrial = false;
        boolean modelTrial = false;
        if (trial) {
            Instant trialExpiresAt = now.plusNanos(trialHoldNanos);
            keyTrial = HealthPolicy.effectiveState(store.health(keyId), now) == KeyState.PROBATION;
            if (keyTrial && !claimTrial(keyId, callToken, now, trialExpiresAt)) {
                return null;
            }
            modelTrial = modelScope != null
                    && HealthPolicy.effectiveState(store.health(modelScope), now) == KeyState.PROBATION;
            if (modelTrial && !claimTrial(modelScope, callToken, now, trialExpiresAt)) {
                release(keyTrial ? keyId : null, null, callToken);
                return null;
            }
        }
        Integer rpm = key.rateLimitRpm();
        if (rpm != null && !store.tryAcquireRequest(keyId, rpm, now.toEpochMilli())) {
            release(keyTrial ? keyId : null, modelTrial ? modelScope : null, callToken);
            return null;
        }
        return new Selection(key, position, trial);
    }

    private boolean claimTrial(String scope, long callToken, Instant now, Instant trialExpiresAt) {
        return store.updateHealth(scope, h -> HealthPolicy.claimTrial(h, callToken, now, trialExpiresAt))
                        .trialHolder()
                == callToken;
    }

    private void release(String keyScope, String modelScope, long callToken) {
        if (keyScope != null) {
            store.updateHealth(keyScope, h -> HealthPolicy.releaseTrial(h, callToken));
        }
        if (modelScope != null) {
            store.updateHealth(modelScope, h -> HealthPolicy.releaseTrial(h, callToken));
        }
    }

    /**
     * When some key of the route, other than {@code excluded}, can next serve; null when none ever will by itself
     * (all disabled). Token budgets are re-checked each second, and a key whose probation trial is under way every
     * {@link #TRIAL_POLL}, so those estimates may be early; callers look again then.
     */
    public Instant earliestAvailable(Route route, Set<String> excluded) {
        return earliest(route, excluded, false);
    }

    /**
     * Like {@link #earliestAvailable}, but only keys held back by a rate limit (a (key, model) cooling down after a
     * 429, or a spent rpm/tpm budget): a key resting after an outage or an auth failure is not worth waiting for
     * before a fallback.
     */
    public Instant earliestAfterRateLimit(Route route, Set<String> excluded) {
        return earliest(route, excluded, true);
    }

    private Instant earliest(Route route, Set<String> excluded, boolean rateLimitedOnly) {
        Instant now = clock.instant();
        Instant earliest = null;
        List<KeySpec> keys = route.keys();
        for (int i = 0; i < keys.size(); i++) {
            KeySpec key = keys.get(i);
            if (isExcluded(excluded, key, route.modelScope(i))) {
                continue;
            }
            if (rateLimitedOnly && !heldBackByRateLimit(key, route.modelScope(i), now)) {
                continue;
            }
            Instant at = availableAt(key, route.modelScope(i), now);
            if (at == null) {
                continue;
            }
            if (earliest == null || at.isBefore(earliest)) {
                earliest = at;
            }
        }
        return earliest;
    }

    private boolean heldBackByRateLimit(KeySpec key, String modelScope, Instant now) {
        if (HealthPolicy.effectiveState(store.health(key.keyId()), now) != KeyState.ACTIVE) {
            return false; // quarantined or disabled key-wide: auth or quota, not a rate limit
        }
        if (modelScope == null) {
            return true;
        }
        KeyHealth model = store.health(modelScope);
        KeyState state = HealthPolicy.effectiveState(model, now);
        return state == KeyState.ACTIVE || model.lastErrorType() == ErrorType.RATE_LIMIT;
    }

    /**
     * When a key can next serve the model of {@code modelScope} (any model when null), from its key-wide and model
     * health and its budgets; null when it never will by itself (disabled).
     */
    public Instant availableAt(KeySpec key, String modelScope, Instant now) {
        Instant at = scopeAvailableAt(store.health(key.keyId()), now);
        if (at == null) {
            return null;
        }
        if (modelScope != null) {
            Instant modelAt = scopeAvailableAt(store.health(modelScope), now);
            if (modelAt == null) {
                return null;
            }
            at = max(at, modelAt);
        }
        return withinBudgetAt(key, at, now);
    }

    private static Instant scopeAvailableAt(KeyHealth health, Instant now) {
        Instant at = HealthPolicy.availableAt(health, now);
        if (at != null && HealthPolicy.effectiveState(health, now) == KeyState.PROBATION && at.isAfter(now)) {
            // A trial call is under way and usually ends long before its slot would expire: look again soon.
            at = min(at, now.plus(TRIAL_POLL));
        }
        return at;
    }

    /**
     * {@code at} (when the key's health lets it serve), moved later if its rpm or tpm budget is spent then. A spent
     * token budget is looked at again after a second (tokens leave the window second by second).
     */
    public Instant withinBudgetAt(KeySpec key, Instant at, Instant now) {
        long nowMillis = now.toEpochMilli();
        if (key.rateLimitRpm() != null) {
            at = max(at, Instant.ofEpochMilli(store.nextRequestSlot(key.keyId(), key.rateLimitRpm(), nowMillis)));
        }
        if (key.rateLimitTpm() != null && store.tokensInLastMinute(key.keyId(), nowMillis) >= key.rateLimitTpm()) {
            at = max(at, now.plusSeconds(1));
        }
        return at;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}

package dev.llmrotate.select;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.health.HealthPolicy;
import dev.llmrotate.health.KeyHealth;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.route.Route;
import dev.llmrotate.state.StateStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Chooses a key for one attempt on a route: filters the route's keys to those usable now (health, PROBATION trial
 * slot, rpm and tpm budgets), lets the strategy pick, then claims the pick atomically (the trial slot, one request
 * of the rpm budget). A pick lost to a concurrent call is dropped and the strategy picks again.
 */
public final class KeySelector {
    /** A claimed key; {@code trial} is true when the call holds the key's PROBATION trial slot. */
    public record Selection(KeySpec key, boolean trial) {}

    /** How soon a caller waiting for a key on probation looks again while another call holds its trial slot. */
    static final Duration TRIAL_POLL = Duration.ofMillis(20);

    private final StateStore store;
    private final Clock clock;

    public KeySelector(StateStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Claims a key of {@code route} for the call {@code callToken}, skipping {@code excluded} key ids; null when no
     * key can serve now.
     *
     * @param trialExpiresAt when a claimed trial slot is given up if the call never reports back
     */
    public Selection select(
            Route route, SelectionStrategy strategy, Set<String> excluded, long callToken, Instant trialExpiresAt) {
        Instant now = clock.instant();
        long nowMillis = now.toEpochMilli();
        List<KeySpec> keys = route.keys();
        List<Candidate> candidates = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            KeySpec key = keys.get(i);
            if (excluded.contains(key.keyId())) {
                continue;
            }
            KeyHealth health = store.health(key.keyId());
            if (!HealthPolicy.selectable(health, now) || !withinBudget(key, nowMillis)) {
                continue;
            }
            candidates.add(new Candidate(
                    key,
                    i,
                    health,
                    HealthPolicy.effectiveState(health, now),
                    HealthPolicy.recentFailures(health, now)));
        }
        while (!candidates.isEmpty()) {
            int index = candidates.size() == 1 ? 0 : strategy.pick(candidates, keys.size(), route.scope());
            Candidate pick = candidates.remove(index);
            Selection claimed = claim(pick, callToken, now, trialExpiresAt);
            if (claimed != null) {
                return claimed;
            }
        }
        return null;
    }

    private boolean withinBudget(KeySpec key, long nowMillis) {
        if (key.rateLimitTpm() != null && store.tokensInLastMinute(key.keyId(), nowMillis) >= key.rateLimitTpm()) {
            return false;
        }
        return key.rateLimitRpm() == null
                || store.nextRequestSlot(key.keyId(), key.rateLimitRpm(), nowMillis) <= nowMillis;
    }

    private Selection claim(Candidate pick, long callToken, Instant now, Instant trialExpiresAt) {
        String keyId = pick.key().keyId();
        boolean trial = pick.state() == KeyState.PROBATION;
        if (trial) {
            KeyHealth after =
                    store.updateHealth(keyId, h -> HealthPolicy.claimTrial(h, callToken, now, trialExpiresAt));
            if (after.trialHolder() != callToken) {
                return null;
            }
        }
        Integer rpm = pick.key().rateLimitRpm();
        if (rpm != null && !store.tryAcquireRequest(keyId, rpm, now.toEpochMilli())) {
            if (trial) {
                store.updateHealth(keyId, h -> HealthPolicy.releaseTrial(h, callToken));
            }
            return null;
        }
        return new Selection(pick.key(), trial);
    }

    /**
     * When some key of the route, other than {@code excluded}, can next serve; null when none ever will by itself
     * (all disabled). Token budgets are re-checked each second, and a key whose probation trial is under way every
     * {@link #TRIAL_POLL}, so those estimates may be early; callers look again then.
     */
    public Instant earliestAvailable(Route route, Set<String> excluded) {
        Instant now = clock.instant();
        Instant earliest = null;
        for (KeySpec key : route.keys()) {
            if (excluded.contains(key.keyId())) {
                continue;
            }
            KeyHealth health = store.health(key.keyId());
            Instant at = HealthPolicy.availableAt(health, now);
            if (at == null) {
                continue;
            }
            if (HealthPolicy.effectiveState(health, now) == KeyState.PROBATION && at.isAfter(now)) {
                // A trial call is under way and usually ends long before its slot would expire: look again soon.
                at = min(at, now.plus(TRIAL_POLL));
            }
            at = withinBudgetAt(key, at, now);
            if (earliest == null || at.isBefore(earliest)) {
                earliest = at;
            }
        }
        return earliest;
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

package dev.llmrotate;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.HealthPolicy;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyHealth;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.EventBuffer;
import dev.llmrotate.observe.Pricing;
import dev.llmrotate.observe.Telemetry;
import dev.llmrotate.observe.UsageLog;
import dev.llmrotate.provider.ProviderAdapter;
import dev.llmrotate.route.Route;
import dev.llmrotate.select.KeySelector;
import dev.llmrotate.state.StateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/** The engine's shared parts: store, clock, selector, adapters and the current configuration. Thread-safe. */
final class Engine {
    private final StateStore store;
    private final Clock clock;
    private final RandomGenerator random;
    private final Map<String, ProviderAdapter> adapters;
    private final KeySelector selector;
    private final Secrets secrets = new Secrets();
    private final AtomicLong callTokens = new AtomicLong();
    /**
     * Random high bits of this instance's call tokens: a token marks the holder of a PROBATION trial slot, so tokens
     * must not collide between processes sharing a store.
     */
    private final long tokenBase;
    /** Distinguishes this instance's call ids from other processes' (e.g. in a shared store). */
    private final String instanceId;

    private final Telemetry telemetry;
    /** Prices set on the builder, or null to take them from each configuration. */
    private final Pricing explicitPricing;

    private volatile Pricing pricing;
    private volatile EventBuffer eventBuffer;
    private volatile EngineState state;

    Engine(
            LlmRotateConfig config,
            StateStore store,
            Clock clock,
            RandomGenerator random,
            Map<String, ProviderAdapter> adapters,
            Telemetry telemetry,
            Pricing pricing,
            EventBuffer eventBuffer) {
        this.telemetry = telemetry;
        this.explicitPricing = pricing;
        this.pricing = pricing != null ? pricing : pricingOf(config);
        this.eventBuffer = eventBuffer;
        long instanceBits = random.nextLong();
        this.instanceId = Long.toString(instanceBits >>> 28, 36);
        this.tokenBase = ((instanceBits >>> 33) | 1L) << 32;
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.adapters = Map.copyOf(adapters);
        this.selector = new KeySelector(store, clock);
        this.state = new EngineState(config, store, random, this.adapters);
    }

    EngineState state() {
        return state;
    }

    /** Swaps in a new configuration: keeps the health of keys that remain, forgets removed ones, lifts DISABLED. */
    void reload(LlmRotateConfig config) {
        EngineState next = new EngineState(config, store, random, adapters);
        Pricing nextPricing = explicitPricing != null ? explicitPricing : pricingOf(config);
        Set<String> ids = next.activeKeyIds();
        store.retainKeys(ids);
        for (String id : ids) {
            if (store.health(id).state() == KeyState.DISABLED) {
                store.updateHealth(id, h -> h.state() == KeyState.DISABLED ? KeyHealth.INITIAL : h);
            }
        }
        pricing = nextPricing;
        state = next;
    }

    /** The configuration's prices over the built-in table (the file first, single prices win). */
    private static Pricing pricingOf(LlmRotateConfig config) {
        Pricing.Builder prices = Pricing.builder();
        if (config.pricing().file() != null) {
            prices.file(config.pricing().file());
        }
        config.pricing().prices().forEach(entry -> prices.price(entry.provider(), entry.model(), entry.price()));
        return prices.build();
    }

    /** Operator action: the key is ACTIVE again with a clean record. */
    void resetKey(String keyId) {
        boolean known =
                state.config.activeKeys().stream().anyMatch(k -> k.keyId().equals(keyId));
        if (!known) {
            throw new ConfigurationException("no active key with key_id '" + keyId + "'");
        }
        store.updateHealth(keyId, h -> KeyHealth.INITIAL);
    }

    long nextCallToken() {
        return tokenBase + callTokens.incrementAndGet();
    }

    StateStore store() {
        return store;
    }

    KeySelector selector() {
        return selector;
    }

    Secrets secrets() {
        return secrets;
    }

    Instant now() {
        return clock.instant();
    }

    ProviderAdapter adapter(String provider) {
        return adapters.get(provider);
    }

    String callId(long token) {
        return instanceId + "-" + (token - tokenBase);
    }

    Telemetry telemetry() {
        return telemetry;
    }

    EventBuffer eventBuffer() {
        return eventBuffer;
    }

    void eventBuffer(EventBuffer buffer) {
        this.eventBuffer = buffer;
    }

    /** A call ended: its one record goes to the counters, the usage log, the event buffer and telemetry. */
    void finish(CallRecord record) {
        store.recordCall(record);
        UsageLog.log(record);
        EventBuffer buffer = eventBuffer;
        if (buffer != null) {
            buffer.add(record);
        }
        telemetry.callEnded(record);
    }

    /** A call answered: its tokens count against the key's tpm budget and the call is recorded. */
    void completeCall(CallTrace trace, KeySpec key, String model, Usage usage) {
        if (key.rateLimitTpm() != null) {
            store.addTokens(key.keyId(), usage.totalTokens(), clock.millis());
        }
        finish(trace.success(clock.instant(), model, usage, pricing));
    }

    /** Rejects, before any request is sent, content that some route's provider cannot take. */
    void checkSupported(List<Route> routes, ChatRequest request) {
        for (Route route : routes) {
            try {
                adapter(route.provider()).checkSupported(request);
            } catch (IllegalArgumentException e) {
                throw new LlmRotateException(e.getMessage(), route.provider(), ErrorType.INVALID_REQUEST, null);
            }
        }
    }

    HealthReport health() {
        Instant now = clock.instant();
        List<HealthReport.KeyReport> keys = new ArrayList<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, Instant> earliest = new LinkedHashMap<>();
        for (KeySpec key : state.config.activeKeys()) {
            KeyHealth h = store.health(key.keyId());
            Instant availableAt = HealthPolicy.availableAt(h, now);
            if (availableAt != null) {
                availableAt = selector.withinBudgetAt(key, availableAt, now);
            }
            keys.add(new HealthReport.KeyReport(
                    key.keyId(),
                    key.provider(),
                    Secrets.maskOf(key),
                    HealthPolicy.effectiveState(h, now),
                    availableAt,
                    h.consecutiveFailures(),
                    HealthPolicy.recentFailures(h, now),
                    h.lastErrorType() == null ? null : h.lastErrorType().wireName(),
                    h.lastFailureAt(),
                    h.lastSuccessAt()));
            int[] c = counts.computeIfAbsent(key.provider(), p -> new int[2]);
            c[1]++;
            if (availableAt != null && !availableAt.isAfter(now)) {
                c[0]++;
            } else if (availableAt != null) {
                earliest.merge(key.provider(), availableAt, (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        Map<String, HealthReport.ProviderReport> providers = new LinkedHashMap<>();
        counts.forEach((provider, c) -> providers.put(
                provider, new HealthReport.ProviderReport(c[0], c[1], c[0] > 0 ? null : earliest.get(provider))));
        return new HealthReport(now, keys, providers);
    }
}

package dev.llmrotate;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.internal.health.HealthPolicy;
import dev.llmrotate.internal.observe.EventBuffer;
import dev.llmrotate.internal.observe.UsageLog;
import dev.llmrotate.internal.route.ModelCapabilities;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.internal.select.KeySelector;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.observe.Pricing;
import dev.llmrotate.spi.HealthScope;
import dev.llmrotate.spi.KeyHealth;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.Telemetry;
import java.time.Clock;
import java.time.Duration;
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
    private final HealthBook healthBook;
    private final Secrets secrets;
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

    /** Models whose provider refused an assistant prefill; only configured model ids, so bounded by the config. */
    private final Set<String> prefillRefused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final org.slf4j.Logger STORE_LOG = org.slf4j.LoggerFactory.getLogger(LogNames.STORE);
    private static final org.slf4j.Logger TELEMETRY_LOG = org.slf4j.LoggerFactory.getLogger(LogNames.TELEMETRY);
    private final java.util.concurrent.atomic.LongAdder inFlight = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean closing;
    private volatile boolean storeFaultLogged;

    /** Only shows what the store holds (LlmRotate.observe): makes no calls, writes nothing, resolves no secret. */
    private final boolean observer;

    private volatile Pricing pricing;
    private volatile EventBuffer eventBuffer;
    private final CallListeners callListeners = new CallListeners();
    private volatile EngineState state;

    Engine(
            LlmRotateConfig config,
            StateStore store,
            Clock clock,
            RandomGenerator random,
            Map<String, ProviderAdapter> adapters,
            Telemetry telemetry,
            Pricing pricing,
            EventBuffer eventBuffer,
            boolean observer) {
        this.observer = observer;
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
        this.healthBook = new HealthBook(store, clock);
        this.state = new EngineState(config, store, random, this.adapters);
        // A secret its provider's headers cannot carry fails like a key the provider refuses: quarantined as
        // invalid_auth (disabled if it is still so after the quarantine), shown in health. The caller's own trial slot
        // is given back by the caller, who skips the key.
        this.secrets = new Secrets(
                key -> healthBook.failed(
                        key, null, ErrorType.INVALID_AUTH, null, this.state.config.provider(key.provider()), 0L),
                this::publishMask);
        if (!observer) {
            secrets.maskAll(config.activeKeys());
        }
    }

    EngineState state() {
        return state;
    }

    /**
     * Swaps in a new configuration: keeps the health of keys and (key, model) pairs that remain, forgets removed ones,
     * lifts DISABLED.
     */
    void reload(LlmRotateConfig config) {
        EngineState next = new EngineState(config, store, random, adapters);
        Pricing nextPricing = explicitPricing != null ? explicitPricing : pricingOf(config);
        Set<String> ids = next.activeKeyIds();
        if (observer) { // the workers' state is theirs to keep or forget
            pricing = nextPricing;
            state = next;
            return;
        }
        store.retainKeys(next.healthScopes());
        secrets.maskAll(config.activeKeys());
        for (String id : ids) {
            if (store.health(id).state() == KeyState.DISABLED) {
                healthBook.reset(id, h -> h.state() == KeyState.DISABLED ? KeyHealth.INITIAL : h);
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
        healthBook.reset(keyId, h -> KeyHealth.INITIAL);
        for (KeySpec key : state.config.activeKeys()) {
            if (key.keyId().equals(keyId)) {
                for (String model : key.models()) {
                    healthBook.reset(HealthScope.of(keyId, model), h -> KeyHealth.INITIAL);
                }
            }
        }
    }

    /** Tells the store a key's new mask, so that observers can show it. */
    private void publishMask(String keyId, String mask) {
        try {
            store.publishKeyMask(keyId, mask);
        } catch (RuntimeException e) {
            storeFault(e);
        }
    }

    boolean observer() {
        return observer;
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

    /** Remembers that {@code model} refuses an assistant prefill (stream recovery then replays instead). */
    void prefillRefused(String model) {
        prefillRefused.add(model);
    }

    boolean refusesPrefill(String model) {
        return !prefillRefused.isEmpty() && prefillRefused.contains(model);
    }

    HealthBook healthBook() {
        return healthBook;
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

    CallListeners callListeners() {
        return callListeners;
    }

    /**
     * A call ended: its one record goes to the counters, the usage log, the event buffer, telemetry and the call
     * listeners.
     */
    void finish(CallRecord record) {
        try {
            EventBuffer buffer = eventBuffer;
            try {
                // Usage counters are bounded by the configuration: calls for models no key lists share one bucket.
                store.recordCall(
                        record.model() == null
                                        && record.requestedModel() != null
                                        && !state.planner.servesModel(record.requestedModel())
                                ? record.withRequestedModel(CallRecord.UNKNOWN_MODEL)
                                : record,
                        usageModel(record),
                        buffer == null ? 0 : buffer.capacity());
            } catch (RuntimeException e) {
                // A store fault never reaches a caller (e.g. a call that outlived close()'s grace period).
                storeFault(e);
            }
            UsageLog.log(record);
            if (buffer != null) {
                buffer.add(record);
            }
            try {
                telemetry.callEnded(record);
            } catch (RuntimeException e) {
                // The SPI says hooks never throw; one that does must not cost the caller its answer nor the
                // listeners their record.
                TELEMETRY_LOG.warn("telemetry failed on a finished call: {}", e.toString());
            }
            callListeners.publish(record);
        } finally {
            inFlight.decrement();
        }
    }

    /**
     * The configured model a call is counted under: the model that answered when a key lists it, else the model of
     * the call's last listed attempt (a route's model, which keys list: a provider may answer with a dated id such as
     * {@code gpt-4o-mini-2024-07-18}), else the requested model when a key lists it, else {@value
     * CallRecord#UNKNOWN_MODEL}; null for a call that named no model (a lease of any model).
     */
    String usageModel(CallRecord record) {
        var planner = state.planner;
        if (planner.servesModel(record.model())) {
            return record.model();
        }
        List<CallRecord.Attempt> attempts = record.attemptDetails();
        if (!attempts.isEmpty()) {
            String routeModel = attempts.get(attempts.size() - 1).model();
            if (planner.servesModel(routeModel)) {
                return routeModel;
            }
        }
        if (planner.servesModel(record.requestedModel())) {
            return record.requestedModel();
        }
        return record.model() == null && record.requestedModel() == null ? null : CallRecord.UNKNOWN_MODEL;
    }

    private void storeFault(RuntimeException e) {
        if (!storeFaultLogged) {
            storeFaultLogged = true;
            STORE_LOG.warn("usage record not stored: {}", Secrets.scrub(String.valueOf(e.getMessage()), null));
        }
    }

    /**
     * A call begins (it ends with exactly one {@link #finish}). Refused once the instance is closing, so that
     * {@link #drain} sees every call that started.
     */
    void begin() {
        inFlight.increment();
        if (closing) {
            inFlight.decrement();
            throw new IllegalStateException("this LlmRotate instance is closed");
        }
    }

    /**
     * Stops new calls and waits up to {@code grace} for the calls in flight (streams and leases included) to end;
     * true when they all did.
     */
    boolean drain(Duration grace) {
        closing = true;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.sum() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Calls begun and not yet ended. */
    long inFlight() {
        return inFlight.sum();
    }

    /** A call answered: its tokens count against the key's tpm budget and the call is recorded. */
    void completeCall(CallTrace trace, KeySpec key, String model, Usage usage) {
        if (key.rateLimitTpm() != null) {
            store.addTokens(key.keyId(), usage.totalTokens(), clock.millis());
        }
        finish(trace.success(clock.instant(), model, usage, pricing));
    }

    /**
     * The routes of a plan that can serve {@code request}: those whose model has every capability the request uses
     * (tools, a response format, reasoning, images) and whose adapter accepts it. A route that cannot is dropped, the
     * native one too, so that a call never falls back to a model that would drop part of it. The plan itself when
     * every route qualifies; nothing is allocated then.
     *
     * @throws LlmRotateException {@code invalid_request}, before anything is sent, when no route qualifies; the
     *     message names each route and why it cannot serve
     */
    List<Route> qualifying(List<Route> routes, ChatRequest request) {
        List<Route> kept = null;
        List<String> refusals = null;
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            String refusal = null;
            // The adapter first: what its wire format cannot carry is a harder fact than the table's knowledge.
            try {
                adapter(route.provider()).checkSupported(request);
            } catch (IllegalArgumentException e) {
                refusal = e.getMessage();
            }
            if (refusal == null && route.capabilities() != ModelCapabilities.ALL) {
                int missing = ModelCapabilities.missing(request, route.capabilities());
                if (missing != 0) {
                    refusal = "model '" + route.model() + "' does not support " + ModelCapabilities.names(missing)
                            + " (built-in capability table or model_capabilities)";
                }
            }
            if (refusal != null) {
                if (kept == null) {
                    kept = new ArrayList<>(routes.subList(0, i));
                    refusals = new ArrayList<>(2);
                }
                refusals.add(route + ": " + refusal);
            } else if (kept != null) {
                kept.add(route);
            }
        }
        if (kept == null) {
            return routes;
        }
        if (kept.isEmpty()) {
            throw new LlmRotateException(
                    "no route can serve this request: " + String.join("; ", refusals),
                    routes.get(0).provider(),
                    ErrorType.INVALID_REQUEST,
                    null);
        }
        return List.copyOf(kept);
    }

    HealthReport health() {
        Instant now = clock.instant();
        // An observer resolves no secret: the masks are those the workers published.
        Map<String, String> publishedMasks = observer ? store.keyMasks() : null;
        List<HealthReport.KeyReport> keys = new ArrayList<>();
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, Instant> earliest = new LinkedHashMap<>();
        for (KeySpec key : state.config.activeKeys()) {
            HealthReport.KeyReport report =
                    keyReport(key, now, publishedMasks == null ? Secrets.maskOf(key) : publishedMasks.get(key.keyId()));
            keys.add(report);
            Instant keyAt = report.availableAt();
            int[] c = counts.computeIfAbsent(key.provider(), p -> new int[2]);
            c[1]++;
            if (keyAt != null && !keyAt.isAfter(now)) {
                c[0]++;
            } else if (keyAt != null) {
                earliest.merge(key.provider(), keyAt, (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        Map<String, HealthReport.ProviderReport> providers = new LinkedHashMap<>();
        counts.forEach((provider, c) -> providers.put(
                provider, new HealthReport.ProviderReport(c[0], c[1], c[0] > 0 ? null : earliest.get(provider))));
        return new HealthReport(now, keys, providers);
    }

    /**
     * One key's row: its key-wide health, and per model its (key, model) health. The row's state is the key-wide
     * state unless that is ACTIVE and no model can be served now, when it is the state of the model that comes back
     * first; its counters add the models' to the key's, and its last error is the latest of all.
     */
    private HealthReport.KeyReport keyReport(KeySpec key, Instant now, String mask) {
        KeyHealth h = store.health(key.keyId());
        KeyState keyState = HealthPolicy.effectiveState(h, now);
        Map<String, HealthReport.ModelReport> models = new LinkedHashMap<>();
        Instant keyAt = null; // the earliest time the key serves one of its models
        KeyState firstBack = null;
        int consecutive = 0;
        int recent = HealthPolicy.recentFailures(h, now);
        ErrorType lastError = h.lastErrorType();
        Instant lastFailure = h.lastFailureAt();
        for (String model : key.models()) {
            String scope = HealthScope.of(key.keyId(), model);
            KeyHealth m = store.health(scope);
            KeyState modelState = HealthPolicy.effectiveState(m, now);
            Instant modelAt = selector.availableAt(key, scope, now);
            models.put(
                    model,
                    new HealthReport.ModelReport(
                            modelState,
                            modelAt,
                            m.consecutiveFailures(),
                            HealthPolicy.recentFailures(m, now),
                            m.lastErrorType() == null ? null : m.lastErrorType().wireName(),
                            m.lastFailureAt()));
            if (modelAt != null && (keyAt == null || modelAt.isBefore(keyAt))) {
                keyAt = modelAt;
                firstBack = modelState;
            }
            consecutive = Math.max(consecutive, m.consecutiveFailures());
            recent += HealthPolicy.recentFailures(m, now);
            if (m.lastFailureAt() != null
                    && (lastFailure == null || m.lastFailureAt().isAfter(lastFailure))) {
                lastFailure = m.lastFailureAt();
                lastError = m.lastErrorType();
            }
        }
        KeyState rowState = keyState;
        if (keyState == KeyState.ACTIVE && firstBack != null && keyAt.isAfter(now)) {
            rowState = firstBack;
        }
        return new HealthReport.KeyReport(
                key.keyId(),
                key.provider(),
                mask,
                rowState,
                keyAt,
                h.consecutiveFailures() + consecutive,
                recent,
                lastError == null ? null : lastError.wireName(),
                lastFailure,
                h.lastSuccessAt(),
                models,
                budgetOf(key, now.toEpochMilli()));
    }

    /** The key's rpm and tpm budgets and what is used of them now. */
    private HealthReport.Budget budgetOf(KeySpec key, long nowMillis) {
        Integer rpm = key.rateLimitRpm();
        Long tpm = key.rateLimitTpm();
        if (rpm == null && tpm == null) {
            return HealthReport.Budget.NONE;
        }
        Integer rpmUsed = null;
        if (rpm != null) {
            int used = store.requestsInLastMinute(key.keyId(), rpm, nowMillis);
            rpmUsed = used < 0 ? null : used;
        }
        Long tpmUsed = tpm == null ? null : store.tokensInLastMinute(key.keyId(), nowMillis);
        return new HealthReport.Budget(rpm, rpmUsed, tpm, tpmUsed);
    }
}

package dev.llmrotate.spi;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/** The default store: everything in this process, lost on restart. Health reads are lock-free map lookups. */
public final class InMemoryStateStore implements StateStore {
    private final ConcurrentHashMap<String, KeyHealth> health = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RequestWindow> requestWindows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TokenWindow> tokenWindows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> cursors = new ConcurrentHashMap<>();
    private final Counters overall = new Counters();
    private final ConcurrentHashMap<String, Counters> byProvider = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counters> byModel = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counters> byKey = new ConcurrentHashMap<>();

    @Override
    public KeyHealth health(String keyId) {
        KeyHealth h = health.get(keyId);
        return h == null ? KeyHealth.INITIAL : h;
    }

    @Override
    public KeyHealth updateHealth(String keyId, UnaryOperator<KeyHealth> transition) {
        return health.compute(keyId, (id, current) -> transition.apply(current == null ? KeyHealth.INITIAL : current));
    }

    @Override
    public void retainKeys(Set<String> keyIds) {
        health.keySet().retainAll(keyIds);
        requestWindows.keySet().retainAll(keyIds);
        tokenWindows.keySet().retainAll(keyIds);
    }

    @Override
    public boolean tryAcquireRequest(String keyId, int limitPerMinute, long nowMillis) {
        return window(keyId, limitPerMinute).tryAcquire(nowMillis);
    }

    @Override
    public long nextRequestSlot(String keyId, int limitPerMinute, long nowMillis) {
        return window(keyId, limitPerMinute).nextSlot(nowMillis);
    }

    @Override
    public int requestsInLastMinute(String keyId, int limitPerMinute, long nowMillis) {
        RequestWindow window = requestWindows.get(keyId);
        return window == null || window.limit() != limitPerMinute ? 0 : window.admitted(nowMillis);
    }

    private RequestWindow window(String keyId, int limit) {
        RequestWindow window = requestWindows.get(keyId);
        if (window == null || window.limit() != limit) {
            // A changed limit (reload) starts a fresh window.
            window = requestWindows.compute(
                    keyId, (id, w) -> w != null && w.limit() == limit ? w : new RequestWindow(limit));
        }
        return window;
    }

    @Override
    public void addTokens(String keyId, long tokens, long nowMillis) {
        tokenWindows.computeIfAbsent(keyId, id -> new TokenWindow()).add(tokens, nowMillis);
    }

    @Override
    public long tokensInLastMinute(String keyId, long nowMillis) {
        TokenWindow window = tokenWindows.get(keyId);
        return window == null ? 0 : window.sum(nowMillis);
    }

    @Override
    public long nextRoundRobin(String scope) {
        return cursors.computeIfAbsent(scope, s -> new AtomicLong()).getAndIncrement();
    }

    @Override
    public void recordCall(CallRecord record) {
        overall.add(record);
        if (record.provider() != null) {
            byProvider.computeIfAbsent(record.provider(), p -> new Counters()).add(record);
        }
        String model = record.model() != null ? record.model() : record.requestedModel();
        if (model != null) {
            byModel.computeIfAbsent(model, m -> new Counters()).add(record);
        }
        if (record.keyId() != null) {
            byKey.computeIfAbsent(record.keyId(), k -> new Counters()).add(record);
        }
    }

    @Override
    public UsageSummary usageSummary() {
        return new UsageSummary(overall.snapshot(), snapshot(byProvider), snapshot(byModel), snapshot(byKey));
    }

    private static Map<String, UsageSummary.Totals> snapshot(Map<String, Counters> counters) {
        Map<String, UsageSummary.Totals> out = new HashMap<>();
        counters.forEach((name, c) -> out.put(name, c.snapshot()));
        return out;
    }

    /** Lock-free counters of one slice. */
    private static final class Counters {
        final LongAdder successes = new LongAdder();
        final LongAdder failures = new LongAdder();
        final ConcurrentHashMap<String, LongAdder> failuresByType = new ConcurrentHashMap<>();
        final LongAdder inputTokens = new LongAdder();
        final LongAdder outputTokens = new LongAdder();
        final LongAdder cachedInputTokens = new LongAdder();
        final LongAdder reasoningTokens = new LongAdder();
        final DoubleAdder costUsd = new DoubleAdder();
        final LongAdder unpricedCalls = new LongAdder();
        final LatencyHistogram latency = new LatencyHistogram();

        void add(CallRecord record) {
            if (record.isSuccess()) {
                successes.increment();
            } else {
                failures.increment();
                String type = record.failureName();
                failuresByType.computeIfAbsent(type, t -> new LongAdder()).increment();
            }
            addIfAny(inputTokens, record.inputTokens());
            addIfAny(outputTokens, record.outputTokens());
            addIfAny(cachedInputTokens, record.cachedInputTokens());
            addIfAny(reasoningTokens, record.reasoningTokens());
            if (record.estimatedCostUsd() != null) {
                if (record.estimatedCostUsd() != 0) {
                    costUsd.add(record.estimatedCostUsd());
                }
            } else if (record.isSuccess()) {
                unpricedCalls.increment();
            }
            latency.record(record.latencyMs());
        }

        /** Skips the atomic add for zero, which most counters get on most calls. */
        private static void addIfAny(LongAdder adder, long value) {
            if (value != 0) {
                adder.add(value);
            }
        }

        UsageSummary.Totals snapshot() {
            Map<String, Long> byType = new HashMap<>();
            failuresByType.forEach((type, n) -> byType.put(type, n.sum()));
            long s = successes.sum();
            long f = failures.sum();
            return new UsageSummary.Totals(
                    s + f,
                    s,
                    f,
                    byType,
                    inputTokens.sum(),
                    outputTokens.sum(),
                    cachedInputTokens.sum(),
                    reasoningTokens.sum(),
                    costUsd.sum(),
                    unpricedCalls.sum(),
                    LatencyHistogram.summarise(latency.counts()));
        }
    }
}

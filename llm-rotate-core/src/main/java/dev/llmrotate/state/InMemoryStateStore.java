package dev.llmrotate.state;

import dev.llmrotate.chat.Usage;
import dev.llmrotate.health.KeyHealth;
import dev.llmrotate.observe.UsageEvent;
import dev.llmrotate.observe.UsageSummary;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
    public void recordCall(UsageEvent event) {
        overall.add(event);
        if (event.provider() != null) {
            byProvider.computeIfAbsent(event.provider(), p -> new Counters()).add(event);
        }
        if (event.model() != null) {
            byModel.computeIfAbsent(event.model(), m -> new Counters()).add(event);
        }
        if (event.keyId() != null) {
            byKey.computeIfAbsent(event.keyId(), k -> new Counters()).add(event);
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

        void add(UsageEvent event) {
            if (event.success()) {
                successes.increment();
            } else {
                failures.increment();
                String type = event.failure() == null ? "unknown" : event.failure();
                failuresByType.computeIfAbsent(type, t -> new LongAdder()).increment();
            }
            Usage usage = event.usage();
            if (usage != null) {
                inputTokens.add(usage.inputTokens());
                outputTokens.add(usage.outputTokens());
                cachedInputTokens.add(usage.cachedInputTokens());
                reasoningTokens.add(usage.reasoningTokens());
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
                    reasoningTokens.sum());
        }
    }
}

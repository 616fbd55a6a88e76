package dev.llmrotate.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.HealthPolicy;
import dev.llmrotate.health.KeyHealth;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link StateStore} must have. Each implementation's test extends this class and supplies a
 * fresh, empty store; the Redis store runs the same suite.
 */
public abstract class StateStoreContract {
    private static final long T0 = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
    protected StateStore store;

    /** A new, empty store. */
    protected abstract StateStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void anUnknownKeyIsActiveWithACleanRecord() {
        assertThat(store.health("never-seen")).isEqualTo(KeyHealth.INITIAL);
    }

    @Test
    void healthUpdatesAreStoredAndReadBack() {
        Instant now = Instant.ofEpochMilli(T0);
        KeyHealth after = store.updateHealth(
                "k",
                h -> HealthPolicy.onFailure(h, ErrorType.RATE_LIMIT, null, now, ProviderCatalog.defaults("openai")));
        assertThat(after.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(store.health("k")).isEqualTo(after);
        assertThat(store.health("other")).isEqualTo(KeyHealth.INITIAL);
    }

    @Test
    void concurrentHealthUpdatesAreAtomic() throws Exception {
        Instant now = Instant.ofEpochMilli(T0);
        int threads = 8;
        int perThread = 200;
        runConcurrently(threads, () -> {
            for (int i = 0; i < perThread; i++) {
                // A transient failure only increments the run of failures; none may be lost.
                store.updateHealth(
                        "k",
                        h -> HealthPolicy.onFailure(
                                h,
                                ErrorType.TIMEOUT,
                                null,
                                now,
                                ProviderCatalog.defaults("openai").withMaxConsecutiveFailures(Integer.MAX_VALUE)));
            }
            return null;
        });
        assertThat(store.health("k").consecutiveFailures()).isEqualTo(threads * perThread);
    }

    @Test
    void onlyOneOfManyConcurrentCallersWinsAProbationTrial() throws Exception {
        Instant now = Instant.ofEpochMilli(T0);
        store.updateHealth(
                "k",
                h -> HealthPolicy.onFailure(
                        h, ErrorType.RATE_LIMIT, null, now.minusSeconds(60), ProviderCatalog.defaults("openai")));
        List<Long> winners = runConcurrently(16, () -> {
            long token = Thread.currentThread().getId() + 1;
            KeyHealth after = store.updateHealth("k", h -> HealthPolicy.claimTrial(h, token, now, now.plusSeconds(5)));
            return after.trialHolder() == token ? token : null;
        });
        assertThat(winners.stream().filter(w -> w != null)).hasSize(1);
    }

    @Test
    void retainKeysForgetsHealthAndBudgetsOfOtherKeys() {
        Instant now = Instant.ofEpochMilli(T0);
        for (String key : List.of("keep", "drop")) {
            store.updateHealth(
                    key,
                    h -> HealthPolicy.onFailure(
                            h, ErrorType.INVALID_AUTH, null, now, ProviderCatalog.defaults("openai")));
            store.addTokens(key, 100, T0);
            assertThat(store.tryAcquireRequest(key, 1, T0)).isTrue();
        }
        store.retainKeys(Set.of("keep"));
        assertThat(store.health("keep").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(store.health("drop")).isEqualTo(KeyHealth.INITIAL);
        assertThat(store.tokensInLastMinute("keep", T0)).isEqualTo(100);
        assertThat(store.tokensInLastMinute("drop", T0)).isZero();
        assertThat(store.tryAcquireRequest("keep", 1, T0)).isFalse();
        assertThat(store.tryAcquireRequest("drop", 1, T0)).isTrue();
    }

    @Test
    void theRequestBudgetIsASlidingMinute() {
        assertThat(store.tryAcquireRequest("k", 2, T0)).isTrue();
        assertThat(store.tryAcquireRequest("k", 2, T0 + 20_000)).isTrue();
        assertThat(store.tryAcquireRequest("k", 2, T0 + 30_000)).isFalse();
        assertThat(store.nextRequestSlot("k", 2, T0 + 30_000)).isEqualTo(T0 + 60_000);
        assertThat(store.tryAcquireRequest("k", 2, T0 + 59_999)).isFalse();
        assertThat(store.tryAcquireRequest("k", 2, T0 + 60_000)).isTrue();
        assertThat(store.nextRequestSlot("k", 2, T0 + 60_000)).isEqualTo(T0 + 80_000);
        assertThat(store.nextRequestSlot("other", 2, T0)).isEqualTo(T0);
    }

    @Test
    void concurrentRequestsNeverExceedTheBudget() throws Exception {
        List<Long> admitted = runConcurrently(8, () -> {
            long count = 0;
            for (int i = 0; i < 100; i++) {
                count += store.tryAcquireRequest("k", 150, T0 + i) ? 1 : 0;
            }
            return count;
        });
        assertThat(admitted.stream().mapToLong(Long::longValue).sum()).isEqualTo(150);
    }

    @Test
    void tokensCountWithinTheLastMinuteAtOneSecondResolution() {
        store.addTokens("k", 100, T0);
        store.addTokens("k", 50, T0 + 30_500);
        assertThat(store.tokensInLastMinute("k", T0 + 30_600)).isEqualTo(150);
        assertThat(store.tokensInLastMinute("k", T0 + 59_999)).isEqualTo(150);
        assertThat(store.tokensInLastMinute("k", T0 + 60_000)).isEqualTo(50);
        assertThat(store.tokensInLastMinute("k", T0 + 91_000)).isZero();
        store.addTokens("k", 7, T0 + 120_000);
        assertThat(store.tokensInLastMinute("k", T0 + 120_001)).isEqualTo(7);
    }

    @Test
    void concurrentTokenAdditionsAreAllCounted() throws Exception {
        runConcurrently(8, () -> {
            for (int i = 0; i < 500; i++) {
                store.addTokens("k", 3, T0 + (i % 5) * 1000);
            }
            return null;
        });
        assertThat(store.tokensInLastMinute("k", T0 + 5_000)).isEqualTo(8 * 500 * 3);
    }

    @Test
    void roundRobinCursorsAreUniqueUnderConcurrencyAndPerScope() throws Exception {
        List<List<Long>> seen = runConcurrently(8, () -> {
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                mine.add(store.nextRoundRobin("openai|gpt-4o-mini"));
            }
            return mine;
        });
        Set<Long> all = new HashSet<>();
        seen.forEach(all::addAll);
        assertThat(all).hasSize(800).allSatisfy(v -> assertThat(v).isBetween(0L, 799L));
        assertThat(store.nextRoundRobin("other-scope")).isZero();
    }

    /** A record as the engine writes it; cost null means the model has no price. */
    protected static CallRecord record(
            String provider,
            String model,
            String keyId,
            String outcome,
            String errorType,
            Usage usage,
            double latencyMs,
            Double cost) {
        return new CallRecord(
                Instant.ofEpochMilli(T0),
                "c-1",
                "chat",
                provider,
                null,
                model,
                model,
                keyId,
                keyId == null ? null : "sk-…abcd",
                outcome,
                errorType,
                null,
                usage.reported(),
                usage.inputTokens(),
                usage.outputTokens(),
                usage.cachedInputTokens(),
                usage.reasoningTokens(),
                usage.totalTokens(),
                latencyMs,
                null,
                1,
                0,
                false,
                cost,
                cost == null ? "unknown_model" : "estimated",
                List.of(),
                List.of());
    }

    @Test
    void usageCountersAddUpPerSlice() throws Exception {
        runConcurrently(4, () -> {
            for (int i = 0; i < 50; i++) {
                store.recordCall(record(
                        "openai", "gpt-4o-mini", "a", CallRecord.SUCCESS, null, new Usage(10, 5, 2, 1), 100, 0.25));
                store.recordCall(
                        record("openai", "gpt-4o-mini", "b", CallRecord.ERROR, "rate_limit", Usage.NONE, 3, 0.0));
            }
            return null;
        });
        store.recordCall(record("openai", "mystery-model", "a", CallRecord.SUCCESS, null, Usage.of(7, 3), 100, null));
        store.recordCall(record(null, "gpt-x", null, CallRecord.NO_AVAILABLE_KEY, null, Usage.NONE, 0.5, 0.0));
        UsageSummary summary = store.usageSummary();
        assertThat(summary.overall().calls()).isEqualTo(402);
        assertThat(summary.overall().successes()).isEqualTo(201);
        assertThat(summary.overall().failures()).isEqualTo(201);
        assertThat(summary.overall().failuresByType())
                .containsEntry("rate_limit", 200L)
                .containsEntry("no_available_key", 1L);
        assertThat(summary.overall().inputTokens()).isEqualTo(2007);
        assertThat(summary.overall().outputTokens()).isEqualTo(1003);
        assertThat(summary.overall().cachedInputTokens()).isEqualTo(400);
        assertThat(summary.overall().reasoningTokens()).isEqualTo(200);
        assertThat(summary.overall().costUsd()).isCloseTo(50.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(summary.overall().unpricedCalls()).isEqualTo(1);
        assertThat(summary.byProvider().get("openai").calls()).isEqualTo(401);
        assertThat(summary.byModel().get("gpt-4o-mini").calls()).isEqualTo(400);
        assertThat(summary.byModel().get("gpt-x").failures()).isEqualTo(1);
        assertThat(summary.byKey().get("a").successes()).isEqualTo(201);
        assertThat(summary.byKey().get("b").failuresByType()).containsEntry("rate_limit", 200L);
        assertThat(summary.byKey()).doesNotContainKey(null);
    }

    @Test
    void latencyPercentilesComeFromAllRecordedCalls() {
        for (int i = 1; i <= 100; i++) {
            store.recordCall(record("openai", "m", "a", CallRecord.SUCCESS, null, Usage.NONE, i * 10.0, 0.0));
        }
        UsageSummary.Latency latency = store.usageSummary().overall().latency();
        // Buckets are at most ~9% wide: each percentile lies within that of the true value.
        assertThat(latency.p50Ms()).isBetween(500.0, 550.0);
        assertThat(latency.p90Ms()).isBetween(900.0, 990.0);
        assertThat(latency.p99Ms()).isBetween(990.0, 1090.0);
        assertThat(latency.maxMs()).isBetween(1000.0, 1090.0);
        assertThat(store.usageSummary().byKey().get("a").latency()).isEqualTo(latency);
    }

    private <T> List<T> runConcurrently(int threads, Callable<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(30, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}

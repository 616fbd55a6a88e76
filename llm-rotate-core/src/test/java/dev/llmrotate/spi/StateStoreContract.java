package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.internal.health.HealthPolicy;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** A resting health, distinct for each {@code n}, with every field set (outageRests too). */
    protected static KeyHealth resting(int n, ErrorType error) {
        Instant at = Instant.ofEpochMilli(T0).plusNanos(n);
        return new KeyHealth(
                error == ErrorType.INVALID_AUTH ? KeyState.QUARANTINE : KeyState.COOLDOWN,
                at.plusSeconds(30 + n),
                n,
                n + 1,
                at.minusSeconds(60),
                0,
                error,
                at,
                at.minusSeconds(3600),
                0,
                null,
                n % 4);
    }

    @Test
    void aModelScopesHealthIsIndependentOfItsKeyAndOfOtherModels() {
        String mini = HealthScope.of("k", "gpt-4o-mini");
        String big = HealthScope.of("k", "gpt-4o");
        KeyHealth limited = store.updateHealth(mini, h -> resting(1, ErrorType.RATE_LIMIT));

        assertThat(store.health(mini)).isEqualTo(limited);
        assertThat(store.health("k")).isEqualTo(KeyHealth.INITIAL);
        assertThat(store.health(big)).isEqualTo(KeyHealth.INITIAL);
        assertThat(store.health(HealthScope.of("other", "gpt-4o-mini"))).isEqualTo(KeyHealth.INITIAL);

        KeyHealth quarantined = store.updateHealth("k", h -> resting(2, ErrorType.INVALID_AUTH));
        KeyHealth unavailable = store.updateHealth(big, h -> resting(3, ErrorType.MODEL_UNAVAILABLE));
        assertThat(store.health("k")).isEqualTo(quarantined);
        assertThat(store.health(mini)).isEqualTo(limited);
        assertThat(store.health(big)).isEqualTo(unavailable);

        store.updateHealth(mini, h -> KeyHealth.INITIAL);
        assertThat(store.health(mini)).isEqualTo(KeyHealth.INITIAL);
        assertThat(store.health("k")).isEqualTo(quarantined);
        assertThat(store.health(big)).isEqualTo(unavailable);
    }

    @Test
    void retainKeysWithScopesKeepsExactlyTheGivenIds() {
        List<String> ids = List.of(
                "a",
                "b",
                HealthScope.of("a", "m1"),
                HealthScope.of("a", "m2"),
                HealthScope.of("b", "m1"),
                HealthScope.of("gone", "m1"));
        Map<String, KeyHealth> written = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            int n = i + 1;
            written.put(ids.get(i), store.updateHealth(ids.get(i), h -> resting(n, ErrorType.RATE_LIMIT)));
        }
        Set<String> kept = Set.of("a", HealthScope.of("a", "m1"), HealthScope.of("b", "m1"));

        store.retainKeys(kept);

        for (String id : ids) {
            assertThat(store.health(id))
                    .as(id.replace(HealthScope.SEPARATOR, '/'))
                    .isEqualTo(kept.contains(id) ? written.get(id) : KeyHealth.INITIAL);
        }
    }

    @Test
    void scopesWhoseKeyIdOrModelHoldPunctuationRoundTrip() {
        List<String> ids = List.of(
                "team:prod",
                "team",
                HealthScope.of("team", "prod"),
                HealthScope.of("team:prod", "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"),
                HealthScope.of("team", "prod:x"),
                HealthScope.of("team", "meta-llama/llama-3.1-70b"),
                HealthScope.of("vertex@eu", "claude-3-5-sonnet@20240620"),
                "team%3Aprod",
                HealthScope.of("100%", "a b:c"));
        Map<String, KeyHealth> written = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            int n = i + 1;
            written.put(ids.get(i), store.updateHealth(ids.get(i), h -> resting(n, ErrorType.RATE_LIMIT)));
        }
        written.forEach((id, health) -> assertThat(store.health(id))
                .as(id.replace(HealthScope.SEPARATOR, '/'))
                .isEqualTo(health));
        assertThat(store.health("team:prod" + HealthScope.SEPARATOR + "bedrock"))
                .isEqualTo(KeyHealth.INITIAL);

        store.retainKeys(Set.of(ids.get(0), ids.get(3), ids.get(7)));
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            assertThat(store.health(id))
                    .as(id.replace(HealthScope.SEPARATOR, '/'))
                    .isEqualTo(i == 0 || i == 3 || i == 7 ? written.get(id) : KeyHealth.INITIAL);
        }
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

package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.health.KeyStateChange;
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
    void requestsInTheLastMinuteCountWhatWasAdmittedWithoutAdmittingAnything() {
        assertThat(store.requestsInLastMinute("k", 2, T0)).isZero();
        store.tryAcquireRequest("k", 2, T0);
        store.tryAcquireRequest("k", 2, T0 + 20_000);
        store.tryAcquireRequest("k", 2, T0 + 30_000); // refused: the budget is full
        assertThat(store.requestsInLastMinute("k", 2, T0 + 30_000)).isEqualTo(2);
        assertThat(store.requestsInLastMinute("k", 2, T0 + 30_000)).isEqualTo(2);
        assertThat(store.requestsInLastMinute("k", 2, T0 + 60_000)).isEqualTo(1);
        assertThat(store.requestsInLastMinute("k", 2, T0 + 80_000)).isZero();
        assertThat(store.requestsInLastMinute("other", 2, T0)).isZero();
        assertThat(store.tryAcquireRequest("k", 2, T0 + 80_000)).isTrue();
        assertThat(store.tryAcquireRequest("k", 2, T0 + 80_001)).isTrue();
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
                List.of(),
                0,
                List.of(),
                null);
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
        assertThat(latency.p95Ms()).isBetween(950.0, 1040.0);
        assertThat(latency.p99Ms()).isBetween(990.0, 1090.0);
        assertThat(latency.maxMs()).isBetween(1000.0, 1090.0);
        assertThat(store.usageSummary().byKey().get("a").latency()).isEqualTo(latency);
    }

    // ---- usage buckets and key history --------------------------------------------------------------------------

    private static final Instant MINUTE_0 = Instant.ofEpochMilli(T0); // 10:00:00, a whole hour

    /** A record that ended at {@code at}, streamed when {@code firstChunkMs} is not null. */
    protected static CallRecord recordAt(
            Instant at,
            String provider,
            String model,
            String keyId,
            String errorType,
            double latencyMs,
            Double firstChunkMs) {
        CallRecord r = record(
                provider,
                model,
                keyId,
                errorType == null ? CallRecord.SUCCESS : CallRecord.ERROR,
                errorType,
                errorType == null ? new Usage(10, 5, 2, 1) : Usage.NONE,
                latencyMs,
                errorType == null ? 0.5 : 0.0);
        return new CallRecord(
                at,
                r.callId(),
                firstChunkMs == null ? "chat" : "chat_stream",
                r.provider(),
                r.upstream(),
                r.requestedModel(),
                r.model(),
                r.keyId(),
                r.keyMask(),
                r.outcome(),
                r.errorType(),
                r.httpStatus(),
                r.usageReported(),
                r.inputTokens(),
                r.outputTokens(),
                r.cachedInputTokens(),
                r.reasoningTokens(),
                r.totalTokens(),
                r.latencyMs(),
                firstChunkMs,
                r.attempts(),
                r.rotations(),
                r.fallbackUsed(),
                r.estimatedCostUsd(),
                r.costStatus(),
                r.attemptDetails(),
                r.recoveries(),
                0,
                List.of(),
                null);
    }

    /** Waits until what was recorded can be read back (a shared store may send it asynchronously). */
    protected void settle() {}

    private static long calls(List<UsageBucket> buckets) {
        return buckets.stream().mapToLong(b -> b.counts().calls()).sum();
    }

    @Test
    void callsCountInTheMinuteBucketOfTheirSliceUnderTheGivenModel() {
        store.recordCall(
                recordAt(MINUTE_0.plusSeconds(5), "openai", "gpt-4o-mini-2024-07-18", "a", null, 100, null),
                "gpt-4o-mini",
                0);
        store.recordCall(
                recordAt(MINUTE_0.plusSeconds(59), "openai", "gpt-4o-mini", "a", "rate_limit", 10, null),
                "gpt-4o-mini",
                0);
        store.recordCall(
                recordAt(MINUTE_0.plusSeconds(60), "openai", "gpt-4o-mini", "b", null, 100, 40.0), "gpt-4o-mini", 0);
        store.recordCall(recordAt(MINUTE_0.plusSeconds(61), "anthropic", "claude", "c", null, 100, null), "claude", 0);
        settle();

        List<UsageBucket> buckets = store.usageBuckets(
                MINUTE_0, MINUTE_0.plusSeconds(120), UsageBucket.MINUTE, dev.llmrotate.observe.UsageFilter.ALL, true);
        assertThat(buckets)
                .extracting(b -> b.start() + " " + b.provider() + "/" + b.model() + "/" + b.keyId() + " "
                        + b.counts().calls())
                .containsExactlyInAnyOrder(
                        MINUTE_0 + " openai/gpt-4o-mini/a 2",
                        MINUTE_0.plusSeconds(60) + " openai/gpt-4o-mini/b 1",
                        MINUTE_0.plusSeconds(60) + " anthropic/claude/c 1");
        UsageBucket first =
                buckets.stream().filter(b -> "a".equals(b.keyId())).findFirst().orElseThrow();
        UsageSummary.Totals totals = first.counts().totals();
        assertThat(totals.successes()).isEqualTo(1);
        assertThat(totals.failuresByType()).containsExactly(Map.entry("rate_limit", 1L));
        assertThat(totals.inputTokens()).isEqualTo(10);
        assertThat(totals.outputTokens()).isEqualTo(5);
        assertThat(totals.cachedInputTokens()).isEqualTo(2);
        assertThat(totals.reasoningTokens()).isEqualTo(1);
        assertThat(totals.costUsd()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        UsageBucket streamed =
                buckets.stream().filter(b -> "b".equals(b.keyId())).findFirst().orElseThrow();
        assertThat(streamed.counts().firstChunkLatency().p50Ms()).isBetween(40.0, 44.0);
        assertThat(first.counts().firstChunkLatency()).isEqualTo(UsageSummary.Latency.EMPTY);

        // The frame is [from, until): the second minute only.
        assertThat(calls(store.usageBuckets(
                        MINUTE_0.plusSeconds(60),
                        MINUTE_0.plusSeconds(120),
                        UsageBucket.MINUTE,
                        dev.llmrotate.observe.UsageFilter.ALL,
                        true)))
                .isEqualTo(2);
        assertThat(store.usageBuckets(
                        MINUTE_0.minusSeconds(3600),
                        MINUTE_0,
                        UsageBucket.MINUTE,
                        dev.llmrotate.observe.UsageFilter.ALL,
                        true))
                .isEmpty();
    }

    @Test
    void bucketsMergeAcrossSlicesWhenAskedAndFiltersPickSlices() {
        for (int i = 0; i < 30; i++) {
            store.recordCall(recordAt(MINUTE_0.plusSeconds(i), "openai", "m1", "a", null, 100, null), "m1", 0);
            store.recordCall(recordAt(MINUTE_0.plusSeconds(i), "openai", "m2", "a", null, 1000, null), "m2", 0);
            store.recordCall(recordAt(MINUTE_0.plusSeconds(i), "openai", "m1", "b", null, 10, null), "m1", 0);
        }
        settle();
        Instant until = MINUTE_0.plusSeconds(60);
        List<UsageBucket> merged =
                store.usageBuckets(MINUTE_0, until, UsageBucket.MINUTE, dev.llmrotate.observe.UsageFilter.ALL, false);
        UsageCounts all = new UsageCounts();
        merged.forEach(b -> all.add(b.counts()));
        assertThat(all.calls()).isEqualTo(90);
        // Percentiles of the merged histograms: a third of the calls at each latency.
        UsageSummary.Latency latency = all.totals().latency();
        assertThat(latency.p50Ms()).isBetween(100.0, 110.0);
        assertThat(latency.p90Ms()).isBetween(1000.0, 1100.0);
        assertThat(latency.maxMs()).isBetween(1000.0, 1100.0);

        assertThat(calls(store.usageBuckets(
                        MINUTE_0, until, UsageBucket.MINUTE, dev.llmrotate.observe.UsageFilter.key("a"), false)))
                .isEqualTo(60);
        assertThat(calls(store.usageBuckets(
                        MINUTE_0, until, UsageBucket.MINUTE, dev.llmrotate.observe.UsageFilter.model("m1"), true)))
                .isEqualTo(60);
        assertThat(calls(store.usageBuckets(
                        MINUTE_0,
                        until,
                        UsageBucket.MINUTE,
                        new dev.llmrotate.observe.UsageFilter("openai", "m1", "b", null),
                        false)))
                .isEqualTo(30);
        assertThat(store.usageBuckets(
                        MINUTE_0,
                        until,
                        UsageBucket.MINUTE,
                        dev.llmrotate.observe.UsageFilter.provider("anthropic"),
                        false))
                .isEmpty();
    }

    /** The record made by {@code caller}. */
    protected static CallRecord by(String caller, CallRecord r) {
        return new CallRecord(
                r.timestamp(),
                r.callId(),
                r.operation(),
                r.provider(),
                r.upstream(),
                r.requestedModel(),
                r.model(),
                r.keyId(),
                r.keyMask(),
                r.outcome(),
                r.errorType(),
                r.httpStatus(),
                r.usageReported(),
                r.inputTokens(),
                r.outputTokens(),
                r.cachedInputTokens(),
                r.reasoningTokens(),
                r.totalTokens(),
                r.latencyMs(),
                r.timeToFirstChunkMs(),
                r.attempts(),
                r.rotations(),
                r.fallbackUsed(),
                r.estimatedCostUsd(),
                r.costStatus(),
                r.attemptDetails(),
                r.recoveries(),
                r.toolCalls(),
                r.toolNames(),
                caller);
    }

    @Test
    void callersAreCountedApartFromTheSlicesSinceStartAndInBuckets() {
        store.recordCall(by("gw-a", recordAt(MINUTE_0.plusSeconds(1), "openai", "m1", "a", null, 100, null)), "m1", 0);
        store.recordCall(by("gw-a", recordAt(MINUTE_0.plusSeconds(2), "openai", "m2", "b", null, 100, 30.0)), "m2", 0);
        store.recordCall(
                by("gw-b", recordAt(MINUTE_0.plusSeconds(3), "openai", "m1", "a", "rate_limit", 5, null)), "m1", 0);
        store.recordCall(
                by("gw-a", recordAt(MINUTE_0.plusSeconds(61), "anthropic", "c", "c", null, 100, null)), "c", 0);
        store.recordCall(recordAt(MINUTE_0.plusSeconds(62), "openai", "m1", "a", null, 100, null), "m1", 0);
        settle();

        UsageSummary summary = store.usageSummary();
        assertThat(summary.overall().calls()).isEqualTo(5);
        assertThat(summary.byCaller()).containsOnlyKeys("gw-a", "gw-b");
        UsageSummary.Totals a = summary.byCaller().get("gw-a");
        assertThat(a.successes()).isEqualTo(3);
        assertThat(a.inputTokens()).isEqualTo(30);
        assertThat(a.outputTokens()).isEqualTo(15);
        assertThat(a.costUsd()).isCloseTo(1.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(a.latency().p50Ms()).isBetween(100.0, 110.0);
        assertThat(summary.byCaller().get("gw-b").failuresByType()).containsExactly(Map.entry("rate_limit", 1L));
        // The slices count every call once, with or without a caller.
        assertThat(calls(store.usageBuckets(
                        MINUTE_0,
                        MINUTE_0.plusSeconds(120),
                        UsageBucket.MINUTE,
                        dev.llmrotate.observe.UsageFilter.ALL,
                        true)))
                .isEqualTo(5);

        List<UsageBucket> minutes = store.callerBuckets(MINUTE_0, MINUTE_0.plusSeconds(120), UsageBucket.MINUTE, null);
        assertThat(minutes)
                .extracting(b -> b.start() + " " + b.caller() + " " + b.counts().calls() + " " + b.provider()
                        + b.model() + b.keyId())
                .containsExactlyInAnyOrder(
                        MINUTE_0 + " gw-a 2 nullnullnull",
                        MINUTE_0 + " gw-b 1 nullnullnull",
                        MINUTE_0.plusSeconds(60) + " gw-a 1 nullnullnull");
        UsageBucket streamed = minutes.stream()
                .filter(b -> b.caller().equals("gw-a") && b.start().equals(MINUTE_0))
                .findFirst()
                .orElseThrow();
        assertThat(streamed.counts().firstChunkLatency().p50Ms()).isBetween(30.0, 33.0);
        assertThat(store.callerBuckets(MINUTE_0, MINUTE_0.plusSeconds(120), UsageBucket.MINUTE, "gw-b"))
                .extracting(b -> b.caller() + " " + b.counts().calls())
                .containsExactly("gw-b 1");
        assertThat(store.callerBuckets(MINUTE_0.plusSeconds(60), MINUTE_0.plusSeconds(120), UsageBucket.MINUTE, "gw-b"))
                .isEmpty();
        assertThat(store.callerBuckets(MINUTE_0, MINUTE_0.plusSeconds(120), UsageBucket.MINUTE, "nobody"))
                .isEmpty();
        assertThat(store.callerBuckets(MINUTE_0, MINUTE_0.plusSeconds(3600), UsageBucket.HOUR, null))
                .extracting(b -> b.start() + " " + b.caller() + " " + b.counts().calls())
                .containsExactlyInAnyOrder(MINUTE_0 + " gw-a 3", MINUTE_0 + " gw-b 1");
        assertThatThrownBy(() -> store.callerBuckets(
                        MINUTE_0, MINUTE_0.plusSeconds(3600), java.time.Duration.ofMinutes(5), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resolution");
    }

    /**
     * Callers come from requests: the first {@link StateStore#MAX_CALLERS} are counted apart, every further one under
     * {@link StateStore#OTHER_CALLER}, also when new callers arrive concurrently; a caller counted apart stays apart.
     */
    @Test
    void callersBeyondTheBoundShareOneSlice() throws Exception {
        int threads = 4;
        int perThread = 50; // 200 distinct callers: twice the bound
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        runConcurrently(threads, () -> {
            for (int i = 0; i < perThread; i++) {
                String caller = "tenant-" + next.getAndIncrement();
                store.recordCall(
                        by(caller, recordAt(MINUTE_0.plusSeconds(5), "openai", "m", "a", null, 100, null)), "m", 0);
            }
            return null;
        });
        settle();
        UsageSummary summary = store.usageSummary();
        assertThat(summary.overall().calls()).isEqualTo(threads * perThread);
        assertThat(summary.byCaller()).hasSize(StateStore.MAX_CALLERS + 1).containsKey(StateStore.OTHER_CALLER);
        assertThat(summary.byCaller().get(StateStore.OTHER_CALLER).calls())
                .isEqualTo(threads * perThread - StateStore.MAX_CALLERS);
        assertThat(summary.byCaller().values().stream()
                        .mapToLong(UsageSummary.Totals::calls)
                        .sum())
                .isEqualTo(threads * perThread);

        String counted = summary.byCaller().keySet().stream()
                .filter(c -> !c.equals(StateStore.OTHER_CALLER))
                .findFirst()
                .orElseThrow();
        store.recordCall(by(counted, recordAt(MINUTE_0.plusSeconds(6), "openai", "m", "a", null, 100, null)), "m", 0);
        store.recordCall(
                by("late-comer", recordAt(MINUTE_0.plusSeconds(7), "openai", "m", "a", null, 100, null)), "m", 0);
        settle();
        UsageSummary after = store.usageSummary();
        assertThat(after.byCaller()).hasSize(StateStore.MAX_CALLERS + 1).doesNotContainKey("late-comer");
        assertThat(after.byCaller().get(counted).calls()).isEqualTo(2);
        assertThat(after.byCaller().get(StateStore.OTHER_CALLER).calls())
                .isEqualTo(threads * perThread - StateStore.MAX_CALLERS + 1);
        List<UsageBucket> buckets = store.callerBuckets(MINUTE_0, MINUTE_0.plusSeconds(60), UsageBucket.MINUTE, null);
        assertThat(buckets).hasSize(StateStore.MAX_CALLERS + 1);
        assertThat(calls(buckets)).isEqualTo(threads * perThread + 2);
    }

    @Test
    void hourBucketsCountEveryCallOfTheirHour() {
        store.recordCall(recordAt(MINUTE_0.plusSeconds(30), "openai", "m", "a", null, 100, null), "m", 0);
        store.recordCall(recordAt(MINUTE_0.plusSeconds(59 * 60 + 59), "openai", "m", "a", null, 100, null), "m", 0);
        store.recordCall(recordAt(MINUTE_0.plusSeconds(3600), "openai", "m", "a", null, 100, null), "m", 0);
        store.recordCall(recordAt(MINUTE_0.plusSeconds(2 * 3600 + 5), "openai", "m", "b", "timeout", 5, null), "m", 0);
        settle();
        List<UsageBucket> hours = store.usageBuckets(
                MINUTE_0,
                MINUTE_0.plusSeconds(3 * 3600),
                UsageBucket.HOUR,
                dev.llmrotate.observe.UsageFilter.ALL,
                true);
        Map<String, Long> byHourAndKey = new LinkedHashMap<>();
        hours.forEach(
                b -> byHourAndKey.merge(b.start() + " " + b.keyId(), b.counts().calls(), Long::sum));
        assertThat(byHourAndKey)
                .containsOnly(
                        Map.entry(MINUTE_0 + " a", 2L),
                        Map.entry(MINUTE_0.plusSeconds(3600) + " a", 1L),
                        Map.entry(MINUTE_0.plusSeconds(7200) + " b", 1L));
        assertThatThrownBy(() -> store.usageBuckets(
                        MINUTE_0,
                        MINUTE_0.plusSeconds(3600),
                        java.time.Duration.ofMinutes(5),
                        dev.llmrotate.observe.UsageFilter.ALL,
                        true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resolution");
    }

    @Test
    void stateChangesAreKeptPerScopeNewestFirstAndBounded() {
        String mini = HealthScope.of("k", "gpt-4o-mini");
        int extra = 5;
        for (int i = 0; i < StateStore.HISTORY_PER_SCOPE + extra; i++) {
            store.recordStateChange(new KeyStateChange(
                    MINUTE_0.plusSeconds(i),
                    "k",
                    "gpt-4o-mini",
                    KeyState.ACTIVE,
                    KeyState.COOLDOWN,
                    "rate_limit",
                    java.time.Duration.ofSeconds(i),
                    MINUTE_0.plusSeconds(i + 30)));
        }
        store.recordStateChange(new KeyStateChange(
                MINUTE_0.plusMillis(2500),
                "k",
                null,
                KeyState.ACTIVE,
                KeyState.QUARANTINE,
                "invalid_auth",
                null,
                MINUTE_0.plusSeconds(600)));
        store.recordStateChange(new KeyStateChange(
                MINUTE_0.plusSeconds(3),
                "other",
                null,
                KeyState.ACTIVE,
                KeyState.QUARANTINE,
                "quota_exhausted",
                null,
                MINUTE_0.plusSeconds(3600)));
        settle();

        Instant end = MINUTE_0.plusSeconds(3600);
        List<KeyStateChange> modelOnly = store.stateChanges(List.of(mini), MINUTE_0, end, 1000);
        assertThat(modelOnly).hasSize(StateStore.HISTORY_PER_SCOPE);
        assertThat(modelOnly.get(0).at()).isEqualTo(MINUTE_0.plusSeconds(StateStore.HISTORY_PER_SCOPE + extra - 1));
        assertThat(modelOnly.get(0).retryAfter())
                .isEqualTo(java.time.Duration.ofSeconds(StateStore.HISTORY_PER_SCOPE + extra - 1));
        assertThat(modelOnly.get(modelOnly.size() - 1).at()).isEqualTo(MINUTE_0.plusSeconds(extra));

        List<KeyStateChange> early =
                store.stateChanges(List.of("k", mini), MINUTE_0, MINUTE_0.plusSeconds(extra + 3), 10);
        assertThat(early)
                .extracting(c -> c.at() + " " + c.model() + " " + c.to() + " " + c.cause())
                .containsExactly(
                        MINUTE_0.plusSeconds(extra + 2) + " gpt-4o-mini COOLDOWN rate_limit",
                        MINUTE_0.plusSeconds(extra + 1) + " gpt-4o-mini COOLDOWN rate_limit",
                        MINUTE_0.plusSeconds(extra) + " gpt-4o-mini COOLDOWN rate_limit",
                        MINUTE_0.plusMillis(2500) + " null QUARANTINE invalid_auth");
        KeyStateChange quarantine = early.get(early.size() - 1);
        assertThat(quarantine)
                .isEqualTo(new KeyStateChange(
                        MINUTE_0.plusMillis(2500),
                        "k",
                        null,
                        KeyState.ACTIVE,
                        KeyState.QUARANTINE,
                        "invalid_auth",
                        null,
                        MINUTE_0.plusSeconds(600)));
        assertThat(store.stateChanges(List.of("k", mini), MINUTE_0, end, 3)).hasSize(3);
        assertThat(store.stateChanges(List.of("other"), MINUTE_0, end, 10))
                .singleElement()
                .extracting(KeyStateChange::cause)
                .isEqualTo("quota_exhausted");
        assertThat(store.stateChanges(List.of("nobody"), MINUTE_0, end, 10)).isEmpty();
    }

    /** Whether the store keeps records for {@link StateStore#recentCalls} (a shared store does). */
    protected boolean keepsRecentCalls() {
        return false;
    }

    private static CallRecord withCallId(CallRecord r, String callId) {
        return new CallRecord(
                r.timestamp(),
                callId,
                r.operation(),
                r.provider(),
                r.upstream(),
                r.requestedModel(),
                r.model(),
                r.keyId(),
                r.keyMask(),
                r.outcome(),
                r.errorType(),
                r.httpStatus(),
                r.usageReported(),
                r.inputTokens(),
                r.outputTokens(),
                r.cachedInputTokens(),
                r.reasoningTokens(),
                r.totalTokens(),
                r.latencyMs(),
                r.timeToFirstChunkMs(),
                r.attempts(),
                r.rotations(),
                r.fallbackUsed(),
                r.estimatedCostUsd(),
                r.costStatus(),
                r.attemptDetails(),
                r.recoveries(),
                0,
                List.of(),
                null);
    }

    @Test
    void recentCallsAreKeptNewestFirstWhenTheStoreKeepsThem() {
        for (int i = 0; i < 10; i++) {
            CallRecord r =
                    recordAt(MINUTE_0.plusSeconds(i), "openai", "m", "a", i % 3 == 0 ? "timeout" : null, 100, 20.0);
            store.recordCall(withCallId(r, "c-" + i), "m", 5);
        }
        store.recordCall(
                withCallId(recordAt(MINUTE_0.plusSeconds(20), "openai", "m", "a", null, 1, null), "not-kept"), "m", 0);
        settle();
        if (!keepsRecentCalls()) {
            assertThat(store.recentCalls(10)).isEmpty();
            return;
        }
        List<CallRecord> recent = store.recentCalls(3);
        assertThat(recent).extracting(CallRecord::callId).containsExactly("c-9", "c-8", "c-7");
        assertThat(recent.get(0))
                .isEqualTo(
                        withCallId(recordAt(MINUTE_0.plusSeconds(9), "openai", "m", "a", "timeout", 100, 20.0), "c-9"));
        // The stream is trimmed to about the capacity: at least 5 kept, never all of a long run.
        assertThat(store.recentCalls(100)).hasSizeBetween(5, 10);
        assertThat(store.recentCalls(0)).isEmpty();
    }

    @Test
    void keyMasksArePublishedReadBackAndForgottenWithTheirKeys() {
        store.publishKeyMask("a", "sk-…aaaa");
        store.publishKeyMask("b", "sk-…bbbb");
        store.publishKeyMask("a", "sk-…a2a2");
        settle();
        assertThat(store.keyMasks()).isEqualTo(Map.of("a", "sk-…a2a2", "b", "sk-…bbbb"));
        store.retainKeys(Set.of("a", HealthScope.of("a", "m")));
        settle();
        assertThat(store.keyMasks()).isEqualTo(Map.of("a", "sk-…a2a2"));
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

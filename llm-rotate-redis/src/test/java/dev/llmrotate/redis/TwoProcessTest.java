package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.KeyHealth;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs sharing a key pool through Redis: this test's process and a {@link WorkerMain} started with the same
 * configuration file (keys on a fake OpenAI server, {@code state_store: redis}).
 */
class TwoProcessTest {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisServer redis;

    @TempDir
    Path dir;

    private FakeOpenAiServer openai;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void startFakeProvider() {
        openai = FakeOpenAiServer.start();
        opened.add(openai);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private static String secret(String keyId) {
        return "sk-two-" + keyId + "-0123456789abcdef";
    }

    /** Writes the shared configuration: each key's secret in a file both processes read, {@code extra} appended. */
    private Path config(List<String> keyLines, String defaults) throws IOException {
        StringBuilder yaml = new StringBuilder("keys:\n");
        for (String line : keyLines) {
            String keyId = line.substring(0, line.indexOf(','));
            Path secretFile = dir.resolve("secret-" + keyId);
            Files.writeString(secretFile, secret(keyId));
            yaml.append("  - {key_id: ")
                    .append(line)
                    .append(", provider: openai, models: [gpt-4o-mini], secret_ref: 'file://")
                    .append(secretFile)
                    .append("'}\n");
        }
        yaml.append("providers:\n  openai: {base_url: '")
                .append(openai.baseUrl())
                .append("', request_timeout_seconds: 10}\n");
        yaml.append("defaults: {max_wait_for_key_seconds: 0, call_deadline_seconds: 30, backoff_base_seconds: 0.01, ")
                .append(defaults)
                .append("}\n");
        yaml.append("state_store: {type: redis, url: '")
                .append(redis.url())
                .append("?timeout=5s', prefix: two-") // a loaded build machine is not an outage
                .append(ProcessHandle.current().pid())
                .append('-')
                .append(PREFIXES.incrementAndGet())
                .append("}\n");
        Path file = dir.resolve("llm-rotate.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private Worker worker(Path config) throws IOException {
        Worker worker = Worker.start(config, dir.resolve("worker.log"));
        opened.add(worker);
        return worker;
    }

    private LlmRotate engine(LlmRotateConfig config, StateStore store) {
        LlmRotate lm = LlmRotate.builder().config(config).stateStore(store).build();
        opened.add(lm);
        return lm;
    }

    @Test
    void aCooldownSetByA429InOneProcessIsSeenByTheOtherWithin100Ms() throws Exception {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        Path file = config(List.of("a, priority: 10", "b, priority: 1"), "selection_strategy: priority");
        LlmRotateConfig config = LlmRotateConfig.fromFile(file);
        TimedStore store = new TimedStore(RedisStateStore.of(config.stateStore()));
        LlmRotate lm = engine(config, store);
        Worker other = worker(file);

        int rounds = 5;
        long[] propagationMicros = new long[rounds];
        for (int round = 0; round < rounds; round++) {
            other.send("watch a COOLDOWN gpt-4o-mini"); // a 429 rests the key for that model
            other.expect("watching", 30);
            store.cooldownWrittenAt.set(0);

            assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");

            long seenAt = Worker.numbers(other.expect("seen", 60))[0];
            propagationMicros[round] = seenAt - store.cooldownWrittenAt.get();
            if (round < rounds - 1) {
                lm.resetKey("a");
                other.send("watch a ACTIVE gpt-4o-mini");
                other.expect("watching", 30);
                other.expect("seen", 60);
            }
        }
        System.out.println("cooldown propagation to the other JVM (µs, from the start of the write to the other"
                + " process seeing it in its local view): " + Arrays.toString(propagationMicros));
        assertThat(Arrays.stream(propagationMicros).boxed().toList())
                .allSatisfy(micros -> assertThat(micros).isBetween(0L, 100_000L));

        // The other process now routes around the resting key without trying it.
        other.send("calls 5 1");
        assertThat(Worker.numbers(other.expect("done", 60))).containsExactly(5, 0, 0);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(rounds);
    }

    @Test
    void twoProcessesTogetherNeverExceedAKeysRpmBudget() throws Exception {
        Path file = config(List.of("r1, rate_limit_rpm: 20", "r2, rate_limit_rpm: 30"), "max_retries: 0");
        LlmRotateConfig config = LlmRotateConfig.fromFile(file);
        LlmRotate lm = engine(config, RedisStateStore.of(config.stateStore()));
        Worker other = worker(file);

        other.send("calls 60 4");
        int[] mine = calls(lm, 60, 4);
        long[] theirs = Worker.numbers(other.expect("done", 120));

        System.out.printf(
                "rpm budgets 20 + 30 shared by two processes: served %d + %d, refused %d + %d; requests at the fake"
                        + " server r1=%d r2=%d%n",
                mine[0],
                theirs[0],
                mine[1],
                theirs[1],
                openai.requestCount(secret("r1")),
                openai.requestCount(secret("r2")));
        assertThat(openai.requestCount(secret("r1"))).isEqualTo(20);
        assertThat(openai.requestCount(secret("r2"))).isEqualTo(30);
        assertThat(mine[0] + theirs[0]).isEqualTo(50);
        assertThat(mine[2] + theirs[2])
                .as("failures other than no_available_key")
                .isZero();
    }

    @Test
    void usageCountedByBothProcessesAddsUpExactly() throws Exception {
        openai.byDefault().always(FakeResponse.ok("hello", 10, 5));
        Path file = config(List.of("u1, weight: 1", "u2, weight: 1", "u3, weight: 1"), "max_retries: 2");
        LlmRotateConfig config = LlmRotateConfig.fromFile(file);
        RedisStateStore store = RedisStateStore.of(config.stateStore());
        LlmRotate lm = engine(config, store);
        Worker other = worker(file);

        other.send("calls 200 4");
        int[] mine = calls(lm, 200, 4);
        long[] theirs = Worker.numbers(other.expect("done", 120));
        store.flush();

        long total = mine[0] + theirs[0];
        assertThat(total).isEqualTo(400);
        UsageSummary usage = lm.usageSummary();
        assertThat(usage.overall().calls()).isEqualTo(400);
        assertThat(usage.overall().successes()).isEqualTo(400);
        assertThat(usage.overall().inputTokens()).isEqualTo(4000);
        assertThat(usage.overall().outputTokens()).isEqualTo(2000);
        assertThat(usage.byKey().values().stream()
                        .mapToLong(UsageSummary.Totals::calls)
                        .sum())
                .isEqualTo(400);
        assertThat(usage.byModel().get("gpt-4o-mini").calls()).isEqualTo(400);
        assertThat(openai.requestCount()).isEqualTo(400);
        other.send("summary");
        assertThat(Worker.numbers(other.expect("summary", 30))).containsExactly(400, 4000, 2000);
    }

    /** {@code n} calls on {@code threads} threads: {served, refused for no key, other failures}. */
    private static int[] calls(LlmRotate lm, int n, int threads) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger noKey = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    try {
                        lm.chat("gpt-4o-mini", HI);
                        ok.incrementAndGet();
                    } catch (NoAvailableKeyException e) {
                        noKey.incrementAndGet();
                    } catch (RuntimeException e) {
                        other.incrementAndGet();
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        return new int[] {ok.get(), noKey.get(), other.get()};
    }

    /** Notes when a write that leaves a key in COOLDOWN started (wall clock, as the other process reports it). */
    private static final class TimedStore implements StateStore {
        final AtomicLong cooldownWrittenAt = new AtomicLong();
        private final StateStore store;

        TimedStore(StateStore store) {
            this.store = store;
        }

        @Override
        public KeyHealth updateHealth(String keyId, UnaryOperator<KeyHealth> transition) {
            long start = WorkerMain.epochMicros(Instant.now());
            KeyHealth after = store.updateHealth(keyId, transition);
            if (after.state() == KeyState.COOLDOWN) {
                cooldownWrittenAt.compareAndSet(0, start);
            }
            return after;
        }

        @Override
        public KeyHealth health(String keyId) {
            return store.health(keyId);
        }

        @Override
        public void retainKeys(Set<String> keyIds) {
            store.retainKeys(keyIds);
        }

        @Override
        public boolean tryAcquireRequest(String keyId, int limitPerMinute, long nowMillis) {
            return store.tryAcquireRequest(keyId, limitPerMinute, nowMillis);
        }

        @Override
        public long nextRequestSlot(String keyId, int limitPerMinute, long nowMillis) {
            return store.nextRequestSlot(keyId, limitPerMinute, nowMillis);
        }

        @Override
        public void addTokens(String keyId, long tokens, long nowMillis) {
            store.addTokens(keyId, tokens, nowMillis);
        }

        @Override
        public long tokensInLastMinute(String keyId, long nowMillis) {
            return store.tokensInLastMinute(keyId, nowMillis);
        }

        @Override
        public long nextRoundRobin(String scope) {
            return store.nextRoundRobin(scope);
        }

        @Override
        public void recordCall(CallRecord record) {
            store.recordCall(record);
        }

        @Override
        public UsageSummary usageSummary() {
            return store.usageSummary();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}

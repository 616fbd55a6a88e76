package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.internal.health.HealthPolicy;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.HealthScope;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Redis refusing credentials, unreachable at start, killed and restarted mid-run, and too slow: calls never fail, one
 * WARN and one INFO per outage, and the usage counters end exact.
 */
class RedisFaultTest {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final String STORE_LOGGER = LogNames.STORE;

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    private static RedisStateStore.Builder store(RedisServer redis) {
        return RedisStateStore.builder()
                .url(redis.url())
                .prefix("faults")
                .commandTimeout(Duration.ofSeconds(1)) // short enough to show, long enough for a loaded machine
                .retryInterval(Duration.ofMillis(100));
    }

    /** Three keys answered in-process; with {@code rpm}, the first has that budget and the strategy is round robin. */
    private LlmRotate engine(RedisStateStore store, Integer rpm) {
        var first = Keys.key("a", "openai", "gpt-4o-mini");
        if (rpm != null) {
            first.rateLimitRpm(rpm);
        }
        LlmRotateConfig config = LlmRotateConfig.builder()
                .key(first.build())
                .key(Keys.openai("b"))
                .key(Keys.openai("c"))
                .strategy(rpm == null ? SelectionStrategyType.HEALTH_AWARE : SelectionStrategyType.ROUND_ROBIN)
                .build();
        return keep(LlmRotate.builder()
                .config(config)
                .stateStore(store)
                .adapter(new InProcessAdapter())
                .build());
    }

    @Test
    void refusedCredentialsAreAConfigurationErrorThatHidesThePassword() {
        RedisServer redis = keep(RedisServer.startLocal(-1, "--requirepass", "right-secret"));
        String wrong = "redis://:wrong-secret@127.0.0.1:" + redis.port();
        String none = "redis://127.0.0.1:" + redis.port();

        // Generous timeouts: the refusal must be what the handshake meets, not a timeout on a machine still busy
        // with the previous test's processes (a timeout leaves the store down and retrying instead).
        assertThatThrownBy(() -> RedisStateStore.builder()
                        .url(wrong)
                        .commandTimeout(Duration.ofSeconds(10))
                        .connectTimeout(Duration.ofSeconds(10))
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(
                        "state_store: Redis at redis://:***@127.0.0.1:" + redis.port() + " refused the credentials (")
                .hasMessageNotContaining("wrong-secret");
        assertThatThrownBy(() -> RedisStateStore.builder()
                        .url(none)
                        .commandTimeout(Duration.ofSeconds(10))
                        .connectTimeout(Duration.ofSeconds(10))
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("refused the credentials");

        RedisStateStore store = keep(RedisStateStore.builder()
                .url("redis://:right-secret@127.0.0.1:" + redis.port())
                .build());
        assertThat(store.isRedisAvailable()).isTrue();
        assertThat(store)
                .hasToString("RedisStateStore[redis://:***@127.0.0.1:" + redis.port() + ", prefix {llm-rotate}:]");
    }

    @Test
    void anUnreachableRedisAtStartIsUsedOnceItAppears() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServer redis = keep(RedisServer.notStarted(port));
        LogCapture logs = keep(LogCapture.of(STORE_LOGGER));
        RedisStateStore store = store(redis).build();
        LlmRotate lm = engine(store, null);

        assertThat(store.isRedisAvailable()).isFalse();
        for (int i = 0; i < 20; i++) {
            lm.chat(ChatRequest.builder("gpt-4o-mini")
                    .messages(HI)
                    .caller(i % 4 == 0 ? "gw-b" : "gw-a")
                    .build());
        }
        assertThat(lm.usageSummary().overall().calls()).as("kept locally").isEqualTo(20);
        assertThat(lm.usageSummary().byCaller().get("gw-a").calls()).isEqualTo(15);

        redis.restart();
        await().atMost(Duration.ofSeconds(30)).until(store::isRedisAvailable);

        assertThat(logs.messages(Level.WARN)).singleElement().asString().contains("is unreachable");
        assertThat(logs.messages(Level.INFO))
                .filteredOn(m -> m.contains("reachable again"))
                .hasSize(1);
        RedisStateStore reader = keep(store(redis).build());
        assertThat(reader.usageSummary().overall().calls())
                .as("sent once Redis appeared")
                .isEqualTo(20);
        assertThat(reader.usageSummary().byCaller())
                .containsOnlyKeys("gw-a", "gw-b")
                .allSatisfy((caller, totals) -> assertThat(totals.inputTokens()).isEqualTo(10 * totals.calls()));
        assertThat(reader.usageSummary().byCaller().get("gw-b").calls()).isEqualTo(5);
    }

    @Test
    void redisKilledAndRestartedMidRunCostsNoCallAndNoCount() {
        // Persistence on, so that the counters written before the kill survive it and the totals can be exact.
        RedisServer redis = keep(RedisServer.startLocal(-1, "--appendonly", "yes", "--appendfsync", "always"));
        LogCapture logs = keep(LogCapture.of(STORE_LOGGER));
        LogCapture lettuce = keep(LogCapture.of("io.lettuce"));
        RedisStateStore store = store(redis).build();
        LlmRotate lm = engine(store, null);
        int calls = 0;

        for (int i = 0; i < 100; i++, calls++) {
            lm.chat("gpt-4o-mini", HI);
        }
        store.flush();
        assertThat(lm.usageSummary().overall().calls()).isEqualTo(100);

        redis.kill();
        long slowest = 0;
        for (int i = 0; i < 100; i++, calls++) {
            long start = System.nanoTime();
            lm.chat("gpt-4o-mini", HI);
            slowest = Math.max(slowest, System.nanoTime() - start);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !store.isRedisAvailable());
        // A rate limit while Redis is away: kept locally, written back when it returns.
        Instant now = Instant.now();
        store.updateHealth(
                "b",
                h -> HealthPolicy.onFailure(h, ErrorType.RATE_LIMIT, null, now, ProviderCatalog.defaults("openai")));
        String otherModel = HealthScope.of("a", "gpt-4o"); // a model these calls do not use
        store.updateHealth(
                otherModel,
                h -> HealthPolicy.onFailure(h, ErrorType.RATE_LIMIT, null, now, ProviderCatalog.defaults("openai")));
        for (int i = 0; i < 50; i++, calls++) {
            assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isNotEqualTo("b");
        }

        redis.restart();
        await().atMost(Duration.ofSeconds(30)).until(store::isRedisAvailable);
        for (int i = 0; i < 100; i++, calls++) {
            lm.chat("gpt-4o-mini", HI);
        }
        store.flush();

        int expected = calls;
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lm.usageSummary().overall().calls() == expected);
        UsageSummary usage = lm.usageSummary();
        assertThat(usage.overall().successes()).isEqualTo(expected);
        assertThat(usage.overall().inputTokens()).isEqualTo(10L * expected);
        assertThat(usage.overall().outputTokens()).isEqualTo(5L * expected);
        assertThat(keep(store(redis).build()).health("b").state())
                .as("a process that starts now sees the rest set during the outage")
                .isEqualTo(KeyState.COOLDOWN);
        assertThat(keep(store(redis).build()).health(otherModel).state())
                .as("and the model scope's rest")
                .isEqualTo(KeyState.COOLDOWN);
        assertThat(logs.messages(Level.WARN)).singleElement().asString().contains("is unreachable");
        assertThat(logs.messages(Level.INFO))
                .filteredOn(m -> m.contains("reachable again"))
                .hasSize(1);
        System.out.printf(
                "Redis killed and restarted: %d calls, none failed, slowest call while it was down %.1f ms;"
                        + " Lettuce logged %d WARN lines%n",
                expected, slowest / 1e6, lettuce.messages(Level.WARN).size());
    }

    @Test
    void aRedisTooSlowToAnswerIsBypassedAndCaughtUpExactly() throws Exception {
        RedisServer redis = keep(RedisServer.startLocal(-1, "--enable-debug-command", "yes"));
        LogCapture logs = keep(LogCapture.of(STORE_LOGGER));
        RedisStateStore store = store(redis).build();
        // An rpm budget and round robin: two synchronous round trips per call, the hardest case for a slow Redis.
        LlmRotate lm = engine(store, 100_000);
        for (int i = 0; i < 50; i++) {
            lm.chat("gpt-4o-mini", HI);
        }

        CompletableFuture<String> sleeping = CompletableFuture.supplyAsync(() -> redis.command("DEBUG SLEEP 4"));
        int calls = 50;
        long slowest = 0;
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until) {
            long start = System.nanoTime();
            lm.chat(ChatRequest.builder("gpt-4o-mini")
                    .messages(HI)
                    .caller("gw-" + calls % 3)
                    .build());
            slowest = Math.max(slowest, System.nanoTime() - start);
            calls++;
        }
        sleeping.get();
        await().atMost(Duration.ofSeconds(30)).until(store::isRedisAvailable);
        store.flush();

        int expected = calls;
        await().atMost(Duration.ofSeconds(10))
                .until(() -> lm.usageSummary().overall().calls() == expected);
        assertThat(lm.usageSummary().overall().inputTokens()).isEqualTo(10L * expected);
        // The callers' counters were kept and caught up as exactly (50 calls named none).
        assertThat(lm.usageSummary().byCaller().values().stream()
                        .mapToLong(UsageSummary.Totals::calls)
                        .sum())
                .isEqualTo(expected - 50L);
        assertThat(slowest)
                .as("no call waits much longer than the command timeout")
                .isLessThan(Duration.ofMillis(3000).toNanos());
        assertThat(logs.messages(Level.WARN)).singleElement().asString().contains("is unreachable");
        assertThat(logs.messages(Level.INFO))
                .filteredOn(m -> m.contains("reachable again"))
                .hasSize(1);
        System.out.printf("Redis asleep for 4 s: %d calls, none failed, slowest %.1f ms%n", expected, slowest / 1e6);
    }
}

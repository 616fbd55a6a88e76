package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.HealthPolicy;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyHealth;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Several stores on one Redis in one JVM: propagation, the read side, round trips per call, configuration. */
class RedisStateStoreTest {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisServer redis;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final String prefix = "t-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();

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

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private RedisStateStore store() {
        RedisStateStore store =
                RedisStateStore.builder().url(redis.url()).prefix(prefix).build();
        opened.add(store);
        return store;
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    @Test
    void aHealthChangeReachesAnotherStoreViewWithinMilliseconds() {
        RedisStateStore a = store();
        RedisStateStore b = store();
        Instant now = Instant.now();
        long[] micros = new long[21];
        for (int round = 0; round < micros.length; round++) {
            long start = System.nanoTime();
            KeyHealth written = a.updateHealth(
                    "k",
                    h -> h.state() == KeyState.ACTIVE
                            ? HealthPolicy.onFailure(
                                    h, ErrorType.RATE_LIMIT, null, now, ProviderCatalog.defaults("openai"))
                            : KeyHealth.INITIAL);
            long deadline = start + Duration.ofSeconds(10).toNanos();
            while (!b.health("k").equals(written) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            micros[round] = (System.nanoTime() - start) / 1000;
            assertThat(b.health("k")).isEqualTo(written);
        }
        long[] sorted = micros.clone();
        java.util.Arrays.sort(sorted);
        System.out.println("health propagation between two stores in one JVM (write + publish + apply), µs: median "
                + sorted[sorted.length / 2] + ", max " + sorted[sorted.length - 1] + ", all "
                + java.util.Arrays.toString(micros));
        assertThat(sorted[sorted.length / 2]).isLessThan(100_000);
    }

    @Test
    void concurrentWritersInTwoStoresLoseNoUpdate() throws Exception {
        RedisStateStore a = store();
        RedisStateStore b = store();
        Instant now = Instant.now();
        var settings = ProviderCatalog.defaults("openai").withMaxConsecutiveFailures(Integer.MAX_VALUE);
        Runnable fail = () -> {
            for (int i = 0; i < 100; i++) {
                (i % 2 == 0 ? a : b)
                        .updateHealth("k", h -> HealthPolicy.onFailure(h, ErrorType.TIMEOUT, null, now, settings));
            }
        };
        Thread t1 = new Thread(fail);
        Thread t2 = new Thread(fail);
        t1.start();
        t2.start();
        t1.join(60_000);
        t2.join(60_000);

        // Each view catches up with the other's last write through the channel.
        await().atMost(Duration.ofSeconds(5)).until(() -> a.health("k").consecutiveFailures() == 200);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.health("k").consecutiveFailures() == 200);
        assertThat(store().health("k").consecutiveFailures())
                .as("what Redis holds")
                .isEqualTo(200);
    }

    @Test
    void retainKeysForgetsOtherKeysInEveryProcess() {
        RedisStateStore a = store();
        RedisStateStore b = store();
        Instant now = Instant.now();
        for (String key : List.of("keep", "drop")) {
            a.updateHealth(
                    key,
                    h -> HealthPolicy.onFailure(
                            h, ErrorType.INVALID_AUTH, null, now, ProviderCatalog.defaults("openai")));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> b.health("drop").state() == KeyState.QUARANTINE);

        a.retainKeys(Set.of("keep"));

        await().atMost(Duration.ofSeconds(5)).until(() -> b.health("drop").equals(KeyHealth.INITIAL));
        assertThat(b.health("keep").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(store().health("drop")).as("a store opened later").isEqualTo(KeyHealth.INITIAL);
        assertThat(store().health("keep").state()).isEqualTo(KeyState.QUARANTINE);
    }

    @Test
    void aReaderSeesTheHealthAndUsageOfAProcessServingCalls() {
        try (FakeOpenAiServer openai = FakeOpenAiServer.start()) {
            openai.forKey(Keys.secret("limited")).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
            openai.byDefault().always(FakeResponse.ok("hello", 12, 3));
            LlmRotateConfig config = LlmRotateConfig.builder()
                    .key(Keys.key("limited", "openai", "gpt-4o-mini")
                            .priority(10)
                            .build())
                    .key(Keys.openai("spare"))
                    .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                    .strategy(SelectionStrategyType.PRIORITY)
                    .build();
            LlmRotate serving =
                    keep(LlmRotate.builder().config(config).stateStore(store()).build());
            for (int i = 0; i < 5; i++) {
                assertThat(serving.chat("gpt-4o-mini", HI).keyId()).isEqualTo("spare");
            }

            // The read side: the same configuration (which keys exist), its own store, no calls served.
            LlmRotate reader =
                    keep(LlmRotate.builder().config(config).stateStore(store()).build());

            HealthReport health = reader.health();
            assertThat(health.key("limited").state()).isEqualTo(KeyState.COOLDOWN);
            assertThat(health.key("limited").lastErrorType()).isEqualTo("rate_limit");
            assertThat(health.key("spare").state()).isEqualTo(KeyState.ACTIVE);
            assertThat(health.key("spare").lastSuccessAt()).isNotNull();
            UsageSummary usage = reader.usageSummary();
            assertThat(usage.overall().calls()).isEqualTo(5);
            assertThat(usage.overall().inputTokens()).isEqualTo(60);
            assertThat(usage.byKey().get("spare").successes()).isEqualTo(5);
            assertThat(usage.byProvider().get("openai").calls()).isEqualTo(5);
            assertThat(usage.overall().latency().p50Ms()).isPositive();
            assertThat(usage).isEqualTo(serving.usageSummary());
        }
    }

    @Test
    void aSuccessfulCallCostsOneRoundTripWithoutWaitingForIt() {
        RedisStateStore store = store();
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(Keys.openai("a"), Keys.openai("b"), Keys.openai("c")))
                .build();
        LlmRotate lm = keep(LlmRotate.builder()
                .config(config)
                .stateStore(store)
                .adapter(new InProcessAdapter())
                .build());
        for (int i = 0; i < 50; i++) {
            lm.chat("gpt-4o-mini", HI); // warm up: scripts, first lastSuccessAt writes
        }
        store.flush();
        long evalshaBefore = evalshaCalls();
        long commandsBefore = store.redisCommandCount();

        int calls = 1000;
        for (int i = 0; i < calls; i++) {
            lm.chat("gpt-4o-mini", HI);
        }
        store.flush();

        long commands = store.redisCommandCount() - commandsBefore;
        long evalsha = evalshaCalls() - evalshaBefore;
        System.out.printf(
                "round trips per successful call: %.3f (client count %d, server EVALSHA count %d, %d calls)%n",
                (double) commands / calls, commands, evalsha, calls);
        // At most one usage script per call (fewer when calls outpace Redis: they are summed into one send); a
        // lastSuccessAt refresh per key and second, and a reload every 5 s, on top.
        assertThat(commands).isBetween(1L, calls + 30L);
        assertThat(evalsha).isBetween(commands - 5, commands + 5);
        assertThat(store.usageSummary().overall().calls()).isEqualTo(calls + 50);

        // Paced like calls that wait on a real provider (each call's usage has landed before the next): one each.
        int paced = 100;
        long pacedBefore = store.redisCommandCount();
        for (int i = 0; i < paced; i++) {
            lm.chat("gpt-4o-mini", HI);
            store.flush();
        }
        long pacedCommands = store.redisCommandCount() - pacedBefore;
        System.out.printf(
                "round trips per paced successful call: %.3f (%d calls)%n", (double) pacedCommands / paced, paced);
        assertThat(pacedCommands).isBetween((long) paced, paced + 10L);
    }

    private static long evalshaCalls() {
        Matcher m = Pattern.compile("cmdstat_evalsha:calls=(\\d+)").matcher(redis.command("INFO commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void theConfigurationSelectsTheRedisStore() {
        try (FakeOpenAiServer openai = FakeOpenAiServer.start()) {
            openai.forKey(Keys.secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
            LlmRotateConfig config = LlmRotateConfig.builder()
                    .key(Keys.key("a", "openai", "gpt-4o-mini").priority(10).build())
                    .key(Keys.openai("b"))
                    .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                    .strategy(SelectionStrategyType.PRIORITY)
                    .stateStore(StateStoreSettings.redis(redis.url(), prefix))
                    .build();
            LlmRotate first = keep(LlmRotate.create(config));
            LlmRotate second = keep(LlmRotate.create(config));

            assertThat(first.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");

            await().atMost(Duration.ofSeconds(5))
                    .until(() -> second.health().key("a").state() == KeyState.COOLDOWN);
            assertThat(second.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");
            assertThat(openai.requestCount(Keys.secret("a")))
                    .as("the second process skips the resting key")
                    .isEqualTo(1);
        }
    }

    @Test
    void aMalformedUrlIsAConfigurationErrorWithoutThePassword() {
        assertThatThrownBy(
                        () -> RedisStateStore.builder().url("redis://:hunter2@").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("state_store.url: redis://:***@ is not a valid Redis URL")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RedisStateStore.builder()
                        .url("env://LLMROTATE_TEST_NO_SUCH_VARIABLE")
                        .build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(
                        "state_store.url: environment variable LLMROTATE_TEST_NO_SUCH_VARIABLE is not set or empty");
        assertThatThrownBy(() ->
                        RedisStateStore.builder().url(redis.url()).prefix("a b").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("state_store.prefix");
    }
}

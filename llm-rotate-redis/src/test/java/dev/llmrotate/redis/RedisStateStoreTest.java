package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.internal.health.HealthPolicy;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.HealthScope;
import dev.llmrotate.spi.KeyHealth;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
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

    /** A distinct resting health per {@code n} (outageRests included), written as a transition would. */
    private static KeyHealth resting(int n, ErrorType error) {
        Instant at = Instant.now().plusNanos(n);
        return new KeyHealth(KeyState.COOLDOWN, at.plusSeconds(60), n, n, at, 0, error, at, null, 0, null, n % 3 + 1);
    }

    private static KeyHealth oneMoreFailure(KeyHealth h) {
        return new KeyHealth(
                h.state(),
                h.until(),
                h.consecutiveFailures() + 1,
                h.recentFailures(),
                h.recentWindowStart(),
                h.authStrikes(),
                h.lastErrorType(),
                h.lastFailureAt(),
                h.lastSuccessAt(),
                h.trialHolder(),
                h.trialExpiresAt(),
                h.outageRests());
    }

    /** The raw reply of one command to the test's Redis. */
    private String redisReply(String command) {
        return redis.command(command.replace("{p}", "{" + prefix + "}"));
    }

    @Test
    void aModelScopesCooldownReachesAnotherStoreAndNotTheKeyOrOtherModels() {
        RedisStateStore a = store();
        RedisStateStore b = store();
        String mini = HealthScope.of("k", "gpt-4o-mini");
        b.updateHealth("k", h -> HealthPolicy.onSuccess(h, Instant.now()));

        KeyHealth limited = a.updateHealth(
                mini,
                h -> HealthPolicy.onFailure(
                        h, ErrorType.RATE_LIMIT, null, Instant.now(), ProviderCatalog.defaults("openai")));

        assertThat(limited.state()).isEqualTo(KeyState.COOLDOWN);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.health(mini).equals(limited));
        assertThat(b.health("k").state()).isEqualTo(KeyState.ACTIVE);
        assertThat(b.health("k").lastSuccessAt()).isNotNull();
        assertThat(b.health(HealthScope.of("k", "gpt-4o"))).isEqualTo(KeyHealth.INITIAL);
        assertThat(store().health(mini)).as("a store opened later").isEqualTo(limited);
        assertThat(redisReply("HGET {p}:health:k:gpt-4o-mini h"))
                .as("the scope's readable key in Redis")
                .contains("COOLDOWN,")
                .contains("RATE_LIMIT");
    }

    @Test
    void scopesWithPunctuationReachEveryStoreUnderReadableNames() {
        RedisStateStore a = store();
        RedisStateStore b = store();
        Map<String, String> namesByScope = new LinkedHashMap<>();
        namesByScope.put("team:prod", "team%3Aprod");
        namesByScope.put(HealthScope.of("team", "prod"), "team:prod");
        namesByScope.put(
                HealthScope.of("team:prod", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
                "team%3Aprod:anthropic.claude-3-5-sonnet-20240620-v1%3A0");
        namesByScope.put(HealthScope.of("or", "meta-llama/llama-3.1-70b"), "or:meta-llama/llama-3.1-70b");
        namesByScope.put(
                HealthScope.of("vertex@eu", "claude-3-5-sonnet@20240620"), "vertex@eu:claude-3-5-sonnet@20240620");
        namesByScope.put("100%", "100%25");
        Map<String, KeyHealth> written = new LinkedHashMap<>();
        int n = 0;
        for (String scope : namesByScope.keySet()) {
            KeyHealth health = resting(++n, ErrorType.RATE_LIMIT);
            written.put(scope, a.updateHealth(scope, h -> health));
        }

        RedisStateStore later = store();
        written.forEach((scope, health) -> {
            String shown = scope.replace(HealthScope.SEPARATOR, '/');
            await(shown)
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> b.health(scope).equals(health));
            assertThat(later.health(scope)).as(shown).isEqualTo(health);
            assertThat(redisReply("EXISTS {p}:health:" + namesByScope.get(scope)))
                    .as(shown)
                    .startsWith(":1");
        });
        assertThat(redisReply("SCARD {p}:key-ids")).startsWith(":" + namesByScope.size());
    }

    @Test
    void aRecordWrittenByThePreviousReleaseIsRead() {
        // Version 1, twelve fields: as a process of the release before outageRests writes it.
        String v1 = "1,COOLDOWN," + (Instant.now().getEpochSecond() + 60) + "000000000,2,2,,0,RATE_LIMIT,,,0,";
        redisReply("INCR {p}:seq");
        redisReply("HSET {p}:health:old v 1 h " + v1);
        redisReply("SADD {p}:key-ids old");

        RedisStateStore a = store();
        KeyHealth loaded = a.health("old");
        assertThat(loaded.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(loaded.consecutiveFailures()).isEqualTo(2);
        assertThat(loaded.lastErrorType()).isEqualTo(ErrorType.RATE_LIMIT);
        assertThat(loaded.outageRests()).isZero();

        // An older process publishes a change...
        redisReply("PUBLISH {p}:health-events h|1000|" + v1.replace(",2,2,", ",5,5,") + "|told");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.health("told").consecutiveFailures() == 5);

        // ...and writes over a record this process holds (without a message): the compare-and-set fails, and the
        // transition runs again on the version-1 record of its reply.
        a.updateHealth("old", h -> resting(1, ErrorType.TIMEOUT));
        String version = redisReply("INCR {p}:seq").replaceAll("[^0-9]", "");
        redisReply("HSET {p}:health:old v " + version + " h " + v1.replace(",2,2,", ",7,7,"));
        KeyHealth after = a.updateHealth("old", RedisStateStoreTest::oneMoreFailure);
        assertThat(after.consecutiveFailures()).isEqualTo(8);
        assertThat(after.outageRests()).isZero();
        assertThat(store().health("old")).as("what Redis holds now").isEqualTo(after);
    }

    @Test
    void aRemovedScopeIsDeletedInRedisAndForgottenByEveryStore() {
        RedisStateStore a = store();
        RedisStateStore b = store();
        String kept = HealthScope.of("k", "m1");
        String removed = HealthScope.of("k", "m2");
        String otherKey = HealthScope.of("gone", "m1");
        for (String scope : List.of("k", kept, removed, otherKey)) {
            a.updateHealth(scope, h -> resting(1, ErrorType.RATE_LIMIT));
            await().atMost(Duration.ofSeconds(5)).until(() -> b.health(scope).state() == KeyState.COOLDOWN);
        }

        a.retainKeys(Set.of("k", kept));

        await().atMost(Duration.ofSeconds(5)).until(() -> b.health(removed).equals(KeyHealth.INITIAL));
        await().atMost(Duration.ofSeconds(5)).until(() -> b.health(otherKey).equals(KeyHealth.INITIAL));
        assertThat(b.health(kept).state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(b.health("k").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(redisReply("EXISTS {p}:health:k:m2 {p}:health:gone:m1")).startsWith(":0");
        assertThat(redisReply("EXISTS {p}:health:k {p}:health:k:m1")).startsWith(":2");
        assertThat(redisReply("SISMEMBER {p}:key-ids k:m2")).startsWith(":0");
        assertThat(store().health(removed)).as("a store opened later").isEqualTo(KeyHealth.INITIAL);
        assertThat(store().health(kept).state()).isEqualTo(KeyState.COOLDOWN);
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
        oneRoundTripPerCall(i -> ChatRequest.builder("gpt-4o-mini").messages(HI).build());
    }

    /** Usage per caller rides in the same script: calls made by eight callers in turn cost what calls by none do. */
    @Test
    void aCallNamingACallerCostsTheSameOneRoundTrip() {
        RedisStateStore store = oneRoundTripPerCall(i -> ChatRequest.builder("gpt-4o-mini")
                .messages(HI)
                .caller("gw-" + i % 8)
                .build());
        UsageSummary usage = store.usageSummary();
        assertThat(usage.byCaller()).hasSize(8);
        assertThat(usage.byCaller().values().stream()
                        .mapToLong(UsageSummary.Totals::calls)
                        .sum())
                .isEqualTo(usage.overall().calls());
    }

    /** Asserts that the calls {@code request} makes cost one round trip each, not awaited; the store they used. */
    private RedisStateStore oneRoundTripPerCall(IntFunction<ChatRequest> request) {
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
            lm.chat(request.apply(i)); // warm up: scripts, first lastSuccessAt writes
        }
        store.flush();
        long evalshaBefore = evalshaCalls();
        long commandsBefore = store.redisCommandCount();

        int calls = 1000;
        for (int i = 0; i < calls; i++) {
            lm.chat(request.apply(i));
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
            lm.chat(request.apply(i));
            store.flush();
        }
        long pacedCommands = store.redisCommandCount() - pacedBefore;
        System.out.printf(
                "round trips per paced successful call: %.3f (%d calls)%n", (double) pacedCommands / paced, paced);
        assertThat(pacedCommands).isBetween((long) paced, paced + 10L);
        return store;
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
                .hasMessageStartingWith("state_store.url: redis://*** has no host that can be read")
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

package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsageSeries;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Time buckets, key history, recent calls and masks in Redis: written in the call's one script, each Redis key with a
 * TTL or a bound, read back by another process's store.
 */
class RedisUsageOverTimeTest {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final AtomicInteger PREFIXES = new AtomicInteger();
    private static RedisServer redis;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final String prefix = "u-" + ProcessHandle.current().pid() + "-" + PREFIXES.incrementAndGet();
    private final MutableClock clock = MutableClock.atEpochDay();

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
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private RedisStateStore store() {
        RedisStateStore store = RedisStateStore.builder()
                .url(redis.url())
                .prefix(prefix)
                .commandTimeout(Duration.ofSeconds(5)) // a loaded build machine is not an outage
                .build();
        opened.add(store);
        return store;
    }

    private LlmRotate worker(LlmRotateConfig config, RedisStateStore store) {
        LlmRotate lm = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .stateStore(store)
                .build();
        opened.add(lm);
        return lm;
    }

    private String redisReply(String command) {
        return redis.command(command.replace("{p}", "{" + prefix + "}"));
    }

    /** The bulk strings of a RESP array reply (the inline protocol's raw answer). */
    private static List<String> bulkStrings(String reply) {
        List<String> out = new ArrayList<>();
        String[] lines = reply.split("\r\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("$") && !lines[i].equals("$-1") && i + 1 < lines.length) {
                out.add(lines[++i]);
            }
        }
        return out;
    }

    private static long integer(String reply) {
        return Long.parseLong(reply.substring(1, reply.indexOf("\r\n")));
    }

    @Test
    void everyKeyWrittenHasATtlOrIsBoundedByTheConfiguration() {
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
            RedisStateStore store = store();
            LlmRotate lm = worker(config, store);
            lm.eventBuffer(20);
            for (int i = 0; i < 300; i++) {
                String caller = i % 3 == 2 ? null : "gw-" + i % 3; // gateway keys gw-0 and gw-1, and no caller
                lm.chat(ChatRequest.builder("gpt-4o-mini")
                        .messages(HI)
                        .caller(caller)
                        .build());
                clock.advance(Duration.ofSeconds(31)); // the limited key's rest ends: it is tried, and rests again
            }
            store.flush();

            List<String> names = bulkStrings(redisReply("KEYS {p}*"));
            List<String> withoutTtl = new ArrayList<>();
            for (String name : names) {
                long ttl = integer(redis.command("PTTL " + name));
                if (ttl < 0) {
                    withoutTtl.add(name.substring(name.indexOf('}') + 2));
                    continue;
                }
                if (name.contains("}:ub:m:")) {
                    assertThat(ttl)
                            .as(name)
                            .isLessThanOrEqualTo(
                                    Duration.ofMinutes(25 * 60 + 10).toMillis());
                } else if (name.contains("}:ub:h:")) {
                    assertThat(ttl)
                            .as(name)
                            .isLessThanOrEqualTo(Duration.ofHours(31 * 24 + 1).toMillis());
                }
            }
            // Only the counters since start and the bookkeeping the store had before are kept without a TTL; all
            // of them are bounded by the configuration, the callers' by StateStore.MAX_CALLERS.
            assertThat(withoutTtl)
                    .allSatisfy(name -> assertThat(name)
                            .matches("usage:(overall|slices|provider:openai|model:gpt-4o-mini|key:(limited|spare))"
                                    + "|usage:(callers|caller:gw-[01])|key-ids|seq|epoch"));
            assertThat(names).anyMatch(n -> n.contains("}:ub:m:")).anyMatch(n -> n.contains("}:ub:h:"));
            assertThat(names)
                    .anyMatch(n -> n.matches(".*}:ub:m:\\d+:caller:gw-0"))
                    .anyMatch(n -> n.matches(".*}:ub:h:\\d+:caller:gw-1"));
            assertThat(integer(redisReply("LLEN {p}:history:limited:gpt-4o-mini")))
                    .isEqualTo(StateStore.HISTORY_PER_SCOPE);
            long streamLength = integer(redisReply("XLEN {p}:events"));
            assertThat(streamLength).as("MAXLEN ~ 20 trims whole nodes").isBetween(20L, 200L);
            assertThat(integer(redisReply("PTTL {p}:events"))).isPositive();
            assertThat(integer(redisReply("PTTL {p}:key-masks"))).isPositive();
            assertThat(integer(redisReply("PTTL {p}:usage-buckets"))).isPositive();
        }
    }

    @Test
    void aStateChangeRidesInTheScriptOfTheCallThatCausedIt() {
        try (FakeOpenAiServer openai = FakeOpenAiServer.start()) {
            openai.forKey(Keys.secret("limited"))
                    .next(FakeResponse.ok("warm"), FakeResponse.rateLimited(Duration.ofSeconds(20)));
            openai.byDefault().always(FakeResponse.ok("hello", 12, 3));
            LlmRotateConfig config = LlmRotateConfig.builder()
                    .key(Keys.key("limited", "openai", "gpt-4o-mini")
                            .priority(10)
                            .build())
                    .key(Keys.openai("spare"))
                    .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                    .strategy(SelectionStrategyType.PRIORITY)
                    .build();
            RedisStateStore store = RedisStateStore.builder()
                    .url(redis.url())
                    .prefix(prefix)
                    .commandTimeout(Duration.ofSeconds(5))
                    .refreshInterval(Duration.ofHours(1)) // no reload in the middle of the count
                    .build();
            opened.add(store);
            LlmRotate lm = worker(config, store);
            lm.chat("gpt-4o-mini", HI); // limited answers: its first success and its mask are written
            store.flush();

            long before = store.redisCommandCount();
            assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("spare");
            store.flush();
            // The 429's compare-and-set, the spare key's first success (its key and its model: two), and one script
            // with the call's usage, the state change and the spare key's new mask; none of its own for either, also
            // after the wait for a call to ride in has passed.
            long expected = before + 1 + 2 + 1;
            assertThat(store.redisCommandCount()).isEqualTo(expected);
            await().during(Duration.ofMillis(3 * RedisStateStore.RIDE_ALONG_MILLIS))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> store.redisCommandCount() == expected);

            RedisStateStore other = store();
            Instant now = clock.instant();
            List<KeyStateChange> history = other.stateChanges(
                    List.of("limited", dev.llmrotate.spi.HealthScope.of("limited", "gpt-4o-mini")),
                    now.minusSeconds(60),
                    now.plusSeconds(1),
                    10);
            assertThat(history)
                    .containsExactly(new KeyStateChange(
                            now,
                            "limited",
                            "gpt-4o-mini",
                            KeyState.ACTIVE,
                            KeyState.COOLDOWN,
                            "rate_limit",
                            Duration.ofSeconds(20),
                            now.plusSeconds(20)));
        }
    }

    @Test
    void anotherProcessReadsTheSameSeriesSummaryAndMasks() {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(Keys.openai("a", "gpt-4o-mini", "gpt-4o"), Keys.openai("b", "gpt-4o-mini")))
                .build();
        RedisStateStore store = store();
        LlmRotate lm = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .stateStore(store)
                .adapter(new InProcessAdapter())
                .build();
        opened.add(lm);
        Instant t0 = clock.instant();
        for (int i = 0; i < 120; i++) {
            lm.chat(i % 3 == 0 ? "gpt-4o" : "gpt-4o-mini", HI);
            clock.advance(Duration.ofSeconds(5)); // ten minutes of calls
        }
        store.flush();

        LlmRotate reader = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .stateStore(store())
                .buildObserver();
        opened.add(reader);
        Instant end = clock.instant();
        for (UsageFilter filter : List.of(
                UsageFilter.ALL,
                UsageFilter.model("gpt-4o"),
                UsageFilter.key("b"),
                new UsageFilter(null, "gpt-4o-mini", "a", null))) {
            for (Duration bucket : List.of(Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(1))) {
                UsageSeries theirs = reader.usageSeries(t0, end, bucket, filter);
                assertThat(theirs).as(filter + " " + bucket).isEqualTo(lm.usageSeries(t0, end, bucket, filter));
            }
        }
        UsageSeries minutes = reader.usageSeries(t0, end, Duration.ofMinutes(1), UsageFilter.ALL);
        assertThat(minutes.points())
                .hasSize(10)
                .allSatisfy(p -> assertThat(p.totals().calls()).isEqualTo(12));
        assertThat(reader.usageSeries(t0, end, Duration.ofMinutes(1), UsageFilter.model("gpt-4o"))
                        .points())
                .allSatisfy(p -> assertThat(p.totals().calls()).isEqualTo(4));
        assertThat(reader.usageSummary(t0, end)).isEqualTo(lm.usageSummary(t0, end));
        assertThat(reader.usageSummary(t0, end).overall().calls()).isEqualTo(120);
        assertThat(reader.usageSummary(t0, end).byModel().keySet()).containsExactlyInAnyOrder("gpt-4o", "gpt-4o-mini");
        assertThat(reader.health().keys())
                .allSatisfy(k -> assertThat(k.keyMask()).isEqualTo("sk-…cdef"));
        assertThat(store.keyMasks()).containsOnlyKeys("a", "b");
        assertThat(reader.recentCalls(5)).as("the worker's event buffer is off").isEmpty();
    }
    /**
     * Usage per caller is shared by the fleet: each worker's calls count under their caller in the same counters and
     * buckets, read back by an observer, and the bound on callers counted apart holds across workers (the script
     * checks the shared set).
     */
    @Test
    void usagePerCallerIsSharedAndBoundedAcrossTheFleet() {
        LlmRotateConfig config =
                LlmRotateConfig.builder().keys(List.of(Keys.openai("a"))).build();
        RedisStateStore storeA = store();
        RedisStateStore storeB = store();
        LlmRotate a = adapterWorker(config, storeA);
        LlmRotate b = adapterWorker(config, storeB);
        Instant t0 = clock.instant();
        for (int i = 0; i < 3; i++) {
            a.chat(by("gw-a"));
        }
        b.chat(by("gw-b"));
        b.chat(by("gw-b"));
        storeA.flush();
        storeB.flush();
        clock.advance(Duration.ofMinutes(1));
        // 120 more distinct callers, half on each worker: 98 of them find room, 22 count as _other.
        for (int i = 0; i < 60; i++) {
            a.chat(by("tenant-" + i));
            b.chat(by("tenant-" + (60 + i)));
        }
        storeA.flush();
        storeB.flush();
        clock.advance(Duration.ofMinutes(1));
        a.chat(by("gw-a"));
        b.chat(by("late-comer"));
        b.chat(ChatRequest.builder("gpt-4o-mini").messages(HI).build()); // no caller
        storeA.flush();
        storeB.flush();
        clock.advance(Duration.ofSeconds(1));

        LlmRotate reader = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .stateStore(store())
                .buildObserver();
        opened.add(reader);
        UsageSummary usage = reader.usageSummary();
        assertThat(usage.overall().calls()).isEqualTo(128);
        assertThat(usage.byCaller()).hasSize(StateStore.MAX_CALLERS + 1);
        assertThat(usage.byCaller().get("gw-a").calls()).isEqualTo(4);
        assertThat(usage.byCaller().get("gw-a").inputTokens()).isEqualTo(40);
        assertThat(usage.byCaller().get("gw-b").calls()).isEqualTo(2);
        assertThat(usage.byCaller()).doesNotContainKey("late-comer");
        assertThat(usage.byCaller().get(StateStore.OTHER_CALLER).calls()).isEqualTo(23);
        assertThat(usage.byCaller().values().stream()
                        .mapToLong(UsageSummary.Totals::calls)
                        .sum())
                .isEqualTo(127);
        assertThat(integer(redisReply("SCARD {p}:usage:callers"))).isEqualTo(StateStore.MAX_CALLERS);
        assertThat(storeA.usageSummary()).isEqualTo(usage);

        Instant end = clock.instant();
        UsageSummary frame = reader.usageSummary(t0, end);
        assertThat(frame.byCaller()).isEqualTo(usage.byCaller());
        assertThat(reader.usageSummary(t0.plus(Duration.ofMinutes(2)), end).byCaller())
                .containsOnlyKeys("gw-a", StateStore.OTHER_CALLER);
        UsageSeries series = reader.usageSeries(t0, end, Duration.ofMinutes(1), UsageFilter.caller("gw-a"));
        assertThat(series.points()).extracting(p -> p.totals().calls()).containsExactly(3L, 0L, 1L);
        assertThat(series).isEqualTo(a.usageSeries(t0, end, Duration.ofMinutes(1), UsageFilter.caller("gw-a")));
        assertThat(reader.usageSeries(t0, end, Duration.ofHours(1), UsageFilter.caller(StateStore.OTHER_CALLER))
                        .points())
                .extracting(p -> p.totals().calls())
                .containsExactly(23L);
    }

    private LlmRotate adapterWorker(LlmRotateConfig config, RedisStateStore store) {
        LlmRotate lm = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .stateStore(store)
                .adapter(new InProcessAdapter())
                .build();
        opened.add(lm);
        return lm;
    }

    private static ChatRequest by(String caller) {
        return ChatRequest.builder("gpt-4o-mini").messages(HI).caller(caller).build();
    }
}

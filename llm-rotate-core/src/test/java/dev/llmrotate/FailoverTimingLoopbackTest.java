package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failover policy where time is the point: waiting for a key versus falling back, silent routes, and recovery
 * after an outage, against fake providers on loopback. Upper bounds leave room for a loaded machine but fail if a
 * full extra timeout, rest or backoff was spent; lower bounds prove a wait really happened.
 */
class FailoverTimingLoopbackTest extends EngineTestSupport {
    private static final String MODEL = "gpt-4o-mini";
    private static final String BROKER_MODEL = "openai/gpt-4o-mini";
    private static final ChatRequest HI = ChatRequest.builder(MODEL).user("hi").build();
    private FakeOpenAiServer openrouter;

    @BeforeAll
    static void warmUp() throws Exception {
        WarmUp.once();
    }

    @BeforeEach
    void startBroker() {
        openrouter = FakeOpenAiServer.start();
    }

    @AfterEach
    void stopBroker() {
        openrouter.close();
    }

    /** A result or failure, and how long it took. */
    private record Timed<T>(T value, RuntimeException failure, Duration elapsed) {
        long millis() {
            return elapsed.toMillis();
        }
    }

    private static <T> Timed<T> timed(Supplier<T> call) {
        long start = System.nanoTime();
        try {
            T value = call.get();
            return new Timed<>(value, null, Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            return new Timed<>(null, e, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static KeySpec a() {
        return Keys.key("a", "openai", MODEL).priority(10).build();
    }

    private static KeySpec broker() {
        return Keys.key("or-1", "openrouter", BROKER_MODEL).build();
    }

    /** The native keys plus, when {@code withFallback}, the OpenRouter fake as the openai chain. */
    private LlmRotateConfig.Builder config(boolean withFallback, KeySpec... keys) {
        List<KeySpec> all = new ArrayList<>(List.of(keys));
        if (withFallback) {
            all.add(broker());
        }
        LlmRotateConfig.Builder builder = config(SelectionStrategyType.PRIORITY, all.toArray(KeySpec[]::new));
        if (withFallback) {
            builder.provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                    .fallbackChain("openai", FallbackTarget.to("openrouter").withModel(BROKER_MODEL));
        }
        return builder;
    }

    // 2. A 503 with Retry-After, on the real clock.

    @Test
    void a503WithRetryAfterKeepsTheKeyOutForAtLeastThatLong() {
        openai.forKey(secret("a"))
                .next(FakeResponse.overloaded().header("retry-after", "3"))
                .always(FakeResponse.ok("from a"));
        openai.forKey(secret("b")).always(FakeResponse.ok("from b"));
        LlmRotate lm =
                realClockEngine(config(false, a(), Keys.openai("b", MODEL)).build());

        assertThat(lm.chat(HI).content()).isEqualTo("from b");
        assertThat(lm.chat(HI).content()).as("a second call within the 3 s").isEqualTo("from b");
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);

        await().atMost(Duration.ofSeconds(8))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> lm.chat(HI).content().equals("from a"));
        List<RecordedRequest> toA = openai.requests().stream()
                .filter(r -> secret("a").equals(r.apiKey()))
                .toList();
        assertThat(toA).hasSize(2);
        Duration out = Duration.between(toA.get(0).receivedAt(), toA.get(1).receivedAt());
        assertThat(out).isGreaterThanOrEqualTo(Duration.ofSeconds(3)).isLessThan(Duration.ofMillis(4_500));
    }

    // 3. The order of remedies after a rate limit.

    private LlmRotateConfig.Builder waitingBeforeFallback(LlmRotateConfig.Builder builder) {
        return builder.defaults(d -> d.withWaitBeforeFallback(Duration.ofSeconds(3)));
    }

    @Test
    void withTwoKeysTheOtherKeyAnswersAtOnce() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        LlmRotate lm = realClockEngine(waitingBeforeFallback(config(true, a(), Keys.openai("b", MODEL)))
                .build());

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        assertThat(call.failure()).isNull();
        assertThat(call.value().keyId()).isEqualTo("b");
        assertThat(call.value().fallbackUsed()).isFalse();
        assertThat(call.millis()).isLessThan(800);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
        assertThat(openai.requestCount(secret("b"))).isEqualTo(1);
        assertThat(openrouter.requestCount()).isZero();
    }

    @Test
    void aShortRetryAfterIsWaitedForRatherThanFallingBack() {
        openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        LlmRotate lm = realClockEngine(waitingBeforeFallback(config(true, a())).build());

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        assertThat(call.failure()).isNull();
        assertThat(call.value().keyId()).isEqualTo("a");
        assertThat(call.value().provider()).isEqualTo("openai");
        assertThat(call.value().fallbackUsed()).isFalse();
        assertThat(call.millis()).isGreaterThanOrEqualTo(950).isLessThan(2_500);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(2);
        assertThat(openrouter.requestCount()).isZero();
    }

    @Test
    void aRouteRestingAfterAnOutageIsNotWaitedForBeforeTheFallback() {
        // 500s with max_retries 0: one failure rests (key, model) for its 1 s probe interval (max_consecutive 1).
        openai.forKey(secret("a")).always(FakeResponse.serverError());
        LlmRotate lm = realClockEngine(waitingBeforeFallback(config(true, a()))
                .provider("openai", s -> s.withMaxConsecutiveFailures(1).withRecoveryProbe(Duration.ofSeconds(1)))
                .defaults(d -> d.withMaxRetries(0))
                .build());
        assertThat(lm.chat(HI).provider()).isEqualTo("openrouter"); // the outage begins: a rests

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        // The native key comes back within wait_before_fallback (3 s), but only for a probe after an outage:
        // the call does not wait for it.
        assertThat(call.failure()).isNull();
        assertThat(call.value().provider()).isEqualTo("openrouter");
        assertThat(call.millis()).isLessThan(700);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
    }

    @Test
    void aLongRetryAfterFallsBackAtOnce() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        LlmRotate lm = realClockEngine(waitingBeforeFallback(config(true, a())).build());

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        assertThat(call.failure()).isNull();
        assertThat(call.value().provider()).isEqualTo("openrouter");
        assertThat(call.value().fallbackUsed()).isTrue();
        assertThat(call.millis()).isLessThan(1_000);
        assertThat(openai.requestCount()).isEqualTo(1);
        assertThat(openrouter.requestCount()).isEqualTo(1);
    }

    @Test
    void withoutAFallbackAndNoWaitForKeyALongRetryAfterFailsFast() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        LlmRotate lm = realClockEngine(waitingBeforeFallback(config(false, a())).build());

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        assertThat(call.failure())
                .isInstanceOfSatisfying(
                        NoAvailableKeyException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.RATE_LIMIT));
        assertThat(call.millis()).isLessThan(1_000);
        assertThat(openai.requestCount()).isEqualTo(1);
    }

    // 5. Silent routes fail over.

    static Stream<Arguments> silences() {
        return Stream.of(
                Arguments.of("no response at all", FakeResponse.noResponse()),
                Arguments.of(
                        "an answer slower than the timeout",
                        FakeResponse.ok("late").delay(Duration.ofSeconds(3))),
                Arguments.of("headers, then no body", FakeResponse.stallAfterHeaders()));
    }

    private LlmRotateConfig.Builder timingOutAfter300ms(LlmRotateConfig.Builder builder) {
        return builder.provider("openai", s -> s.withRequestTimeout(Duration.ofMillis(300)))
                .defaults(d -> d.withMaxRetries(2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("silences")
    void aSilentNativeRouteFailsOverToTheFallbackInAboutOneTimeout(String name, FakeResponse silence) {
        openai.byDefault().always(silence);
        LlmRotate lm = engine(
                timingOutAfter300ms(config(true, a(), Keys.openai("b", MODEL))).build());

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        assertThat(call.failure()).isNull();
        assertThat(call.value().provider()).isEqualTo("openrouter");
        assertThat(call.value().attempts()).isEqualTo(2);
        assertThat(call.millis()).isGreaterThanOrEqualTo(300).isLessThan(800);
        assertThat(openai.requestCount())
                .as("no second timeout on the native route")
                .isEqualTo(1);
        assertThat(openrouter.requestCount()).isEqualTo(1);
    }

    @Test
    void withoutAFallbackASilentKeyIsRetriedOnAnotherKey() {
        openai.forKey(secret("a")).always(FakeResponse.noResponse());
        openai.forKey(secret("b")).always(FakeResponse.ok("from b"));
        LlmRotate lm = engine(
                timingOutAfter300ms(config(false, a(), Keys.openai("b", MODEL))).build());

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        assertThat(call.failure()).isNull();
        assertThat(call.value().content()).isEqualTo("from b");
        assertThat(call.millis()).isGreaterThanOrEqualTo(300).isLessThan(800);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
        assertThat(openai.requestCount(secret("b"))).isEqualTo(1);
    }

    @Test
    void withoutAFallbackASilentRouteIsRetriedUpToMaxRetries() {
        openai.byDefault().always(FakeResponse.noResponse());
        LlmRotate lm = engine(
                timingOutAfter300ms(config(false, a(), Keys.openai("b", MODEL))).build());

        Timed<ChatResponse> call = timed(() -> lm.chat(HI));

        assertThat(call.failure())
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.TIMEOUT));
        List<RecordedRequest> requests = openai.requests();
        assertThat(requests).as("1 attempt + max_retries 2").hasSize(3);
        assertThat(requests.get(1).apiKey())
                .as("the retry prefers the other key")
                .isNotEqualTo(requests.get(0).apiKey());
        assertThat(call.millis()).isGreaterThanOrEqualTo(900).isLessThan(1_800);
    }

    @Test
    void aStreamWithoutItsFirstChunkInTimeFailsOverToTheFallback() {
        openai.byDefault().always(FakeResponse.ok("too slow").firstChunkDelay(Duration.ofSeconds(3)));
        openrouter.byDefault().always(FakeResponse.ok("from the broker"));
        LlmRotate lm = engine(config(true, a(), Keys.openai("b", MODEL))
                .provider("openai", s -> s.withFirstChunkTimeout(Duration.ofMillis(300)))
                .defaults(d -> d.withMaxRetries(2))
                .build());

        Timed<ChatResponse> call = timed(() -> {
            try (ChatStream stream = lm.chatStream(HI)) {
                assertThat(stream.provider()).isEqualTo("openrouter");
                return stream.collect();
            }
        });

        assertThat(call.failure()).isNull();
        assertThat(call.value().content()).isEqualTo("from the broker");
        assertThat(call.value().fallbackUsed()).isTrue();
        assertThat(call.millis()).isGreaterThanOrEqualTo(300).isLessThan(800);
        assertThat(openai.requestCount()).isEqualTo(1);
        assertThat(openrouter.requestCount()).isEqualTo(1);
    }

    // 7. Recovery after an outage.

    @Test
    void afterAnOutageOneProbeAtATimeFindsTheProviderBackWithinAProbeInterval() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        // Each answer takes 100 ms, so that two probes in flight at once would overlap at the fake.
        openai.byDefault()
                .respond(r -> down.get()
                        ? FakeResponse.serverError().delay(Duration.ofMillis(100))
                        : FakeResponse.ok("back").delay(Duration.ofMillis(100)));
        LlmRotate lm = realClockEngine(config(false, a())
                .provider(
                        "openai",
                        s -> s.withRecoveryProbe(Duration.ofMillis(300)).withMaxConsecutiveFailures(2))
                .defaults(d -> d.withMaxRetries(1).withMaxWaitForKey(Duration.ofSeconds(5)))
                .build());

        // Two failures in a row: (a, model) rests 300 ms.
        assertThatThrownBy(() -> lm.chat(HI))
                .isInstanceOfSatisfying(
                        LlmRotateException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR));
        assertThat(openai.requestCount()).isEqualTo(2);
        assertThat(lm.health().key("a").models().get(MODEL).state()).isEqualTo(KeyState.COOLDOWN);

        // Eight callers keep asking, each waiting for the key when it rests.
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger successes = new AtomicInteger();
        AtomicLong firstSuccessNanos = new AtomicLong();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        List<Future<?>> running = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                running.add(callers.submit(() -> {
                    while (!stop.get()) {
                        try {
                            lm.chat(HI);
                            firstSuccessNanos.compareAndSet(0, System.nanoTime());
                            successes.incrementAndGet();
                        } catch (LlmRotateException expectedWhileDown) {
                            // the call failed or found no key within its wait: ask again
                        }
                    }
                }));
            }
            // Two failed probes: 300 ms, then 600 ms after it; the rest is now 1200 ms.
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> openai.requestCount() >= 4);
            down.set(false);
            long upNanos = System.nanoTime();
            assertThat(openai.requestCount())
                    .as("one probe per rest, whatever the callers")
                    .isEqualTo(4);

            await().atMost(Duration.ofSeconds(5)).until(() -> successes.get() >= 16);
            Duration backAfter = Duration.ofNanos(firstSuccessNanos.get() - upNanos);
            assertThat(backAfter)
                    .as("traffic returns within about one probe interval")
                    .isLessThan(Duration.ofMillis(2_500));
        } finally {
            stop.set(true);
            callers.shutdown();
        }
        for (Future<?> caller : running) {
            caller.get(10, TimeUnit.SECONDS);
        }

        List<RecordedRequest> requests = openai.requests();
        // The gaps between the probes: each at least its rest (300, 600, 1200 ms) after the previous failure was
        // received, never two at once; then the callers return only once the successful probe has answered.
        long[] rests = {300, 600, 1_200};
        for (int i = 0; i < rests.length; i++) {
            Duration gap = Duration.between(
                    requests.get(i + 1).receivedAt(), requests.get(i + 2).receivedAt());
            assertThat(gap)
                    .as("gap before request %d", i + 3)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(rests[i] + 100))
                    .isLessThan(Duration.ofMillis(rests[i] + 900));
        }
        assertThat(Duration.between(
                        requests.get(4).receivedAt(), requests.get(5).receivedAt()))
                .as("no request while the successful probe is in flight")
                .isGreaterThanOrEqualTo(Duration.ofMillis(100));
        assertThat(lm.health().key("a").models().get(MODEL).state()).isEqualTo(KeyState.ACTIVE);
    }
}

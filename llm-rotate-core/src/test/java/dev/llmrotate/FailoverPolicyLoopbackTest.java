package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failover policy, one behaviour at a time, over loopback HTTP against fake providers on a hand-moved clock:
 * what the caller gets (at once: nothing here waits in real time), which (key, model) the fake saw how often, and
 * the health the engine reports afterwards. Rests are checked to the instant, since the clock only moves when a test
 * moves it.
 */
class FailoverPolicyLoopbackTest extends EngineTestSupport {
    private static final String A = "gpt-4o";
    private static final String B = "gpt-4o-mini";
    /**
     * Rests here end only when the test moves the clock, and backoff is a few milliseconds: a call that waited in
     * real time for a rest (the shortest here is 1 s) or spent a timeout would take longer than this.
     */
    private static final Duration AT_ONCE = Duration.ofSeconds(1);

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

    private static ChatRequest ask(String model) {
        return ChatRequest.builder(model).user("hi").build();
    }

    /** The answer of a call that must answer at once. */
    private static ChatResponse answered(Supplier<ChatResponse> call) {
        long start = System.nanoTime();
        ChatResponse response = call.get();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("answered at once")
                .isLessThan(AT_ONCE);
        return response;
    }

    /** The failure of a call that must fail at once. */
    private static Throwable failed(ThrowingCallable call) {
        long start = System.nanoTime();
        Throwable failure = catchThrowable(call);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("failed at once")
                .isLessThan(AT_ONCE);
        assertThat(failure).as("the call fails").isNotNull();
        return failure;
    }

    /** Requests a fake server saw with this key for this model. */
    private static long seen(FakeOpenAiServer server, String keyId, String model) {
        String secret = secret(keyId);
        return server.requests().stream()
                .filter(r -> secret.equals(r.apiKey()) && model.equals(r.model()))
                .count();
    }

    private HealthReport.ModelReport model(LlmRotate lm, String keyId, String model) {
        return lm.health().key(keyId).models().get(model);
    }

    // 1. Health per (key, model).

    static Stream<Arguments> modelScopedFaults() {
        return Stream.of(
                Arguments.of(
                        "429 with retry-after 20",
                        FakeResponse.rateLimited(Duration.ofSeconds(20)),
                        ErrorType.RATE_LIMIT,
                        1,
                        Duration.ofSeconds(20)),
                Arguments.of(
                        "404 model_not_found (cooldown_seconds)",
                        FakeResponse.error(
                                404, "invalid_request_error", "model_not_found", "The model `gpt-4o` does not exist"),
                        ErrorType.MODEL_UNAVAILABLE,
                        1,
                        Duration.ofSeconds(30)),
                Arguments.of(
                        "a run of three 500s (recovery_probe_seconds)",
                        FakeResponse.serverError(),
                        ErrorType.TRANSIENT_SERVER_ERROR,
                        3,
                        Duration.ofSeconds(10)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelScopedFaults")
    void aModelScopedFaultRestsOnlyThatModelOfTheKey(
            String name, FakeResponse fault, ErrorType type, int attempts, Duration rest) {
        openai.forKeyAndModel(secret("a"), A).always(fault);
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .provider("openai", s -> s.withMaxConsecutiveFailures(3))
                .build());
        Instant now = clock.instant();

        assertThat(failed(() -> lm.chat(ask(A))))
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(type));
        assertThat(seen(openai, "a", A)).isEqualTo(attempts);

        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.models().get(A).state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(a.models().get(A).availableAt()).isEqualTo(now.plus(rest));
        assertThat(a.models().get(A).lastErrorType()).isEqualTo(type.wireName());
        assertThat(a.models().get(B).state()).isEqualTo(KeyState.ACTIVE);
        assertThat(a.models().get(B).availableAt()).isEqualTo(now);
        // The key row stays ACTIVE while one of its models can serve.
        assertThat(a.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(a.availableAt()).isEqualTo(now);

        ChatResponse other = answered(() -> lm.chat(ask(B)));
        assertThat(other.keyId()).isEqualTo("a");
        assertThat(other.attempts()).isEqualTo(1);
        assertThat(seen(openai, "a", B)).isEqualTo(1);

        // Model A is not asked again while it rests.
        assertThat(failed(() -> lm.chat(ask(A))))
                .isInstanceOfSatisfying(
                        NoAvailableKeyException.class,
                        e -> assertThat(e.earliestRetryAt()).isEqualTo(now.plus(rest)));
        assertThat(seen(openai, "a", A)).isEqualTo(attempts);
    }

    static Stream<Arguments> keyWideFaults() {
        return Stream.of(
                Arguments.of(
                        "401 invalid key",
                        FakeResponse.invalidApiKey(),
                        ErrorType.INVALID_AUTH,
                        Duration.ofSeconds(300)),
                Arguments.of(
                        "403 permission",
                        FakeResponse.error(
                                403,
                                "invalid_request_error",
                                "unsupported_country_region_territory",
                                "Country, region, or territory not supported"),
                        ErrorType.PERMISSION_DENIED,
                        Duration.ofSeconds(300)),
                Arguments.of(
                        "429 insufficient_quota",
                        FakeResponse.insufficientQuota(),
                        ErrorType.QUOTA_EXHAUSTED,
                        Duration.ofSeconds(3600)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keyWideFaults")
    void aKeyWideFaultOnOneModelBenchesTheKeyForItsOtherModelsToo(
            String name, FakeResponse fault, ErrorType type, Duration rest) {
        openai.forKeyAndModel(secret("a"), A).always(fault);
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", A, B).priority(10).build(),
                        Keys.openai("b", B))
                .build());
        Instant now = clock.instant();

        assertThat(failed(() -> lm.chat(ask(A))))
                .isInstanceOfSatisfying(
                        NoAvailableKeyException.class,
                        e -> assertThat(e.errorType()).isEqualTo(type));

        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(a.availableAt()).isEqualTo(now.plus(rest));
        assertThat(a.lastErrorType()).isEqualTo(type.wireName());
        assertThat(a.models().get(B).availableAt()).isEqualTo(now.plus(rest));

        // Model B goes to the lower-priority key b: a is not even tried for it.
        ChatResponse other = answered(() -> lm.chat(ask(B)));
        assertThat(other.keyId()).isEqualTo("b");
        assertThat(other.attempts()).isEqualTo(1);
        assertThat(seen(openai, "a", B)).isZero();
        assertThat(seen(openai, "a", A)).isEqualTo(1);
    }

    // 2. Retry-After as given.

    @Test
    void aRetryAfterRestsTheKeyAndModelExactlyThatLong() {
        openai.forKeyAndModel(secret("a"), A).next(FakeResponse.rateLimited(Duration.ofSeconds(2)));
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .build());
        Instant now = clock.instant();

        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(NoAvailableKeyException.class);
        assertThat(model(lm, "a", A).availableAt()).isEqualTo(now.plusSeconds(2));

        clock.advance(Duration.ofMillis(1_999));
        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(NoAvailableKeyException.class);
        assertThat(seen(openai, "a", A)).isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(model(lm, "a", A).state()).isEqualTo(KeyState.PROBATION);
        assertThat(answered(() -> lm.chat(ask(A))).keyId()).isEqualTo("a");
        assertThat(seen(openai, "a", A)).isEqualTo(2);
        assertThat(model(lm, "a", A).state()).isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void aRateLimitWithoutRetryAfterRestsForTheProvidersCooldown() {
        openai.forKeyAndModel(secret("a"), A)
                .always(FakeResponse.error(
                        429, "requests", "rate_limit_exceeded", "Rate limit reached for gpt-4o on requests per min"));
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .provider("openai", s -> s.withCooldown(Duration.ofSeconds(7)))
                .build());
        Instant now = clock.instant();

        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(NoAvailableKeyException.class);

        assertThat(model(lm, "a", A).state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(model(lm, "a", A).availableAt()).isEqualTo(now.plusSeconds(7));
    }

    @Test
    void aLaterShorterRateLimitNeverShortensARest() throws Exception {
        // Two calls in flight on the same (key, model): the first is answered late with a short Retry-After, after
        // the second's long one has started the rest.
        openai.forKeyAndModel(secret("a"), A)
                .next(
                        FakeResponse.rateLimited(Duration.ofSeconds(1)).delay(Duration.ofMillis(1_500)),
                        FakeResponse.rateLimited(Duration.ofSeconds(20)));
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .build());
        Instant now = clock.instant();

        CompletableFuture<Throwable> slow = CompletableFuture.supplyAsync(() -> catchThrowable(() -> lm.chat(ask(A))));
        await().atMost(Duration.ofSeconds(5)).until(() -> openai.requestCount() == 1);
        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(NoAvailableKeyException.class);
        assertThat(slow).as("the short Retry-After arrives after the long one").isNotDone();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isInstanceOf(NoAvailableKeyException.class);

        assertThat(openai.requestCount()).isEqualTo(2);
        assertThat(model(lm, "a", A).state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(model(lm, "a", A).availableAt()).isEqualTo(now.plusSeconds(20));
    }

    @Test
    void aRetryAfterIsCappedByMaxRetryAfter() {
        openai.forKeyAndModel(secret("a"), A).always(FakeResponse.rateLimited(Duration.ofSeconds(600)));
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .provider("openai", s -> s.withMaxRetryAfter(Duration.ofSeconds(60)))
                .build());
        Instant now = clock.instant();

        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(NoAvailableKeyException.class);

        assertThat(model(lm, "a", A).availableAt()).isEqualTo(now.plusSeconds(60));
    }

    @Test
    void a503WithRetryAfterKeepsTheKeyOutForThatLong() {
        openai.forKey(secret("a"))
                .next(FakeResponse.overloaded().header("retry-after", "3"))
                .always(FakeResponse.ok("from a"));
        openai.forKey(secret("b")).always(FakeResponse.ok("from b"));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", B).priority(10).build(),
                        Keys.openai("b", B))
                .build());
        Instant now = clock.instant();

        ChatResponse first = answered(() -> lm.chat(ask(B)));
        assertThat(first.content()).isEqualTo("from b");
        assertThat(first.attempts()).isEqualTo(2);
        HealthReport.ModelReport a = model(lm, "a", B);
        assertThat(a.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(a.availableAt()).isEqualTo(now.plusSeconds(3));

        assertThat(answered(() -> lm.chat(ask(B))).content()).isEqualTo("from b");
        clock.advance(Duration.ofMillis(2_999));
        assertThat(answered(() -> lm.chat(ask(B))).content()).isEqualTo("from b");
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);

        clock.advance(Duration.ofMillis(1));
        assertThat(answered(() -> lm.chat(ask(B))).content()).isEqualTo("from a");
        assertThat(openai.requestCount(secret("a"))).isEqualTo(2);
    }

    static Stream<Arguments> probations() {
        return Stream.of(
                Arguments.of("after a rate limit", FakeResponse.rateLimited(Duration.ofSeconds(5)), 5),
                Arguments.of("after an outage (a failed run)", FakeResponse.serverError(), 10));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("probations")
    void aRateLimitDuringProbationIsAnotherCooldownForItsRetryAfter(
            String name, FakeResponse firstFault, int restSeconds) {
        openai.forKeyAndModel(secret("a"), A).next(firstFault, FakeResponse.rateLimited(Duration.ofSeconds(7)));
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .provider("openai", s -> s.withMaxConsecutiveFailures(1))
                .defaults(d -> d.withMaxRetries(0))
                .build());

        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(LlmRotateException.class);
        clock.advance(Duration.ofSeconds(restSeconds));
        assertThat(model(lm, "a", A).state()).isEqualTo(KeyState.PROBATION);
        Instant probeAt = clock.instant();

        assertThat(failed(() -> lm.chat(ask(A))))
                .isInstanceOfSatisfying(
                        NoAvailableKeyException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.RATE_LIMIT));

        assertThat(seen(openai, "a", A)).isEqualTo(2);
        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.models().get(A).state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(a.models().get(A).availableAt()).isEqualTo(probeAt.plusSeconds(7));
        assertThat(a.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(answered(() -> lm.chat(ask(B))).keyId()).isEqualTo("a");
    }

    // 4. Retries prefer another key.

    @ParameterizedTest
    @EnumSource(SelectionStrategyType.class)
    void aRetryGoesToAnotherKeyUnderEveryStrategy(SelectionStrategyType strategy) {
        openai.byDefault().next(FakeResponse.serverError()); // whichever key is asked first fails once
        LlmRotate lm =
                engine(config(strategy, Keys.key("a", "openai", B).priority(10).build(), Keys.openai("b", B))
                        .build());

        ChatResponse response = answered(() -> lm.chat(ask(B)));

        assertThat(response.content()).isEqualTo("fake reply");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(response.rotations()).isZero();
        List<RecordedRequest> requests = openai.requests();
        assertThat(requests).hasSize(2);
        String firstAsked = requests.get(0).apiKey();
        assertThat(requests.get(1).apiKey()).isNotEqualTo(firstAsked);
        assertThat(openai.requestCount(firstAsked)).isEqualTo(1);
        assertThat(secret(response.keyId())).isNotEqualTo(firstAsked);
    }

    @ParameterizedTest
    @EnumSource(SelectionStrategyType.class)
    void withOnlyOneKeyTheRetryGoesToItAgain(SelectionStrategyType strategy) {
        openai.byDefault().next(FakeResponse.serverError());
        LlmRotate lm = engine(config(strategy, Keys.openai("a", B)).build());

        ChatResponse response = answered(() -> lm.chat(ask(B)));

        assertThat(response.keyId()).isEqualTo("a");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(2);
    }

    // 6. The retry budget is per route.

    @Test
    void eachRouteHasItsOwnRetryBudget() {
        openai.byDefault().always(FakeResponse.serverError());
        openrouter.byDefault().next(FakeResponse.serverError()).always(FakeResponse.ok("via broker"));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", B).priority(10).build(),
                        Keys.openai("b", B),
                        Keys.key("or-1", "openrouter", "openai/gpt-4o-mini").build())
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .fallbackChain("openai", FallbackTarget.to("openrouter").withModel("openai/gpt-4o-mini"))
                .defaults(d -> d.withMaxRetries(1))
                .build());

        ChatResponse response = answered(() -> lm.chat(ask(B)));

        assertThat(response.content()).isEqualTo("via broker");
        assertThat(response.provider()).isEqualTo("openrouter");
        assertThat(response.fallbackUsed()).isTrue();
        assertThat(response.attempts()).isEqualTo(4);
        // The native route: 1 attempt + 1 retry, the retry on the other key.
        assertThat(openai.requestCount()).isEqualTo(2);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
        assertThat(openai.requestCount(secret("b"))).isEqualTo(1);
        // The fallback route: its own retry.
        assertThat(openrouter.requestCount()).isEqualTo(2);
        assertThat(openrouter.requestCount(secret("or-1"))).isEqualTo(2);
    }

    // 7. Outage rests double per failed probe (the real-clock recovery is in FailoverTimingLoopbackTest).

    @Test
    void anOutageRestDoublesAfterEachFailedProbeUpToTheQuarantine() {
        openai.byDefault().always(FakeResponse.serverError());
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .provider(
                        "openai",
                        s -> s.withRecoveryProbe(Duration.ofSeconds(1))
                                .withMaxConsecutiveFailures(2)
                                .withQuarantine(Duration.ofSeconds(5)))
                .defaults(d -> d.withMaxRetries(1))
                .build());

        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(LlmRotateException.class);
        assertThat(seen(openai, "a", A)).isEqualTo(2);
        assertThat(model(lm, "a", A).availableAt()).isEqualTo(clock.instant().plusSeconds(1));

        long[] expectedRests = {2, 4, 5, 5}; // doubled per failed probe, capped by quarantine_seconds
        long requests = 2;
        Duration rest = Duration.ofSeconds(1);
        for (long next : expectedRests) {
            clock.advance(rest.minusMillis(1));
            assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(NoAvailableKeyException.class);
            assertThat(seen(openai, "a", A))
                    .as("no request before the probe is due")
                    .isEqualTo(requests);

            clock.advance(Duration.ofMillis(1));
            assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(LlmRotateException.class);
            assertThat(seen(openai, "a", A)).as("exactly one probe").isEqualTo(++requests);
            HealthReport.ModelReport a = model(lm, "a", A);
            assertThat(a.state()).isEqualTo(KeyState.COOLDOWN);
            assertThat(a.availableAt()).isEqualTo(clock.instant().plusSeconds(next));
            rest = Duration.ofSeconds(next);
        }
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.ACTIVE); // model B still serves

        // The provider is back: the next probe heals the model, and a new run starts from the first interval.
        openai.byDefault().always(FakeResponse.ok("back"));
        clock.advance(rest);
        assertThat(answered(() -> lm.chat(ask(A))).content()).isEqualTo("back");
        assertThat(model(lm, "a", A).state()).isEqualTo(KeyState.ACTIVE);
        openai.byDefault().always(FakeResponse.serverError());
        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOf(LlmRotateException.class);
        assertThat(model(lm, "a", A).availableAt()).isEqualTo(clock.instant().plusSeconds(1));
    }

    // 8. Context length.

    private LlmRotateConfig.Builder contextConfig(FallbackTarget... chain) {
        return config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", A).priority(10).build(),
                        Keys.openai("b", A),
                        Keys.key("or-1", "openrouter", A, "openai/gpt-4.1").build())
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .fallbackChain("openai", chain);
    }

    private void promptTooLongForGpt4o() {
        FakeResponse tooLong = FakeResponse.error(
                400,
                "invalid_request_error",
                "context_length_exceeded",
                "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000"
                        + " tokens.");
        openai.byDefault().always(tooLong);
        openrouter.forModel(A).always(tooLong);
    }

    @Test
    void aPromptTooLongForTheModelGoesToAFallbackWithAnotherModel() {
        promptTooLongForGpt4o();
        LlmRotate lm = engine(contextConfig(FallbackTarget.to("openrouter").withModel("openai/gpt-4.1"))
                .build());

        ChatResponse response = answered(() -> lm.chat(ask(A)));

        assertThat(response.provider()).isEqualTo("openrouter");
        assertThat(response.model()).isEqualTo("openai/gpt-4.1");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(openai.requestCount())
                .as("not retried on the native model, not on its other key")
                .isEqualTo(1);
        assertThat(openrouter.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.model()).isEqualTo("openai/gpt-4.1"));
        // Not the key's fault.
        assertThat(lm.health().key("a").consecutiveFailures()).isZero();
        assertThat(model(lm, "a", A).state()).isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void aFallbackToTheSameModelIdIsSkipped() {
        promptTooLongForGpt4o();
        LlmRotate lm = engine(contextConfig(
                        FallbackTarget.to("openrouter"), // the same id: just as short a context
                        FallbackTarget.to("openrouter").withModel("openai/gpt-4.1"))
                .build());

        ChatResponse response = answered(() -> lm.chat(ask(A)));

        assertThat(response.model()).isEqualTo("openai/gpt-4.1");
        assertThat(openai.requestCount()).isEqualTo(1);
        assertThat(openrouter.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.model()).isEqualTo("openai/gpt-4.1"));
    }

    @Test
    void withOnlyTheSameModelIdToFallBackToTheCallFailsFast() {
        promptTooLongForGpt4o();
        LlmRotate lm = engine(contextConfig(FallbackTarget.to("openrouter")).build());

        assertThat(failed(() -> lm.chat(ask(A)))).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e).isNotInstanceOf(NoAvailableKeyException.class);
            assertThat(e.errorType()).isEqualTo(ErrorType.CONTEXT_LENGTH_EXCEEDED);
            assertThat(e.httpStatus()).isEqualTo(400);
        });
        assertThat(openai.requestCount()).isEqualTo(1);
        assertThat(openrouter.requestCount()).isZero();
    }

    @Test
    void withoutAFallbackAPromptTooLongFailsFast() {
        promptTooLongForGpt4o();
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", A).priority(10).build(),
                        Keys.openai("b", A))
                .build());

        assertThat(failed(() -> lm.chat(ask(A))))
                .isInstanceOfSatisfying(
                        LlmRotateException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.CONTEXT_LENGTH_EXCEEDED));
        assertThat(openai.requestCount()).isEqualTo(1);
    }

    // 9. model_fallbacks.

    @Test
    void aModelFallbackTakesPrecedenceOverTheProviderChainForItsModel() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.openai("a", A, B),
                        Keys.key("or-1", "openrouter", A, B, "anthropic/claude-sonnet-4")
                                .build())
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .fallbackChain("openai", FallbackTarget.to("openrouter"))
                .modelFallback(
                        A,
                        FallbackTarget.to("openrouter")
                                .withUpstream("anthropic")
                                .withModel("anthropic/claude-sonnet-4"))
                .build());

        ChatResponse forA = answered(() -> lm.chat(ask(A)));
        assertThat(forA.provider()).isEqualTo("openrouter");
        assertThat(forA.model()).isEqualTo("anthropic/claude-sonnet-4");
        assertThat(forA.fallbackUsed()).isTrue();
        ChatResponse forB = answered(() -> lm.chat(ask(B)));
        assertThat(forB.provider()).isEqualTo("openrouter");
        assertThat(forB.model()).isEqualTo(B);

        assertThat(openrouter.requests())
                .extracting(RecordedRequest::model)
                .containsExactly("anthropic/claude-sonnet-4", B);
        assertThat(seen(openrouter, "or-1", A)).isZero();
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error action over real HTTP: key "a" (priority 10) fails once in the given way, key "b" answers. What the
 * caller gets, how many attempts were made, which keys were used and a's health afterwards are all checked.
 */
class ErrorActionLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    static Stream<Arguments> rotatingFailures() {
        return Stream.of(
                Arguments.of(
                        "429 rate limit, short retry-after (rests exactly as long as the provider said)",
                        FakeResponse.rateLimited(Duration.ofSeconds(2)),
                        ErrorType.RATE_LIMIT,
                        KeyState.COOLDOWN,
                        Duration.ofSeconds(2)),
                Arguments.of(
                        "429 rate limit without retry-after (the provider's cooldown_seconds)",
                        FakeResponse.error(429, "requests", "rate_limit_exceeded", "Rate limit reached"),
                        ErrorType.RATE_LIMIT,
                        KeyState.COOLDOWN,
                        Duration.ofSeconds(30)),
                Arguments.of(
                        "429 rate limit, long retry-after",
                        FakeResponse.rateLimited(Duration.ofSeconds(120)),
                        ErrorType.RATE_LIMIT,
                        KeyState.COOLDOWN,
                        Duration.ofSeconds(120)),
                Arguments.of(
                        "429 insufficient_quota",
                        FakeResponse.insufficientQuota(),
                        ErrorType.QUOTA_EXHAUSTED,
                        KeyState.QUARANTINE,
                        Duration.ofSeconds(3600)),
                Arguments.of(
                        "401 invalid key",
                        FakeResponse.invalidApiKey(),
                        ErrorType.INVALID_AUTH,
                        KeyState.QUARANTINE,
                        Duration.ofSeconds(300)),
                Arguments.of(
                        "403 permission",
                        FakeResponse.error(
                                403,
                                "invalid_request_error",
                                "unsupported_country_region_territory",
                                "Country not supported"),
                        ErrorType.PERMISSION_DENIED,
                        KeyState.QUARANTINE,
                        Duration.ofSeconds(300)),
                Arguments.of(
                        "404 model_not_found",
                        FakeResponse.error(404, "invalid_request_error", "model_not_found", "The model does not exist"),
                        ErrorType.MODEL_UNAVAILABLE,
                        KeyState.COOLDOWN,
                        Duration.ofSeconds(30)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rotatingFailures")
    void keyLevelFailuresRotateToTheNextKey(
            String name, FakeResponse failure, ErrorType type, KeyState stateAfter, Duration restFor) {
        openai.forKey(secret("a")).always(failure);
        openai.forKey(secret("b")).always(FakeResponse.ok("from b"));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(10).build(),
                        Keys.openai("b"))
                .build());

        ChatResponse response = lm.chat("gpt-4o-mini", HI);

        assertThat(response.content()).isEqualTo("from b");
        assertThat(response.keyId()).isEqualTo("b");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(response.rotations()).isEqualTo(1);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.state()).isEqualTo(stateAfter);
        assertThat(a.lastErrorType()).isEqualTo(type.wireName());
        if (restFor != null) {
            assertThat(a.availableAt()).isEqualTo(clock.instant().plus(restFor));
        }
        // The failed key is not chosen again while it rests.
        lm.chat("gpt-4o-mini", HI);
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
    }

    static Stream<Arguments> transientFailures() {
        return Stream.of(
                Arguments.of("500", FakeResponse.serverError(), ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of("503 overloaded", FakeResponse.overloaded(), ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of(
                        "502 html from a proxy",
                        FakeResponse.raw(502, "<html>Bad gateway</html>"),
                        ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of("connection dropped", FakeResponse.connectionDrop(), ErrorType.CONNECTION_ERROR),
                Arguments.of(
                        "slower than the request timeout",
                        FakeResponse.ok("late").delay(Duration.ofSeconds(3)),
                        ErrorType.TIMEOUT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientFailures")
    void transientFailuresAreRetriedWithBackoff(String name, FakeResponse failure, ErrorType type) {
        openai.forKey(secret("a")).next(failure).always(FakeResponse.ok("from a"));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(10).build(),
                        Keys.openai("b"))
                .provider("openai", s -> s.withRequestTimeout(Duration.ofMillis(500)))
                .build());

        ChatResponse response = lm.chat("gpt-4o-mini", HI);

        // Even under the priority strategy, the retry goes to the other healthy key rather than the failing one.
        assertThat(response.content()).isEqualTo("fake reply");
        assertThat(response.keyId()).isEqualTo("b");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(response.rotations()).isZero();
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(a.consecutiveFailures()).isEqualTo(1);
        assertThat(a.models().get("gpt-4o-mini").consecutiveFailures()).isEqualTo(1);
        assertThat(a.recentFailures()).isEqualTo(1);
        assertThat(a.lastErrorType()).isEqualTo(type.wireName());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientFailures")
    void whenRetriesRunOutTheCallFailsWithTheTransientType(String name, FakeResponse failure, ErrorType type) {
        openai.byDefault().always(failure);
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a"), Keys.openai("b"))
                .provider("openai", s -> s.withRequestTimeout(Duration.ofMillis(500)))
                .defaults(d -> d.withMaxRetries(3))
                .build());

        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                .isExactlyInstanceOf(LlmRotateException.class)
                .satisfies(e -> {
                    LlmRotateException error = (LlmRotateException) e;
                    assertThat(error.errorType()).isEqualTo(type);
                    assertThat(error.provider()).isEqualTo("openai");
                    assertThat(error.getMessage()).contains("after 3 retries");
                });
        assertThat(openai.requestCount()).isEqualTo(4);
        // health_aware spreads retries over both keys rather than hammering one.
        assertThat(openai.requestCount(secret("a"))).isPositive();
        assertThat(openai.requestCount(secret("b"))).isPositive();
    }

    static Stream<Arguments> failFastErrors() {
        return Stream.of(
                Arguments.of(
                        "context length",
                        FakeResponse.error(
                                400,
                                "invalid_request_error",
                                "context_length_exceeded",
                                "This model's maximum context length is 128000 tokens"),
                        ErrorType.CONTEXT_LENGTH_EXCEEDED,
                        400),
                Arguments.of(
                        "content filter",
                        FakeResponse.error(
                                400, "invalid_request_error", "content_policy_violation", "Your request was rejected"),
                        ErrorType.CONTENT_FILTERED,
                        400),
                Arguments.of(
                        "invalid request",
                        FakeResponse.error(400, "invalid_request_error", null, "Invalid value for 'temperature'"),
                        ErrorType.INVALID_REQUEST,
                        400),
                Arguments.of(
                        "unprocessable",
                        FakeResponse.error(422, "invalid_request_error", null, "bad"),
                        ErrorType.INVALID_REQUEST,
                        422),
                Arguments.of(
                        "unknown status",
                        FakeResponse.error(418, "teapot", null, "I'm a teapot"),
                        ErrorType.UNKNOWN,
                        418));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failFastErrors")
    void requestErrorsFailFastWithoutTryingAnotherKey(String name, FakeResponse failure, ErrorType type, int status) {
        openai.forKey(secret("a")).always(failure);
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(10).build(),
                        Keys.openai("b"))
                .build());

        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                .isExactlyInstanceOf(LlmRotateException.class)
                .satisfies(e -> {
                    LlmRotateException error = (LlmRotateException) e;
                    assertThat(error.errorType()).isEqualTo(type);
                    assertThat(error.httpStatus()).isEqualTo(status);
                    assertThat(error.maskedKey()).isEqualTo("a (sk-…cdef)");
                });
        assertThat(openai.requestCount(secret("b"))).isZero();
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.ACTIVE);
        assertThat(lm.health().key("a").consecutiveFailures()).isZero();
    }
}

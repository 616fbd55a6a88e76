package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** No call can hang: a silent or stalling provider ends the call inside its deadline. */
class DeadlineLoopbackTest extends EngineTestSupport {

    private long elapsedMillis(Runnable call) {
        long start = System.nanoTime();
        try {
            call.run();
        } catch (RuntimeException expected) {
            // the assertions below look at the exception separately
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void aSilentProviderEndsTheCallWithinTheDeadline() {
        openai.byDefault().always(FakeResponse.noResponse());
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a"), Keys.openai("b"))
                .defaults(d -> d.withMaxRetries(50))
                .build());
        ChatRequest request = ChatRequest.builder("gpt-4o-mini")
                .user("hi")
                .deadline(Duration.ofMillis(800))
                .build();

        assertThatThrownBy(() -> lm.chat(request))
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.TIMEOUT));
        long elapsed = elapsedMillis(() -> lm.chat(request));
        assertThat(elapsed).isBetween(700L, 2_000L);
    }

    @Test
    void aBodyThatStallsAfterTheHeadersEndsTheCallWithinTheDeadline() {
        openai.byDefault().always(FakeResponse.stallAfterHeaders());
        LlmRotate lm = engine(
                config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a")).build());
        ChatRequest request = ChatRequest.builder("gpt-4o-mini")
                .user("hi")
                .deadline(Duration.ofMillis(600))
                .build();
        long elapsed = elapsedMillis(() -> lm.chat(request));
        assertThat(elapsed).isBetween(500L, 2_000L);
        assertThat(lm.usageSummary().overall().failuresByType()).containsEntry("timeout", 1L);
    }

    @Test
    void eachAttemptIsBoundedByTheProvidersRequestTimeoutSoARetryCanStillSucceed() {
        openai.forKey(secret("a")).next(FakeResponse.noResponse()).always(FakeResponse.ok("second try"));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"))
                .provider("openai", s -> s.withRequestTimeout(Duration.ofMillis(300)))
                .build());
        ChatResponse response =
                lm.chat(ChatRequest.builder("gpt-4o-mini").user("hi").build());
        assertThat(response.content()).isEqualTo("second try");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(response.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aBackoffThatWouldOverrunTheDeadlineFailsAtOnceWithTheRealCause() {
        openai.byDefault().always(FakeResponse.serverError());
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"))
                .defaults(d -> d.withBackoff(Duration.ofSeconds(30), Duration.ofSeconds(30))
                        .withMaxRetries(5))
                .build());
        ChatRequest request = ChatRequest.builder("gpt-4o-mini")
                .user("hi")
                .deadline(Duration.ofSeconds(2))
                .build();
        // Full jitter may pick a tiny backoff now and then; the seeded random makes this run reproducible.
        long elapsed = elapsedMillis(() -> lm.chat(request));
        assertThat(elapsed).isLessThan(2_000L);
        assertThat(lm.usageSummary().overall().failuresByType()).containsEntry("transient_server_error", 1L);
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Key state changes on the {@code llm_rotate.health} logger: WARN when a (key, model) rests after a run of failures
 * or a key is quarantined, INFO when it is back after a successful probe; a rate-limit cooldown is not a WARN.
 */
class HealthLogLoopbackTest extends EngineTestSupport {
    private static final String MODEL = "gpt-4o-mini";
    private static final ChatRequest HI = ChatRequest.builder(MODEL).user("hi").build();
    private final ListAppender<ILoggingEvent> health = new ListAppender<>();
    private final Logger healthLogger = (Logger) LoggerFactory.getLogger("llm_rotate.health");
    private Level levelBefore;

    @BeforeEach
    void captureHealthLog() {
        levelBefore = healthLogger.getLevel();
        healthLogger.setLevel(Level.DEBUG);
        health.start();
        healthLogger.addAppender(health);
    }

    @AfterEach
    void release() {
        healthLogger.detachAppender(health);
        healthLogger.setLevel(levelBefore);
    }

    private List<String> logged(Level level) {
        synchronized (health.list) {
            return health.list.stream()
                    .filter(e -> e.getLevel() == level)
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    private List<String> everything() {
        synchronized (health.list) {
            return health.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void aRunOfFailuresWarnsAndTheSuccessfulProbeSaysItIsBack() {
        openai.byDefault().always(FakeResponse.serverError());
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", MODEL))
                .provider("openai", s -> s.withMaxConsecutiveFailures(2))
                .defaults(d -> d.withMaxRetries(1))
                .build());
        Instant probeAt = clock.instant().plusSeconds(10);

        assertThatThrownBy(() -> lm.chat(HI)).isInstanceOf(LlmRotateException.class);

        assertThat(logged(Level.WARN))
                .containsExactly("key 'a' for model 'gpt-4o-mini' resting after 2 failures in a row"
                        + " (transient_server_error); next probe at " + probeAt);
        assertThat(logged(Level.INFO)).isEmpty();

        openai.byDefault().always(FakeResponse.ok("back"));
        clock.advance(Duration.ofSeconds(10));
        assertThat(lm.chat(HI).content()).isEqualTo("back");

        assertThat(logged(Level.INFO))
                .containsExactly("key 'a' for model 'gpt-4o-mini' is back: ACTIVE after a successful call");
        assertThat(logged(Level.WARN)).hasSize(1);
        assertThat(everything()).noneMatch(m -> m.contains(secret("a")));
    }

    private LlmRotate quarantinedKeyA() {
        openai.forKey(secret("a")).next(FakeResponse.invalidApiKey());
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MODEL).priority(10).build(),
                        Keys.openai("b", MODEL))
                .build());
        assertThat(lm.chat(HI).keyId()).isEqualTo("b");
        return lm;
    }

    @Test
    void aQuarantineWarns() {
        Instant until = clock.instant().plusSeconds(300);

        quarantinedKeyA();

        assertThat(logged(Level.WARN)).containsExactly("key 'a' quarantined after invalid_auth until " + until);
        assertThat(everything()).noneMatch(m -> m.contains(secret("a")) || m.contains(secret("b")));
    }

    @Test
    void theEndOfAQuarantineIsLoggedAtInfoWhenTheProbeSucceeds() {
        LlmRotate lm = quarantinedKeyA();

        clock.advance(Duration.ofSeconds(300));
        assertThat(lm.chat(HI).keyId()).isEqualTo("a");

        assertThat(logged(Level.INFO)).containsExactly("key 'a' is back: ACTIVE after a successful call");
    }

    @Test
    void aSingleTransientFailureAndARateLimitCooldownAreNoWarning() {
        openai.forKey(secret("a")).next(FakeResponse.serverError(), FakeResponse.rateLimited(Duration.ofSeconds(5)));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MODEL).priority(10).build(),
                        Keys.openai("b", MODEL))
                .build());

        assertThat(lm.chat(HI).keyId()).isEqualTo("b"); // a answers 500 once, b takes the retry
        assertThat(lm.chat(HI).keyId()).isEqualTo("b"); // a is rate-limited for 5 s
        clock.advance(Duration.ofSeconds(5));
        assertThat(lm.chat(HI).keyId()).isEqualTo("a");

        assertThat(logged(Level.WARN)).isEmpty();
        assertThat(logged(Level.INFO)).isEmpty();
        assertThat(logged(Level.DEBUG)).anyMatch(m -> m.startsWith("key 'a' for model 'gpt-4o-mini' cooling down"));
    }
}

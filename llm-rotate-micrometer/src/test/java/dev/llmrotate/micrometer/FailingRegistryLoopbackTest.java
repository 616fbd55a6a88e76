package dev.llmrotate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.testkit.FakeResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A registry that throws on every meter: the hooks swallow it, log once, and calls go on unharmed. */
class FailingRegistryLoopbackTest extends MicrometerLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    private final AtomicInteger thrown = new AtomicInteger();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();

    /** Throws where a registry makes a meter. */
    private final class HostileRegistry extends SimpleMeterRegistry {
        private IllegalStateException fail() {
            thrown.incrementAndGet();
            return new IllegalStateException("hostile registry");
        }

        @Override
        protected Counter newCounter(Meter.Id id) {
            throw fail();
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig config, PauseDetector pauseDetector) {
            throw fail();
        }

        @Override
        protected DistributionSummary newDistributionSummary(
                Meter.Id id, DistributionStatisticConfig config, double scale) {
            throw fail();
        }

        @Override
        protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> valueFunction) {
            throw fail();
        }
    }

    @BeforeEach
    void hostileRegistryAndLogCapture() {
        registry = new HostileRegistry();
        log.start();
        ((Logger) LoggerFactory.getLogger(LogNames.TELEMETRY)).addAppender(log);
    }

    @AfterEach
    void detachLogCapture() {
        ((Logger) LoggerFactory.getLogger(LogNames.TELEMETRY)).detachAppender(log);
    }

    @Test
    void callsSucceedRotateAndFailAsUsualAndTheFailureIsLoggedOnce() {
        LlmRotate lm = bound(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.key("b", "openai", "gpt-4o-mini").priority(1).build())
                .build());
        int afterBind = thrown.get();
        assertThat(afterBind).as("the gauges were refused").isPositive();

        openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("hello"));
        assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");
        assertThat(thrown.get())
                .as("attempts, rotation and the call's meters threw")
                .isGreaterThan(afterBind + 3);

        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);

        assertThat(log.list.stream().filter(e -> e.getLevel() == Level.WARN)).hasSize(1);
        assertThat(log.list.get(0).getFormattedMessage()).contains("Micrometer").doesNotContain("sk-");
    }
}

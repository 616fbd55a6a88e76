package dev.llmrotate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.testkit.FakeResponse;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The key health gauges, read from {@code LlmRotate.health()} when the registry reads them, on the engine's clock:
 * one report serves the reads of {@link HealthMeters#REPORT_TTL_NANOS}, so a changed state shows once that has passed
 * (awaited, never slept).
 */
class HealthGaugesLoopbackTest extends MicrometerLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final String MODEL = "gpt-4o-mini";

    private LlmRotateConfig twoKeys() {
        return config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MODEL)
                                .priority(2)
                                .rateLimitRpm(10)
                                .build(),
                        Keys.key("b", "openai", MODEL).priority(1).build())
                .build();
    }

    /** The state set of a key: the state whose series reads 1, after checking every other reads 0. */
    private KeyState state(String keyId) {
        Map<String, Double> byState = registry.find(MetricNames.KEY_STATE.name()).tag("key_id", keyId).gauges().stream()
                .collect(Collectors.toMap(g -> g.getId().getTag(HealthMeters.STATE_TAG), g -> g.value()));
        assertThat(byState).hasSize(KeyState.values().length);
        List<String> on = byState.entrySet().stream()
                .filter(e -> e.getValue() == 1.0)
                .map(Map.Entry::getKey)
                .toList();
        assertThat(on).hasSize(1);
        assertThat(byState.values()).containsOnly(0.0, 1.0);
        return KeyState.valueOf(on.get(0));
    }

    @Test
    void aKeyPutInQuarantineShowsItThenComesBackOnTheEnginesClock() {
        LlmRotate lm = bound(twoKeys());
        assertThat(state("a")).isEqualTo(KeyState.ACTIVE);
        assertThat(gauge(MetricNames.KEY_AVAILABLE_IN, "key_id", "a")).isZero();
        assertThat(gauge(MetricNames.PROVIDER_AVAILABLE_KEYS, "provider", "openai"))
                .isEqualTo(2.0);
        assertThat(gauge(MetricNames.KEY_REQUESTS_REMAINING, "key_id", "a")).isEqualTo(10.0);
        assertThat(registry.find(MetricNames.KEY_REQUESTS_REMAINING.name())
                        .tag("key_id", "b")
                        .gauge())
                .as("b has no rpm budget")
                .isNull();

        openai.forKey(secret("a")).next(FakeResponse.insufficientQuota());
        openai.byDefault().always(FakeResponse.ok("hello"));
        assertThat(lm.chat(MODEL, HI).keyId()).isEqualTo("b");
        Duration rest = Duration.between(clock.instant(), lm.health().key("a").availableAt());
        assertThat(rest).isPositive();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(state("a")).isEqualTo(KeyState.QUARANTINE);
            assertThat(gauge(MetricNames.KEY_AVAILABLE_IN, "key_id", "a")).isEqualTo(rest.toSeconds());
            assertThat(gauge(MetricNames.PROVIDER_AVAILABLE_KEYS, "provider", "openai"))
                    .isEqualTo(1.0);
            assertThat(gauge(MetricNames.KEY_REQUESTS_REMAINING, "key_id", "a")).isEqualTo(9.0);
        });
        assertThat(state("b")).isEqualTo(KeyState.ACTIVE);

        clock.advance(rest.plusSeconds(1));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(state("a")).isEqualTo(KeyState.PROBATION);
            assertThat(gauge(MetricNames.KEY_AVAILABLE_IN, "key_id", "a")).isZero();
        });
        assertThat(lm.chat(MODEL, HI).keyId()).isEqualTo("a");
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(state("a")).isEqualTo(KeyState.ACTIVE));
    }

    @Test
    void aRateLimitedKeyRestsForItsRetryAfterAsTheHealthReportSays() {
        LlmRotate lm = bound(twoKeys());
        openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("hello"));
        assertThat(lm.chat(MODEL, HI).keyId()).isEqualTo("b");

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(gauge(MetricNames.KEY_AVAILABLE_IN, "key_id", "a")).isEqualTo(20.0);
            assertThat(gauge(MetricNames.PROVIDER_AVAILABLE_KEYS, "provider", "openai"))
                    .isEqualTo(1.0);
            assertThat(state("a")).isEqualTo(lm.health().key("a").state());
        });
        clock.advance(Duration.ofSeconds(21));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(gauge(MetricNames.KEY_AVAILABLE_IN, "key_id", "a")).isZero();
            assertThat(gauge(MetricNames.PROVIDER_AVAILABLE_KEYS, "provider", "openai"))
                    .isEqualTo(2.0);
        });
    }

    @Test
    void theGaugesFollowAReloadAtTheNextCallsEnd() {
        LlmRotate lm = bound(twoKeys());
        assertThat(state("b")).isEqualTo(KeyState.ACTIVE);
        lm.reloadConfig(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MODEL).priority(2).build(),
                        Keys.key("c", "openai", MODEL).priority(1).build())
                .build());
        openai.byDefault().always(FakeResponse.ok("hello"));
        lm.chat(MODEL, HI);

        assertThat(registry.find(MetricNames.KEY_STATE.name())
                        .tag("key_id", "b")
                        .gauges())
                .isEmpty();
        assertThat(registry.find(MetricNames.KEY_REQUESTS_REMAINING.name()).gauges())
                .as("a no longer has an rpm budget")
                .isEmpty();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(state("c")).isEqualTo(KeyState.ACTIVE));
        assertThat(state("a")).isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void theGaugesCarryProviderAndKeyIdOnlyAndABindingIsOnePerTelemetry() {
        LlmRotate lm = bound(twoKeys());
        assertThat(telemetry.bindTo(lm)).isSameAs(telemetry);
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getTags())
                    .extracting(t -> t.getKey())
                    .isSubsetOf("provider", "key_id", HealthMeters.STATE_TAG);
        }
        LlmRotate other = LlmRotate.builder().config(twoKeys()).build();
        try {
            assertThatThrownBy(() -> telemetry.bindTo(other))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already bound");
        } finally {
            other.close();
        }
    }

    @Test
    void aFreshRegistryOfAnotherTelemetryHasItsOwnGauges() {
        LlmRotate lm = bound(twoKeys());
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        MicrometerTelemetry.create(second).bindTo(lm);
        assertThat(second.find(MetricNames.KEY_STATE.name()).gauges()).hasSize(2 * KeyState.values().length);
    }
}

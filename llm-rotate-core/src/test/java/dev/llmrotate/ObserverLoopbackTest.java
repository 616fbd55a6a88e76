package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An observer shows what the store holds and nothing else: over one in-memory store shared with a worker in this
 * process (the Redis module runs the same with worker processes). Its configuration's secrets cannot be resolved,
 * which proves it never tries.
 */
class ObserverLoopbackTest extends EngineTestSupport {
    private static final String MINI = "gpt-4o-mini";
    private static final ChatRequest HI = ChatRequest.builder(MINI).user("hi").build();

    /** The same keys as the worker's, with secret refs that resolve to nothing. */
    private LlmRotateConfig observerConfig(KeySpec... keys) {
        KeySpec[] unresolvable = new KeySpec[keys.length];
        for (int i = 0; i < keys.length; i++) {
            unresolvable[i] = KeySpec.builder(keys[i].keyId(), keys[i].provider())
                    .secretRef(SecretRef.parse("env://LLMROTATE_OBSERVER_HAS_NO_SECRETS", name -> {
                        throw new AssertionError("the observer resolved a secret_ref");
                    }))
                    .models(keys[i].models().toArray(String[]::new))
                    .build();
        }
        return config(SelectionStrategyType.PRIORITY, unresolvable).build();
    }

    @Test
    void anObserverShowsTheWorkersStateWithTheirMasksAndMakesNoCalls() {
        KeySpec a = Keys.openai("a", MINI);
        KeySpec b = Keys.openai("b", MINI);
        openai.forKey(secret("a")).always(FakeResponse.invalidApiKey());
        openai.forKey(secret("b")).always(FakeResponse.ok("hi", 12, 3));
        InMemoryStateStore shared = new InMemoryStateStore();
        LlmRotate worker = LlmRotate.builder()
                .config(config(SelectionStrategyType.PRIORITY, a, b).build())
                .clock(clock)
                .stateStore(shared)
                .build();
        LlmRotate observer = LlmRotate.builder()
                .config(observerConfig(a, b))
                .clock(clock)
                .stateStore(shared)
                .buildObserver();
        try {
            for (int i = 0; i < 3; i++) {
                worker.chat(HI);
            }

            HealthReport health = observer.health();
            assertThat(health.keys())
                    .extracting(
                            HealthReport.KeyReport::keyId,
                            HealthReport.KeyReport::state,
                            HealthReport.KeyReport::keyMask)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("a", KeyState.QUARANTINE, "sk-…cdef"),
                            org.assertj.core.groups.Tuple.tuple("b", KeyState.ACTIVE, "sk-…cdef"));
            Instant now = clock.instant();
            assertThat(observer.usageSummary(now.minus(Duration.ofHours(1)), now.plusSeconds(1))
                            .overall()
                            .calls())
                    .isEqualTo(3);
            assertThat(observer.usageSummary().byKey().get("b").inputTokens()).isEqualTo(36);
            assertThat(observer.usageSeries(
                                    now.minus(Duration.ofHours(1)), now, Duration.ofMinutes(5), UsageFilter.key("b"))
                            .points())
                    .hasSize(12);
            assertThat(observer.keyHistory("a", now.minus(Duration.ofHours(1)), now.plusSeconds(1), 10))
                    .singleElement()
                    .satisfies(c -> assertThat(c.cause()).isEqualTo("invalid_auth"));
            assertThat(observer.recentCalls(10))
                    .as("the in-memory store keeps no records")
                    .isEmpty();

            List<Runnable> calls = List.of(
                    () -> observer.chat(HI),
                    () -> observer.chatAsync(HI),
                    () -> observer.chatStream(HI),
                    () -> observer.acquire("openai"),
                    () -> observer.chatStreamPublisher(HI));
            for (Runnable call : calls) {
                assertThatThrownBy(call::run)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("this LlmRotate is an observer (LlmRotate.observe)");
            }
            assertThatThrownBy(() -> observer.resetKey("a"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("resetKey on an observer");
            assertThat(openai.requestCount()).isEqualTo(4); // the worker's: a once, then b three times
        } finally {
            observer.close();
            worker.close();
        }
    }

    @Test
    void anObserversReloadForgetsNothingInTheStore() {
        KeySpec a = Keys.openai("a", MINI);
        KeySpec b = Keys.openai("b", MINI);
        openai.forKey(secret("a")).always(FakeResponse.invalidApiKey());
        InMemoryStateStore shared = new InMemoryStateStore();
        LlmRotate worker = LlmRotate.builder()
                .config(config(SelectionStrategyType.PRIORITY, a, b).build())
                .clock(clock)
                .stateStore(shared)
                .build();
        LlmRotate observer = LlmRotate.builder()
                .config(observerConfig(a, b))
                .clock(clock)
                .stateStore(shared)
                .buildObserver();
        try {
            worker.chat(HI);
            observer.reloadConfig(observerConfig(b));
            assertThat(observer.health().keys())
                    .extracting(HealthReport.KeyReport::keyId)
                    .containsExactly("b");
            assertThat(worker.health().keys().get(0).state()).isEqualTo(KeyState.QUARANTINE);
            assertThat(observer.toString()).contains("observer");
        } finally {
            observer.close();
            worker.close();
        }
    }
}

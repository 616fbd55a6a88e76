package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** rpm and tpm budgets enforced at selection, over a sliding minute driven by the injected clock. */
class RateBudgetLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    @Test
    void rpmBudgetMovesCallsToAnotherKeyAndRefillsAfterAMinute() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini")
                                .priority(10)
                                .rateLimitRpm(3)
                                .build(),
                        Keys.openai("b"))
                .build());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            keys.add(lm.chat("gpt-4o-mini", HI).keyId());
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(keys).containsExactly("a", "a", "a", "b", "b");
        assertThat(lm.health().key("a").availableAt()).isEqualTo(Instant.parse("2026-11-25T10:01:00Z"));

        clock.advance(Duration.ofSeconds(55)); // 60 s after the first call: one slot free again
        assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("a");
        assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");
        assertThat(openai.requestCount(secret("a"))).isEqualTo(4);
    }

    @Test
    void tpmBudgetCountsTokensActuallyUsed() {
        openai.byDefault().always(FakeResponse.ok("x", 10, 10)); // 20 tokens per call
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini")
                                .priority(10)
                                .rateLimitTpm(50)
                                .build(),
                        Keys.openai("b"))
                .build());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            keys.add(lm.chat("gpt-4o-mini", HI).keyId());
        }
        // 0, 20, 40 tokens used before each of a's calls are under 50; at 60 a is over budget.
        assertThat(keys).containsExactly("a", "a", "a", "b");
        clock.advance(Duration.ofSeconds(61));
        assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("a");
    }

    @Test
    void exhaustedBudgetsEverywhereGiveNoAvailableKeyWithTheEarliestSlot() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.HEALTH_AWARE,
                        Keys.key("a", "openai", "gpt-4o-mini").rateLimitRpm(1).build(),
                        Keys.key("b", "openai", "gpt-4o-mini").rateLimitRpm(1).build())
                .build());
        lm.chat("gpt-4o-mini", HI);
        clock.advance(Duration.ofSeconds(10));
        lm.chat("gpt-4o-mini", HI);

        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                .isInstanceOfSatisfying(NoAvailableKeyException.class, e -> {
                    assertThat(e.model()).isEqualTo("gpt-4o-mini");
                    assertThat(e.earliestRetryAt()).isEqualTo(Instant.parse("2026-11-25T10:01:00Z"));
                    HealthReport.ProviderReport openaiReport =
                            e.healthReport().providers().get("openai");
                    assertThat(openaiReport.availableKeys()).isZero();
                    assertThat(openaiReport.totalKeys()).isEqualTo(2);
                    assertThat(openaiReport.earliestRetryAt()).isEqualTo(Instant.parse("2026-11-25T10:01:00Z"));
                });
        assertThat(openai.requestCount()).isEqualTo(2);
    }

    @Test
    void concurrentCallersNeverExceedTheRpmBudgetTogether() throws Exception {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.HEALTH_AWARE,
                        Keys.key("a", "openai", "gpt-4o-mini").rateLimitRpm(25).build(),
                        Keys.key("b", "openai", "gpt-4o-mini").rateLimitRpm(15).build())
                .build());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> calls = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                calls.add(pool.submit(() -> {
                    try {
                        lm.chat("gpt-4o-mini", HI);
                        return true;
                    } catch (NoAvailableKeyException e) {
                        return false;
                    }
                }));
            }
            int served = 0;
            for (Future<Boolean> call : calls) {
                served += call.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(served).isEqualTo(40);
            assertThat(openai.requestCount(secret("a"))).isEqualTo(25);
            assertThat(openai.requestCount(secret("b"))).isEqualTo(15);
            assertThat(lm.usageSummary().overall().failuresByType()).containsEntry("no_available_key", 60L);
        } finally {
            pool.shutdownNow();
        }
    }
}

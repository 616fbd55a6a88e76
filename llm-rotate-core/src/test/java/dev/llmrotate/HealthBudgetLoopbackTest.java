package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.testkit.FakeResponse;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rpm and tpm budgets of each key in the health report: limits, what the sliding minute used, what is left. */
class HealthBudgetLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    @Test
    void aKeysBudgetsShowWhatTheLastMinuteUsedAndWhatIsLeft() throws Exception {
        openai.byDefault().always(FakeResponse.ok("x", 10, 5)); // 15 tokens per call
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini")
                                .priority(10)
                                .rateLimitRpm(3)
                                .rateLimitTpm(50L)
                                .build(),
                        Keys.openai("b"))
                .build());
        assertThat(lm.health().key("a").budget()).isEqualTo(new HealthReport.Budget(3, 0, 50L, 0L));

        lm.chat("gpt-4o-mini", HI);
        clock.advance(Duration.ofSeconds(10));
        lm.chat("gpt-4o-mini", HI);

        HealthReport.Budget budget = lm.health().key("a").budget();
        assertThat(budget).isEqualTo(new HealthReport.Budget(3, 2, 50L, 30L));
        assertThat(budget.rpmRemaining()).isEqualTo(1);
        assertThat(budget.tpmRemaining()).isEqualTo(20L);
        assertThat(lm.health().key("b").budget()).isEqualTo(HealthReport.Budget.NONE);
        assertThat(HealthReport.Budget.NONE.rpmRemaining()).isNull();
        assertThat(HealthReport.Budget.NONE.tpmRemaining()).isNull();

        JsonNode json = new ObjectMapper()
                .readTree(lm.health().toJson())
                .get("keys")
                .get(0)
                .get("budget");
        assertThat(json.get("rpm_limit").asInt()).isEqualTo(3);
        assertThat(json.get("rpm_used").asInt()).isEqualTo(2);
        assertThat(json.get("rpm_remaining").asInt()).isEqualTo(1);
        assertThat(json.get("tpm_limit").asLong()).isEqualTo(50);
        assertThat(json.get("tpm_used").asLong()).isEqualTo(30);
        assertThat(json.get("tpm_remaining").asLong()).isEqualTo(20);

        // 50 s after the first call only the second is in the minute; 61 s after the second, none.
        clock.advance(Duration.ofSeconds(50));
        assertThat(lm.health().key("a").budget()).isEqualTo(new HealthReport.Budget(3, 1, 50L, 15L));
        clock.advance(Duration.ofSeconds(11));
        assertThat(lm.health().key("a").budget()).isEqualTo(new HealthReport.Budget(3, 0, 50L, 0L));
    }

    @Test
    void theRequestCountFollowsTheSlidingMinuteAroundTheWindowsRing() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini")
                                .priority(10)
                                .rateLimitRpm(2)
                                .build(),
                        Keys.openai("b"))
                .build());
        java.time.Instant start = clock.instant();
        List<Integer> used = new java.util.ArrayList<>();
        for (int second : new int[] {0, 10, 20, 70, 75, 200}) {
            clock.advance(Duration.between(clock.instant(), start.plusSeconds(second)));
            if (second != 200) {
                lm.chat("gpt-4o-mini", HI); // at 20 s a is spent and b answers
            }
            used.add(lm.health().key("a").budget().rpmUsed());
        }
        assertThat(used).containsExactly(1, 2, 2, 1, 2, 0); // at 70 s the call of 10 s is 60 s old: out
        assertThat(openai.requestCount(secret("a"))).isEqualTo(4); // 0, 10, 70, 75
    }

    @Test
    void aStoreThatCannotCountRequestsLeavesTheRpmUseUnknown() {
        LlmRotate lm = LlmRotate.builder()
                .config(config(
                                SelectionStrategyType.PRIORITY,
                                Keys.key("a", "openai", "gpt-4o-mini")
                                        .rateLimitRpm(3)
                                        .build())
                        .build())
                .clock(clock)
                .stateStore(olderStore())
                .build();
        try (lm) {
            lm.chat("gpt-4o-mini", HI);
            HealthReport.Budget budget = lm.health().key("a").budget();
            assertThat(budget).isEqualTo(new HealthReport.Budget(3, null, null, null));
            assertThat(budget.rpmRemaining()).isNull();
        }
    }

    /**
     * A store written before {@code requestsInLastMinute}: the in-memory store behind the interface's default for that
     * one method (a proxy, so that methods added to the interface later need no change here).
     */
    private static StateStore olderStore() {
        StateStore inMemory = new InMemoryStateStore();
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("requestsInLastMinute")) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            try {
                return method.invoke(inMemory, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (StateStore)
                Proxy.newProxyInstance(StateStore.class.getClassLoader(), new Class<?>[] {StateStore.class}, handler);
    }
}

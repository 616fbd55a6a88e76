package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each strategy's distribution over real HTTP, with seeded randomness. */
class SelectionLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    private Map<String, Integer> send(LlmRotate lm, int calls) {
        Map<String, Integer> perKey = new LinkedHashMap<>();
        for (int i = 0; i < calls; i++) {
            perKey.merge(lm.chat("gpt-4o-mini", HI).keyId(), 1, Integer::sum);
        }
        return perKey;
    }

    @Test
    void roundRobinTakesEachKeyInTurn() {
        LlmRotate lm =
                engine(config(SelectionStrategyType.ROUND_ROBIN, Keys.openai("a"), Keys.openai("b"), Keys.openai("c"))
                        .build());
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            order.add(lm.chat("gpt-4o-mini", HI).keyId());
        }
        assertThat(order).containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void roundRobinGivesAnUnavailableKeysTurnToTheNextKey() {
        openai.forKey(secret("b")).always(FakeResponse.invalidApiKey());
        LlmRotate lm =
                engine(config(SelectionStrategyType.ROUND_ROBIN, Keys.openai("a"), Keys.openai("b"), Keys.openai("c"))
                        .build());
        Map<String, Integer> perKey = send(lm, 300);
        assertThat(perKey).doesNotContainKey("b");
        // a keeps its own turns; b's turns fall to c, the next key after it.
        assertThat(perKey.get("a")).isBetween(99, 101);
        assertThat(perKey.get("c")).isBetween(199, 201);
        assertThat(openai.requestCount(secret("b"))).isEqualTo(1);
    }

    @Test
    void priorityAlwaysTakesTheHighestAvailableKey() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("low", "openai", "gpt-4o-mini").priority(1).build(),
                        Keys.key("high", "openai", "gpt-4o-mini").priority(10).build(),
                        Keys.key("mid", "openai", "gpt-4o-mini").priority(5).build())
                .build());
        assertThat(send(lm, 50)).containsExactly(Map.entry("high", 50));

        openai.forKey(secret("high")).always(FakeResponse.rateLimited(java.time.Duration.ofSeconds(1)));
        assertThat(send(lm, 50)).containsExactly(Map.entry("mid", 50));
    }

    @Test
    void priorityOverridesFromThePrioritiesBlockWin() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(10).build(),
                        Keys.openai("b"))
                .priority("b", 20)
                .build());
        assertThat(send(lm, 10)).containsExactly(Map.entry("b", 10));
    }

    @Test
    void weightedSplitsInProportionToWeights() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.WEIGHTED,
                        Keys.key("a", "openai", "gpt-4o-mini").weight(6).build(),
                        Keys.key("b", "openai", "gpt-4o-mini").weight(3).build(),
                        Keys.key("c", "openai", "gpt-4o-mini").weight(1).build())
                .build());
        Map<String, Integer> perKey = send(lm, 1000);
        // Expected 600/300/100; bounds are about four standard deviations wide.
        assertThat(perKey.get("a")).isBetween(540, 660);
        assertThat(perKey.get("b")).isBetween(240, 360);
        assertThat(perKey.get("c")).isBetween(60, 140);
    }

    @Test
    void healthAwareKeepsToTheTopPriorityTierAndSpreadsByWeightWithinIt() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.HEALTH_AWARE,
                        Keys.key("a", "openai", "gpt-4o-mini")
                                .priority(5)
                                .weight(3)
                                .build(),
                        Keys.key("b", "openai", "gpt-4o-mini")
                                .priority(5)
                                .weight(1)
                                .build(),
                        Keys.key("backup", "openai", "gpt-4o-mini")
                                .priority(0)
                                .weight(100)
                                .build())
                .build());
        Map<String, Integer> perKey = send(lm, 800);
        assertThat(perKey).doesNotContainKey("backup");
        assertThat(perKey.get("a")).isBetween(540, 660);
        assertThat(perKey.get("b")).isBetween(140, 260);
    }

    @Test
    void healthAwareAvoidsAKeyThatHasBeenFailing() {
        openai.forKey(secret("a")).next(FakeResponse.serverError(), FakeResponse.serverError());
        LlmRotate lm = engine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a"), Keys.openai("b"))
                .defaults(d -> d.withMaxRetries(5))
                .build());
        // Sooner or later a call lands on a and fails; from then on b is preferred until a succeeds again.
        for (int i = 0; i < 50 && openai.requestCount(secret("a")) == 0; i++) {
            lm.chat("gpt-4o-mini", HI);
        }
        assertThat(lm.health().key("a").consecutiveFailures()).isEqualTo(1);
        int before = openai.requestCount(secret("a"));
        assertThat(send(lm, 20)).containsExactly(Map.entry("b", 20));
        assertThat(openai.requestCount(secret("a"))).isEqualTo(before);
    }

    @Test
    void onlyKeysListingTheModelAreUsed() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.ROUND_ROBIN,
                        Keys.openai("mini", "gpt-4o-mini"),
                        Keys.openai("big", "gpt-4o"),
                        Keys.openai("both", "gpt-4o", "gpt-4o-mini"))
                .build());
        Map<String, Integer> perKey = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            perKey.merge(lm.chat("gpt-4o", HI).keyId(), 1, Integer::sum);
        }
        assertThat(perKey).containsOnlyKeys("big", "both");
        assertThat(openai.requests()).allSatisfy(r -> assertThat(r.model()).isEqualTo("gpt-4o"));
    }
}

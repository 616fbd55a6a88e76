package dev.llmrotate.internal.select;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.spi.InMemoryStateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The strategies' picks over {@link Candidates}, with the random point fixed: which key each point selects, so that
 * the weighted walks (order, sums, boundaries) are pinned exactly, not only as distributions.
 */
class SelectorStrategyPickTest {
    private final InMemoryStateStore store = new InMemoryStateStore();

    private static KeySpec key(String id, int priority, double weight) {
        return KeySpec.builder(id, "openai")
                .secretRef("literal://sk-" + id)
                .models("gpt-4o-mini")
                .priority(priority)
                .weight(weight)
                .build();
    }

    /** A random source whose next double is always {@code value}. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new AssertionError("only nextDouble is expected");
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private SelectionStrategy strategy(SelectionStrategyType type, double point) {
        return SelectionStrategy.of(type, store, fixed(point));
    }

    /** The id of the key {@code type} picks from {@code candidates} with the random point {@code point}. */
    private String pick(SelectionStrategyType type, double point, Candidates candidates) {
        return candidates
                .key(strategy(type, point).pick(candidates, "openai|gpt-4o-mini"))
                .keyId();
    }

    @Test
    void candidatesKeepEachKeysPositionStateAndCountsInOrder() {
        List<KeySpec> keys = List.of(key("a", 0, 1), key("b", 0, 1), key("c", 0, 1), key("d", 0, 1));
        Candidates c = new Candidates(keys);
        c.add(0, false, 0, 0);
        c.add(2, true, 3, 7);
        c.add(3, false, 70_000, Integer.MAX_VALUE);
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.routeSize()).isEqualTo(4);
        assertThat(c.key(1).keyId()).isEqualTo("c");
        assertThat(c.position(1)).isEqualTo(2);
        assertThat(c.state(0)).isEqualTo(KeyState.ACTIVE);
        assertThat(c.state(1)).isEqualTo(KeyState.PROBATION);
        assertThat(c.consecutiveFailures(1)).isEqualTo(3);
        assertThat(c.recentFailures(1)).isEqualTo(7);
        assertThat(c.consecutiveFailures(2)).isEqualTo(Candidates.MAX_COUNT);
        assertThat(c.recentFailures(2)).isEqualTo(Candidates.MAX_COUNT);

        c.remove(0);
        assertThat(List.of(c.key(0).keyId(), c.key(1).keyId())).containsExactly("c", "d");
        assertThat(c.state(0)).isEqualTo(KeyState.PROBATION);
        assertThat(c.recentFailures(0)).isEqualTo(7);
    }

    @Test
    void healthAwareSplitsTheBestTiesByWeightInConfigurationOrder() {
        // b and d tie at the best score (priority 1, clean, ACTIVE); a has a lower priority, c is on probation and
        // e has failed: only b (weight 1) and d (weight 3) share the load, b below a quarter of the total, d above.
        List<KeySpec> keys = List.of(key("a", 0, 5), key("b", 1, 1), key("c", 1, 5), key("d", 1, 3), key("e", 1, 5));
        Candidates c = new Candidates(keys);
        c.add(0, false, 0, 0);
        c.add(1, false, 0, 0);
        c.add(2, true, 0, 0);
        c.add(3, false, 0, 0);
        c.add(4, false, 1, 1);
        assertThat(pick(SelectionStrategyType.HEALTH_AWARE, 0.0, c)).isEqualTo("b");
        assertThat(pick(SelectionStrategyType.HEALTH_AWARE, 0.2499, c)).isEqualTo("b");
        assertThat(pick(SelectionStrategyType.HEALTH_AWARE, 0.25, c)).isEqualTo("d");
        assertThat(pick(SelectionStrategyType.HEALTH_AWARE, 0.9999, c)).isEqualTo("d");
    }

    @Test
    void healthAwareTakesALoneBestKeyWithoutDrawing() {
        List<KeySpec> keys = List.of(key("a", 0, 1), key("b", 0, 1), key("c", 0, 1));
        Candidates c = new Candidates(keys);
        c.add(0, false, 2, 0);
        c.add(1, false, 0, 4);
        c.add(2, false, 1, 0);
        // Fewest consecutive failures first, then fewest recent ones: b. NaN would pick nothing if it were drawn.
        assertThat(pick(SelectionStrategyType.HEALTH_AWARE, Double.NaN, c)).isEqualTo("b");
    }

    @Test
    void weightedWalksAllCandidatesByWeight() {
        List<KeySpec> keys = List.of(key("a", 9, 1), key("b", 0, 2), key("c", 0, 1));
        Candidates c = new Candidates(keys);
        c.add(0, false, 0, 0);
        c.add(1, true, 5, 5);
        c.add(2, false, 0, 0);
        assertThat(pick(SelectionStrategyType.WEIGHTED, 0.0, c)).isEqualTo("a");
        assertThat(pick(SelectionStrategyType.WEIGHTED, 0.2499, c)).isEqualTo("a");
        assertThat(pick(SelectionStrategyType.WEIGHTED, 0.25, c)).isEqualTo("b");
        assertThat(pick(SelectionStrategyType.WEIGHTED, 0.7499, c)).isEqualTo("b");
        assertThat(pick(SelectionStrategyType.WEIGHTED, 0.75, c)).isEqualTo("c");
    }

    @Test
    void priorityTakesTheFirstOfTheHighestPriority() {
        List<KeySpec> keys = List.of(key("a", 1, 1), key("b", 3, 1), key("c", 3, 1), key("d", 2, 1));
        Candidates c = new Candidates(keys);
        for (int i = 0; i < keys.size(); i++) {
            c.add(i, false, 0, 0);
        }
        assertThat(pick(SelectionStrategyType.PRIORITY, 0.5, c)).isEqualTo("b");
        c.remove(1);
        assertThat(pick(SelectionStrategyType.PRIORITY, 0.5, c)).isEqualTo("c");
    }

    @Test
    void roundRobinGivesAMissingKeysTurnToTheNextPosition() {
        List<KeySpec> keys = List.of(key("a", 0, 1), key("b", 0, 1), key("c", 0, 1), key("d", 0, 1));
        Candidates c = new Candidates(keys);
        c.add(0, false, 0, 0);
        c.add(2, false, 0, 0);
        c.add(3, false, 0, 0);
        List<String> turns = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            turns.add(pick(SelectionStrategyType.ROUND_ROBIN, 0.5, c));
        }
        // Turns 0..3 of a four-key route; b (position 1) is not a candidate, so its turn goes to c.
        assertThat(turns).containsExactly("a", "c", "c", "d", "a", "c", "c", "d");
    }
}

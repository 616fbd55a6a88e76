package dev.llmrotate.select;

import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.state.StateStore;
import java.util.List;
import java.util.random.RandomGenerator;

/** Picks one key among the candidates that may serve a call now. Implementations are stateless and thread-safe. */
public interface SelectionStrategy {

    /**
     * The index in {@code candidates} (never empty) of the key to try.
     *
     * @param candidates the keys that may serve now, in configuration order
     * @param routeSize how many keys the route has in all (for cursor-based strategies)
     * @param scope names the route (provider and model), for cursors kept in the store
     */
    int pick(List<Candidate> candidates, int routeSize, String scope);

    /** The strategy of a configuration name. */
    static SelectionStrategy of(SelectionStrategyType type, StateStore store, RandomGenerator random) {
        return switch (type) {
            case HEALTH_AWARE -> new HealthAwareStrategy(random);
            case ROUND_ROBIN -> new RoundRobinStrategy(store);
            case PRIORITY -> new PriorityStrategy();
            case WEIGHTED -> new WeightedStrategy(random);
        };
    }

    /** Weighted random choice among {@code indexes[0..count)} of {@code candidates}. */
    static int weightedAmong(List<Candidate> candidates, int[] indexes, int count, RandomGenerator random) {
        if (count == 1) {
            return indexes[0];
        }
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += candidates.get(indexes[i]).key().weight();
        }
        double point = random.nextDouble() * total;
        for (int i = 0; i < count; i++) {
            point -= candidates.get(indexes[i]).key().weight();
            if (point < 0) {
                return indexes[i];
            }
        }
        return indexes[count - 1];
    }
}

package dev.llmrotate.internal.select;

import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.spi.StateStore;
import java.util.random.RandomGenerator;

/** Picks one key among the candidates that may serve a call now. Implementations are stateless and thread-safe. */
public interface SelectionStrategy {

    /**
     * The index in {@code candidates} (never empty) of the key to try.
     *
     * @param candidates the keys that may serve now, in configuration order
     * @param scope names the route (provider and model), for cursors kept in the store
     */
    int pick(Candidates candidates, String scope);

    /** The strategy of a configuration name. */
    static SelectionStrategy of(SelectionStrategyType type, StateStore store, RandomGenerator random) {
        return switch (type) {
            case HEALTH_AWARE -> new HealthAwareStrategy(random);
            case ROUND_ROBIN -> new RoundRobinStrategy(store);
            case PRIORITY -> new PriorityStrategy();
            case WEIGHTED -> new WeightedStrategy(random);
        };
    }
}

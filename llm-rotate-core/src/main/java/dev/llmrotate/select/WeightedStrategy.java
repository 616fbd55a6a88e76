package dev.llmrotate.select;

import java.util.List;
import java.util.random.RandomGenerator;

/** Random choice in proportion to each key's weight. */
final class WeightedStrategy implements SelectionStrategy {
    private final RandomGenerator random;

    WeightedStrategy(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public int pick(List<Candidate> candidates, int routeSize, String scope) {
        int[] all = new int[candidates.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return SelectionStrategy.weightedAmong(candidates, all, all.length, random);
    }
}

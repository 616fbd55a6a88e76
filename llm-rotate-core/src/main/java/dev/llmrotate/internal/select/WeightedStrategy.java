package dev.llmrotate.internal.select;

import java.util.random.RandomGenerator;

/** Random choice in proportion to each key's weight. */
final class WeightedStrategy implements SelectionStrategy {
    private final RandomGenerator random;

    WeightedStrategy(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public int pick(Candidates candidates, String scope) {
        int count = candidates.size();
        if (count == 1) {
            return 0;
        }
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += candidates.key(i).weight();
        }
        double point = random.nextDouble() * total;
        for (int i = 0; i < count; i++) {
            point -= candidates.key(i).weight();
            if (point < 0) {
                return i;
            }
        }
        return count - 1;
    }
}

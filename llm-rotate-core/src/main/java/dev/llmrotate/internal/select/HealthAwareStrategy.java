package dev.llmrotate.internal.select;

import dev.llmrotate.health.KeyState;
import java.util.random.RandomGenerator;

/**
 * The default: the highest priority first; within it, ACTIVE before PROBATION, then the fewest consecutive and
 * recent failures; keys still tied share the load in proportion to their weight (so one key's rate limit is not
 * hammered while its equals idle).
 */
final class HealthAwareStrategy implements SelectionStrategy {
    private final RandomGenerator random;

    HealthAwareStrategy(RandomGenerator random) {
        this.random = random;
    }

    @Override
    public int pick(Candidates candidates, String scope) {
        // One pass finds the best score, the first key with it, how many share it and their total weight (summed in
        // configuration order); the tie set itself is not kept.
        int size = candidates.size();
        long bestScore = Long.MIN_VALUE;
        int ties = 0;
        int firstTie = 0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            long score = score(candidates, i);
            if (score > bestScore) {
                bestScore = score;
                ties = 0;
                firstTie = i;
                total = 0;
            }
            if (score == bestScore) {
                ties++;
                total += candidates.key(i).weight();
            }
        }
        if (ties == 1) {
            return firstTie;
        }
        // Weighted random choice among the ties, in configuration order.
        double point = random.nextDouble() * total;
        int lastTie = firstTie;
        for (int i = firstTie; i < size; i++) {
            if (score(candidates, i) == bestScore) {
                lastTie = i;
                point -= candidates.key(i).weight();
                if (point < 0) {
                    return i;
                }
            }
        }
        return lastTie;
    }

    /** Priority dominates; health orders keys within a priority. */
    private static long score(Candidates c, int i) {
        long health = (c.state(i) == KeyState.ACTIVE ? 0 : -1_000_000L)
                - 1_000L * Math.min(c.consecutiveFailures(i), 999)
                - Math.min(c.recentFailures(i), 999);
        return (long) c.key(i).priority() * 10_000_000L + health;
    }
}

package dev.llmrotate.select;

import dev.llmrotate.health.KeyState;
import java.util.List;
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
    public int pick(List<Candidate> candidates, int routeSize, String scope) {
        int[] best = new int[candidates.size()];
        int count = 0;
        long bestScore = Long.MIN_VALUE;
        for (int i = 0; i < candidates.size(); i++) {
            long score = score(candidates.get(i));
            if (score > bestScore) {
                bestScore = score;
                count = 0;
            }
            if (score == bestScore) {
                best[count++] = i;
            }
        }
        return SelectionStrategy.weightedAmong(candidates, best, count, random);
    }

    /** Priority dominates; health orders keys within a priority. */
    private static long score(Candidate c) {
        long health = (c.state() == KeyState.ACTIVE ? 0 : -1_000_000L)
                - 1_000L * Math.min(c.consecutiveFailures(), 999)
                - Math.min(c.recentFailures(), 999);
        return (long) c.key().priority() * 10_000_000L + health;
    }
}

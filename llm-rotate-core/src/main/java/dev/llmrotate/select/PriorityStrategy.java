package dev.llmrotate.select;

import java.util.List;

/** Always the highest-priority available key; ties go to the earlier key in configuration order. */
final class PriorityStrategy implements SelectionStrategy {
    @Override
    public int pick(List<Candidate> candidates, int routeSize, String scope) {
        int chosen = 0;
        for (int i = 1; i < candidates.size(); i++) {
            if (candidates.get(i).key().priority()
                    > candidates.get(chosen).key().priority()) {
                chosen = i;
            }
        }
        return chosen;
    }
}

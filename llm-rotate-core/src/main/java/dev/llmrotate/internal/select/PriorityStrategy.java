package dev.llmrotate.internal.select;

/** Always the highest-priority available key; ties go to the earlier key in configuration order. */
final class PriorityStrategy implements SelectionStrategy {
    @Override
    public int pick(Candidates candidates, String scope) {
        int chosen = 0;
        int best = candidates.key(0).priority();
        for (int i = 1; i < candidates.size(); i++) {
            int priority = candidates.key(i).priority();
            if (priority > best) {
                best = priority;
                chosen = i;
            }
        }
        return chosen;
    }
}

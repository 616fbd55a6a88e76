package dev.llmrotate.internal.select;

import dev.llmrotate.spi.StateStore;

/** Each route's keys in turn; an unavailable key's turn goes to the next available one. */
final class RoundRobinStrategy implements SelectionStrategy {
    private final StateStore store;

    RoundRobinStrategy(StateStore store) {
        this.store = store;
    }

    @Override
    public int pick(Candidates candidates, String scope) {
        int routeSize = candidates.routeSize();
        int turn = (int) Math.floorMod(store.nextRoundRobin(scope), (long) routeSize);
        // The first candidate at or after the turn's position, wrapping around.
        int chosen = 0;
        int bestDistance = Integer.MAX_VALUE;
        for (int i = 0; i < candidates.size(); i++) {
            int distance = Math.floorMod(candidates.position(i) - turn, routeSize);
            if (distance < bestDistance) {
                bestDistance = distance;
                chosen = i;
            }
        }
        return chosen;
    }
}

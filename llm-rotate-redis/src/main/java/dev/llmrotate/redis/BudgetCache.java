package dev.llmrotate.redis;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this process last learnt from Redis about each key's rpm and tpm windows, so that selection can check
 * budgets without a round trip. Every reply carries the store's version counter, so a reply that Redis produced
 * earlier never replaces a later one, whatever order the replies arrive in. Admission itself is always decided by
 * Redis ({@link Script#RPM}), so a stale copy can only make selection try a key that Redis then refuses.
 */
final class BudgetCache {
    /** When the key's request window admits the next request, as of {@code seq}. */
    record Slot(long seq, int limit, long nextSlot, long fetchedNanos) {}

    /** Tokens per second of one key, as of {@code seq}. */
    record Tokens(long seq, long[] seconds, long[] tokens, long fetchedNanos) {
        long sum(long nowMillis) {
            long sec = Math.floorDiv(nowMillis, 1000);
            long total = 0;
            for (int i = 0; i < seconds.length; i++) {
                if (seconds[i] > sec - 60 && seconds[i] <= sec) {
                    total += tokens[i];
                }
            }
            return total;
        }
    }

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Tokens> tokens = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

    Slot slot(String keyId) {
        return slots.get(keyId);
    }

    Tokens tokens(String keyId) {
        return tokens.get(keyId);
    }

    void offer(String keyId, Slot slot) {
        slots.merge(keyId, slot, (cur, next) -> next.seq() >= cur.seq() ? next : cur);
    }

    void offer(String keyId, Tokens next) {
        tokens.merge(keyId, next, (cur, n) -> n.seq() >= cur.seq() ? n : cur);
    }

    /** True when the caller should start a refresh of {@code what} (none is running); call {@link #refreshed}. */
    boolean startRefresh(String what) {
        return refreshing.add(what);
    }

    void refreshed(String what) {
        refreshing.remove(what);
    }

    void remove(String keyId) {
        slots.remove(keyId);
        tokens.remove(keyId);
    }

    void retain(Set<String> keyIds) {
        slots.keySet().retainAll(keyIds);
        tokens.keySet().retainAll(keyIds);
    }

    void clear() {
        slots.clear();
        tokens.clear();
    }
}

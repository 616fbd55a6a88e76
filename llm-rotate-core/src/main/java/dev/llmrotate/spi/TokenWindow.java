package dev.llmrotate.spi;

import java.util.concurrent.atomic.AtomicLongArray;

/** Tokens used in the last 60 s, in one-second buckets; lock-free. */
final class TokenWindow {
    private static final int BUCKETS = 60;

    private final AtomicLongArray second = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray tokens = new AtomicLongArray(BUCKETS);

    TokenWindow() {
        for (int i = 0; i < BUCKETS; i++) {
            second.set(i, Long.MIN_VALUE);
        }
    }

    void add(long amount, long nowMillis) {
        long sec = Math.floorDiv(nowMillis, 1000);
        int slot = (int) Math.floorMod(sec, BUCKETS);
        while (true) {
            long owner = second.get(slot);
            if (owner == sec) {
                tokens.addAndGet(slot, amount);
                return;
            }
            if (owner > sec) {
                return; // a clock far behind the bucket's: too old to count
            }
            // Claim the bucket for this second; the loser of a race re-reads and adds.
            synchronized (this) {
                if (second.get(slot) == owner) {
                    tokens.set(slot, 0);
                    second.set(slot, sec);
                }
            }
        }
    }

    long sum(long nowMillis) {
        long sec = Math.floorDiv(nowMillis, 1000);
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            long owner = second.get(i);
            if (owner != Long.MIN_VALUE && owner > sec - BUCKETS && owner <= sec) {
                total += tokens.get(i);
            }
        }
        return total;
    }
}

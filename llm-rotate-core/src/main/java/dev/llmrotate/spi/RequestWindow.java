package dev.llmrotate.spi;

/**
 * An exact sliding-minute request limiter: a ring with the admission times of the last {@code limit} requests. A
 * request is admitted when the oldest of them is at least 60 s old. Check-and-admit is a few instructions under
 * the window's own monitor, which only calls on the same rate-limited key ever contend for.
 */
final class RequestWindow {
    private static final long WINDOW_MILLIS = 60_000;

    private final int limit;
    private final long[] admittedAt;
    private long sequence;

    RequestWindow(int limit) {
        this.limit = limit;
        this.admittedAt = new long[limit];
        java.util.Arrays.fill(admittedAt, Long.MIN_VALUE);
    }

    int limit() {
        return limit;
    }

    synchronized boolean tryAcquire(long nowMillis) {
        int slot = (int) (sequence % limit);
        long oldest = admittedAt[slot];
        if (oldest != Long.MIN_VALUE && nowMillis - oldest < WINDOW_MILLIS) {
            return false;
        }
        admittedAt[slot] = nowMillis;
        sequence++;
        return true;
    }

    /** Requests admitted in the 60 s before {@code nowMillis}. */
    synchronized int admitted(long nowMillis) {
        int count = 0;
        for (long at : admittedAt) {
            if (at != Long.MIN_VALUE && nowMillis - at < WINDOW_MILLIS) {
                count++;
            }
        }
        return count;
    }

    synchronized long nextSlot(long nowMillis) {
        long oldest = admittedAt[(int) (sequence % limit)];
        if (oldest == Long.MIN_VALUE || nowMillis - oldest >= WINDOW_MILLIS) {
            return nowMillis;
        }
        return oldest + WINDOW_MILLIS;
    }
}

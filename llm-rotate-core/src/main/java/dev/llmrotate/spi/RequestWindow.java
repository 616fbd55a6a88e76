package dev.llmrotate.spi;

/**
 * An exact sliding-minute request limiter: a ring with the admission times of the last {@code limit} requests. A
 * request is admitted when the oldest of them is at least 60 s old. Check-and-admit is a few instructions under
 * the window's own monitor, which only calls on the same rate-limited key ever contend for.
 */
final class RequestWindow {
    private static final long WINDOW_MILLIS = 60_000;

    /** How far out of order two admissions' times may be (their callers read the clock before taking the monitor). */
    private static final long ORDER_SLACK_MILLIS = 5_000;

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

    /**
     * Requests admitted in the 60 s before {@code nowMillis}. Walks back from the latest admission and stops at the
     * first one well out of the window, so it costs the requests of the last minute, not the limit: admissions are in
     * time order up to the callers' clock reads racing for the monitor, which {@link #ORDER_SLACK_MILLIS} covers.
     */
    synchronized int admitted(long nowMillis) {
        int count = 0;
        long recorded = Math.min(sequence, limit);
        for (long back = 1; back <= recorded; back++) {
            long at = admittedAt[(int) ((sequence - back) % limit)];
            long age = nowMillis - at;
            if (age >= WINDOW_MILLIS + ORDER_SLACK_MILLIS) {
                break;
            }
            if (age < WINDOW_MILLIS) {
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

package dev.llmrotate.observe;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent call records, newest first, for the control server's views. Bounded: once full, each new record
 * replaces the oldest. Off unless switched on; when off the engine holds none and records cost nothing extra.
 */
public final class EventBuffer {
    public static final int DEFAULT_CAPACITY = 1000;

    private final CallRecord[] ring;
    private long written;

    public EventBuffer(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("event buffer capacity must be positive, got " + capacity);
        }
        this.ring = new CallRecord[capacity];
    }

    public int capacity() {
        return ring.length;
    }

    public synchronized void add(CallRecord record) {
        ring[(int) (written % ring.length)] = record;
        written++;
    }

    /** Up to {@code limit} records, newest first. */
    public synchronized List<CallRecord> recent(int limit) {
        int count = (int) Math.min(Math.min(written, ring.length), Math.max(0, limit));
        List<CallRecord> out = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            out.add(ring[(int) ((written - i) % ring.length)]);
        }
        return out;
    }

    /** Records added since the buffer was created (including ones since overwritten). */
    public synchronized long totalAdded() {
        return written;
    }
}

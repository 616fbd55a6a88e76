package dev.llmrotate.internal.observe;

import dev.llmrotate.observe.CallRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent call records, newest first, for the control server's views. Bounded: once full, each new record
 * replaces the oldest. Off unless switched on; when off the engine holds none and records cost nothing extra.
 */
public final class EventBuffer {
    public static final int DEFAULT_CAPACITY = 1000;
    /** The largest capacity allowed: at a few KB per record, about a gigabyte of heap at most. */
    public static final int MAX_CAPACITY = 200_000;
    /** The ring starts this small and doubles as records arrive, so a large capacity costs nothing until used. */
    private static final int INITIAL_SLOTS = 64;

    private final int capacity;
    private CallRecord[] ring;
    private long written;

    public EventBuffer(int capacity) {
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException(
                    "event buffer capacity must be between 1 and " + MAX_CAPACITY + ", got " + capacity);
        }
        this.capacity = capacity;
        this.ring = new CallRecord[Math.min(capacity, INITIAL_SLOTS)];
    }

    public int capacity() {
        return capacity;
    }

    public synchronized void add(CallRecord record) {
        if (written == ring.length && ring.length < capacity) {
            // Not yet wrapped: the records sit in order at 0..written-1, so growing keeps them in place.
            ring = java.util.Arrays.copyOf(ring, (int) Math.min((long) ring.length * 2, capacity));
        }
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

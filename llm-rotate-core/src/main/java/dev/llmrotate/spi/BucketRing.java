package dev.llmrotate.spi;

import dev.llmrotate.observe.CallRecord;
import java.util.function.ObjIntConsumer;

/**
 * One slice's time buckets at one resolution, ordered by start (an epoch minute or hour), in a circular array that
 * grows to what is kept: a slice called every minute holds a day of minutes, a slice called once holds one. Calls
 * arrive in time order, so a write almost always goes to the tail. Only the tail bucket is a live {@link UsageCounts};
 * the others are kept {@linkplain UsageCounts#pack() packed} (a few dozen bytes instead of a few hundred), since
 * nothing writes them but a late call now and then. Not thread-safe (the slice locks it).
 */
final class BucketRing {
    private int[] starts = new int[2];
    /** A live {@link UsageCounts} (the tail, or one a late call just wrote) or a packed {@code byte[]}. */
    private Object[] entries = new Object[2];

    private int head;
    private int size;
    /** The most buckets the slice keeps; the array never grows past it. */
    private final int capacity;

    BucketRing(int capacity) {
        this.capacity = capacity;
    }

    /** Counts a call in the bucket starting at {@code start}, created (in order) when absent. */
    void add(int start, CallRecord record) {
        live(start).add(record);
    }

    /** Adds counts to the bucket starting at {@code start}, created (in order) when absent. */
    void add(int start, UsageCounts counts) {
        live(start).add(counts);
    }

    /**
     * The live counts of the bucket starting at {@code start}. A new tail packs the previous one; a bucket before the
     * tail is unpacked for the write and packed again by the next write to another bucket.
     */
    private UsageCounts live(int start) {
        if (size == 0) {
            return append(start);
        }
        int last = slot(size - 1);
        if (starts[last] == start) {
            return unpacked(last);
        }
        if (starts[last] < start) {
            return append(start);
        }
        // A call that ended a little earlier than the latest one: look back from the tail.
        int i = size - 1;
        while (i >= 0 && starts[slot(i)] > start) {
            i--;
        }
        if (i >= 0 && starts[slot(i)] == start) {
            int at = slot(i);
            if (lateSlot != at) {
                packLate();
                lateSlot = at;
            }
            return unpacked(at);
        }
        UsageCounts counts = insertAfter(i, start);
        lateSlot = slot(i + 1);
        return counts;
    }

    /** The slot a late write unpacked, packed again at the next write elsewhere; -1 when none. */
    private int lateSlot = -1;

    private UsageCounts unpacked(int slot) {
        Object entry = entries[slot];
        if (entry instanceof UsageCounts live) {
            return live;
        }
        UsageCounts live = UsageCounts.unpack((byte[]) entry);
        entries[slot] = live;
        return live;
    }

    private void packLate() {
        if (lateSlot >= 0 && lateSlot != slot(size - 1) && entries[lateSlot] instanceof UsageCounts live) {
            entries[lateSlot] = live.pack();
        }
        lateSlot = -1;
    }

    private UsageCounts append(int start) {
        packLate();
        if (size > 0 && entries[slot(size - 1)] instanceof UsageCounts tail) {
            entries[slot(size - 1)] = tail.pack();
        }
        grow();
        int at = slot(size++);
        starts[at] = start;
        UsageCounts counts = new UsageCounts();
        entries[at] = counts;
        return counts;
    }

    private UsageCounts insertAfter(int index, int start) {
        packLate();
        grow();
        for (int j = size; j > index + 1; j--) {
            starts[slot(j)] = starts[slot(j - 1)];
            entries[slot(j)] = entries[slot(j - 1)];
        }
        size++;
        int at = slot(index + 1);
        starts[at] = start;
        UsageCounts counts = new UsageCounts();
        entries[at] = counts;
        return counts;
    }

    private void grow() {
        if (size < starts.length) {
            return;
        }
        resize(Math.max(size + 1, Math.min(starts.length * 2, capacity)));
    }

    private void resize(int capacity) {
        int[] newStarts = new int[capacity];
        Object[] newEntries = new Object[capacity];
        int late = -1;
        for (int i = 0; i < size; i++) {
            if (slot(i) == lateSlot) {
                late = i;
            }
            newStarts[i] = starts[slot(i)];
            newEntries[i] = entries[slot(i)];
        }
        starts = newStarts;
        entries = newEntries;
        head = 0;
        lateSlot = late;
    }

    private int slot(int index) {
        int at = head + index;
        return at < starts.length ? at : at - starts.length;
    }

    private static UsageCounts copyOf(Object entry) {
        return entry instanceof UsageCounts live ? new UsageCounts(live) : UsageCounts.unpack((byte[]) entry);
    }

    /** Removes the buckets that start before {@code start}, oldest first, handing each to {@code evicted}. */
    void evictBefore(int start, ObjIntConsumer<UsageCounts> evicted) {
        while (size > 0 && starts[head] < start) {
            if (evicted != null) {
                evicted.accept(copyOf(entries[head]), starts[head]);
            }
            if (head == lateSlot) {
                lateSlot = -1;
            }
            entries[head] = null;
            head = slot(1);
            size--;
        }
        if (size == 0) {
            head = 0;
            lateSlot = -1;
            if (starts.length > 8) {
                starts = new int[2];
                entries = new Object[2];
            }
        } else if (size * 4 < starts.length && starts.length > 8) {
            resize(starts.length / 2); // traffic dropped: give the room back
        }
    }

    /** Hands a copy of every bucket starting in {@code [from, until)} to {@code each}, oldest first. */
    void forEach(int from, int until, ObjIntConsumer<UsageCounts> each) {
        for (int i = 0; i < size; i++) {
            int at = slot(i);
            if (starts[at] >= until) {
                return;
            }
            if (starts[at] >= from) {
                each.accept(copyOf(entries[at]), starts[at]);
            }
        }
    }

    int size() {
        return size;
    }
}

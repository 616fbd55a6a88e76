package dev.llmrotate.internal.select;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.health.KeyState;
import java.util.List;

/**
 * The keys of a route that may serve a call now, as a strategy sees them, in configuration order: each with its
 * key-wide health and its health for the route's model taken together. Filled by {@link KeySelector} for one
 * selection and read by one thread; one packed {@code long} per key, so that a selection creates no object per key.
 */
public final class Candidates {
    /** Failure counts are kept up to this value; strategies only compare far smaller ones. */
    static final int MAX_COUNT = 0xFFFF;

    private static final long PROBATION = 1L << 31;

    private final List<KeySpec> routeKeys;
    /** Per candidate: position (bits 0-30), PROBATION (bit 31), consecutive (32-47) and recent failures (48-63). */
    private final long[] entries;

    private int size;

    Candidates(List<KeySpec> routeKeys) {
        this.routeKeys = routeKeys;
        this.entries = new long[routeKeys.size()];
    }

    /** Appends the key at {@code position} of the route. */
    void add(int position, boolean probation, int consecutiveFailures, int recentFailures) {
        entries[size++] = position
                | (probation ? PROBATION : 0)
                | ((long) Math.min(consecutiveFailures, MAX_COUNT) << 32)
                | ((long) Math.min(recentFailures, MAX_COUNT) << 48);
    }

    /** Drops the candidate at {@code index}; the others keep their order. */
    void remove(int index) {
        System.arraycopy(entries, index + 1, entries, index, size - index - 1);
        size--;
    }

    /** How many keys may serve. */
    public int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** How many keys the route has in all (for cursor-based strategies). */
    public int routeSize() {
        return routeKeys.size();
    }

    /** The key of candidate {@code index}. */
    public KeySpec key(int index) {
        return routeKeys.get(position(index));
    }

    /** The key's index in the route's full key list (configuration order), stable across calls. */
    public int position(int index) {
        return (int) (entries[index] & (PROBATION - 1));
    }

    /** ACTIVE, or PROBATION when the key or its (key, model) scope is on probation. */
    public KeyState state(int index) {
        return (entries[index] & PROBATION) != 0 ? KeyState.PROBATION : KeyState.ACTIVE;
    }

    /** Failures since the last success, key-wide and for the model (at most {@value #MAX_COUNT}). */
    public int consecutiveFailures(int index) {
        return (int) ((entries[index] >>> 32) & MAX_COUNT);
    }

    /** Failures in the current window, key-wide and for the model (at most {@value #MAX_COUNT}). */
    public int recentFailures(int index) {
        return (int) (entries[index] >>> 48);
    }
}

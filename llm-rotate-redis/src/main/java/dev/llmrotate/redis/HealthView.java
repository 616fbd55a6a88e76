package dev.llmrotate.redis;

import dev.llmrotate.spi.KeyHealth;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * This process's copy of the health of every scope (key id, or key id and model), read by selection without a Redis
 * round trip. Each entry carries the version Redis gave its value; a newer version replaces an older one whichever
 * way it arrives (a write's reply, a message on the health channel, a reload). Entries changed while Redis was
 * unreachable are dirty until sent.
 */
final class HealthView {
    /** A value and its version; version 0 means never stored in Redis. */
    record Entry(long version, KeyHealth health, boolean dirty) {
        static final Entry NONE = new Entry(0, KeyHealth.INITIAL, false);
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /**
     * The scopes kept by the last {@link #retain}, or null before any: a message or reload about another scope (a
     * write from before the scope was removed, arriving late) is ignored instead of bringing it back.
     */
    private volatile Set<String> retained;

    KeyHealth health(String keyId) {
        Entry entry = entries.get(keyId);
        return entry == null ? KeyHealth.INITIAL : entry.health();
    }

    Entry entry(String keyId) {
        return entries.getOrDefault(keyId, Entry.NONE);
    }

    /** Takes a value from Redis if it is newer than the one held (a dirty entry is kept until it is sent). */
    void offer(String keyId, long version, KeyHealth health) {
        Set<String> kept = retained;
        if (kept != null && !kept.contains(keyId)) {
            return;
        }
        entries.compute(
                keyId,
                (id, cur) -> cur == null || (!cur.dirty() && version > cur.version())
                        ? new Entry(version, health, false)
                        : cur);
    }

    /** Takes the value Redis holds now, whatever is held here (a failed compare-and-set's reply). */
    void replace(String keyId, long version, KeyHealth health) {
        entries.put(keyId, new Entry(version, health, false));
    }

    /** A value just written to Redis by this process. */
    void written(String keyId, long version, KeyHealth health) {
        entries.compute(
                keyId,
                (id, cur) -> cur == null || version > cur.version() || cur.dirty()
                        ? new Entry(version, health, false)
                        : cur);
    }

    /** A key deleted in Redis at {@code version}. */
    void deleted(String keyId, long version) {
        entries.computeIfPresent(keyId, (id, cur) -> !cur.dirty() && cur.version() < version ? null : cur);
    }

    /** Applies a transition here only, while Redis cannot be reached; the entry is sent when it is back. */
    KeyHealth updateLocally(String keyId, UnaryOperator<KeyHealth> transition) {
        return entries.compute(keyId, (id, cur) -> {
                    Entry base = cur == null ? Entry.NONE : cur;
                    return new Entry(base.version(), transition.apply(base.health()), true);
                })
                .health();
    }

    /** The entries changed while Redis could not be reached. */
    Map<String, Entry> dirty() {
        Map<String, Entry> out = new HashMap<>();
        entries.forEach((id, entry) -> {
            if (entry.dirty()) {
                out.put(id, entry);
            }
        });
        return out;
    }

    /** A dirty entry has been written to Redis (unless it changed again meanwhile). */
    void sent(String keyId, Entry sent, long version) {
        entries.computeIfPresent(keyId, (id, cur) -> cur.equals(sent) ? new Entry(version, cur.health(), false) : cur);
    }

    /**
     * Brings the view in line with everything Redis holds, read when its version counter stood at {@code seq}.
     * {@code authoritative} (Redis lost its data, or this is the first load) replaces every clean entry; otherwise
     * newer values win and clean entries Redis no longer has are dropped if they are not newer than the read.
     */
    void sync(Map<String, Entry> stored, long seq, boolean authoritative) {
        Set<String> kept = retained;
        stored.forEach((id, entry) -> {
            if (kept != null && !kept.contains(id)) {
                return;
            }
            if (authoritative) {
                entries.compute(id, (k, cur) -> cur != null && cur.dirty() ? cur : entry);
            } else {
                offer(id, entry.version(), entry.health());
            }
        });
        for (String id : entries.keySet()) {
            if (!stored.containsKey(id)) {
                entries.computeIfPresent(
                        id, (k, cur) -> !cur.dirty() && (authoritative || cur.version() <= seq) ? null : cur);
            }
        }
    }

    void retain(Set<String> keyIds) {
        retained = Set.copyOf(keyIds);
        entries.keySet().retainAll(keyIds);
    }
}

package dev.llmrotate.spi;

import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsageSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The default store: everything in this process, lost on restart. Health reads are lock-free map lookups. Usage is
 * kept per slice (provider, model, key: bounded by the configuration), each with its own lock, counters since start
 * and time buckets as {@link UsageBucket} describes; a call updates one slice, and one more when it names a caller
 * (a slice per caller, at most {@value StateStore#MAX_CALLERS} and {@value StateStore#OTHER_CALLER}). A slice called
 * every minute for 30 days holds about 1500 minute and 720 hour buckets, the finished ones packed into a few dozen
 * bytes each (100 such slices after a week: 13.5 MB, see docs/benchmarks.md). State changes: the last {@value
 * StateStore#HISTORY_PER_SCOPE} per health scope.
 */
public final class InMemoryStateStore implements StateStore {
    private final ConcurrentHashMap<String, KeyHealth> health = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RequestWindow> requestWindows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TokenWindow> tokenWindows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> cursors = new ConcurrentHashMap<>();
    /** Usage per slice: provider -> model -> key ({@link #NONE} for null) -> slice. Bounded by the configuration. */
    private final ConcurrentHashMap<String, Map<String, Map<String, UsageSlice>>> slices = new ConcurrentHashMap<>();
    /**
     * Usage per caller: the first {@link #MAX_CALLERS} callers seen and {@link #OTHER_CALLER}. Entries are added
     * under the map's own monitor, so that concurrent new callers cannot pass the bound together.
     */
    private final ConcurrentHashMap<String, UsageSlice> callers = new ConcurrentHashMap<>();
    /** Callers counted apart (not {@link #OTHER_CALLER}); guarded by {@link #callers}. */
    private int namedCallers;
    /** Whether {@link #MAX_CALLERS} callers are counted apart: a new caller then goes straight to the shared slice. */
    private volatile boolean callersFull;
    /** State changes per health scope, oldest first, at most {@link #HISTORY_PER_SCOPE} each. */
    private final ConcurrentHashMap<String, ArrayDeque<KeyStateChange>> history = new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, String> masks = new ConcurrentHashMap<>();
    /** The latest epoch minute of a recorded call. */
    private final AtomicLong latestMinute = new AtomicLong(Long.MIN_VALUE);

    private static final String NONE = "";

    @Override
    public KeyHealth health(String keyId) {
        KeyHealth h = health.get(keyId);
        return h == null ? KeyHealth.INITIAL : h;
    }

    @Override
    public KeyHealth updateHealth(String keyId, UnaryOperator<KeyHealth> transition) {
        return health.compute(keyId, (id, current) -> transition.apply(current == null ? KeyHealth.INITIAL : current));
    }

    @Override
    public void retainKeys(Set<String> keyIds) {
        health.keySet().retainAll(keyIds);
        requestWindows.keySet().retainAll(keyIds);
        tokenWindows.keySet().retainAll(keyIds);
        history.keySet().retainAll(keyIds);
        masks.keySet().retainAll(keyIds);
    }

    @Override
    public boolean tryAcquireRequest(String keyId, int limitPerMinute, long nowMillis) {
        return window(keyId, limitPerMinute).tryAcquire(nowMillis);
    }

    @Override
    public long nextRequestSlot(String keyId, int limitPerMinute, long nowMillis) {
        return window(keyId, limitPerMinute).nextSlot(nowMillis);
    }

    @Override
    public int requestsInLastMinute(String keyId, int limitPerMinute, long nowMillis) {
        RequestWindow window = requestWindows.get(keyId);
        return window == null || window.limit() != limitPerMinute ? 0 : window.admitted(nowMillis);
    }

    private RequestWindow window(String keyId, int limit) {
        RequestWindow window = requestWindows.get(keyId);
        if (window == null || window.limit() != limit) {
            // A changed limit (reload) starts a fresh window.
            window = requestWindows.compute(
                    keyId, (id, w) -> w != null && w.limit() == limit ? w : new RequestWindow(limit));
        }
        return window;
    }

    @Override
    public void addTokens(String keyId, long tokens, long nowMillis) {
        tokenWindows.computeIfAbsent(keyId, id -> new TokenWindow()).add(tokens, nowMillis);
    }

    @Override
    public long tokensInLastMinute(String keyId, long nowMillis) {
        TokenWindow window = tokenWindows.get(keyId);
        return window == null ? 0 : window.sum(nowMillis);
    }

    @Override
    public long nextRoundRobin(String scope) {
        return cursors.computeIfAbsent(scope, s -> new AtomicLong()).getAndIncrement();
    }

    @Override
    public void recordCall(CallRecord record) {
        recordCall(record, record.model() != null ? record.model() : record.requestedModel(), 0);
    }

    /**
     * Counts the call in its slice's counters since start and in its minute bucket. Keeps no record: the engine's
     * event buffer does, in memory.
     */
    @Override
    public void recordCall(CallRecord record, String model, int recentCapacity) {
        int minute = (int) Math.floorDiv(record.timestamp().getEpochSecond(), 60);
        slice(record.provider(), model, record.keyId()).add(record, minute);
        if (record.caller() != null) {
            callerSlice(record.caller()).add(record, minute);
        }
        if (minute > latestMinute.get()) {
            moveOn(minute);
        }
    }

    /** The slice of a call, created on its first call; three map lookups and no allocation after that. */
    private UsageSlice slice(String provider, String model, String keyId) {
        Map<String, Map<String, UsageSlice>> models = slices.get(orNone(provider));
        if (models != null) {
            Map<String, UsageSlice> keys = models.get(orNone(model));
            if (keys != null) {
                UsageSlice slice = keys.get(orNone(keyId));
                if (slice != null) {
                    return slice;
                }
            }
        }
        return slices.computeIfAbsent(orNone(provider), p -> new ConcurrentHashMap<>())
                .computeIfAbsent(orNone(model), m -> new ConcurrentHashMap<>())
                .computeIfAbsent(orNone(keyId), k -> new UsageSlice(provider, model, keyId));
    }

    /**
     * The slice of a caller: its own if it has one or fewer than {@link #MAX_CALLERS} have, else {@link
     * #OTHER_CALLER}'s. One map lookup and no allocation for a caller counted apart or once the bound is reached.
     */
    private UsageSlice callerSlice(String caller) {
        UsageSlice slice = callers.get(caller);
        if (slice != null) {
            return slice;
        }
        if (callersFull) {
            slice = callers.get(OTHER_CALLER);
            if (slice != null) {
                return slice;
            }
        }
        synchronized (callers) {
            String name = callersFull || caller.equals(OTHER_CALLER) ? OTHER_CALLER : caller;
            slice = callers.get(name);
            if (slice == null) {
                slice = new UsageSlice(null, null, null);
                callers.put(name, slice);
                if (!name.equals(OTHER_CALLER) && ++namedCallers == MAX_CALLERS) {
                    callersFull = true;
                }
            }
            return slice;
        }
    }

    private static String orNone(String name) {
        return name == null ? NONE : name;
    }

    /**
     * Time moved on to {@code minute}: once per hour every slice drops what is too old, so that slices no longer
     * called give their buckets back too.
     */
    private void moveOn(int minute) {
        long seen = latestMinute.get();
        if (minute <= seen || !latestMinute.compareAndSet(seen, minute)) {
            return;
        }
        if (Math.floorDiv(minute, 60) != Math.floorDiv(seen, 60)) {
            forEachSlice(slice -> slice.expire(minute));
            callers.values().forEach(slice -> slice.expire(minute));
        }
    }

    private void forEachSlice(java.util.function.Consumer<UsageSlice> each) {
        slices.values()
                .forEach(models -> models.values().forEach(keys -> keys.values().forEach(each)));
    }

    @Override
    public UsageSummary usageSummary() {
        UsageCounts overall = new UsageCounts();
        Map<String, UsageCounts> byProvider = new HashMap<>();
        Map<String, UsageCounts> byModel = new HashMap<>();
        Map<String, UsageCounts> byKey = new HashMap<>();
        forEachSlice(slice -> {
            UsageCounts counts = slice.total();
            overall.add(counts);
            addTo(byProvider, slice.provider, counts);
            addTo(byModel, slice.model, counts);
            addTo(byKey, slice.keyId, counts);
        });
        Map<String, UsageSummary.Totals> byCaller = new HashMap<>();
        callers.forEach((caller, slice) -> byCaller.put(caller, slice.total().totals()));
        return new UsageSummary(overall.totals(), totals(byProvider), totals(byModel), totals(byKey), byCaller);
    }

    private static void addTo(Map<String, UsageCounts> group, String name, UsageCounts counts) {
        if (name != null) {
            group.computeIfAbsent(name, n -> new UsageCounts()).add(counts);
        }
    }

    private static Map<String, UsageSummary.Totals> totals(Map<String, UsageCounts> group) {
        Map<String, UsageSummary.Totals> out = new HashMap<>();
        group.forEach((name, counts) -> out.put(name, counts.totals()));
        return out;
    }

    @Override
    public List<UsageBucket> usageBuckets(
            Instant from, Instant until, Duration resolution, UsageFilter filter, boolean bySlice) {
        BucketReader reader = new BucketReader(from, until, resolution);
        List<UsageBucket> out = new ArrayList<>();
        Map<Integer, UsageCounts> merged = bySlice ? null : new TreeMap<>();
        forEachSlice(slice -> {
            if (filter.matches(slice.provider, slice.model, slice.keyId)) {
                for (UsageSlice.UsageBucketAt bucket : reader.read(slice)) {
                    if (merged != null) {
                        merged.computeIfAbsent(bucket.start(), s -> new UsageCounts())
                                .add(bucket.counts());
                    } else {
                        out.add(reader.bucket(bucket, slice.provider, slice.model, slice.keyId, null));
                    }
                }
            }
        });
        if (merged != null) {
            merged.forEach((start, counts) ->
                    out.add(reader.bucket(new UsageSlice.UsageBucketAt(start, counts), null, null, null, null)));
        }
        return out;
    }

    @Override
    public List<UsageBucket> callerBuckets(Instant from, Instant until, Duration resolution, String caller) {
        BucketReader reader = new BucketReader(from, until, resolution);
        List<UsageBucket> out = new ArrayList<>();
        callers.forEach((name, slice) -> {
            if (caller == null || caller.equals(name)) {
                for (UsageSlice.UsageBucketAt bucket : reader.read(slice)) {
                    out.add(reader.bucket(bucket, null, null, null, name));
                }
            }
        });
        return out;
    }

    /** Reads the buckets of slices at one resolution whose start lies in a frame. */
    private static final class BucketReader {
        final boolean minutes;
        final long unit;
        final int first;
        final int end;
        final List<UsageSlice.UsageBucketAt> found = new ArrayList<>();

        BucketReader(Instant from, Instant until, Duration resolution) {
            minutes = resolution.equals(UsageBucket.MINUTE);
            if (!minutes && !resolution.equals(UsageBucket.HOUR)) {
                throw new IllegalArgumentException("resolution must be a minute or an hour, got " + resolution);
            }
            unit = resolution.getSeconds();
            first = (int) Math.floorDiv(from.getEpochSecond(), unit);
            end = (int) Math.floorDiv(until.getEpochSecond() + unit - 1, unit);
        }

        /** The slice's buckets in the frame, valid until the next read. */
        List<UsageSlice.UsageBucketAt> read(UsageSlice slice) {
            found.clear();
            if (minutes) {
                slice.minutes(first, end, found);
            } else {
                slice.hours(first, end, found);
            }
            return found;
        }

        UsageBucket bucket(UsageSlice.UsageBucketAt at, String provider, String model, String keyId, String caller) {
            return new UsageBucket(
                    Instant.ofEpochSecond(at.start() * unit), provider, model, keyId, caller, at.counts());
        }
    }

    /** Buckets held, minute and hour, over all slices (for tests and the memory benchmark). */
    int bucketCount() {
        int[] n = new int[1];
        forEachSlice(slice -> n[0] += slice.bucketCount());
        callers.values().forEach(slice -> n[0] += slice.bucketCount());
        return n[0];
    }

    @Override
    public void publishKeyMask(String keyId, String mask) {
        masks.put(keyId, mask);
    }

    @Override
    public Map<String, String> keyMasks() {
        return Map.copyOf(masks);
    }

    @Override
    public void recordStateChange(KeyStateChange change) {
        String scope = change.model() == null ? change.keyId() : HealthScope.of(change.keyId(), change.model());
        ArrayDeque<KeyStateChange> kept = history.computeIfAbsent(scope, s -> new ArrayDeque<>());
        synchronized (kept) {
            if (kept.size() == HISTORY_PER_SCOPE) {
                kept.removeFirst();
            }
            kept.addLast(change);
        }
    }

    @Override
    public List<KeyStateChange> stateChanges(Collection<String> scopes, Instant from, Instant until, int limit) {
        List<KeyStateChange> out = new ArrayList<>();
        for (String scope : scopes) {
            ArrayDeque<KeyStateChange> kept = history.get(scope);
            if (kept != null) {
                synchronized (kept) {
                    for (java.util.Iterator<KeyStateChange> i = kept.descendingIterator(); i.hasNext(); ) {
                        KeyStateChange change = i.next();
                        if (!change.at().isBefore(from) && change.at().isBefore(until)) {
                            out.add(change);
                        }
                    }
                }
            }
        }
        out.sort(NEWEST_FIRST);
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /** Newest first (a stable sort: changes of one scope at the same instant stay newest first). */
    private static final java.util.Comparator<KeyStateChange> NEWEST_FIRST =
            java.util.Comparator.comparing(KeyStateChange::at).reversed();
}

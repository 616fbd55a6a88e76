package dev.llmrotate.redis;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.LatencyHistogram;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.UsageBucket;
import dev.llmrotate.spi.UsageCounts;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a process sends Redis with its calls, in one script per send ({@link Script#RECORD}):
 *
 * <ul>
 *   <li>counters since start as hash fields, one hash per slice ({@code overall}, {@code provider:x}, {@code model:x},
 *       {@code key:x}): {@code successes}, {@code failures}, {@code failures:<type>}, the four token counts,
 *       {@code cost_usd}, {@code unpriced_calls} and {@code latency:<bucket>} (the {@link LatencyHistogram} bucket
 *       counts, which add up across processes);
 *   <li>time buckets, one hash per (minute or hour, slice) and per (minute or hour, every slice), with short fields:
 *       {@code s} successes, {@code f:<type>} failures, {@code i o c r} tokens, {@code $} cost, {@code u} unpriced
 *       calls, {@code l<bucket>} latency and {@code t<bucket>} time to first chunk;
 *   <li>for a call that names a caller, the same per caller: counters since start in {@code caller:<caller>} and its
 *       minute and hour buckets. The script decides which caller they count under: the caller itself when the set
 *       of callers counted apart holds it or has room (it is then added), else {@link StateStore#OTHER_CALLER}, so
 *       that the bound holds across every process sharing the Redis;
 *   <li>key state changes, records for the recent-calls stream and key masks.
 * </ul>
 *
 * Increments that could not be sent wait here, summed per field, so that they are bounded by slices and buckets times
 * fields, not by calls; they are sent when Redis is back.
 */
final class UsageCounters {
    static final String OVERALL = "overall";
    static final String COST = "cost_usd";
    private static final String LATENCY = "latency:";
    private static final String FAILURES_BY_TYPE = "failures:";
    static final String BUCKET_COST = "$";
    private static final String BUCKET_FAILURES = "f:";
    /** Buckets waiting for Redis at most (a long outage): beyond, calls' buckets are dropped and counted. */
    private static final int MAX_PENDING_BUCKETS = 50_000;
    /** {@link StateStore#OTHER_CALLER} as named in Redis. */
    static final String OTHER_CALLER = RedisKeys.callerName(StateStore.OTHER_CALLER);
    /**
     * Distinct callers waiting to be sent at most; a further one waits under {@link #OTHER_CALLER}. Ten times the
     * callers Redis counts apart: the script admits new callers in the order they wait, so a caller folded here would
     * have been folded there too, unless Redis already counts it apart (then its calls in that send count as others).
     */
    private static final int MAX_PENDING_CALLERS = 10 * StateStore.MAX_CALLERS;

    /** What a send adds for one caller. */
    static final class CallerDelta {
        /** Counters since start: field -> increment, as for a slice. */
        final Map<String, Number> totals;
        /** Time buckets: {@code m:<minute>} or {@code h:<hour>} -> field -> increment. */
        final Map<String, Map<String, Number>> buckets;
        /** The latest epoch minute of its calls (the registry's score). */
        long latestMinute;

        CallerDelta() {
            this(new LinkedHashMap<>(), new LinkedHashMap<>(), Long.MIN_VALUE);
        }

        private CallerDelta(Map<String, Number> totals, Map<String, Map<String, Number>> buckets, long latestMinute) {
            this.totals = totals;
            this.buckets = buckets;
            this.latestMinute = latestMinute;
        }

        /** Adds {@code other}'s increments, the buckets only with {@code withBuckets}; returns the buckets added. */
        int addAll(CallerDelta other, boolean withBuckets) {
            other.totals.forEach((field, n) -> totals.merge(field, n, UsageCounters::sum));
            if (!withBuckets) {
                return 0;
            }
            int before = buckets.size();
            other.buckets.forEach((bucket, fields) -> fields.forEach((field, n) ->
                    buckets.computeIfAbsent(bucket, b -> new LinkedHashMap<>()).merge(field, n, UsageCounters::sum)));
            latestMinute = Math.max(latestMinute, other.latestMinute);
            return buckets.size() - before;
        }
    }

    /** One send's worth of increments and appends. */
    static final class Delta {
        /** Counters since start: slice -> field -> increment (Long, or Double for {@link #COST}). */
        final Map<String, Map<String, Number>> slices = new LinkedHashMap<>();
        /** Time buckets: hash name after the bucket prefix ({@code m:<minute>:<slice>}) -> field -> increment. */
        final Map<String, Map<String, Number>> buckets = new LinkedHashMap<>();
        /** Slices whose buckets were written, with the latest epoch minute (the registry's score). */
        final Map<String, Long> bucketSlices = new LinkedHashMap<>();
        /** State changes: scope name -> entries, oldest first. */
        final Map<String, List<String>> history = new LinkedHashMap<>();
        /** Records for the recent-calls stream as JSON, oldest first. */
        final ArrayDeque<String> events = new ArrayDeque<>();
        /** The stream's length to keep (the latest sender's event buffer capacity). */
        int eventCapacity;
        /** Key masks: key name -> mask. */
        final Map<String, String> masks = new LinkedHashMap<>();
        /** Per caller, by its name in Redis ({@link RedisKeys#callerName}), in the order they came. */
        final Map<String, CallerDelta> callers = new LinkedHashMap<>();
        /** Time buckets held by {@link #callers}. */
        int callerBuckets;

        void add(String slice, String field, Number amount) {
            slices.computeIfAbsent(slice, s -> new LinkedHashMap<>()).merge(field, amount, UsageCounters::sum);
        }

        void addAll(Delta other) {
            addAll(other, true);
        }

        /** Adds {@code other}; its time buckets (of slices and callers) only with {@code withBuckets}. */
        void addAll(Delta other, boolean withBuckets) {
            other.slices.forEach((slice, fields) -> fields.forEach((field, n) -> add(slice, field, n)));
            if (withBuckets) {
                other.buckets.forEach((bucket, fields) ->
                        fields.forEach((field, n) -> buckets.computeIfAbsent(bucket, b -> new LinkedHashMap<>())
                                .merge(field, n, UsageCounters::sum)));
                other.bucketSlices.forEach((slice, minute) -> bucketSlices.merge(slice, minute, Math::max));
            }
            other.callers.forEach((name, increments) -> {
                String into = callers.containsKey(name) || callers.size() < MAX_PENDING_CALLERS ? name : OTHER_CALLER;
                callerBuckets +=
                        callers.computeIfAbsent(into, n -> new CallerDelta()).addAll(increments, withBuckets);
            });
            other.history.forEach((scope, entries) -> {
                List<String> kept = history.computeIfAbsent(scope, s -> new ArrayList<>());
                kept.addAll(entries);
                if (kept.size() > dev.llmrotate.spi.StateStore.HISTORY_PER_SCOPE) {
                    kept.subList(0, kept.size() - dev.llmrotate.spi.StateStore.HISTORY_PER_SCOPE)
                            .clear();
                }
            });
            if (!other.events.isEmpty()) {
                eventCapacity = other.eventCapacity;
                events.addAll(other.events);
                while (events.size() > eventCapacity) {
                    events.removeFirst();
                }
            }
            masks.putAll(other.masks);
        }

        boolean isEmpty() {
            return slices.isEmpty()
                    && buckets.isEmpty()
                    && history.isEmpty()
                    && events.isEmpty()
                    && masks.isEmpty()
                    && callers.isEmpty();
        }

        /** Time buckets held, of slices and of callers. */
        int bucketCount() {
            return buckets.size() + callerBuckets;
        }
    }

    private final int maxPendingSlices;
    private Delta pending = new Delta();
    /** Whether {@link #pending} holds anything: read on every call without taking the lock. */
    private volatile boolean anyPending;
    /** Sends that failed or timed out, by their number: Redis may or may not have run them. */
    private final java.util.TreeMap<Long, Delta> unconfirmed = new java.util.TreeMap<>();

    private long droppedCalls;
    private long droppedBuckets;
    private volatile Map<String, Map<String, String>> lastShared = Map.of();

    UsageCounters(int maxPendingSlices) {
        this.maxPendingSlices = maxPendingSlices;
    }

    /**
     * The increments of one call record: counters since start under every slice it belongs to ({@code model} is the
     * configured model it used), its minute and hour buckets of its slice and of every slice, the same for its caller
     * if it names one, and, with {@code recentCapacity} above 0, the record for the recent-calls stream.
     */
    static Delta of(CallRecord record, String model, int recentCapacity) {
        Map<String, Number> fields = new LinkedHashMap<>();
        Map<String, Number> bucketFields = new LinkedHashMap<>();
        if (record.isSuccess()) {
            fields.put("successes", 1L);
            bucketFields.put("s", 1L);
        } else {
            fields.put("failures", 1L);
            fields.put(FAILURES_BY_TYPE + record.failureName(), 1L);
            bucketFields.put(BUCKET_FAILURES + record.failureName(), 1L);
        }
        putNonZero(fields, bucketFields, "input_tokens", "i", record.inputTokens());
        putNonZero(fields, bucketFields, "output_tokens", "o", record.outputTokens());
        putNonZero(fields, bucketFields, "cached_input_tokens", "c", record.cachedInputTokens());
        putNonZero(fields, bucketFields, "reasoning_tokens", "r", record.reasoningTokens());
        Double cost = record.estimatedCostUsd();
        if (cost != null) {
            if (cost != 0 && Double.isFinite(cost)) {
                fields.put(COST, cost);
                bucketFields.put(BUCKET_COST, cost);
            }
        } else if (record.isSuccess()) {
            fields.put("unpriced_calls", 1L);
            bucketFields.put("u", 1L);
        }
        int latency = LatencyHistogram.bucket(record.latencyMs());
        fields.put(LATENCY + latency, 1L);
        bucketFields.put("l" + latency, 1L);
        if (record.timeToFirstChunkMs() != null) {
            bucketFields.put("t" + LatencyHistogram.bucket(record.timeToFirstChunkMs()), 1L);
        }
        Delta delta = new Delta();
        delta.slices.put(OVERALL, fields);
        if (record.provider() != null) {
            delta.slices.put("provider:" + record.provider(), fields);
        }
        if (model != null) {
            delta.slices.put("model:" + model, fields);
        }
        if (record.keyId() != null) {
            delta.slices.put("key:" + record.keyId(), fields);
        }
        long minute = Math.floorDiv(record.timestamp().getEpochSecond(), 60);
        long hour = Math.floorDiv(minute, 60);
        String slice = RedisKeys.sliceOf(record.provider(), model, record.keyId());
        delta.buckets.put("m:" + minute + ":" + slice, bucketFields);
        delta.buckets.put("h:" + hour + ":" + slice, bucketFields);
        delta.buckets.put("m:" + minute + ":" + RedisKeys.ALL_SLICES, bucketFields);
        delta.buckets.put("h:" + hour + ":" + RedisKeys.ALL_SLICES, bucketFields);
        delta.bucketSlices.put(slice, minute);
        if (record.caller() != null) {
            Map<String, Map<String, Number>> callerBuckets = new LinkedHashMap<>();
            callerBuckets.put("m:" + minute, bucketFields);
            callerBuckets.put("h:" + hour, bucketFields);
            delta.callers.put(RedisKeys.callerName(record.caller()), new CallerDelta(fields, callerBuckets, minute));
            delta.callerBuckets = callerBuckets.size();
        }
        if (recentCapacity > 0) {
            delta.events.add(record.toJson());
            delta.eventCapacity = recentCapacity;
        }
        return delta;
    }

    private static void putNonZero(
            Map<String, Number> fields, Map<String, Number> bucketFields, String name, String shortName, long value) {
        if (value != 0) {
            fields.put(name, value);
            bucketFields.put(shortName, value);
        }
    }

    /** A state change for a scope's history list. */
    static Delta ofChange(String scopeName, String entry) {
        Delta delta = new Delta();
        delta.history.put(scopeName, new ArrayList<>(List.of(entry)));
        return delta;
    }

    /** A key's mask to publish. */
    static Delta ofMask(String keyName, String mask) {
        Delta delta = new Delta();
        delta.masks.put(keyName, mask);
        return delta;
    }

    /** KEYS of {@link Script#RECORD}. */
    static String[] keysOf(Delta delta, RedisKeys keys, String watermark) {
        List<String> out = new ArrayList<>(6 + delta.slices.size() + delta.buckets.size() + delta.history.size());
        out.add(keys.usageSlices);
        out.add(watermark);
        out.add(keys.bucketSlices);
        out.add(keys.events);
        out.add(keys.masks);
        out.add(keys.usageCallers);
        delta.slices.keySet().forEach(slice -> out.add(keys.usage + slice));
        delta.buckets.keySet().forEach(bucket -> out.add(keys.buckets + bucket));
        delta.history.keySet().forEach(scope -> out.add(keys.history + scope));
        return out.toArray(String[]::new);
    }

    /** How long what {@link Script#RECORD} writes lives, in milliseconds. */
    record Lifetimes(long watermark, long minuteBucket, long hourBucket, long history, long retention) {}

    /** ARGV of {@link Script#RECORD}; {@code keys} names the hashes of the callers, which the script chooses. */
    static String[] argsOf(Delta delta, long number, Lifetimes ttl, RedisKeys keys) {
        List<String> out = new ArrayList<>();
        out.add(Long.toString(number));
        out.add(Long.toString(ttl.watermark()));
        out.add(Integer.toString(delta.slices.size()));
        out.add(Integer.toString(delta.buckets.size()));
        out.add(Integer.toString(delta.history.size()));
        out.add(Long.toString(ttl.minuteBucket()));
        out.add(Long.toString(ttl.hourBucket()));
        out.add(Long.toString(ttl.history()));
        out.add(Integer.toString(dev.llmrotate.spi.StateStore.HISTORY_PER_SCOPE));
        out.add(Long.toString(ttl.retention()));
        out.add(Integer.toString(Math.max(1, delta.eventCapacity)));
        out.add(Integer.toString(delta.bucketSlices.size()));
        out.add(Integer.toString(delta.events.size()));
        out.add(Integer.toString(delta.masks.size()));
        long latest = Math.max(
                delta.bucketSlices.values().stream()
                        .mapToLong(Long::longValue)
                        .max()
                        .orElse(0),
                delta.callers.values().stream()
                        .mapToLong(c -> c.latestMinute)
                        .max()
                        .orElse(0));
        out.add(Long.toString(latest - UsageBucket.HOURS_KEPT.toMinutes()));
        out.add(Integer.toString(delta.callers.size()));
        out.add(Integer.toString(StateStore.MAX_CALLERS));
        out.add(OTHER_CALLER);
        out.add(keys.usage);
        out.add(keys.buckets);
        delta.slices.forEach((slice, fields) -> {
            out.add(slice);
            addFields(out, fields);
        });
        delta.buckets.forEach((bucket, fields) -> {
            out.add(Long.toString(bucket.startsWith("m:") ? ttl.minuteBucket() : ttl.hourBucket()));
            addFields(out, fields);
        });
        delta.history.values().forEach(entries -> {
            out.add(Integer.toString(entries.size()));
            out.addAll(entries);
        });
        delta.bucketSlices.forEach((slice, minute) -> {
            out.add(slice);
            out.add(Long.toString(minute));
        });
        out.addAll(delta.events);
        delta.masks.forEach((key, mask) -> {
            out.add(key);
            out.add(mask);
        });
        delta.callers.forEach((name, caller) -> {
            out.add(name);
            out.add(Long.toString(caller.latestMinute));
            addFields(out, caller.totals);
            out.add(Integer.toString(caller.buckets.size()));
            caller.buckets.forEach((bucket, fields) -> {
                out.add(bucket);
                out.add(Long.toString(bucket.startsWith("m:") ? ttl.minuteBucket() : ttl.hourBucket()));
                addFields(out, fields);
            });
        });
        return out.toArray(String[]::new);
    }

    private static void addFields(List<String> out, Map<String, Number> fields) {
        out.add(Integer.toString(fields.size()));
        fields.forEach((field, amount) -> {
            out.add(field);
            out.add(amount.toString());
        });
    }

    /**
     * Keeps increments that could not be sent. Beyond the slice bound, a call's counters are dropped (and counted);
     * beyond the bucket bound, its buckets only.
     */
    synchronized void keep(Delta delta) {
        for (String slice : delta.slices.keySet()) {
            if (!pending.slices.containsKey(slice) && pending.slices.size() >= maxPendingSlices) {
                droppedCalls++;
                return;
            }
        }
        int buckets = delta.bucketCount();
        boolean withBuckets = buckets == 0 || pending.bucketCount() + buckets <= MAX_PENDING_BUCKETS;
        if (!withBuckets) {
            droppedBuckets++;
        }
        pending.addAll(delta, withBuckets);
        anyPending = !pending.isEmpty();
    }

    /**
     * Keeps a send that failed or timed out: whether Redis ran it is decided when it is back, from the sender's
     * watermark ({@link #settle}). Beyond the slice bound (a very long run of failures) it is merged into the kept
     * increments, at the risk of counting it twice.
     */
    synchronized void keepUnconfirmed(long number, Delta delta) {
        if (unconfirmed.size() >= maxPendingSlices) {
            keep(delta);
            return;
        }
        unconfirmed.put(number, delta);
    }

    /** Redis ran every send up to {@code watermark}: the later unconfirmed ones join the kept increments. */
    synchronized void settle(long watermark) {
        unconfirmed.tailMap(watermark, false).values().forEach(this::keep);
        unconfirmed.clear();
    }

    /** Takes every kept increment, to send it. */
    synchronized Delta takePending() {
        Delta taken = pending;
        pending = new Delta();
        anyPending = false;
        return taken;
    }

    /** Whether increments wait to be sent (summed during an outage, or while many sends were in flight). */
    boolean hasPending() {
        return anyPending;
    }

    /** Whether anything is not known to be in Redis: kept increments or unconfirmed sends. */
    synchronized boolean hasUnsent() {
        return !pending.isEmpty() || !unconfirmed.isEmpty();
    }

    /** Calls whose usage was dropped because too many distinct slices waited for Redis; reset by reading. */
    synchronized long takeDroppedCalls() {
        long n = droppedCalls;
        droppedCalls = 0;
        return n;
    }

    /** Calls whose time buckets were dropped because too many buckets waited for Redis; reset by reading. */
    synchronized long takeDroppedBuckets() {
        long n = droppedBuckets;
        droppedBuckets = 0;
        return n;
    }

    /** Remembers the latest counters read from Redis, shown while Redis cannot be reached. */
    void rememberShared(Map<String, Map<String, String>> shared) {
        this.lastShared = shared;
    }

    void forgetShared() {
        this.lastShared = Map.of();
    }

    Map<String, Map<String, String>> lastShared() {
        return lastShared;
    }

    /** The reply of {@link Script#USAGE_ALL}: slice, {field, value, ...}, slice, ... */
    static Map<String, Map<String, String>> parse(List<Object> reply) {
        Map<String, Map<String, String>> out = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            out.put(String.valueOf(reply.get(i)), fieldsOf((List<?>) reply.get(i + 1)));
        }
        return out;
    }

    /** A hash read as a flat list of fields and values. */
    static Map<String, String> fieldsOf(List<?> flat) {
        Map<String, String> fields = new HashMap<>();
        for (int f = 0; f + 1 < flat.size(); f += 2) {
            fields.put(String.valueOf(flat.get(f)), String.valueOf(flat.get(f + 1)));
        }
        return fields;
    }

    /** The counters of a time bucket's hash; fields this release does not write are ignored. */
    static UsageCounts bucketCounts(List<?> flat) {
        UsageCounts counts = new UsageCounts();
        for (int f = 0; f + 1 < flat.size(); f += 2) {
            String field = String.valueOf(flat.get(f));
            String value = String.valueOf(flat.get(f + 1));
            try {
                switch (field) {
                    case "s" -> counts.addSuccesses(Long.parseLong(value));
                    case "i" -> counts.addTokens(Long.parseLong(value), 0, 0, 0);
                    case "o" -> counts.addTokens(0, Long.parseLong(value), 0, 0);
                    case "c" -> counts.addTokens(0, 0, Long.parseLong(value), 0);
                    case "r" -> counts.addTokens(0, 0, 0, Long.parseLong(value));
                    case BUCKET_COST -> counts.addCost(Double.parseDouble(value));
                    case "u" -> counts.addUnpricedCalls(Long.parseLong(value));
                    default -> {
                        if (field.startsWith(BUCKET_FAILURES)) {
                            counts.addFailures(field.substring(BUCKET_FAILURES.length()), Long.parseLong(value));
                        } else if (field.startsWith("l")) {
                            counts.addLatency(Integer.parseInt(field.substring(1)), Long.parseLong(value));
                        } else if (field.startsWith("t")) {
                            counts.addFirstChunk(Integer.parseInt(field.substring(1)), Long.parseLong(value));
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                // a field someone else wrote by hand, or a bucket index out of range: not ours to count
            }
        }
        return counts;
    }

    /**
     * The summary of counters read from Redis plus the increments still waiting to be sent; a waiting caller Redis
     * does not count apart shows as {@link StateStore#OTHER_CALLER} once the callers shown reach the bound, as the
     * script would count it.
     */
    UsageSummary summary(Map<String, Map<String, String>> shared) {
        Delta all = new Delta();
        shared.forEach(
                (slice, fields) -> fields.forEach((field, value) -> all.add(slice, field, number(field, value))));
        int[] named = {
            (int) all.slices.keySet().stream()
                    .filter(slice ->
                            slice.startsWith(RedisKeys.CALLER) && !slice.equals(RedisKeys.CALLER + OTHER_CALLER))
                    .count()
        };
        java.util.function.Consumer<Delta> addWaiting = d -> {
            d.slices.forEach((slice, fields) -> fields.forEach((field, n) -> all.add(slice, field, n)));
            d.callers.forEach((name, caller) -> {
                String slice = RedisKeys.CALLER + name;
                if (!all.slices.containsKey(slice) && !name.equals(OTHER_CALLER)) {
                    if (named[0] < StateStore.MAX_CALLERS) {
                        named[0]++;
                    } else {
                        slice = RedisKeys.CALLER + OTHER_CALLER;
                    }
                }
                for (var field : caller.totals.entrySet()) {
                    all.add(slice, field.getKey(), field.getValue());
                }
            });
        };
        synchronized (this) {
            addWaiting.accept(pending);
            unconfirmed.values().forEach(addWaiting);
        }
        Map<String, UsageSummary.Totals> byProvider = new HashMap<>();
        Map<String, UsageSummary.Totals> byModel = new HashMap<>();
        Map<String, UsageSummary.Totals> byKey = new HashMap<>();
        Map<String, UsageSummary.Totals> byCaller = new HashMap<>();
        UsageSummary.Totals overall = UsageSummary.Totals.EMPTY;
        for (var slice : all.slices.entrySet()) {
            String name = slice.getKey();
            UsageSummary.Totals totals = totals(slice.getValue());
            if (name.equals(OVERALL)) {
                overall = totals;
            } else if (name.startsWith("provider:")) {
                byProvider.put(name.substring("provider:".length()), totals);
            } else if (name.startsWith("model:")) {
                byModel.put(name.substring("model:".length()), totals);
            } else if (name.startsWith("key:")) {
                byKey.put(name.substring("key:".length()), totals);
            } else if (name.startsWith(RedisKeys.CALLER)) {
                String caller = RedisKeys.callerOf(name.substring(RedisKeys.CALLER.length()));
                if (caller != null) {
                    byCaller.put(caller, totals);
                }
            }
        }
        return new UsageSummary(overall, byProvider, byModel, byKey, byCaller);
    }

    private static Number number(String field, String value) {
        try {
            return field.equals(COST) ? (Number) Double.parseDouble(value) : (Number) Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0L; // a field someone else wrote by hand: not ours to count
        }
    }

    private static UsageSummary.Totals totals(Map<String, Number> fields) {
        Map<String, Long> byType = new HashMap<>();
        long[] latency = new long[LatencyHistogram.BUCKETS];
        fields.forEach((field, n) -> {
            if (field.startsWith(FAILURES_BY_TYPE)) {
                byType.put(field.substring(FAILURES_BY_TYPE.length()), n.longValue());
            } else if (field.startsWith(LATENCY)) {
                try {
                    int bucket = Integer.parseInt(field.substring(LATENCY.length()));
                    if (bucket >= 0 && bucket < latency.length) {
                        latency[bucket] += n.longValue();
                    }
                } catch (NumberFormatException e) {
                    // not a bucket of ours
                }
            }
        });
        long successes = count(fields, "successes");
        long failures = count(fields, "failures");
        Number cost = fields.get(COST);
        return new UsageSummary.Totals(
                successes + failures,
                successes,
                failures,
                byType,
                count(fields, "input_tokens"),
                count(fields, "output_tokens"),
                count(fields, "cached_input_tokens"),
                count(fields, "reasoning_tokens"),
                cost == null ? 0 : cost.doubleValue(),
                count(fields, "unpriced_calls"),
                LatencyHistogram.summarise(latency));
    }

    private static long count(Map<String, Number> fields, String name) {
        Number n = fields.get(name);
        return n == null ? 0 : n.longValue();
    }

    private static Number sum(Number a, Number b) {
        if (a instanceof Double || b instanceof Double) {
            return a.doubleValue() + b.doubleValue();
        }
        return a.longValue() + b.longValue();
    }
}

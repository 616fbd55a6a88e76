package dev.llmrotate.redis;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.LatencyHistogram;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage counters as Redis hash fields, one hash per slice ({@code overall}, {@code provider:x}, {@code model:x},
 * {@code key:x}): {@code successes}, {@code failures}, {@code failures:<type>}, the four token counts,
 * {@code cost_usd}, {@code unpriced_calls} and {@code latency:<bucket>} (the {@link LatencyHistogram} bucket counts,
 * which add up across processes). Increments that could not be sent wait here, summed per field, so that their
 * number is bounded by slices times fields, not by calls; they are sent when Redis is back.
 */
final class UsageCounters {
    static final String OVERALL = "overall";
    static final String COST = "cost_usd";
    private static final String LATENCY = "latency:";
    private static final String FAILURES_BY_TYPE = "failures:";

    /** Increments per slice and field; Long values except {@link #COST}. */
    static final class Delta {
        final Map<String, Map<String, Number>> slices = new LinkedHashMap<>();

        void add(String slice, String field, Number amount) {
            slices.computeIfAbsent(slice, s -> new LinkedHashMap<>()).merge(field, amount, UsageCounters::sum);
        }

        void addAll(Delta other) {
            other.slices.forEach((slice, fields) -> fields.forEach((field, n) -> add(slice, field, n)));
        }

        boolean isEmpty() {
            return slices.isEmpty();
        }
    }

    private final int maxPendingSlices;
    private Delta pending = new Delta();
    /** Sends that failed or timed out, by their number: Redis may or may not have run them. */
    private final java.util.TreeMap<Long, Delta> unconfirmed = new java.util.TreeMap<>();

    private long droppedCalls;
    private volatile Map<String, Map<String, String>> lastShared = Map.of();

    UsageCounters(int maxPendingSlices) {
        this.maxPendingSlices = maxPendingSlices;
    }

    /** The increments of one call record, under every slice it belongs to. */
    static Delta of(CallRecord record) {
        Map<String, Number> fields = new LinkedHashMap<>();
        if (record.isSuccess()) {
            fields.put("successes", 1L);
        } else {
            fields.put("failures", 1L);
            fields.put(FAILURES_BY_TYPE + record.failureName(), 1L);
        }
        putNonZero(fields, "input_tokens", record.inputTokens());
        putNonZero(fields, "output_tokens", record.outputTokens());
        putNonZero(fields, "cached_input_tokens", record.cachedInputTokens());
        putNonZero(fields, "reasoning_tokens", record.reasoningTokens());
        Double cost = record.estimatedCostUsd();
        if (cost != null) {
            if (cost != 0 && Double.isFinite(cost)) {
                fields.put(COST, cost);
            }
        } else if (record.isSuccess()) {
            fields.put("unpriced_calls", 1L);
        }
        fields.put(LATENCY + LatencyHistogram.bucket(record.latencyMs()), 1L);
        Delta delta = new Delta();
        delta.slices.put(OVERALL, fields);
        if (record.provider() != null) {
            delta.slices.put("provider:" + record.provider(), fields);
        }
        String model = record.model() != null ? record.model() : record.requestedModel();
        if (model != null) {
            delta.slices.put("model:" + model, fields);
        }
        if (record.keyId() != null) {
            delta.slices.put("key:" + record.keyId(), fields);
        }
        return delta;
    }

    private static void putNonZero(Map<String, Number> fields, String name, long value) {
        if (value != 0) {
            fields.put(name, value);
        }
    }

    /** KEYS of {@link Script#USAGE_ADD}. */
    static String[] keysOf(Delta delta, RedisKeys keys, String watermark) {
        List<String> out = new ArrayList<>(delta.slices.size() + 2);
        out.add(keys.usageSlices);
        out.add(watermark);
        delta.slices.keySet().forEach(slice -> out.add(keys.usage + slice));
        return out.toArray(String[]::new);
    }

    /** ARGV of {@link Script#USAGE_ADD}. */
    static String[] argsOf(Delta delta, long number, long watermarkTtlMillis) {
        List<String> out = new ArrayList<>();
        out.add(Long.toString(number));
        out.add(Long.toString(watermarkTtlMillis));
        delta.slices.forEach((slice, fields) -> {
            out.add(slice);
            out.add(Integer.toString(fields.size()));
            fields.forEach((field, amount) -> {
                out.add(field);
                out.add(amount.toString());
            });
        });
        return out.toArray(String[]::new);
    }

    /** Keeps increments that could not be sent; beyond the slice bound, calls are counted as dropped. */
    synchronized void keep(Delta delta) {
        for (String slice : delta.slices.keySet()) {
            if (!pending.slices.containsKey(slice) && pending.slices.size() >= maxPendingSlices) {
                droppedCalls++;
                return;
            }
        }
        pending.addAll(delta);
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
        return taken;
    }

    /** Whether increments wait to be sent (summed during an outage, or while many sends were in flight). */
    synchronized boolean hasPending() {
        return !pending.isEmpty();
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
            Map<String, String> fields = new HashMap<>();
            List<?> flat = (List<?>) reply.get(i + 1);
            for (int f = 0; f + 1 < flat.size(); f += 2) {
                fields.put(String.valueOf(flat.get(f)), String.valueOf(flat.get(f + 1)));
            }
            out.put(String.valueOf(reply.get(i)), fields);
        }
        return out;
    }

    /** The summary of counters read from Redis plus the increments still waiting to be sent. */
    UsageSummary summary(Map<String, Map<String, String>> shared) {
        Delta all = new Delta();
        shared.forEach(
                (slice, fields) -> fields.forEach((field, value) -> all.add(slice, field, number(field, value))));
        synchronized (this) {
            all.addAll(pending);
            unconfirmed.values().forEach(all::addAll);
        }
        Map<String, UsageSummary.Totals> byProvider = new HashMap<>();
        Map<String, UsageSummary.Totals> byModel = new HashMap<>();
        Map<String, UsageSummary.Totals> byKey = new HashMap<>();
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
            }
        }
        return new UsageSummary(overall, byProvider, byModel, byKey);
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

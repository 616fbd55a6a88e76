package dev.llmrotate.server.metrics;

import static dev.llmrotate.observe.MetricNames.CALLER;
import static dev.llmrotate.observe.MetricNames.ERROR_TYPE;
import static dev.llmrotate.observe.MetricNames.KEY_ID;
import static dev.llmrotate.observe.MetricNames.MODEL;
import static dev.llmrotate.observe.MetricNames.OUTCOME;
import static dev.llmrotate.observe.MetricNames.PROVIDER;
import static dev.llmrotate.observe.MetricNames.TOKEN_TYPE;

import dev.llmrotate.error.ErrorAction;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.observe.ModelLabels;
import dev.llmrotate.spi.StateStore;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The counters and histograms fed by finished calls' records, and their collector. The state is llm-rotate's own
 * (adders per series, each with its label set built once) and prometheus-metrics-core's snapshot model and writers
 * expose it: the library's stateful metrics rebuild and revalidate every series' labels on each scrape, which made a
 * scrape of 50 keys several times slower. A record costs three map lookups (provider, key, model) and a few adds, and
 * allocates nothing once its series exist. Label values come from the configuration (providers, key ids, models
 * through {@link ModelLabels}) or from fixed sets (outcomes, error types, token types), never from request content.
 */
final class CallMetrics implements Consumer<CallRecord>, MultiCollector {
    /** Lease records are counted, but their durations are the application's own call and are left out. */
    static final String LEASE = "lease";

    static final List<String> CALL_OUTCOMES = List.of(
            CallRecord.SUCCESS,
            CallRecord.ERROR,
            CallRecord.NO_AVAILABLE_KEY,
            CallRecord.INTERRUPTED,
            CallRecord.CANCELLED);
    static final List<String> ATTEMPT_OUTCOMES = List.of(CallRecord.SUCCESS, CallRecord.ERROR, CallRecord.CANCELLED);
    static final List<String> TOKEN_TYPES = List.of(
            MetricNames.TOKEN_TYPE_INPUT,
            MetricNames.TOKEN_TYPE_OUTPUT,
            MetricNames.TOKEN_TYPE_CACHED_INPUT,
            MetricNames.TOKEN_TYPE_REASONING);
    /** Every error type's wire name, then {@code _OTHER} for a failure without a known type. */
    static final List<String> ERROR_TYPES;

    private static final Map<String, Integer> ERROR_INDEX = new HashMap<>();

    static {
        ErrorType[] types = ErrorType.values();
        String[] names = new String[types.length + 1];
        for (ErrorType type : types) {
            names[type.ordinal()] = type.wireName();
            ERROR_INDEX.put(type.wireName(), type.ordinal());
        }
        names[types.length] = MetricNames.ERROR_TYPE_OTHER;
        ERROR_TYPES = List.of(names);
    }

    private static final ErrorType[] ERROR_TYPE_VALUES = ErrorType.values();
    private static final int OTHER_ERROR = ERROR_TYPE_VALUES.length;
    /** The index of {@code success} and of {@code error} in both outcome lists. */
    private static final int SUCCESS = 0;

    private static final int ERROR = 1;
    private static final int INPUT = 0;
    private static final int OUTPUT = 1;
    private static final int CACHED_INPUT = 2;
    private static final int REASONING = 3;

    /** The duration buckets' upper bounds, {@code +Inf} last. */
    private static final double[] BOUNDS;

    static {
        List<Double> buckets = MetricNames.DURATION_BUCKETS;
        BOUNDS = new double[buckets.size() + 1];
        for (int i = 0; i < buckets.size(); i++) {
            BOUNDS[i] = buckets.get(i);
        }
        BOUNDS[buckets.size()] = Double.POSITIVE_INFINITY;
    }

    /**
     * Distinct callers counted apart at most, the usage counters' bound; the calls of any further one count under
     * {@value #OTHER_CALLER}.
     */
    static final int MAX_CALLERS = StateStore.MAX_CALLERS;

    static final String OTHER_CALLER = StateStore.OTHER_CALLER;

    private final ModelLabels models;
    private final ConcurrentHashMap<String, ProviderSeries> byProvider = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CallerSeries> byCaller = new ConcurrentHashMap<>();

    CallMetrics(ModelLabels models) {
        this.models = models;
    }

    @Override
    public void accept(CallRecord record) {
        Series call =
                series(orEmpty(record.provider()), models.ofCall(record.requestedModel()), orEmpty(record.keyId()));
        int outcome = index(CALL_OUTCOMES, record.outcome());
        call.calls.get(outcome).increment();
        if (record.fallbackUsed()) {
            call.model.fallbacks().increment();
        }
        addTokens(call, INPUT, record.inputTokens());
        addTokens(call, OUTPUT, record.outputTokens());
        addTokens(call, CACHED_INPUT, record.cachedInputTokens());
        addTokens(call, REASONING, record.reasoningTokens());
        Double usd = record.estimatedCostUsd();
        if (usd != null && usd > 0 && Double.isFinite(usd)) {
            call.cost().add(usd);
        }
        if (!LEASE.equals(record.operation())) {
            call.model.duration.get(outcome).observe(Math.max(0.0, record.latencyMs()) / 1000.0);
            if (record.timeToFirstChunkMs() != null) {
                call.model.firstChunk.get(outcome).observe(Math.max(0.0, record.timeToFirstChunkMs()) / 1000.0);
            }
        }
        countAttempts(record, call);
        if (record.caller() != null) {
            CallerSeries caller = caller(record.caller());
            caller.calls.get(outcome).increment();
            addTokens(caller.tokens, INPUT, record.inputTokens());
            addTokens(caller.tokens, OUTPUT, record.outputTokens());
            addTokens(caller.tokens, CACHED_INPUT, record.cachedInputTokens());
            addTokens(caller.tokens, REASONING, record.reasoningTokens());
            if (usd != null && usd > 0 && Double.isFinite(usd)) {
                caller.cost.value.add(usd);
            }
        }
    }

    /**
     * The series of a caller: its own while fewer than {@link #MAX_CALLERS} are counted (the gateway's are its
     * configured keys), else the shared {@value #OTHER_CALLER}, so that a library application naming a caller per
     * end user cannot grow the output without bound.
     */
    private CallerSeries caller(String caller) {
        CallerSeries series = byCaller.get(caller);
        if (series != null) {
            return series;
        }
        String label = byCaller.size() < MAX_CALLERS ? caller : OTHER_CALLER;
        return byCaller.computeIfAbsent(label, CallerSeries::new);
    }

    /**
     * Attempts, errors and rotations from the record's {@code attempt_details}, each under its own provider, model
     * and key. Attempts past the listed ones count under the call's labels: failures of unknown type, and the last
     * one a success if the call succeeded; rotations the listed attempts do not explain count as {@code _OTHER}.
     */
    private void countAttempts(CallRecord record, Series call) {
        List<CallRecord.Attempt> details = record.attemptDetails();
        int rotationsLeft = record.rotations();
        Series last = call;
        for (int i = 0; i < details.size(); i++) { // indexed: no iterator per record
            CallRecord.Attempt attempt = details.get(i);
            String attemptKey = orEmpty(attempt.keyId());
            String attemptProvider = orEmpty(attempt.provider());
            Series s = last.is(attemptProvider, attempt.model(), attemptKey)
                    ? last
                    : series(attemptProvider, models.ofAttempt(attempt.model()), attemptKey);
            last = s;
            int outcome = index(ATTEMPT_OUTCOMES, attempt.outcome());
            s.attempts.get(outcome).increment();
            if (outcome == ERROR) {
                Integer type = attempt.errorType() == null ? null : ERROR_INDEX.get(attempt.errorType());
                int error = type == null ? OTHER_ERROR : type;
                s.errors.get(error).increment();
                if (type != null && rotationsLeft > 0 && ERROR_TYPE_VALUES[type].action() == ErrorAction.ROTATE) {
                    s.key.rotations.get(error).increment();
                    rotationsLeft--;
                }
            }
        }
        int unlisted = record.attempts() - details.size();
        if (unlisted > 0) {
            int failed = record.isSuccess() ? unlisted - 1 : unlisted;
            if (failed > 0) {
                call.attempts.get(ERROR).add(failed);
                call.errors.get(OTHER_ERROR).add(failed);
            }
            if (record.isSuccess()) {
                call.attempts.get(SUCCESS).increment();
            }
        }
        if (rotationsLeft > 0) {
            call.key.rotations.get(OTHER_ERROR).add(rotationsLeft);
        }
    }

    private static void addTokens(Series series, int type, long count) {
        addTokens(series.tokens, type, count);
    }

    private static void addTokens(Counts tokens, int type, long count) {
        if (count > 0) {
            tokens.get(type).add(count);
        }
    }

    /** The index of an outcome; {@code error} for an outcome this version does not know. */
    private static int index(List<String> outcomes, String outcome) {
        int i = outcomes.indexOf(outcome);
        return i < 0 ? ERROR : i;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /** The series of (provider, model, key): three lookups by string, which allocate nothing once it exists. */
    private Series series(String provider, String model, String keyId) {
        ProviderSeries p = byProvider.get(provider);
        if (p == null) {
            p = byProvider.computeIfAbsent(provider, ProviderSeries::new);
        }
        KeySeries k = p.keys.get(keyId);
        if (k == null) {
            k = p.keys.computeIfAbsent(keyId, id -> new KeySeries(provider, id));
        }
        Series s = k.byModel.get(model);
        if (s == null) {
            ProviderSeries in = p;
            KeySeries key = k;
            s = k.byModel.computeIfAbsent(model, m -> new Series(key, in.model(m)));
        }
        return s;
    }

    /** Series of (provider, model, key) seen so far. */
    int seriesCount() {
        int count = 0;
        for (ProviderSeries p : byProvider.values()) {
            for (KeySeries k : p.keys.values()) {
                count += k.byModel.size();
            }
        }
        return count;
    }

    @Override
    public MetricSnapshots collect() {
        List<CounterDataPointSnapshot> calls = new ArrayList<>();
        List<CounterDataPointSnapshot> attempts = new ArrayList<>();
        List<CounterDataPointSnapshot> errors = new ArrayList<>();
        List<CounterDataPointSnapshot> rotations = new ArrayList<>();
        List<CounterDataPointSnapshot> fallbacks = new ArrayList<>();
        List<CounterDataPointSnapshot> tokens = new ArrayList<>();
        List<CounterDataPointSnapshot> cost = new ArrayList<>();
        List<HistogramDataPointSnapshot> duration = new ArrayList<>();
        List<HistogramDataPointSnapshot> firstChunk = new ArrayList<>();
        for (ProviderSeries p : byProvider.values()) {
            for (KeySeries k : p.keys.values()) {
                k.rotations.addTo(rotations);
                for (Series s : k.byModel.values()) {
                    s.calls.addTo(calls);
                    s.attempts.addTo(attempts);
                    s.errors.addTo(errors);
                    s.tokens.addTo(tokens);
                    Total c = s.costTotal;
                    if (c != null) {
                        cost.add(c.snapshot());
                    }
                }
            }
            for (ModelSeries m : p.models.values()) {
                Count f = m.fallbackCount;
                if (f != null) {
                    fallbacks.add(f.snapshot());
                }
                m.duration.addTo(duration);
                m.firstChunk.addTo(firstChunk);
            }
        }
        List<CounterDataPointSnapshot> callerCalls = new ArrayList<>();
        List<CounterDataPointSnapshot> callerTokens = new ArrayList<>();
        List<CounterDataPointSnapshot> callerCost = new ArrayList<>();
        for (CallerSeries c : byCaller.values()) {
            c.calls.addTo(callerCalls);
            c.tokens.addTo(callerTokens);
            callerCost.add(c.cost.snapshot());
        }
        return new MetricSnapshots(List.of(
                counter(MetricNames.CALLER_CALLS, callerCalls),
                counter(MetricNames.CALLER_TOKENS, callerTokens),
                counter(MetricNames.CALLER_COST, callerCost),
                counter(MetricNames.CALLS, calls),
                counter(MetricNames.ATTEMPTS, attempts),
                counter(MetricNames.ERRORS, errors),
                counter(MetricNames.KEY_ROTATIONS, rotations),
                counter(MetricNames.FALLBACKS, fallbacks),
                counter(MetricNames.TOKENS, tokens),
                counter(MetricNames.COST, cost),
                histogram(MetricNames.CLIENT_OPERATION_DURATION, duration),
                histogram(MetricNames.CLIENT_TIME_TO_FIRST_CHUNK, firstChunk)));
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(
                familyName(MetricNames.CALLER_CALLS),
                familyName(MetricNames.CALLER_TOKENS),
                familyName(MetricNames.CALLER_COST),
                familyName(MetricNames.CALLS),
                familyName(MetricNames.ATTEMPTS),
                familyName(MetricNames.ERRORS),
                familyName(MetricNames.KEY_ROTATIONS),
                familyName(MetricNames.FALLBACKS),
                familyName(MetricNames.TOKENS),
                familyName(MetricNames.COST),
                familyName(MetricNames.CLIENT_OPERATION_DURATION),
                familyName(MetricNames.CLIENT_TIME_TO_FIRST_CHUNK));
    }

    static CounterSnapshot counter(MetricNames.Metric metric, List<CounterDataPointSnapshot> points) {
        return new CounterSnapshot(metadata(metric), points);
    }

    private static HistogramSnapshot histogram(MetricNames.Metric metric, List<HistogramDataPointSnapshot> points) {
        return new HistogramSnapshot(metadata(metric), points);
    }

    static MetricMetadata metadata(MetricNames.Metric metric) {
        String unit = metric.prometheusUnit();
        return new MetricMetadata(familyName(metric), metric.description(), unit == null ? null : new Unit(unit));
    }

    /** The family name: a counter's without {@code _total}, which the writers add to its samples. */
    static String familyName(MetricNames.Metric metric) {
        String name = metric.prometheusName();
        return metric.type() == MetricNames.Type.COUNTER ? name.substring(0, name.length() - "_total".length()) : name;
    }

    private static Labels labels(MetricNames.Label[] names, String... values) {
        String[] keys = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            keys[i] = names[i].prometheus();
        }
        return Labels.of(keys, values);
    }

    private static final MetricNames.Label[] CALL_LABELS = {PROVIDER, MODEL, KEY_ID, OUTCOME};
    private static final MetricNames.Label[] ERROR_LABELS = {PROVIDER, MODEL, KEY_ID, ERROR_TYPE};
    private static final MetricNames.Label[] ROTATION_LABELS = {PROVIDER, KEY_ID, ERROR_TYPE};
    private static final MetricNames.Label[] TOKEN_LABELS = {PROVIDER, MODEL, KEY_ID, TOKEN_TYPE};
    private static final MetricNames.Label[] SERIES_LABELS = {PROVIDER, MODEL, KEY_ID};
    private static final MetricNames.Label[] MODEL_LABELS = {PROVIDER, MODEL};
    private static final MetricNames.Label[] TIMING_LABELS = {PROVIDER, MODEL, OUTCOME};

    /** One caller's calls, tokens and cost. */
    private static final class CallerSeries {
        private final Counts calls;
        private final Counts tokens;
        private final Total cost;

        CallerSeries(String caller) {
            calls = new Counts(CALL_OUTCOMES, o -> labels(CALLER_CALL_LABELS, caller, o));
            tokens = new Counts(TOKEN_TYPES, type -> labels(CALLER_TOKEN_LABELS, caller, type));
            cost = new Total(labels(CALLER_LABELS, caller));
        }
    }

    private static final MetricNames.Label[] CALLER_CALL_LABELS = {CALLER, OUTCOME};
    private static final MetricNames.Label[] CALLER_TOKEN_LABELS = {CALLER, TOKEN_TYPE};
    private static final MetricNames.Label[] CALLER_LABELS = {CALLER};

    /** One provider's keys and models. */
    private static final class ProviderSeries {
        private final String provider;
        private final ConcurrentHashMap<String, KeySeries> keys = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<String, ModelSeries> models = new ConcurrentHashMap<>();

        ProviderSeries(String provider) {
            this.provider = provider;
        }

        ModelSeries model(String model) {
            ModelSeries m = models.get(model);
            return m != null ? m : models.computeIfAbsent(model, name -> new ModelSeries(provider, name));
        }
    }

    /** One key: its rotations, and its series per model. */
    private static final class KeySeries {
        private final String keyId;
        private final ConcurrentHashMap<String, Series> byModel = new ConcurrentHashMap<>();
        private final Counts rotations;

        KeySeries(String provider, String keyId) {
            this.keyId = keyId;
            rotations = new Counts(ERROR_TYPES, type -> labels(ROTATION_LABELS, provider, keyId, type));
        }
    }

    /** One (provider, model): fallbacks and the duration histograms, which carry no key. */
    private static final class ModelSeries {
        private final String provider;
        private final String model;
        private final Timings duration;
        private final Timings firstChunk;
        private volatile Count fallbackCount;

        ModelSeries(String provider, String model) {
            this.provider = provider;
            this.model = model;
            duration = new Timings(outcome -> labels(TIMING_LABELS, provider, model, outcome));
            firstChunk = new Timings(outcome -> labels(TIMING_LABELS, provider, model, outcome));
        }

        LongAdder fallbacks() {
            Count f = fallbackCount;
            if (f == null) {
                synchronized (this) {
                    f = fallbackCount;
                    if (f == null) {
                        f = new Count(labels(MODEL_LABELS, provider, model));
                        fallbackCount = f;
                    }
                }
            }
            return f.value;
        }
    }

    /** One (provider, model, key). */
    private static final class Series {
        private final KeySeries key;
        private final ModelSeries model;
        private final Counts calls;
        private final Counts attempts;
        private final Counts errors;
        private final Counts tokens;
        private volatile Total costTotal;

        Series(KeySeries key, ModelSeries model) {
            this.key = key;
            this.model = model;
            String provider = model.provider;
            String modelLabel = model.model;
            String keyId = key.keyId;
            calls = new Counts(CALL_OUTCOMES, o -> labels(CALL_LABELS, provider, modelLabel, keyId, o));
            attempts = new Counts(ATTEMPT_OUTCOMES, o -> labels(CALL_LABELS, provider, modelLabel, keyId, o));
            errors = new Counts(ERROR_TYPES, type -> labels(ERROR_LABELS, provider, modelLabel, keyId, type));
            tokens = new Counts(TOKEN_TYPES, type -> labels(TOKEN_LABELS, provider, modelLabel, keyId, type));
        }

        /** True when an attempt's raw labels are this series' (so no lookup is needed). */
        boolean is(String provider, String rawModel, String keyId) {
            return model.provider.equals(provider) && model.model.equals(rawModel) && key.keyId.equals(keyId);
        }

        DoubleAdder cost() {
            Total c = costTotal;
            if (c == null) {
                synchronized (this) {
                    c = costTotal;
                    if (c == null) {
                        c = new Total(labels(SERIES_LABELS, model.provider, model.model, key.keyId));
                        costTotal = c;
                    }
                }
            }
            return c.value;
        }
    }

    /** A counter's series per value of its last label, each made (with its labels) on first use. */
    private static final class Counts {
        private final AtomicReferenceArray<Count> slots;
        private final Function<String, Labels> labelsOf;
        private final List<String> values;

        Counts(List<String> values, Function<String, Labels> labelsOf) {
            this.values = values;
            this.labelsOf = labelsOf;
            this.slots = new AtomicReferenceArray<>(values.size());
        }

        LongAdder get(int i) {
            Count c = slots.get(i);
            if (c == null) {
                Count made = new Count(labelsOf.apply(values.get(i)));
                c = slots.compareAndExchange(i, null, made);
                if (c == null) {
                    c = made;
                }
            }
            return c.value;
        }

        void addTo(List<CounterDataPointSnapshot> points) {
            for (int i = 0; i < slots.length(); i++) {
                Count c = slots.get(i);
                if (c != null) {
                    points.add(c.snapshot());
                }
            }
        }
    }

    /** A histogram's series per call outcome. */
    private static final class Timings {
        private final AtomicReferenceArray<Timing> slots = new AtomicReferenceArray<>(CALL_OUTCOMES.size());
        private final Function<String, Labels> labelsOf;

        Timings(Function<String, Labels> labelsOf) {
            this.labelsOf = labelsOf;
        }

        Timing get(int outcome) {
            Timing t = slots.get(outcome);
            if (t == null) {
                Timing made = new Timing(labelsOf.apply(CALL_OUTCOMES.get(outcome)));
                t = slots.compareAndExchange(outcome, null, made);
                if (t == null) {
                    t = made;
                }
            }
            return t;
        }

        void addTo(List<HistogramDataPointSnapshot> points) {
            for (int i = 0; i < slots.length(); i++) {
                Timing t = slots.get(i);
                if (t != null) {
                    points.add(t.snapshot());
                }
            }
        }
    }

    /** One counter series. */
    private static final class Count {
        final LongAdder value = new LongAdder();
        final Labels labels;

        Count(Labels labels) {
            this.labels = labels;
        }

        CounterDataPointSnapshot snapshot() {
            return new CounterDataPointSnapshot(value.sum(), labels, null, 0);
        }
    }

    /** One counter series of a fractional amount (cost). */
    private static final class Total {
        final DoubleAdder value = new DoubleAdder();
        final Labels labels;

        Total(Labels labels) {
            this.labels = labels;
        }

        CounterDataPointSnapshot snapshot() {
            return new CounterDataPointSnapshot(value.sum(), labels, null, 0);
        }
    }

    /**
     * One histogram series: a count per bucket and the sum. The snapshot's count is the sum of the buckets it read,
     * so that {@code +Inf} always equals {@code _count}; an observation racing a scrape may show in the buckets before
     * the sum.
     */
    private static final class Timing {
        private final LongAdder[] buckets = new LongAdder[BOUNDS.length];
        private final DoubleAdder sum = new DoubleAdder();
        private final Labels labels;

        Timing(Labels labels) {
            this.labels = labels;
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            if (Double.isNaN(seconds)) {
                return;
            }
            int i = 0;
            while (seconds > BOUNDS[i]) {
                i++; // ends at +Inf at the latest
            }
            buckets[i].increment();
            sum.add(seconds);
        }

        HistogramDataPointSnapshot snapshot() {
            long[] counts = new long[buckets.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = buckets[i].sum();
            }
            return new HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(BOUNDS, counts), sum.sum(), labels, Exemplars.EMPTY, 0);
        }
    }
}

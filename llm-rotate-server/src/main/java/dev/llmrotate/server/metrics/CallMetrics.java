package dev.llmrotate.server.metrics;

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
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The counters and histograms fed by finished calls' records. Each (provider, model, key) has a {@link Series} that
 * holds the data points it has used, so a record costs two map lookups and a few array reads and adds, not one label
 * lookup per metric. Label values come from the configuration (providers, key ids, models through {@link
 * ModelLabels}) or from fixed sets (outcomes, error types, token types), never from request content.
 */
final class CallMetrics implements Consumer<CallRecord> {
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
    /** The index of {@code error} in both outcome lists, and of {@code success}. */
    private static final int ERROR = 1;

    private static final int SUCCESS = 0;
    private static final int INPUT = 0;
    private static final int OUTPUT = 1;
    private static final int CACHED_INPUT = 2;
    private static final int REASONING = 3;

    private final Counter calls;
    private final Counter attempts;
    private final Counter errors;
    private final Counter rotations;
    private final Counter fallbacks;
    private final Counter tokens;
    private final Counter cost;
    private final Histogram duration;
    private final Histogram firstChunk;
    private final ModelLabels models;
    private final ConcurrentHashMap<String, KeySeries> byKey = new ConcurrentHashMap<>();

    CallMetrics(PrometheusRegistry registry, PrometheusProperties properties, ModelLabels models) {
        this.models = models;
        calls = counter(properties, MetricNames.CALLS, PROVIDER, MODEL, KEY_ID, OUTCOME)
                .register(registry);
        attempts = counter(properties, MetricNames.ATTEMPTS, PROVIDER, MODEL, KEY_ID, OUTCOME)
                .register(registry);
        errors = counter(properties, MetricNames.ERRORS, PROVIDER, MODEL, KEY_ID, ERROR_TYPE)
                .register(registry);
        rotations = counter(properties, MetricNames.KEY_ROTATIONS, PROVIDER, KEY_ID, ERROR_TYPE)
                .register(registry);
        fallbacks = counter(properties, MetricNames.FALLBACKS, PROVIDER, MODEL).register(registry);
        tokens = counter(properties, MetricNames.TOKENS, PROVIDER, MODEL, KEY_ID, TOKEN_TYPE)
                .register(registry);
        cost = counter(properties, MetricNames.COST, PROVIDER, MODEL, KEY_ID)
                .unit(new Unit(MetricNames.COST.prometheusUnit()))
                .register(registry);
        duration = histogram(properties, MetricNames.CLIENT_OPERATION_DURATION).register(registry);
        firstChunk =
                histogram(properties, MetricNames.CLIENT_TIME_TO_FIRST_CHUNK).register(registry);
    }

    private static Counter.Builder counter(
            PrometheusProperties properties, MetricNames.Metric metric, MetricNames.Label... labels) {
        return Counter.builder(properties)
                .name(metric.prometheusName())
                .help(metric.description())
                .labelNames(names(labels))
                .withoutExemplars();
    }

    private static Histogram.Builder histogram(PrometheusProperties properties, MetricNames.Metric metric) {
        return Histogram.builder(properties)
                .name(metric.prometheusName())
                .unit(Unit.SECONDS)
                .help(metric.description())
                .labelNames(names(PROVIDER, MODEL, OUTCOME))
                .classicOnly()
                .classicUpperBounds(MetricNames.DURATION_BUCKETS.stream()
                        .mapToDouble(Double::doubleValue)
                        .toArray())
                .withoutExemplars();
    }

    private static String[] names(MetricNames.Label... labels) {
        String[] names = new String[labels.length];
        for (int i = 0; i < labels.length; i++) {
            names[i] = labels[i].prometheus();
        }
        return names;
    }

    @Override
    public void accept(CallRecord record) {
        Series call = series(orEmpty(record.provider()), models.ofCall(record), orEmpty(record.keyId()));
        int outcome = index(CALL_OUTCOMES, record.outcome());
        call.calls(outcome).inc();
        if (record.fallbackUsed()) {
            call.fallbacks().inc();
        }
        addTokens(call, INPUT, record.inputTokens());
        addTokens(call, OUTPUT, record.outputTokens());
        addTokens(call, CACHED_INPUT, record.cachedInputTokens());
        addTokens(call, REASONING, record.reasoningTokens());
        Double usd = record.estimatedCostUsd();
        if (usd != null && usd > 0 && Double.isFinite(usd)) {
            call.cost().inc(usd);
        }
        if (!LEASE.equals(record.operation())) {
            call.duration(outcome).observe(Math.max(0.0, record.latencyMs()) / 1000.0);
            if (record.timeToFirstChunkMs() != null) {
                call.firstChunk(outcome).observe(Math.max(0.0, record.timeToFirstChunkMs()) / 1000.0);
            }
        }
        countAttempts(record, call);
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
            String attemptKey = attempt.keyId() != null ? attempt.keyId() : "";
            String attemptProvider = attempt.provider() != null ? attempt.provider() : "";
            Series s = last.is(attemptProvider, attempt.model(), attemptKey)
                    ? last
                    : series(attemptProvider, models.ofAttempt(attempt.model()), attemptKey);
            last = s;
            int outcome = index(ATTEMPT_OUTCOMES, attempt.outcome());
            s.attempts(outcome).inc();
            if (outcome == ERROR) {
                Integer type = attempt.errorType() == null ? null : ERROR_INDEX.get(attempt.errorType());
                int error = type == null ? OTHER_ERROR : type;
                s.errors(error).inc();
                if (type != null && rotationsLeft > 0 && ERROR_TYPE_VALUES[type].action() == ErrorAction.ROTATE) {
                    s.rotations(error).inc();
                    rotationsLeft--;
                }
            }
        }
        int unlisted = record.attempts() - details.size();
        if (unlisted > 0) {
            int failed = record.isSuccess() ? unlisted - 1 : unlisted;
            if (failed > 0) {
                call.attempts(ERROR).inc(failed);
                call.errors(OTHER_ERROR).inc(failed);
            }
            if (record.isSuccess()) {
                call.attempts(SUCCESS).inc();
            }
        }
        if (rotationsLeft > 0) {
            call.rotations(OTHER_ERROR).inc(rotationsLeft);
        }
    }

    private static void addTokens(Series series, int type, long count) {
        if (count > 0) {
            series.tokens(type).inc(count);
        }
    }

    /** The index of an outcome; 1 ({@code error}) for an outcome this version does not know. */
    private static int index(List<String> outcomes, String outcome) {
        int i = outcomes.indexOf(outcome);
        return i < 0 ? ERROR : i;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    /**
     * The series of (provider, model, key): two lookups by string, which allocate nothing once the series exists. A
     * key id names one provider; should it name another (after a reload, or {@code ""} for calls without a key), its
     * entry is replaced, which only drops cached data points: the counts stay in the metrics.
     */
    private Series series(String provider, String model, String keyId) {
        KeySeries key = byKey.get(keyId);
        if (key == null || !key.provider.equals(provider)) {
            key = byKey.compute(
                    keyId,
                    (id, current) ->
                            current != null && current.provider.equals(provider) ? current : new KeySeries(provider));
        }
        Series s = key.byModel.get(model);
        return s != null ? s : key.byModel.computeIfAbsent(model, m -> new Series(provider, m, keyId));
    }

    /** Series cached now (one per provider, model and key that a record named). */
    int seriesCount() {
        return byKey.values().stream().mapToInt(k -> k.byModel.size()).sum();
    }

    /** The series of one key id, by model. */
    private final class KeySeries {
        private final String provider;
        private final ConcurrentHashMap<String, Series> byModel = new ConcurrentHashMap<>();

        KeySeries(String provider) {
            this.provider = provider;
        }
    }

    /**
     * The data points of one (provider, model, key), each taken from its metric on first use. A slot may be filled
     * twice by racing threads; the metric hands both the same data point.
     */
    private final class Series {
        private final String provider;
        private final String model;
        private final String keyId;
        private final AtomicReferenceArray<CounterDataPoint> calls = new AtomicReferenceArray<>(CALL_OUTCOMES.size());
        private final AtomicReferenceArray<CounterDataPoint> attempts =
                new AtomicReferenceArray<>(ATTEMPT_OUTCOMES.size());
        private final AtomicReferenceArray<CounterDataPoint> errors = new AtomicReferenceArray<>(ERROR_TYPES.size());
        private final AtomicReferenceArray<CounterDataPoint> rotations = new AtomicReferenceArray<>(ERROR_TYPES.size());
        private final AtomicReferenceArray<CounterDataPoint> tokens = new AtomicReferenceArray<>(TOKEN_TYPES.size());
        private final AtomicReferenceArray<DistributionDataPoint> duration =
                new AtomicReferenceArray<>(CALL_OUTCOMES.size());
        private final AtomicReferenceArray<DistributionDataPoint> firstChunk =
                new AtomicReferenceArray<>(CALL_OUTCOMES.size());
        private volatile CounterDataPoint fallbackPoint;
        private volatile CounterDataPoint costPoint;

        Series(String provider, String model, String keyId) {
            this.provider = provider;
            this.model = model;
            this.keyId = keyId;
        }

        /** True when an attempt's raw labels are this series' (so no lookup is needed). */
        boolean is(String provider, String rawModel, String keyId) {
            return this.provider.equals(provider) && this.model.equals(rawModel) && this.keyId.equals(keyId);
        }

        CounterDataPoint calls(int outcome) {
            CounterDataPoint p = calls.get(outcome);
            if (p == null) {
                p = CallMetrics.this.calls.labelValues(provider, model, keyId, CALL_OUTCOMES.get(outcome));
                calls.set(outcome, p);
            }
            return p;
        }

        CounterDataPoint attempts(int outcome) {
            CounterDataPoint p = attempts.get(outcome);
            if (p == null) {
                p = CallMetrics.this.attempts.labelValues(provider, model, keyId, ATTEMPT_OUTCOMES.get(outcome));
                attempts.set(outcome, p);
            }
            return p;
        }

        CounterDataPoint errors(int type) {
            CounterDataPoint p = errors.get(type);
            if (p == null) {
                p = CallMetrics.this.errors.labelValues(provider, model, keyId, ERROR_TYPES.get(type));
                errors.set(type, p);
            }
            return p;
        }

        CounterDataPoint rotations(int type) {
            CounterDataPoint p = rotations.get(type);
            if (p == null) {
                p = CallMetrics.this.rotations.labelValues(provider, keyId, ERROR_TYPES.get(type));
                rotations.set(type, p);
            }
            return p;
        }

        CounterDataPoint tokens(int type) {
            CounterDataPoint p = tokens.get(type);
            if (p == null) {
                p = CallMetrics.this.tokens.labelValues(provider, model, keyId, TOKEN_TYPES.get(type));
                tokens.set(type, p);
            }
            return p;
        }

        CounterDataPoint fallbacks() {
            CounterDataPoint p = fallbackPoint;
            if (p == null) {
                p = CallMetrics.this.fallbacks.labelValues(provider, model);
                fallbackPoint = p;
            }
            return p;
        }

        CounterDataPoint cost() {
            CounterDataPoint p = costPoint;
            if (p == null) {
                p = CallMetrics.this.cost.labelValues(provider, model, keyId);
                costPoint = p;
            }
            return p;
        }

        DistributionDataPoint duration(int outcome) {
            DistributionDataPoint p = duration.get(outcome);
            if (p == null) {
                p = CallMetrics.this.duration.labelValues(provider, model, CALL_OUTCOMES.get(outcome));
                duration.set(outcome, p);
            }
            return p;
        }

        DistributionDataPoint firstChunk(int outcome) {
            DistributionDataPoint p = firstChunk.get(outcome);
            if (p == null) {
                p = CallMetrics.this.firstChunk.labelValues(provider, model, CALL_OUTCOMES.get(outcome));
                firstChunk.set(outcome, p);
            }
            return p;
        }
    }
}

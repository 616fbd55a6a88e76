package dev.llmrotate.micrometer;

import static dev.llmrotate.observe.MetricNames.ERROR_TYPE;
import static dev.llmrotate.observe.MetricNames.GEN_AI_OPERATION;
import static dev.llmrotate.observe.MetricNames.GEN_AI_PROVIDER;
import static dev.llmrotate.observe.MetricNames.GEN_AI_RESPONSE_MODEL;
import static dev.llmrotate.observe.MetricNames.KEY_ID;
import static dev.llmrotate.observe.MetricNames.MODEL;
import static dev.llmrotate.observe.MetricNames.OUTCOME;
import static dev.llmrotate.observe.MetricNames.PROVIDER;
import static dev.llmrotate.observe.MetricNames.TOKEN_TYPE;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.observe.ModelLabels;
import dev.llmrotate.spi.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * llm-rotate's metrics on a Micrometer {@link MeterRegistry} (Spring Boot, Quarkus, Micronaut or plain): the GenAI
 * client histograms {@code gen_ai.client.operation.duration}, {@code gen_ai.client.operation.time_to_first_chunk}
 * and {@code gen_ai.client.token.usage}, llm-rotate's counters of calls, attempts, errors, key rotations,
 * fallbacks, tokens and cost, and, once {@linkplain #bindTo bound} to the {@link LlmRotate}, the health gauges of
 * every configured key. Names, units and descriptions are those of {@link MetricNames}, shared with the control
 * server's {@code /metrics} and the OpenTelemetry module: on a Prometheus registry {@code llm_rotate.attempts} is
 * {@code llm_rotate_attempts_total} with the labels {@code provider}, {@code model}, {@code key_id} and {@code
 * outcome}, as {@code /metrics} has it.
 *
 * <pre>{@code
 * MicrometerTelemetry metrics = MicrometerTelemetry.create(registry);
 * LlmRotate lm = LlmRotate.builder().config(cfg).telemetry(metrics).build();
 * metrics.bindTo(lm); // key health gauges; model tags bounded by lm's configuration
 * }</pre>
 *
 * <p>Each measurement has one emitter: attempts and errors are counted when an attempt ends, rotations when one
 * happens, everything else once per call from its record. Tag values come from the configuration (providers, key
 * ids, models) or from fixed sets (outcomes, error and token types), never from request content: a model that no
 * configured key lists is tagged {@value CallRecord#UNKNOWN_MODEL} (asked for) or {@value MetricNames#MODEL_OTHER}
 * (sent or answered), and before {@link #bindTo} every model is. Keys appear by {@code key_id}, never by secret or
 * mask. Thread-safe; the hooks never throw (a failing registry is logged once as a warning on {@value
 * LogNames#TELEMETRY}, then at debug level).
 */
public final class MicrometerTelemetry implements Telemetry {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.TELEMETRY);

    /** Lease records are counted, but their duration is the application's own call and is left out. */
    static final String LEASE = "lease";

    private static final List<String> CALL_OUTCOMES = List.of(
            CallRecord.SUCCESS,
            CallRecord.ERROR,
            CallRecord.NO_AVAILABLE_KEY,
            CallRecord.INTERRUPTED,
            CallRecord.CANCELLED);
    private static final List<String> TOKEN_TYPES = List.of(
            MetricNames.TOKEN_TYPE_INPUT,
            MetricNames.TOKEN_TYPE_OUTPUT,
            MetricNames.TOKEN_TYPE_CACHED_INPUT,
            MetricNames.TOKEN_TYPE_REASONING);
    private static final ErrorType[] ERROR_TYPES = ErrorType.values();
    private static final int OTHER_ERROR = ERROR_TYPES.length;
    private static final int SUCCESS = 0;
    private static final int ERROR = 1;
    private static final int INPUT = 0;
    private static final int OUTPUT = 1;
    private static final int CACHED_INPUT = 2;
    private static final int REASONING = 3;

    private static final Duration[] DURATION_SLOS = MetricNames.DURATION_BUCKETS.stream()
            .map(MicrometerTelemetry::seconds)
            .toArray(Duration[]::new);
    private static final double[] TOKEN_SLOS =
            MetricNames.TOKEN_BUCKETS.stream().mapToDouble(Long::doubleValue).toArray();

    private final MeterRegistry registry;
    private final ModelLabels models;
    private final AtomicBoolean warned = new AtomicBoolean();
    private volatile HealthMeters bound;
    private volatile boolean tokenUsage = true;

    /** Series by provider, then key id, then model tag. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, CallSeries>>> calls =
            new ConcurrentHashMap<>();

    private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, AttemptSeries>>>
            attempts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counters>> rotations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<GenAiKey, GenAiSeries> genAi = new ConcurrentHashMap<>();

    private MicrometerTelemetry(MeterRegistry registry) {
        this.registry = registry;
        this.models = new ModelLabels(this::boundConfig);
    }

    /**
     * Telemetry on {@code registry}; {@link #bindTo} it to the {@link LlmRotate} built with it.
     *
     * @param registry the registry the meters are registered on
     * @return the telemetry, to give to {@code LlmRotateBuilder.telemetry}
     */
    public static MicrometerTelemetry create(MeterRegistry registry) {
        return new MicrometerTelemetry(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Whether to record {@code gen_ai.client.token.usage} (on by default). Switch it off in an application where
     * Spring AI's own models also report that name, as a counter with other tags: one registry cannot hold both, and
     * {@code llm_rotate.tokens} counts the same tokens. Set it before the first call.
     *
     * @param on whether to record it
     * @return this
     */
    public MicrometerTelemetry genAiTokenUsage(boolean on) {
        this.tokenUsage = on;
        return this;
    }

    /**
     * Binds these metrics to {@code lm}, the instance built with them: registers the health gauges of its
     * configuration's keys and providers ({@code llm_rotate.key.state}, {@code llm_rotate.key.available_in}, the
     * budgets' {@code llm_rotate.key.requests_remaining} and {@code llm_rotate.key.tokens_remaining}, {@code
     * llm_rotate.provider.available_keys}), read from {@link LlmRotate#health()} when the registry reads them, and
     * bounds the model tags by its configuration. A reload is followed at the next call's end. Binding again to the
     * same instance does nothing.
     *
     * @param lm the instance built with this telemetry
     * @return this
     * @throws IllegalStateException when already bound to another instance
     */
    public MicrometerTelemetry bindTo(LlmRotate lm) {
        Objects.requireNonNull(lm, "lm");
        HealthMeters gauges;
        synchronized (this) {
            if (bound != null) {
                if (bound.lm() == lm) {
                    return this;
                }
                throw new IllegalStateException("this MicrometerTelemetry is already bound to another LlmRotate");
            }
            gauges = new HealthMeters(registry, lm, this);
            bound = gauges;
        }
        gauges.sync();
        return this;
    }

    private LlmRotateConfig boundConfig() {
        HealthMeters b = bound;
        return b == null ? null : b.lm().config();
    }

    @Override
    public Attempt attemptStarted(
            String operation,
            String provider,
            String requestedModel,
            String model,
            String keyId,
            int attemptNumber,
            boolean afterRotation) {
        try {
            String p = orEmpty(provider);
            String k = orEmpty(keyId);
            String m = models.ofAttempt(model);
            return lookup(attempts, p, k).computeIfAbsent(m, x -> new AttemptSeries(p, x, k));
        } catch (RuntimeException | LinkageError e) {
            hookFailed("attemptStarted", e);
            return Attempt.NOOP;
        }
    }

    @Override
    public void keyRotated(String provider, String keyId, ErrorType cause) {
        try {
            String p = orEmpty(provider);
            String k = orEmpty(keyId);
            Counters byType = lookup(rotations, p)
                    .computeIfAbsent(
                            k,
                            x -> new Counters(
                                    OTHER_ERROR + 1,
                                    i -> counter(
                                            MetricNames.KEY_ROTATIONS,
                                            Tags.of(
                                                    PROVIDER.prometheus(),
                                                    p,
                                                    KEY_ID.prometheus(),
                                                    x,
                                                    ERROR_TYPE.prometheus(),
                                                    errorName(i)))));
            byType.get(cause == null ? OTHER_ERROR : cause.ordinal()).increment();
        } catch (RuntimeException | LinkageError e) {
            hookFailed("keyRotated", e);
        }
    }

    /**
     * Counts the call, its fallback, tokens and cost, and records its duration, time to first chunk and token usage
     * (not for leases: the application makes that call itself, and its own client instrumentation measures it).
     */
    @Override
    public void callEnded(CallRecord record) {
        if (record == null) {
            return;
        }
        try {
            HealthMeters b = bound;
            if (b != null) {
                b.syncIfReloaded();
            }
            String provider = orEmpty(record.provider());
            String keyId = orEmpty(record.keyId());
            String model = models.ofCall(record.requestedModel());
            CallSeries s =
                    lookup(calls, provider, keyId).computeIfAbsent(model, m -> new CallSeries(provider, m, keyId));
            int outcome = CALL_OUTCOMES.indexOf(record.outcome());
            s.calls.get(outcome < 0 ? ERROR : outcome).increment();
            if (record.fallbackUsed()) {
                s.fallbacks().increment();
            }
            addTokens(s.tokens, INPUT, record.inputTokens());
            addTokens(s.tokens, OUTPUT, record.outputTokens());
            addTokens(s.tokens, CACHED_INPUT, record.cachedInputTokens());
            addTokens(s.tokens, REASONING, record.reasoningTokens());
            Double usd = record.estimatedCostUsd();
            if (usd != null && usd > 0 && Double.isFinite(usd)) {
                s.cost().increment(usd);
            }
            if (!LEASE.equals(record.operation())) {
                recordGenAi(record, model);
            }
        } catch (RuntimeException | LinkageError e) {
            hookFailed("callEnded", e);
        }
    }

    private void recordGenAi(CallRecord record, String requestModel) {
        GenAiKey key = new GenAiKey(
                orEmpty(MetricNames.genAiOperationName(record.operation())),
                orEmpty(MetricNames.genAiProviderName(record.provider())),
                requestModel,
                models.ofAttempt(record.model()),
                record.isSuccess() ? "" : MetricNames.callErrorType(record));
        GenAiSeries g = genAi.get(key);
        if (g == null) {
            g = genAi.computeIfAbsent(key, GenAiSeries::new);
        }
        g.duration.record(nanos(record.latencyMs()), TimeUnit.NANOSECONDS);
        if (record.timeToFirstChunkMs() != null) {
            g.firstChunk().record(nanos(record.timeToFirstChunkMs()), TimeUnit.NANOSECONDS);
        }
        if (!tokenUsage) {
            return;
        }
        if (record.inputTokens() > 0) {
            g.tokens(INPUT).record(record.inputTokens());
        }
        if (record.outputTokens() > 0) {
            g.tokens(OUTPUT).record(record.outputTokens());
        }
    }

    private static void addTokens(Counters tokens, int type, long count) {
        if (count > 0) {
            tokens.get(type).increment(count);
        }
    }

    private static long nanos(double millis) {
        return (long) (Math.max(0.0, millis) * 1_000_000.0);
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String errorName(int index) {
        return index == OTHER_ERROR ? MetricNames.ERROR_TYPE_OTHER : ERROR_TYPES[index].wireName();
    }

    private static <V> ConcurrentHashMap<String, V> lookup(
            ConcurrentHashMap<String, ConcurrentHashMap<String, V>> map, String key) {
        ConcurrentHashMap<String, V> inner = map.get(key);
        return inner != null ? inner : map.computeIfAbsent(key, x -> new ConcurrentHashMap<>());
    }

    private static <V> ConcurrentHashMap<String, V> lookup(
            ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, V>>> map,
            String first,
            String second) {
        return lookup(lookup(map, first), second);
    }

    private Counter counter(MetricNames.Metric metric, Tags tags) {
        return Counter.builder(metric.name())
                .description(metric.description())
                .baseUnit(metric.prometheusUnit())
                .tags(tags)
                .register(registry);
    }

    private Timer timer(MetricNames.Metric metric, Tags tags) {
        return Timer.builder(metric.name())
                .description(metric.description())
                .serviceLevelObjectives(DURATION_SLOS)
                .tags(tags)
                .register(registry);
    }

    void hookFailed(String hook, Throwable e) {
        if (warned.compareAndSet(false, true)) {
            LOG.warn(
                    "llm-rotate Micrometer hook {} threw; the call goes on (further failures are logged at debug level)",
                    hook,
                    e);
        } else {
            LOG.debug("llm-rotate Micrometer hook {} threw", hook, e);
        }
    }

    /**
     * Counters per value of the last tag, each registered on first use. A racing first use registers twice, and
     * the registry hands out the same meter both times.
     */
    private static final class Counters {
        private final AtomicReferenceArray<Counter> slots;
        private final IntFunction<Counter> make;

        Counters(int size, IntFunction<Counter> make) {
            this.slots = new AtomicReferenceArray<>(size);
            this.make = make;
        }

        Counter get(int i) {
            Counter c = slots.get(i);
            if (c == null) {
                c = make.apply(i);
                slots.set(i, c);
            }
            return c;
        }
    }

    /** One (provider, requested model, key): calls by outcome, tokens by type, fallbacks and cost. */
    private final class CallSeries {
        private final String provider;
        private final String model;
        private final String keyId;
        final Counters calls;
        final Counters tokens;
        private volatile Counter fallbacks;
        private volatile Counter cost;

        CallSeries(String provider, String model, String keyId) {
            this.provider = provider;
            this.model = model;
            this.keyId = keyId;
            Tags series =
                    Tags.of(PROVIDER.prometheus(), provider, MODEL.prometheus(), model, KEY_ID.prometheus(), keyId);
            calls = new Counters(
                    CALL_OUTCOMES.size(),
                    i -> counter(MetricNames.CALLS, series.and(OUTCOME.prometheus(), CALL_OUTCOMES.get(i))));
            tokens = new Counters(
                    TOKEN_TYPES.size(),
                    i -> counter(MetricNames.TOKENS, series.and(TOKEN_TYPE.prometheus(), TOKEN_TYPES.get(i))));
        }

        /** Fallbacks carry no key, as on {@code /metrics}. */
        Counter fallbacks() {
            Counter c = fallbacks;
            if (c == null) {
                c = counter(MetricNames.FALLBACKS, Tags.of(PROVIDER.prometheus(), provider, MODEL.prometheus(), model));
                fallbacks = c;
            }
            return c;
        }

        Counter cost() {
            Counter c = cost;
            if (c == null) {
                c = counter(
                        MetricNames.COST,
                        Tags.of(
                                PROVIDER.prometheus(),
                                provider,
                                MODEL.prometheus(),
                                model,
                                KEY_ID.prometheus(),
                                keyId));
                cost = c;
            }
            return c;
        }
    }

    /**
     * One (provider, model sent, key): attempts by outcome and errors by type. It is also each attempt's end hook: the
     * engine ends every attempt once, with {@link #succeeded} or {@link #failed}, so no per-attempt object is needed.
     */
    private final class AttemptSeries implements Attempt {
        private final Counters attempts;
        private final Counters errors;

        AttemptSeries(String provider, String model, String keyId) {
            Tags series =
                    Tags.of(PROVIDER.prometheus(), provider, MODEL.prometheus(), model, KEY_ID.prometheus(), keyId);
            attempts = new Counters(
                    2, i -> counter(MetricNames.ATTEMPTS, series.and(OUTCOME.prometheus(), CALL_OUTCOMES.get(i))));
            errors = new Counters(
                    OTHER_ERROR + 1,
                    i -> counter(MetricNames.ERRORS, series.and(ERROR_TYPE.prometheus(), errorName(i))));
        }

        @Override
        public void succeeded(String responseModel, Usage usage, FinishReason finishReason) {
            try {
                attempts.get(SUCCESS).increment();
            } catch (RuntimeException | LinkageError e) {
                hookFailed("Attempt.succeeded", e);
            }
        }

        @Override
        public void failed(ErrorType type, Integer httpStatus) {
            try {
                attempts.get(ERROR).increment();
                errors.get(type == null ? OTHER_ERROR : type.ordinal()).increment();
            } catch (RuntimeException | LinkageError e) {
                hookFailed("Attempt.failed", e);
            }
        }
    }

    /** The tags of the {@code gen_ai.*} metrics, as the OpenTelemetry module's attributes (empty when absent). */
    private record GenAiKey(
            String operation, String provider, String requestModel, String responseModel, String errorType) {
        Tags tags() {
            return Tags.of(
                    GEN_AI_OPERATION.attribute(), operation,
                    GEN_AI_PROVIDER.attribute(), provider,
                    MODEL.attribute(), requestModel,
                    GEN_AI_RESPONSE_MODEL.attribute(), responseModel,
                    ERROR_TYPE.attribute(), errorType);
        }
    }

    /** The GenAI histograms of one tag set, each registered on first use. */
    private final class GenAiSeries {
        private final Tags tags;
        final Timer duration;
        private final AtomicReferenceArray<DistributionSummary> tokens = new AtomicReferenceArray<>(2);
        private volatile Timer firstChunk;

        GenAiSeries(GenAiKey key) {
            tags = key.tags();
            duration = timer(MetricNames.CLIENT_OPERATION_DURATION, tags);
        }

        Timer firstChunk() {
            Timer t = firstChunk;
            if (t == null) {
                t = timer(MetricNames.CLIENT_TIME_TO_FIRST_CHUNK, tags);
                firstChunk = t;
            }
            return t;
        }

        /** {@code gen_ai.client.token.usage} of input or output tokens, over the conventions' bucket boundaries. */
        DistributionSummary tokens(int type) {
            DistributionSummary d = tokens.get(type);
            if (d == null) {
                d = DistributionSummary.builder(MetricNames.CLIENT_TOKEN_USAGE.name())
                        .description(MetricNames.CLIENT_TOKEN_USAGE.description())
                        .baseUnit(MetricNames.CLIENT_TOKEN_USAGE.prometheusUnit())
                        .serviceLevelObjectives(TOKEN_SLOS)
                        .tags(tags.and(TOKEN_TYPE.attribute(), TOKEN_TYPES.get(type)))
                        .register(registry);
                tokens.set(type, d);
            }
            return d;
        }
    }
}

package dev.llmrotate.otel;

import static dev.llmrotate.otel.AttributeNames.ERROR_TYPE_OTHER;
import static dev.llmrotate.otel.AttributeNames.TOKEN_TYPE_INPUT;
import static dev.llmrotate.otel.AttributeNames.TOKEN_TYPE_OUTPUT;

import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.spi.Telemetry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.DoubleHistogramBuilder;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * llm-rotate's telemetry hooks on OpenTelemetry: one {@code llm_rotate.attempt} span per attempt, counters of
 * attempts, errors and key rotations, and the GenAI client histograms {@code gen_ai.client.operation.duration} and
 * {@code gen_ai.client.token.usage} per call, all under the instrumentation scope {@code llm_rotate}.
 *
 * <pre>{@code
 * LlmRotate lm = LlmRotate.builder().config(config).telemetry(OtelTelemetry.create(openTelemetry)).build();
 * }</pre>
 *
 * <p>Without {@code .telemetry(...)}, having this module on the class path is enough: {@link OtelTelemetryProvider}
 * supplies {@link #global()}. Attributes carry the key's {@code key_id}, never its secret or mask. Thread-safe; the
 * hooks never throw (a failure inside OpenTelemetry is logged once as a warning, then at debug level).
 */
public final class OtelTelemetry implements Telemetry {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.TELEMETRY);
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    /** How often {@link #global()} looks again whether an application has set the global OpenTelemetry. */
    private static final long GLOBAL_RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    static final String LEASE = "lease";

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey(AttributeNames.GEN_AI_OPERATION_NAME);
    static final AttributeKey<String> PROVIDER_NAME = AttributeKey.stringKey(AttributeNames.GEN_AI_PROVIDER_NAME);
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey(AttributeNames.GEN_AI_REQUEST_MODEL);
    static final AttributeKey<Boolean> REQUEST_STREAM = AttributeKey.booleanKey(AttributeNames.GEN_AI_REQUEST_STREAM);
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey(AttributeNames.GEN_AI_RESPONSE_MODEL);
    static final AttributeKey<List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey(AttributeNames.GEN_AI_RESPONSE_FINISH_REASONS);
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey(AttributeNames.GEN_AI_USAGE_INPUT_TOKENS);
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey(AttributeNames.GEN_AI_USAGE_OUTPUT_TOKENS);
    static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey(AttributeNames.GEN_AI_TOKEN_TYPE);
    static final AttributeKey<String> ERROR = AttributeKey.stringKey(AttributeNames.ERROR_TYPE);
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey(AttributeNames.HTTP_RESPONSE_STATUS_CODE);
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey(AttributeNames.LLM_ROTATE_PROVIDER);
    static final AttributeKey<String> KEY_ID = AttributeKey.stringKey(AttributeNames.LLM_ROTATE_KEY_ID);
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey(AttributeNames.LLM_ROTATE_ATTEMPT);
    static final AttributeKey<Boolean> ROTATION = AttributeKey.booleanKey(AttributeNames.LLM_ROTATE_ROTATION);
    static final AttributeKey<String> REQUESTED_MODEL =
            AttributeKey.stringKey(AttributeNames.LLM_ROTATE_REQUESTED_MODEL);
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey(AttributeNames.LLM_ROTATE_OUTCOME);

    private static final String VERSION = moduleVersion();

    /** Set for a telemetry bound to an instance; for {@link #global()}, bound once the global one is set. */
    private volatile Instruments instruments;

    private final boolean global;
    private final long recheckNanos;
    private volatile long nextGlobalCheck;
    private volatile boolean broken;

    private OtelTelemetry(Instruments instruments, long recheckNanos) {
        this.instruments = instruments;
        this.global = instruments == null;
        this.recheckNanos = recheckNanos;
        this.nextGlobalCheck = System.nanoTime();
    }

    /**
     * Telemetry through {@code openTelemetry}'s tracer and meter providers.
     *
     * @param openTelemetry the SDK (or API instance) to record with
     * @return the telemetry, to give to {@code LlmRotateBuilder.telemetry}
     */
    public static OtelTelemetry create(OpenTelemetry openTelemetry) {
        return new OtelTelemetry(new Instruments(Objects.requireNonNull(openTelemetry, "openTelemetry")), 0);
    }

    /**
     * Telemetry through {@link GlobalOpenTelemetry}, bound as soon as an application (or the Java agent) has set it.
     * Until then the hooks do nothing, and this never calls {@link GlobalOpenTelemetry#get()} early, which would fix
     * the global instance to a no-op and make the application's later {@code GlobalOpenTelemetry.set} fail. While
     * unset, whether it has been set is checked at most once a second.
     *
     * @return the telemetry, to give to {@code LlmRotateBuilder.telemetry}
     */
    public static OtelTelemetry global() {
        return global(GLOBAL_RECHECK_NANOS);
    }

    /** {@link #global()}, looking whether the global instance is set at most every {@code recheckNanos}. */
    static OtelTelemetry global(long recheckNanos) {
        return new OtelTelemetry(null, recheckNanos);
    }

    /** The instrumentation scope version: this module's version, or null if unknown. */
    static String version() {
        return VERSION;
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
            Instruments in = instruments();
            if (in == null) {
                return Attempt.NOOP;
            }
            SpanBuilder builder = in.tracer
                    .spanBuilder(AttributeNames.ATTEMPT_SPAN)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute(ATTEMPT, (long) attemptNumber)
                    .setAttribute(ROTATION, afterRotation);
            putIfPresent(builder, OPERATION, AttributeNames.operationName(operation));
            putIfPresent(builder, PROVIDER_NAME, AttributeNames.providerName(provider));
            putIfPresent(builder, REQUEST_MODEL, model);
            putIfPresent(builder, PROVIDER, provider);
            putIfPresent(builder, KEY_ID, keyId);
            if (operation != null) {
                builder.setAttribute(REQUEST_STREAM, operation.endsWith("_stream"));
            }
            if (requestedModel != null && !requestedModel.equals(model)) {
                builder.setAttribute(REQUESTED_MODEL, requestedModel);
            }
            return new AttemptSpan(in, builder.startSpan(), provider, model);
        } catch (RuntimeException | LinkageError e) {
            hookFailed("attemptStarted", e);
            return Attempt.NOOP;
        }
    }

    @Override
    public void keyRotated(String provider, String keyId, ErrorType cause) {
        try {
            Instruments in = instruments();
            if (in == null) {
                return;
            }
            AttributesBuilder attributes = Attributes.builder();
            putIfPresent(attributes, PROVIDER, provider);
            attributes.put(ERROR, cause == null ? ERROR_TYPE_OTHER : cause.wireName());
            in.rotations.add(1, attributes.build());
        } catch (RuntimeException | LinkageError e) {
            hookFailed("keyRotated", e);
        }
    }

    /**
     * Records the call's duration and token usage. Lease records are skipped: the application makes that call itself,
     * and its own client instrumentation measures it.
     */
    @Override
    public void callEnded(CallRecord record) {
        try {
            Instruments in = instruments();
            if (in == null || record == null || LEASE.equals(record.operation())) {
                return;
            }
            AttributesBuilder common = Attributes.builder();
            putIfPresent(common, OPERATION, AttributeNames.operationName(record.operation()));
            putIfPresent(common, PROVIDER_NAME, AttributeNames.providerName(record.provider()));
            putIfPresent(common, REQUEST_MODEL, record.requestedModel());
            putIfPresent(common, RESPONSE_MODEL, record.model());
            Attributes base = common.build();
            Attributes duration = record.isSuccess()
                    ? base
                    : base.toBuilder().put(ERROR, callErrorType(record)).build();
            in.duration.record(Math.max(0.0, record.latencyMs()) / 1000.0, duration);
            if (record.timeToFirstChunkMs() != null) {
                in.timeToFirstChunk.record(Math.max(0.0, record.timeToFirstChunkMs()) / 1000.0, duration);
            }
            if (record.inputTokens() > 0) {
                in.tokens.record(
                        record.inputTokens(),
                        base.toBuilder().put(TOKEN_TYPE, TOKEN_TYPE_INPUT).build());
            }
            if (record.outputTokens() > 0) {
                in.tokens.record(
                        record.outputTokens(),
                        base.toBuilder().put(TOKEN_TYPE, TOKEN_TYPE_OUTPUT).build());
            }
        } catch (RuntimeException | LinkageError e) {
            hookFailed("callEnded", e);
        }
    }

    /** {@link MetricNames#callErrorType}. */
    static String callErrorType(CallRecord record) {
        return MetricNames.callErrorType(record);
    }

    private Instruments instruments() {
        Instruments in = instruments;
        if (in != null || !global || broken) {
            return in;
        }
        long now = System.nanoTime();
        if (now - nextGlobalCheck < 0) {
            return null;
        }
        nextGlobalCheck = now + recheckNanos;
        if (!GlobalOpenTelemetry.isSet()) {
            return null;
        }
        synchronized (this) {
            if (instruments == null && !broken) {
                try {
                    instruments = new Instruments(GlobalOpenTelemetry.get());
                } catch (RuntimeException | LinkageError e) {
                    broken = true; // e.g. an OpenTelemetry API too old for this module: no telemetry, no retries
                    hookFailed("bind to GlobalOpenTelemetry", e);
                }
            }
            return instruments;
        }
    }

    private static void putIfPresent(SpanBuilder builder, AttributeKey<String> key, String value) {
        if (value != null) {
            builder.setAttribute(key, value);
        }
    }

    private static void putIfPresent(AttributesBuilder builder, AttributeKey<String> key, String value) {
        if (value != null) {
            builder.put(key, value);
        }
    }

    static void hookFailed(String hook, Throwable e) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn(
                    "llm-rotate OpenTelemetry hook {} threw; the call goes on (further failures are logged at debug level)",
                    hook,
                    e);
        } else {
            LOG.debug("llm-rotate OpenTelemetry hook {} threw", hook, e);
        }
    }

    private static String moduleVersion() {
        try (InputStream in = OtelTelemetry.class.getResourceAsStream("llm-rotate-otel.properties")) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version");
            return version == null || version.isBlank() || version.startsWith("${") ? null : version.trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The tracer and instruments of one {@link OpenTelemetry}. */
    private static final class Instruments {
        final Tracer tracer;
        final LongCounter attempts;
        final LongCounter errors;
        final LongCounter rotations;
        final DoubleHistogram duration;
        final DoubleHistogram timeToFirstChunk;
        final LongHistogram tokens;

        Instruments(OpenTelemetry otel) {
            var tracerBuilder = otel.tracerBuilder(MetricNames.NAMESPACE);
            var meterBuilder = otel.meterBuilder(MetricNames.NAMESPACE);
            if (VERSION != null) {
                tracerBuilder = tracerBuilder.setInstrumentationVersion(VERSION);
                meterBuilder = meterBuilder.setInstrumentationVersion(VERSION);
            }
            tracer = tracerBuilder.build();
            Meter meter = meterBuilder.build();
            attempts = counter(meter, MetricNames.ATTEMPTS);
            errors = counter(meter, MetricNames.ERRORS);
            rotations = counter(meter, MetricNames.KEY_ROTATIONS);
            duration = histogram(meter, MetricNames.CLIENT_OPERATION_DURATION)
                    .setExplicitBucketBoundariesAdvice(MetricNames.DURATION_BUCKETS)
                    .build();
            timeToFirstChunk = histogram(meter, MetricNames.CLIENT_TIME_TO_FIRST_CHUNK)
                    .setExplicitBucketBoundariesAdvice(MetricNames.DURATION_BUCKETS)
                    .build();
            tokens = histogram(meter, MetricNames.CLIENT_TOKEN_USAGE)
                    .ofLongs()
                    .setExplicitBucketBoundariesAdvice(MetricNames.TOKEN_BUCKETS)
                    .build();
        }

        private static LongCounter counter(Meter meter, MetricNames.Metric metric) {
            return meter.counterBuilder(metric.name())
                    .setUnit(metric.unit())
                    .setDescription(metric.description())
                    .build();
        }

        private static DoubleHistogramBuilder histogram(Meter meter, MetricNames.Metric metric) {
            return meter.histogramBuilder(metric.name()).setUnit(metric.unit()).setDescription(metric.description());
        }
    }

    /** One attempt's span; ended once, by the first of {@link #succeeded} and {@link #failed}. */
    private static final class AttemptSpan implements Attempt {
        private final Instruments in;
        private final Span span;
        private final String provider;
        private final String model;
        private final AtomicBoolean ended = new AtomicBoolean();

        AttemptSpan(Instruments in, Span span, String provider, String model) {
            this.in = in;
            this.span = span;
            this.provider = provider;
            this.model = model;
        }

        @Override
        public void succeeded(String responseModel, Usage usage, FinishReason finishReason) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                if (responseModel != null) {
                    span.setAttribute(RESPONSE_MODEL, responseModel);
                }
                if (usage != null) {
                    span.setAttribute(INPUT_TOKENS, usage.inputTokens());
                    span.setAttribute(OUTPUT_TOKENS, usage.outputTokens());
                }
                if (finishReason != null) {
                    span.setAttribute(
                            FINISH_REASONS, List.of(finishReason.name().toLowerCase(Locale.ROOT)));
                }
                span.end();
                in.attempts.add(
                        1, metricAttributes().put(OUTCOME, CallRecord.SUCCESS).build());
            } catch (RuntimeException | LinkageError e) {
                hookFailed("Attempt.succeeded", e);
            }
        }

        @Override
        public void failed(ErrorType type, Integer httpStatus) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            try {
                String error = type == null ? ERROR_TYPE_OTHER : type.wireName();
                span.setAttribute(ERROR, error);
                if (httpStatus != null) {
                    span.setAttribute(HTTP_STATUS, httpStatus.longValue());
                }
                span.setStatus(StatusCode.ERROR, error);
                span.end();
                in.attempts.add(
                        1, metricAttributes().put(OUTCOME, CallRecord.ERROR).build());
                in.errors.add(1, metricAttributes().put(ERROR, error).build());
            } catch (RuntimeException | LinkageError e) {
                hookFailed("Attempt.failed", e);
            }
        }

        private AttributesBuilder metricAttributes() {
            AttributesBuilder attributes = Attributes.builder();
            putIfPresent(attributes, PROVIDER, provider);
            putIfPresent(attributes, REQUEST_MODEL, model);
            return attributes;
        }
    }
}

package dev.llmrotate.micrometer;

import static dev.llmrotate.observe.MetricNames.KEY_ID;
import static dev.llmrotate.observe.MetricNames.PROVIDER;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.MetricNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The per-key and per-provider gauges of one {@link LlmRotate}, as the control server's {@code /metrics} has them:
 * read from {@link LlmRotate#health()} when the registry reads them. One report serves every gauge read within
 * {@link #REPORT_TTL_NANOS}, so that a scrape reads one report, not one per gauge (a shared store answers health
 * over the network). The gauges are those of the configuration's active keys and their providers: a reload that
 * changes them is followed at the next call's end (or the next {@link #sync()}).
 */
final class HealthMeters {
    /** How long one health report answers the gauges: a scrape's span. */
    static final long REPORT_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** The tag key of the state set: the metric's own Prometheus name, as a Prometheus state set names it. */
    static final String STATE_TAG = MetricNames.KEY_STATE.prometheusName();

    private final MeterRegistry registry;
    private final LlmRotate lm;
    private final MicrometerTelemetry telemetry;

    /** The configuration the gauges follow, and its meters by key id (then provider id, prefixed). */
    private volatile LlmRotateConfig synced;

    private final Map<String, List<Meter>> meters = new HashMap<>();
    private volatile Memo memo;

    private record Memo(long readAtNanos, HealthReport report) {}

    HealthMeters(MeterRegistry registry, LlmRotate lm, MicrometerTelemetry telemetry) {
        this.registry = registry;
        this.lm = lm;
        this.telemetry = telemetry;
    }

    LlmRotate lm() {
        return lm;
    }

    /**
     * Registers the gauges of the configuration's keys and providers, and removes those of keys it no longer has. A
     * registry that refuses them is logged, not thrown.
     */
    synchronized void sync() {
        LlmRotateConfig config = lm.config();
        if (config == synced) {
            return;
        }
        Map<String, List<Meter>> wanted = new LinkedHashMap<>();
        for (KeySpec key : config.activeKeys()) {
            wanted.put(keyEntry(key), null);
            wanted.put(providerEntry(key.provider()), null);
        }
        meters.entrySet().removeIf(e -> {
            if (wanted.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
        try {
            for (KeySpec key : config.activeKeys()) {
                meters.computeIfAbsent(keyEntry(key), k -> keyGauges(key));
                meters.computeIfAbsent(providerEntry(key.provider()), p -> providerGauges(key.provider()));
            }
        } catch (RuntimeException | LinkageError e) {
            telemetry.hookFailed("health gauges", e); // and not again for this configuration: no retry per call
        }
        synced = config;
    }

    /** Syncs when the configuration in force is not the one the gauges follow (a cheap identity check). */
    void syncIfReloaded() {
        if (lm.config() != synced) {
            sync();
        }
    }

    /** One key's entry: its id with what its gauges depend on (provider, budgets), so a change re-registers them. */
    private static String keyEntry(KeySpec key) {
        return "key\u0000" + key.keyId() + '\u0000' + key.provider() + '\u0000' + (key.rateLimitRpm() != null)
                + '\u0000' + (key.rateLimitTpm() != null);
    }

    private static String providerEntry(String provider) {
        return "provider\u0000" + provider;
    }

    private List<Meter> keyGauges(KeySpec key) {
        String keyId = key.keyId();
        Tags tags = Tags.of(PROVIDER.prometheus(), key.provider(), KEY_ID.prometheus(), keyId);
        List<Meter> made = new ArrayList<>();
        for (KeyState state : KeyState.values()) {
            made.add(gauge(MetricNames.KEY_STATE, tags.and(STATE_TAG, state.name()), r -> {
                HealthReport.KeyReport k = r.key(keyId);
                return k == null ? Double.NaN : k.state() == state ? 1 : 0;
            }));
        }
        made.add(gauge(MetricNames.KEY_AVAILABLE_IN, tags, r -> {
            HealthReport.KeyReport k = r.key(keyId);
            return k == null ? Double.NaN : secondsUntil(r.generatedAt(), k.availableAt());
        }));
        if (key.rateLimitRpm() != null) {
            made.add(gauge(MetricNames.KEY_REQUESTS_REMAINING, tags, r -> {
                HealthReport.KeyReport k = r.key(keyId);
                Integer left = k == null ? null : k.budget().rpmRemaining();
                return left == null ? Double.NaN : left;
            }));
        }
        if (key.rateLimitTpm() != null) {
            made.add(gauge(MetricNames.KEY_TOKENS_REMAINING, tags, r -> {
                HealthReport.KeyReport k = r.key(keyId);
                Long left = k == null ? null : k.budget().tpmRemaining();
                return left == null ? Double.NaN : left;
            }));
        }
        return made;
    }

    private List<Meter> providerGauges(String provider) {
        return List.of(gauge(MetricNames.PROVIDER_AVAILABLE_KEYS, Tags.of(PROVIDER.prometheus(), provider), r -> {
            HealthReport.ProviderReport p = r.providers().get(provider);
            return p == null ? 0 : p.availableKeys();
        }));
    }

    /**
     * A gauge of {@code value} over the current report. The registry holds this object weakly (Micrometer's default):
     * the gauges read NaN once the {@code LlmRotate} and its telemetry are gone.
     */
    private Gauge gauge(MetricNames.Metric metric, Tags tags, ToDoubleFunction<HealthReport> value) {
        return Gauge.builder(metric.name(), this, m -> m.read(value))
                .description(metric.description())
                .baseUnit(metric.prometheusUnit())
                .tags(tags)
                .register(registry);
    }

    private double read(ToDoubleFunction<HealthReport> value) {
        try {
            HealthReport report = report();
            return report == null ? Double.NaN : value.applyAsDouble(report);
        } catch (RuntimeException e) {
            telemetry.hookFailed("health gauge", e);
            return Double.NaN;
        }
    }

    private HealthReport report() {
        long now = System.nanoTime();
        Memo m = memo;
        if (m == null || now - m.readAtNanos > REPORT_TTL_NANOS) {
            m = new Memo(now, Objects.requireNonNull(lm.health(), "health report"));
            memo = m;
        }
        return m.report;
    }

    /** 0 for a key usable now, the seconds to its return, +Inf for a key that never returns by itself. */
    static double secondsUntil(Instant now, Instant availableAt) {
        if (availableAt == null) {
            return Double.POSITIVE_INFINITY;
        }
        Duration wait = Duration.between(now, availableAt);
        return wait.isNegative() ? 0.0 : wait.getSeconds() + wait.getNano() / 1e9;
    }
}

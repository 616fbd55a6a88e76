package dev.llmrotate.server.metrics;

import static dev.llmrotate.observe.MetricNames.KEY_ID;
import static dev.llmrotate.observe.MetricNames.PROVIDER;

import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.MetricNames;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The per-key and per-provider gauges, read from one health report per scrape, so that they agree with each other
 * and with {@code /health} at that moment. Their labels are the configuration's provider ids and key ids.
 */
final class HealthGauges implements MultiCollector {
    /** The state names, indexed by ordinal: as {@code /health} writes them. */
    private static final String[] STATES = names();

    private final Supplier<HealthReport> health;
    private final Map<String, Labels> keyLabels = new ConcurrentHashMap<>();
    private final Map<String, Labels> providerLabels = new ConcurrentHashMap<>();

    HealthGauges(Supplier<HealthReport> health) {
        this.health = health;
    }

    private static String[] names() {
        KeyState[] states = KeyState.values();
        String[] names = new String[states.length];
        for (KeyState state : states) {
            names[state.ordinal()] = state.name();
        }
        return names;
    }

    @Override
    public MetricSnapshots collect() {
        HealthReport report = health.get();
        Instant now = report.generatedAt();
        StateSetSnapshot.Builder state = StateSetSnapshot.builder()
                .name(MetricNames.KEY_STATE.prometheusName())
                .help(MetricNames.KEY_STATE.description());
        GaugeSnapshot.Builder availableIn = gauge(MetricNames.KEY_AVAILABLE_IN).unit(Unit.SECONDS);
        GaugeSnapshot.Builder requestsLeft = gauge(MetricNames.KEY_REQUESTS_REMAINING);
        GaugeSnapshot.Builder tokensLeft = gauge(MetricNames.KEY_TOKENS_REMAINING);
        for (HealthReport.KeyReport key : report.keys()) {
            Labels labels = keyLabels(key.provider(), key.keyId());
            boolean[] in = new boolean[STATES.length];
            in[key.state().ordinal()] = true;
            state.dataPoint(new StateSetSnapshot.StateSetDataPointSnapshot(STATES, in, labels));
            availableIn.dataPoint(point(labels, secondsUntil(now, key.availableAt())));
            HealthReport.Budget budget = key.budget();
            if (budget.rpmRemaining() != null) {
                requestsLeft.dataPoint(point(labels, budget.rpmRemaining()));
            }
            if (budget.tpmRemaining() != null) {
                tokensLeft.dataPoint(point(labels, budget.tpmRemaining()));
            }
        }
        GaugeSnapshot.Builder availableKeys = gauge(MetricNames.PROVIDER_AVAILABLE_KEYS);
        report.providers()
                .forEach((provider, p) -> availableKeys.dataPoint(point(
                        providerLabels.computeIfAbsent(provider, name -> Labels.of(PROVIDER.prometheus(), name)),
                        p.availableKeys())));
        return new MetricSnapshots(List.of(
                state.build(), availableIn.build(), requestsLeft.build(), tokensLeft.build(), availableKeys.build()));
    }

    /**
     * A key's labels, made once: the library validates label names whenever it makes a label set, which would
     * otherwise be on every scrape. Bounded by the key ids the configurations have had.
     */
    private Labels keyLabels(String provider, String keyId) {
        Labels labels = keyLabels.get(keyId);
        if (labels == null || !provider.equals(labels.get(PROVIDER.prometheus()))) {
            labels = Labels.of(PROVIDER.prometheus(), provider, KEY_ID.prometheus(), keyId);
            keyLabels.put(keyId, labels);
        }
        return labels;
    }

    /** 0 for a key usable now, the seconds to its return, +Inf for a key that never returns by itself. */
    static double secondsUntil(Instant now, Instant availableAt) {
        if (availableAt == null) {
            return Double.POSITIVE_INFINITY;
        }
        Duration wait = Duration.between(now, availableAt);
        return wait.isNegative() ? 0.0 : wait.getSeconds() + wait.getNano() / 1e9;
    }

    private static GaugeSnapshot.Builder gauge(MetricNames.Metric metric) {
        return GaugeSnapshot.builder().name(metric.prometheusName()).help(metric.description());
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(labels)
                .value(value)
                .build();
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(
                MetricNames.KEY_STATE.prometheusName(),
                MetricNames.KEY_AVAILABLE_IN.prometheusName(),
                MetricNames.KEY_REQUESTS_REMAINING.prometheusName(),
                MetricNames.KEY_TOKENS_REMAINING.prometheusName(),
                MetricNames.PROVIDER_AVAILABLE_KEYS.prometheusName());
    }
}

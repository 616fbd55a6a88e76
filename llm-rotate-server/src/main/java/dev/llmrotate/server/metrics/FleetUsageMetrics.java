package dev.llmrotate.server.metrics;

import static dev.llmrotate.observe.MetricNames.ERROR_TYPE;
import static dev.llmrotate.observe.MetricNames.KEY_ID;
import static dev.llmrotate.observe.MetricNames.MODEL;
import static dev.llmrotate.observe.MetricNames.OUTCOME;
import static dev.llmrotate.observe.MetricNames.PROVIDER;
import static dev.llmrotate.observe.MetricNames.TOKEN_TYPE;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.observe.ModelLabels;
import dev.llmrotate.observe.UsageSummary;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The fleet's counters for a control server in standalone mode: an observer ({@code LlmRotate.observe}) makes no
 * calls, so instead of counting calls as they end it reads the usage counters that every process sharing the state
 * store keeps there ({@code lm.usageSummary()}), once per scrape, per key and per model. They only grow while the
 * store keeps them (a flushed Redis is a counter reset, which Prometheus' {@code rate()} handles). Every key and model
 * of the current configuration has its series (zero until used), others are left out, so the series are bounded by
 * the configuration; errors by type list the types that occurred.
 */
final class FleetUsageMetrics implements MultiCollector {
    static final String SUCCESS = "success";
    static final String FAILURE = "failure";

    private final Supplier<UsageSummary> usage;
    private final Supplier<LlmRotateConfig> config;

    FleetUsageMetrics(Supplier<UsageSummary> usage, Supplier<LlmRotateConfig> config) {
        this.usage = usage;
        this.config = config;
    }

    @Override
    public MetricSnapshots collect() {
        UsageSummary summary = usage.get();
        LlmRotateConfig current = config.get();
        List<CounterDataPointSnapshot> keyCalls = new ArrayList<>();
        List<CounterDataPointSnapshot> keyErrors = new ArrayList<>();
        List<CounterDataPointSnapshot> keyTokens = new ArrayList<>();
        List<CounterDataPointSnapshot> keyCost = new ArrayList<>();
        for (KeySpec key : current.keys()) {
            UsageSummary.Totals t = summary.byKey().getOrDefault(key.keyId(), UsageSummary.Totals.EMPTY);
            String[] slice = {PROVIDER.prometheus(), key.provider(), KEY_ID.prometheus(), key.keyId()};
            keyCalls.add(point(t.successes(), slice, OUTCOME.prometheus(), SUCCESS));
            keyCalls.add(point(t.failures(), slice, OUTCOME.prometheus(), FAILURE));
            new TreeMap<>(t.failuresByType())
                    .forEach((type, n) -> keyErrors.add(point(n, slice, ERROR_TYPE.prometheus(), type)));
            addTokens(keyTokens, t, slice);
            keyCost.add(point(t.costUsd(), slice));
        }

        List<CounterDataPointSnapshot> modelCalls = new ArrayList<>();
        List<CounterDataPointSnapshot> modelTokens = new ArrayList<>();
        List<CounterDataPointSnapshot> modelCost = new ArrayList<>();
        for (String model : new TreeSet<>(ModelLabels.modelsOf(current))) {
            UsageSummary.Totals t = summary.byModel().getOrDefault(model, UsageSummary.Totals.EMPTY);
            String[] slice = {MODEL.prometheus(), model};
            modelCalls.add(point(t.successes(), slice, OUTCOME.prometheus(), SUCCESS));
            modelCalls.add(point(t.failures(), slice, OUTCOME.prometheus(), FAILURE));
            addTokens(modelTokens, t, slice);
            modelCost.add(point(t.costUsd(), slice));
        }

        return new MetricSnapshots(List.of(
                CallMetrics.counter(MetricNames.FLEET_KEY_CALLS, keyCalls),
                CallMetrics.counter(MetricNames.FLEET_KEY_ERRORS, keyErrors),
                CallMetrics.counter(MetricNames.FLEET_KEY_TOKENS, keyTokens),
                CallMetrics.counter(MetricNames.FLEET_KEY_COST, keyCost),
                CallMetrics.counter(MetricNames.FLEET_MODEL_CALLS, modelCalls),
                CallMetrics.counter(MetricNames.FLEET_MODEL_TOKENS, modelTokens),
                CallMetrics.counter(MetricNames.FLEET_MODEL_COST, modelCost)));
    }

    private static void addTokens(List<CounterDataPointSnapshot> points, UsageSummary.Totals t, String[] slice) {
        points.add(point(t.inputTokens(), slice, TOKEN_TYPE.prometheus(), MetricNames.TOKEN_TYPE_INPUT));
        points.add(point(t.outputTokens(), slice, TOKEN_TYPE.prometheus(), MetricNames.TOKEN_TYPE_OUTPUT));
        points.add(point(t.cachedInputTokens(), slice, TOKEN_TYPE.prometheus(), MetricNames.TOKEN_TYPE_CACHED_INPUT));
        points.add(point(t.reasoningTokens(), slice, TOKEN_TYPE.prometheus(), MetricNames.TOKEN_TYPE_REASONING));
    }

    private static CounterDataPointSnapshot point(double value, String[] slice, String... more) {
        String[] names = new String[(slice.length + more.length) / 2];
        String[] values = new String[names.length];
        for (int i = 0; i < slice.length; i += 2) {
            names[i / 2] = slice[i];
            values[i / 2] = slice[i + 1];
        }
        for (int i = 0; i < more.length; i += 2) {
            names[(slice.length + i) / 2] = more[i];
            values[(slice.length + i) / 2] = more[i + 1];
        }
        return new CounterDataPointSnapshot(value, Labels.of(names, values), null, 0);
    }

    @Override
    public List<String> getPrometheusNames() {
        return List.of(
                CallMetrics.familyName(MetricNames.FLEET_KEY_CALLS),
                CallMetrics.familyName(MetricNames.FLEET_KEY_ERRORS),
                CallMetrics.familyName(MetricNames.FLEET_KEY_TOKENS),
                CallMetrics.familyName(MetricNames.FLEET_KEY_COST),
                CallMetrics.familyName(MetricNames.FLEET_MODEL_CALLS),
                CallMetrics.familyName(MetricNames.FLEET_MODEL_TOKENS),
                CallMetrics.familyName(MetricNames.FLEET_MODEL_COST));
    }
}

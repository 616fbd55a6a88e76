package dev.llmrotate.server.metrics;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.MetricNames;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code model} label of a record, bounded by the configuration: a model that a key lists is its own value; a
 * requested model that no key lists is {@code (unknown)}, as in the usage counters; an attempt's model outside the
 * configuration is {@code other}. So callers sending arbitrary model ids cannot grow the series. Calls are labelled
 * with the model asked for, not the one that answered: providers answer with dated ids ({@code
 * gpt-4o-mini-2024-07-18}) that no configuration lists.
 */
final class ModelLabels {
    private final Supplier<LlmRotateConfig> config;
    private volatile Known known;

    /** The models of one configuration, kept while that configuration is in force. */
    private record Known(LlmRotateConfig config, Set<String> models) {}

    ModelLabels(Supplier<LlmRotateConfig> config) {
        this.config = config;
    }

    /** The label of a call: the model asked for (the record's {@code requestedModel}). */
    String ofCall(CallRecord record) {
        String model = record.requestedModel();
        if (model == null) {
            return ""; // a lease of any model
        }
        return models().contains(model) ? model : CallRecord.UNKNOWN_MODEL;
    }

    /** The label of an attempt's model (the id sent to that provider). */
    String ofAttempt(String model) {
        if (model == null) {
            return "";
        }
        return models().contains(model) ? model : MetricNames.MODEL_OTHER;
    }

    private Set<String> models() {
        LlmRotateConfig current = config.get();
        Known k = known;
        if (k == null || k.config != current) {
            k = new Known(current, modelsOf(current));
            known = k; // two threads may both compute it after a reload: same result
        }
        return k.models;
    }

    /**
     * The models the configuration names: those its keys list (fallback targets and model routes must name models
     * that a key lists, or the configuration is refused), and {@code (unknown)}.
     */
    static Set<String> modelsOf(LlmRotateConfig config) {
        Set<String> models = new HashSet<>();
        for (KeySpec key : config.keys()) {
            models.addAll(key.models());
        }
        models.add(CallRecord.UNKNOWN_MODEL);
        return Set.copyOf(models);
    }
}

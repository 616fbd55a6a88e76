package dev.llmrotate.observe;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code model} label of a metric, bounded by the configuration, for every exporter (the control server's
 * {@code /metrics}, Micrometer): a model that a key lists is its own value; a requested model no key lists is
 * {@value CallRecord#UNKNOWN_MODEL}, as in the usage counters; an attempt's or a response's model outside the
 * configuration is {@value MetricNames#MODEL_OTHER}. So callers sending arbitrary model ids cannot grow the series.
 * Calls are labelled with the model asked for, not the one that answered: providers answer with dated ids
 * ({@code gpt-4o-mini-2024-07-18}) that no configuration lists. Thread-safe.
 */
public final class ModelLabels {
    private final Supplier<LlmRotateConfig> config;
    private volatile Known known;

    /** The models of one configuration, kept while that configuration is in force. */
    private record Known(LlmRotateConfig config, Set<String> models) {}

    /**
     * Labels bounded by the configuration {@code config} supplies at each use (so a reload is followed); while it
     * supplies null, no model is known and every model is outside.
     *
     * @param config the configuration in force, e.g. {@code lm::config}; called at each use, so keep it cheap
     */
    public ModelLabels(Supplier<LlmRotateConfig> config) {
        this.config = config;
    }

    /**
     * The label of a call: the model asked for ({@link CallRecord#requestedModel()}).
     *
     * @param requestedModel the record's requested model, or null
     * @return the model, {@value CallRecord#UNKNOWN_MODEL} when no key lists it, or empty for null (a lease of any
     *     model)
     */
    public String ofCall(String requestedModel) {
        if (requestedModel == null) {
            return "";
        }
        return models().contains(requestedModel) ? requestedModel : CallRecord.UNKNOWN_MODEL;
    }

    /**
     * The label of a model sent to a provider, or of the model that answered.
     *
     * @param model the attempt's or the response's model, or null
     * @return the model, {@value MetricNames#MODEL_OTHER} when no key lists it, or empty for null
     */
    public String ofAttempt(String model) {
        if (model == null) {
            return "";
        }
        return models().contains(model) ? model : MetricNames.MODEL_OTHER;
    }

    private Set<String> models() {
        LlmRotateConfig current = config.get();
        if (current == null) {
            return Set.of();
        }
        Known k = known;
        if (k == null || k.config != current) {
            k = new Known(current, modelsOf(current));
            known = k; // two threads may both compute it after a reload: same result
        }
        return k.models;
    }

    /**
     * Every model label the configuration allows besides {@value MetricNames#MODEL_OTHER}: the models its keys list
     * (fallback targets and model routes must name models that a key lists, or the configuration is refused), and
     * {@value CallRecord#UNKNOWN_MODEL}.
     *
     * @param config the configuration
     * @return the labels, immutable
     */
    public static Set<String> modelsOf(LlmRotateConfig config) {
        Set<String> models = new HashSet<>();
        for (KeySpec key : config.keys()) {
            models.addAll(key.models());
        }
        models.add(CallRecord.UNKNOWN_MODEL);
        return Set.copyOf(models);
    }
}

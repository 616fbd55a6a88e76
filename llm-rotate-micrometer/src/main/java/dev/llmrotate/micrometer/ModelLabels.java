package dev.llmrotate.micrometer;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.MetricNames;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The model tag values, bounded by the configuration as the control server's {@code /metrics} bounds them: a model
 * that a key lists is its own value; a requested model no key lists is {@value CallRecord#UNKNOWN_MODEL}; an
 * attempt's or a response's model outside the configuration is {@value MetricNames#MODEL_OTHER}. So callers sending
 * arbitrary model ids cannot grow the series. Until an {@code LlmRotate} is bound there is no configuration, and
 * every model is outside it.
 */
final class ModelLabels {
    private final Supplier<LlmRotateConfig> config;
    private volatile Known known;

    /** The models of one configuration, kept while that configuration is in force. */
    private record Known(LlmRotateConfig config, Set<String> models) {}

    /** @param config the configuration in force, or null while none is known */
    ModelLabels(Supplier<LlmRotateConfig> config) {
        this.config = config;
    }

    /** The tag of a call: the model asked for. */
    String ofCall(String requestedModel) {
        if (requestedModel == null) {
            return ""; // a lease of any model
        }
        return models().contains(requestedModel) ? requestedModel : CallRecord.UNKNOWN_MODEL;
    }

    /** The tag of a model sent to a provider, or of the model that answered. */
    String ofAttempt(String model) {
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

    /** The models the configuration's keys list (fallback targets and routes must name such models). */
    private static Set<String> modelsOf(LlmRotateConfig config) {
        Set<String> models = new HashSet<>();
        for (KeySpec key : config.keys()) {
            models.addAll(key.models());
        }
        return Set.copyOf(models);
    }
}

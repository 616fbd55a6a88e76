package dev.llmrotate.internal.route;

import dev.llmrotate.config.FallbackTarget;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** How a model served by several providers gets its native provider. */
public final class ModelRoutes {
    private ModelRoutes() {}

    /**
     * The one provider among {@code providers} that no other of them falls back to, or null when that does not
     * single one out. Example: a model served by openai and openrouter with {@code fallback_chains.openai:
     * [openrouter]} is native to openai.
     */
    public static String nativeProvider(Set<String> providers, Map<String, List<FallbackTarget>> chains) {
        return nativeProvider(providers, chains, null, List.of());
    }

    /**
     * As {@link #nativeProvider(Set, Map)}, where the model's own chain ({@code model_fallbacks.<model>}) counts
     * too: a provider that chain falls back to for the same model id is not the native one. Example: a model served
     * by openai and openrouter with {@code model_fallbacks.<model>: [{provider: openrouter}]} is native to openai.
     *
     * @param model the model id the providers serve
     * @param modelChain the model's {@code model_fallbacks} entry, or null
     */
    public static String nativeProvider(
            Set<String> providers,
            Map<String, List<FallbackTarget>> chains,
            String model,
            List<FallbackTarget> modelChain) {
        Set<String> remaining = new LinkedHashSet<>(providers);
        for (String source : providers) {
            for (FallbackTarget target : chains.getOrDefault(source, List.of())) {
                if (!target.provider().equals(source)) {
                    remaining.remove(target.provider());
                }
            }
        }
        if (modelChain != null) {
            for (FallbackTarget target : modelChain) {
                if (target.model() == null || target.model().equals(model)) {
                    remaining.remove(target.provider());
                }
            }
        }
        return remaining.size() == 1 ? remaining.iterator().next() : null;
    }
}

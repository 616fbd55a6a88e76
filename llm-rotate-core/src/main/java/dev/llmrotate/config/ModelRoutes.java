package dev.llmrotate.config;

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
        Set<String> remaining = new LinkedHashSet<>(providers);
        for (String source : providers) {
            for (FallbackTarget target : chains.getOrDefault(source, List.of())) {
                if (!target.provider().equals(source)) {
                    remaining.remove(target.provider());
                }
            }
        }
        return remaining.size() == 1 ? remaining.iterator().next() : null;
    }
}

package dev.llmrotate.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads configuration from YAML or JSON files and from the original's registry dictionary. */
public final class ConfigLoader {
    private ConfigLoader() {}

    public static LlmRotateConfig fromFile(Path path) {
        throw new UnsupportedOperationException("TODO(config loader) " + path);
    }

    public static LlmRotateConfig fromMap(Map<String, ?> registry) {
        throw new UnsupportedOperationException("TODO(config loader) " + registry.size());
    }

    public static LlmRotateConfig fromMap(Map<String, ?> registry, List<String> useKeys) {
        throw new UnsupportedOperationException("TODO(config loader) " + useKeys);
    }
}

package dev.llmrotate.spring.boot;

import dev.llmrotate.config.ConfigLoader;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The snake_case field names of the library's configuration schema and of the starter's own settings, so that a name
 * written in any of Spring's forms finds its field, even an environment variable's, which has lost its separators
 * ({@code LLMROTATE_DEFAULTS_MAXRETRIES}). A test checks the IDE metadata
 * ({@code META-INF/spring-configuration-metadata.json}) against them.
 */
final class ConfigMetadata {
    private static final Set<String> FIELD_NAMES = names();

    private ConfigMetadata() {}

    static Set<String> fieldNames() {
        return FIELD_NAMES;
    }

    private static Set<String> names() {
        Set<String> names = new LinkedHashSet<>(ConfigLoader.fieldNames());
        names.addAll(StarterSettings.OWN_FIELDS);
        names.addAll(StarterSettings.CONTROL_SERVER_FIELDS);
        names.addAll(StarterSettings.METRICS_FIELDS);
        return Set.copyOf(names);
    }
}

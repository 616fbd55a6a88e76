package dev.llmrotate.spring.boot;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The snake_case field names of the library's configuration schema and of the starter's own settings, so that a name
 * written in any of Spring's forms finds its field, even an environment variable's, which has lost its separators
 * ({@code LLMROTATE_DEFAULTS_MAXRETRIES}). A test checks it against the library's loader, and the IDE metadata
 * ({@code META-INF/spring-configuration-metadata.json}) against it.
 */
final class ConfigMetadata {
    private static final Set<String> FIELD_NAMES = names();

    private ConfigMetadata() {}

    static Set<String> fieldNames() {
        return FIELD_NAMES;
    }

    private static Set<String> names() {
        Set<String> names = new LinkedHashSet<>(StarterSettings.CONFIG_FIELDS);
        names.addAll(StarterSettings.OWN_FIELDS);
        names.addAll(StarterSettings.CONTROL_SERVER_FIELDS);
        names.addAll(StarterSettings.METRICS_FIELDS);
        names.addAll(List.of(
                // keys[]
                "key_id",
                "provider",
                "secret_ref",
                "models",
                "auth_method",
                "auth_config",
                "priority",
                "weight",
                "regions",
                "tags",
                "rate_limit_rpm",
                "rate_limit_tpm",
                "metadata",
                // providers.<name> and their models.<id>
                "base_url",
                "cooldown_seconds",
                "quarantine_seconds",
                "quota_quarantine_seconds",
                "max_retry_after_seconds",
                "connect_timeout_seconds",
                "request_timeout_seconds",
                "first_chunk_timeout_seconds",
                "stream_idle_timeout_seconds",
                "max_consecutive_failures",
                "recovery_probe_seconds",
                "stream_recovery",
                // defaults
                "selection_strategy",
                "max_retries",
                "backoff_base_seconds",
                "backoff_max_seconds",
                "call_deadline_seconds",
                "max_wait_for_key_seconds",
                "wait_before_fallback_seconds",
                // fallback entries, pricing, event buffer, state store
                "upstream",
                "model",
                "file",
                "input_per_million",
                "output_per_million",
                "cached_input_per_million",
                "capacity",
                "type",
                "url",
                "prefix",
                // model_capabilities.<id>
                "tools",
                "json_schema",
                "json_object",
                "reasoning",
                "images"));
        return Set.copyOf(names);
    }
}

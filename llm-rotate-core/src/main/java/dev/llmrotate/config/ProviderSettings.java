package dev.llmrotate.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of one provider: the built-in catalog's values with the configuration's {@code providers} overrides
 * merged over them, and per-model overrides ({@code providers.<name>.models.<id>}) that {@link #forModel} applies.
 *
 * @param name provider id, e.g. {@code openai}
 * @param baseUrl API base URL; override it for OpenAI-compatible servers and tests
 * @param cooldown how long a rate-limited (key, model) rests when the provider gave no {@code Retry-After} ({@code cooldown_seconds})
 * @param quarantine how long an auth-failed key rests ({@code quarantine_seconds}); also the cap of the growing probe interval after an outage
 * @param quotaQuarantine how long a key whose quota or billing is exhausted rests ({@code quota_quarantine_seconds})
 * @param maxConsecutiveFailures transient failures in a row that rest a (key, model) until its next probe
 * @param maxRetryAfter the longest {@code Retry-After} honoured for a rest ({@code max_retry_after_seconds})
 * @param connectTimeout TCP/TLS connect timeout ({@code connect_timeout_seconds})
 * @param requestTimeout the longest one plain attempt may take; for a stream, the longest wait for the response headers ({@code request_timeout_seconds})
 * @param firstChunkTimeout the longest a stream may take from sending the request to its first chunk with content ({@code first_chunk_timeout_seconds})
 * @param streamIdleTimeout the longest a started stream may go without content ({@code stream_idle_timeout_seconds})
 * @param recoveryProbe the first rest after {@code max_consecutive_failures} transient failures in a row, doubled after each failed probe up to {@code quarantine} ({@code recovery_probe_seconds})
 * @param streamRecovery whether a stream that broke after its first chunk is continued ({@code stream_recovery}, default off)
 * @param models per-model overrides ({@code models.<id>}), applied by {@link #forModel}
 */
public record ProviderSettings(
        String name,
        URI baseUrl,
        Duration cooldown,
        Duration quarantine,
        Duration quotaQuarantine,
        int maxConsecutiveFailures,
        Duration maxRetryAfter,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration firstChunkTimeout,
        Duration streamIdleTimeout,
        Duration recoveryProbe,
        StreamRecovery streamRecovery,
        Map<String, ModelSettings> models) {

    /**
     * Checks that every field is set (durations are checked for range when the configuration is built); copies the
     * per-model map, unmodifiable.
     *
     * @param name provider id, not null
     * @param baseUrl API base URL, not null
     * @param cooldown {@code cooldown_seconds}, not null
     * @param quarantine {@code quarantine_seconds}, not null
     * @param quotaQuarantine {@code quota_quarantine_seconds}, not null
     * @param maxConsecutiveFailures {@code max_consecutive_failures}
     * @param maxRetryAfter {@code max_retry_after_seconds}, not null
     * @param connectTimeout {@code connect_timeout_seconds}, not null
     * @param requestTimeout {@code request_timeout_seconds}, not null
     * @param firstChunkTimeout {@code first_chunk_timeout_seconds}, not null
     * @param streamIdleTimeout {@code stream_idle_timeout_seconds}, not null
     * @param recoveryProbe {@code recovery_probe_seconds}, not null
     * @param streamRecovery {@code stream_recovery}, not null
     * @param models per-model overrides, not null; empty for none
     */
    public ProviderSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseUrl, "base_url");
        Objects.requireNonNull(cooldown, "cooldown_seconds");
        Objects.requireNonNull(quarantine, "quarantine_seconds");
        Objects.requireNonNull(quotaQuarantine, "quota_quarantine_seconds");
        Objects.requireNonNull(maxRetryAfter, "max_retry_after_seconds");
        Objects.requireNonNull(connectTimeout, "connect_timeout_seconds");
        Objects.requireNonNull(requestTimeout, "request_timeout_seconds");
        Objects.requireNonNull(firstChunkTimeout, "first_chunk_timeout_seconds");
        Objects.requireNonNull(streamIdleTimeout, "stream_idle_timeout_seconds");
        Objects.requireNonNull(recoveryProbe, "recovery_probe_seconds");
        Objects.requireNonNull(streamRecovery, "stream_recovery");
        Objects.requireNonNull(models, "models");
        models = Map.copyOf(models);
    }

    /**
     * The settings for one model: this provider's, with the model's overrides from {@code models.<id>} applied (and
     * no per-model map of its own). This instance when the provider has no per-model overrides.
     *
     * @param model the model id, or null for the provider's own settings
     * @return the settings that apply to calls of {@code model}
     */
    public ProviderSettings forModel(String model) {
        ModelSettings overrides = model == null ? null : models.get(model);
        if (overrides == null) {
            return models.isEmpty() ? this : withModels(Map.of());
        }
        return overrides.applyTo(withModels(Map.of()));
    }

    /**
     * A copy with another API base URL ({@code base_url}).
     *
     * @param value an absolute http(s) URL
     * @return the copy
     */
    public ProviderSettings withBaseUrl(URI value) {
        return new ProviderSettings(
                name,
                value,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code cooldown_seconds}.
     *
     * @param value the rest after a rate limit, positive
     * @return the copy
     */
    public ProviderSettings withCooldown(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                value,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code quarantine_seconds}.
     *
     * @param value the rest after an auth or permission failure, positive
     * @return the copy
     */
    public ProviderSettings withQuarantine(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                value,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code quota_quarantine_seconds}.
     *
     * @param value the rest after quota or billing exhaustion, positive
     * @return the copy
     */
    public ProviderSettings withQuotaQuarantine(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                value,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code max_consecutive_failures}.
     *
     * @param value transient failures in a row, at least 1
     * @return the copy
     */
    public ProviderSettings withMaxConsecutiveFailures(int value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                value,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code max_retry_after_seconds}.
     *
     * @param value the cap on a {@code Retry-After}, positive
     * @return the copy
     */
    public ProviderSettings withMaxRetryAfter(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                value,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code connect_timeout_seconds}.
     *
     * @param value the connect timeout, positive
     * @return the copy
     */
    public ProviderSettings withConnectTimeout(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                value,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code request_timeout_seconds}.
     *
     * @param value the attempt timeout, positive
     * @return the copy
     */
    public ProviderSettings withRequestTimeout(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                value,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code first_chunk_timeout_seconds}.
     *
     * @param value the wait for a stream's first content, positive
     * @return the copy
     */
    public ProviderSettings withFirstChunkTimeout(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                value,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code stream_idle_timeout_seconds}.
     *
     * @param value the longest gap between contents, positive
     * @return the copy
     */
    public ProviderSettings withStreamIdleTimeout(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                value,
                recoveryProbe,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code recovery_probe_seconds}.
     *
     * @param value the first rest after a run of failures, positive
     * @return the copy
     */
    public ProviderSettings withRecoveryProbe(Duration value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                value,
                streamRecovery,
                models);
    }

    /**
     * A copy with another {@code stream_recovery}.
     *
     * @param value the recovery mode, not null
     * @return the copy
     */
    public ProviderSettings withStreamRecovery(StreamRecovery value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                value,
                models);
    }

    /**
     * A copy with other per-model overrides ({@code models.<id>}); each model must be listed by a key of the provider.
     *
     * @param value the overrides by model id, not null; empty for none
     * @return the copy
     */
    public ProviderSettings withModels(Map<String, ModelSettings> value) {
        return new ProviderSettings(
                name,
                baseUrl,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout,
                recoveryProbe,
                streamRecovery,
                value);
    }
}

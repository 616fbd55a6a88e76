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
     * no per-model map of its own). This instance when the model has none.
     */
    public ProviderSettings forModel(String model) {
        ModelSettings overrides = model == null ? null : models.get(model);
        if (overrides == null) {
            return models.isEmpty() ? this : withModels(Map.of());
        }
        return overrides.applyTo(withModels(Map.of()));
    }

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

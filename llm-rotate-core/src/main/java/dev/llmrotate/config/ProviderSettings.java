package dev.llmrotate.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one provider: the built-in catalog's values with the configuration's {@code providers} overrides
 * merged over them.
 *
 * @param name provider id, e.g. {@code openai}
 * @param baseUrl API base URL; override it for OpenAI-compatible servers and tests
 * @param cooldown how long a rate-limited key rests ({@code cooldown_seconds})
 * @param quarantine how long an auth-failed key rests ({@code quarantine_seconds})
 * @param quotaQuarantine how long a key whose quota or billing is exhausted rests ({@code quota_quarantine_seconds})
 * @param maxConsecutiveFailures failures in a row (of any kind) that quarantine a key
 * @param maxRetryAfter the longest {@code Retry-After} honoured for a cooldown ({@code max_retry_after_seconds})
 * @param connectTimeout TCP/TLS connect timeout ({@code connect_timeout_seconds})
 * @param requestTimeout the longest one attempt may take ({@code request_timeout_seconds})
 * @param firstChunkTimeout the longest a stream may take to deliver its first chunk
 *     ({@code first_chunk_timeout_seconds})
 * @param streamIdleTimeout the longest a started stream may stay silent ({@code stream_idle_timeout_seconds})
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
        Duration streamIdleTimeout) {

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
    }

    public ProviderSettings withBaseUrl(URI url) {
        return new ProviderSettings(
                name,
                url,
                cooldown,
                quarantine,
                quotaQuarantine,
                maxConsecutiveFailures,
                maxRetryAfter,
                connectTimeout,
                requestTimeout,
                firstChunkTimeout,
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                streamIdleTimeout);
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
                value);
    }
}

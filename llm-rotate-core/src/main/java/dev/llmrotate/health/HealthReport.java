package dev.llmrotate.health;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of every active key's health and of each provider's availability. Safe to show: keys appear as their
 * id and a mask of the secret, never the secret.
 *
 * @param generatedAt when the snapshot was taken
 * @param keys one entry per active key, in configuration order
 * @param providers availability per provider that has active keys
 */
public record HealthReport(Instant generatedAt, List<KeyReport> keys, Map<String, ProviderReport> providers) {

    public HealthReport {
        keys = List.copyOf(keys);
        providers = Map.copyOf(providers);
    }

    /**
     * One key.
     *
     * @param keyId the key's id
     * @param provider its provider
     * @param keyMask the masked secret ({@code sk-…9f2a}), or null when the secret cannot be resolved now
     * @param state the effective state now (a finished cooldown shows as PROBATION)
     * @param availableAt when the key can next be tried: now for a usable key, the rest's end, or null if DISABLED
     * @param consecutiveFailures failures since the last success
     * @param recentFailures failures in the current five-minute window
     * @param lastErrorType the latest failure's type ({@code rate_limit}, ...), or null
     * @param lastFailureAt when it happened, or null
     * @param lastSuccessAt the latest success, or null
     */
    public record KeyReport(
            String keyId,
            String provider,
            String keyMask,
            KeyState state,
            Instant availableAt,
            int consecutiveFailures,
            int recentFailures,
            String lastErrorType,
            Instant lastFailureAt,
            Instant lastSuccessAt) {}

    /**
     * One provider.
     *
     * @param availableKeys keys that can serve a call now
     * @param totalKeys active keys of the provider
     * @param earliestRetryAt when the next key comes back if none is available now, else null
     */
    public record ProviderReport(int availableKeys, int totalKeys, Instant earliestRetryAt) {}

    /** The report as JSON (snake_case fields, ISO-8601 times): the body of a {@code /health} endpoint. */
    public String toJson() {
        return dev.llmrotate.observe.ReportJson.write(this);
    }

    /** The report entry of a key, or null. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public KeyReport key(String keyId) {
        for (KeyReport key : keys) {
            if (key.keyId().equals(keyId)) {
                return key;
            }
        }
        return null;
    }
}

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
     * @param state the key-wide state now (auth, permission and quota faults; a finished rest shows as PROBATION)
     * @param availableAt when the key can next serve one of its models: now for a usable key, the end of its
     *     shortest rest, or null if it never will by itself (DISABLED)
     * @param consecutiveFailures key-wide failures since the last success
     * @param recentFailures key-wide failures in the current five-minute window
     * @param lastErrorType the latest key-wide failure's type ({@code invalid_auth}, ...), or null
     * @param lastFailureAt when it happened, or null
     * @param lastSuccessAt the latest success, or null
     * @param models per model the key lists: its own health for that model (rate limits, outages and unavailable
     *     models rest one model of a key while its other models serve)
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
            Instant lastSuccessAt,
            Map<String, ModelReport> models) {
        public KeyReport {
            models = models == null
                    ? Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        }
    }

    /**
     * One model of a key.
     *
     * @param state the (key, model) state now: COOLDOWN after a rate limit, an unavailable model or a run of
     *     failures, PROBATION once that rest is over, else ACTIVE
     * @param availableAt when the key can next serve this model (key-wide state and budgets included), or null if
     *     never by itself
     * @param consecutiveFailures failures of this model since its last success
     * @param recentFailures failures of this model in the current five-minute window
     * @param lastErrorType the latest failure's type on this model, or null
     * @param lastFailureAt when it happened, or null
     */
    public record ModelReport(
            KeyState state,
            Instant availableAt,
            int consecutiveFailures,
            int recentFailures,
            String lastErrorType,
            Instant lastFailureAt) {}

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
        return dev.llmrotate.internal.observe.ReportJson.write(this);
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

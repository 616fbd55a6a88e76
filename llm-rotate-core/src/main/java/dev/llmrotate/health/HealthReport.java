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

    /**
     * Copies the list and the map, unmodifiable.
     *
     * @param generatedAt when the snapshot was taken
     * @param keys one entry per active key, in configuration order
     * @param providers availability per provider that has active keys
     */
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
     * @param budget the key's rpm and tpm budgets and what is used of them; {@link Budget#NONE} for a key without
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
            Map<String, ModelReport> models,
            Budget budget) {
        /**
         * Copies the models, unmodifiable and in the given order; a null map becomes empty, a null budget
         * {@link Budget#NONE}.
         *
         * @param keyId the key's id
         * @param provider its provider
         * @param keyMask the masked secret, or null
         * @param state the key-wide state now
         * @param availableAt when the key can next serve one of its models, or null if never by itself
         * @param consecutiveFailures key-wide failures since the last success
         * @param recentFailures key-wide failures in the current five-minute window
         * @param lastErrorType the latest key-wide failure's type, or null
         * @param lastFailureAt when it happened, or null
         * @param lastSuccessAt the latest success, or null
         * @param models per model the key lists: its own health for that model; null for none
         * @param budget the key's rpm and tpm budgets, or null for none
         */
        public KeyReport {
            models = models == null
                    ? Map.of()
                    : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
            budget = budget == null ? Budget.NONE : budget;
        }
    }

    /**
     * A key's client-side rate budgets over the sliding minute ({@code rate_limit_rpm}, {@code rate_limit_tpm}).
     *
     * @param rpmLimit requests per minute allowed, or null when the key has no rpm limit
     * @param rpmUsed requests admitted in the last 60 s, or null without an rpm limit or when the state store cannot
     *     tell (a store that does not implement {@code StateStore.requestsInLastMinute})
     * @param tpmLimit tokens per minute allowed, or null when the key has no tpm limit
     * @param tpmUsed tokens used in the last 60 s, or null without a tpm limit
     */
    public record Budget(Integer rpmLimit, Integer rpmUsed, Long tpmLimit, Long tpmUsed) {
        /** No limits. */
        public static final Budget NONE = new Budget(null, null, null, null);

        /**
         * Requests the rpm budget admits now ({@code rpm_remaining} in JSON), or null when unknown or unlimited.
         *
         * @return the requests left this minute, at least 0, or null
         */
        @com.fasterxml.jackson.annotation.JsonProperty("rpm_remaining")
        public Integer rpmRemaining() {
            return rpmLimit == null || rpmUsed == null ? null : Math.max(0, rpmLimit - rpmUsed);
        }

        /**
         * Tokens left in the tpm budget ({@code tpm_remaining} in JSON), or null when unlimited.
         *
         * @return the tokens left this minute, at least 0, or null
         */
        @com.fasterxml.jackson.annotation.JsonProperty("tpm_remaining")
        public Long tpmRemaining() {
            return tpmLimit == null || tpmUsed == null ? null : Math.max(0L, tpmLimit - tpmUsed);
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

    /**
     * The report as JSON (snake_case fields, ISO-8601 times): the body of a {@code /health} endpoint.
     *
     * @return the JSON text
     */
    public String toJson() {
        return dev.llmrotate.internal.observe.ReportJson.write(this);
    }

    /**
     * The report entry of a key, or null.
     *
     * @param keyId the key's id, as in the configuration
     * @return the key's entry, or null when no active key has that id
     */
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

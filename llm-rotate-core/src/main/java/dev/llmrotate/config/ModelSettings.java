package dev.llmrotate.config;

import java.time.Duration;

/**
 * Overrides of a provider's settings for one model ({@code providers.<name>.models.<id>}); a null field keeps the
 * provider's value. Reasoning models, for example, get a longer {@code first_chunk_timeout_seconds}.
 *
 * @param cooldown {@code cooldown_seconds}
 * @param maxConsecutiveFailures {@code max_consecutive_failures}
 * @param requestTimeout {@code request_timeout_seconds}
 * @param firstChunkTimeout {@code first_chunk_timeout_seconds}
 * @param streamIdleTimeout {@code stream_idle_timeout_seconds}
 * @param recoveryProbe {@code recovery_probe_seconds}
 * @param streamRecovery {@code stream_recovery}
 */
public record ModelSettings(
        Duration cooldown,
        Integer maxConsecutiveFailures,
        Duration requestTimeout,
        Duration firstChunkTimeout,
        Duration streamIdleTimeout,
        Duration recoveryProbe,
        StreamRecovery streamRecovery) {

    /** No overrides. */
    public static final ModelSettings NONE = new ModelSettings(null, null, null, null, null, null, null);

    /**
     * {@code settings} with the non-null fields of this replaced.
     *
     * @param settings a provider's settings
     * @return the settings for the model
     */
    public ProviderSettings applyTo(ProviderSettings settings) {
        ProviderSettings s = settings;
        if (cooldown != null) {
            s = s.withCooldown(cooldown);
        }
        if (maxConsecutiveFailures != null) {
            s = s.withMaxConsecutiveFailures(maxConsecutiveFailures);
        }
        if (requestTimeout != null) {
            s = s.withRequestTimeout(requestTimeout);
        }
        if (firstChunkTimeout != null) {
            s = s.withFirstChunkTimeout(firstChunkTimeout);
        }
        if (streamIdleTimeout != null) {
            s = s.withStreamIdleTimeout(streamIdleTimeout);
        }
        if (recoveryProbe != null) {
            s = s.withRecoveryProbe(recoveryProbe);
        }
        if (streamRecovery != null) {
            s = s.withStreamRecovery(streamRecovery);
        }
        return s;
    }
}

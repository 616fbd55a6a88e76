package dev.llmrotate.config;

import java.util.Objects;

/**
 * One entry of a fallback chain.
 *
 * @param provider the provider to try next
 * @param upstream for a broker (OpenRouter), the backend it must route to; null lets the broker choose
 * @param model the model id to ask for on that provider; null keeps the requested id
 */
public record FallbackTarget(String provider, String upstream, String model) {
    /**
     * Checks that the provider is set; the rest is checked when the configuration is built.
     *
     * @param provider the provider to try next, not null
     * @param upstream the backend a broker must route to, or null
     * @param model the model id to ask for, or null for the requested id
     */
    public FallbackTarget {
        Objects.requireNonNull(provider, "provider");
    }

    /**
     * A target on {@code provider} for the requested model id, with no upstream.
     *
     * @param provider the provider to try next
     * @return the target
     */
    public static FallbackTarget to(String provider) {
        return new FallbackTarget(provider, null, null);
    }

    /**
     * A copy that pins a broker's backend (only a broker, {@code openrouter}, takes one).
     *
     * @param upstream the backend's provider id, e.g. {@code anthropic}, or null to let the broker choose
     * @return the copy
     */
    public FallbackTarget withUpstream(String upstream) {
        return new FallbackTarget(provider, upstream, model);
    }

    /**
     * A copy that asks for another model id on the target provider.
     *
     * @param model the model id there, which an active key of the provider must list; null keeps the requested id
     * @return the copy
     */
    public FallbackTarget withModel(String model) {
        return new FallbackTarget(provider, upstream, model);
    }
}

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
    public FallbackTarget {
        Objects.requireNonNull(provider, "provider");
    }

    public static FallbackTarget to(String provider) {
        return new FallbackTarget(provider, null, null);
    }

    public FallbackTarget withUpstream(String upstream) {
        return new FallbackTarget(provider, upstream, model);
    }

    public FallbackTarget withModel(String model) {
        return new FallbackTarget(provider, upstream, model);
    }
}

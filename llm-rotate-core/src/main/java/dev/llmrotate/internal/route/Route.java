package dev.llmrotate.internal.route;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.spi.HealthScope;
import java.util.List;
import java.util.Objects;

/**
 * One provider and model a call may be served by, with the keys that can serve it.
 *
 * @param provider the provider
 * @param model the model id to send to it ({@code *} for a lease of any model)
 * @param upstream for a broker, the backend to route to, or null
 * @param fallback false for the native provider, true for a fallback chain entry
 * @param keys the active keys of the provider that list the model, in configuration order
 * @param settings the provider's settings with the model's overrides applied
 * @param scope names the route for round-robin cursors ({@code provider|model}); computed once
 * @param modelScopes the health scope of each key of {@code keys} for this model (same order), or null for a lease
 *     of any model; computed once so that selection allocates nothing
 * @param capabilities what the model can take ({@link ModelCapabilities}); {@link ModelCapabilities#ALL} for a lease
 */
public record Route(
        String provider,
        String model,
        String upstream,
        boolean fallback,
        List<KeySpec> keys,
        ProviderSettings settings,
        String scope,
        List<String> modelScopes,
        int capabilities) {
    /** The model of a lease that takes any model of its provider. */
    public static final String ANY_MODEL = "*";

    public Route {
        keys = List.copyOf(keys);
        Objects.requireNonNull(settings, "settings");
        scope = provider + "|" + model;
        modelScopes = ANY_MODEL.equals(model)
                ? null
                : keys.stream().map(k -> HealthScope.of(k.keyId(), model)).toList();
    }

    public Route(
            String provider,
            String model,
            String upstream,
            boolean fallback,
            List<KeySpec> keys,
            ProviderSettings settings) {
        this(provider, model, upstream, fallback, keys, settings, ModelCapabilities.ALL);
    }

    public Route(
            String provider,
            String model,
            String upstream,
            boolean fallback,
            List<KeySpec> keys,
            ProviderSettings settings,
            int capabilities) {
        this(provider, model, upstream, fallback, keys, settings, null, null, capabilities);
    }

    /** The (key, model) health scope of the key at {@code index} of {@link #keys()}, or null for any model. */
    public String modelScope(int index) {
        return modelScopes == null ? null : modelScopes.get(index);
    }

    @Override
    public String toString() {
        return provider + (upstream == null ? "" : "/" + upstream) + ":" + model;
    }
}

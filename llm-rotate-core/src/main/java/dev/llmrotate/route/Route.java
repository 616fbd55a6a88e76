package dev.llmrotate.route;

import dev.llmrotate.config.KeySpec;
import java.util.List;

/**
 * One provider and model a call may be served by, with the keys that can serve it.
 *
 * @param provider the provider
 * @param model the model id to send to it
 * @param upstream for a broker, the backend to route to, or null
 * @param fallback false for the native provider, true for a fallback chain entry
 * @param keys the active keys of the provider that list the model, in configuration order
 * @param scope names the route for round-robin cursors ({@code provider|model}); computed once
 */
public record Route(
        String provider, String model, String upstream, boolean fallback, List<KeySpec> keys, String scope) {
    public Route {
        keys = List.copyOf(keys);
        scope = provider + "|" + model;
    }

    public Route(String provider, String model, String upstream, boolean fallback, List<KeySpec> keys) {
        this(provider, model, upstream, fallback, keys, null);
    }

    @Override
    public String toString() {
        return provider + (upstream == null ? "" : "/" + upstream) + ":" + model;
    }
}

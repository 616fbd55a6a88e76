package dev.llmrotate;

import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.internal.route.Route;
import java.util.List;

/** The routes a {@code generateContent} call may take: Google providers only. */
final class GoogleRoutes {
    private GoogleRoutes() {}

    /**
     * The Google routes of a plan. The native (or pinned) provider must be Google; fallback entries of other
     * providers are dropped.
     *
     * @throws ConfigurationException naming the provider when the model's own route is not a Google one
     */
    static List<Route> only(List<Route> routes) {
        Route own = routes.get(0);
        if (!isGoogle(own.provider())) {
            throw new ConfigurationException("generateContent is for " + ProviderCatalog.GOOGLE_AI_STUDIO + " and "
                    + ProviderCatalog.GOOGLE_VERTEX + " only; model '" + own.model() + "' goes to provider '"
                    + own.provider() + "' (use chat() there)");
        }
        return routes.stream().filter(r -> isGoogle(r.provider())).toList();
    }

    static boolean isGoogle(String provider) {
        return ProviderCatalog.GOOGLE_AI_STUDIO.equals(provider) || ProviderCatalog.GOOGLE_VERTEX.equals(provider);
    }
}

package dev.llmrotate.internal.route;

import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.UnknownModelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a requested model (and optional pinned provider) into the ordered routes a call walks: the native provider,
 * then the model's own chain ({@code model_fallbacks.<model>}) when it has one, else the native provider's chain
 * ({@code fallback_chains.<provider>}). Every route carries its provider's settings with the model's overrides. Built
 * once per configuration; immutable and cheap to query.
 */
public final class RoutePlanner {
    private final LlmRotateConfig config;
    /** provider -> model -> keys serving it. */
    private final Map<String, Map<String, List<KeySpec>>> keysByProviderModel = new LinkedHashMap<>();

    private final Map<String, String> nativeProviderByModel = new LinkedHashMap<>();
    private final Map<String, List<Route>> plans = new java.util.concurrent.ConcurrentHashMap<>();

    public RoutePlanner(LlmRotateConfig config) {
        this.config = config;
        Map<String, Set<String>> providersByModel = new LinkedHashMap<>();
        for (KeySpec key : config.activeKeys()) {
            for (String model : key.models()) {
                keysByProviderModel
                        .computeIfAbsent(key.provider(), p -> new LinkedHashMap<>())
                        .computeIfAbsent(model, m -> new ArrayList<>())
                        .add(key);
                providersByModel
                        .computeIfAbsent(model, m -> new LinkedHashSet<>())
                        .add(key.provider());
            }
        }
        providersByModel.forEach((model, providers) -> {
            String chosen = config.modelProviders().get(model);
            if (chosen == null) {
                chosen = providers.size() == 1
                        ? providers.iterator().next()
                        : ModelRoutes.nativeProvider(
                                providers,
                                config.fallbackChains(),
                                model,
                                config.modelFallbacks().get(model));
            }
            nativeProviderByModel.put(model, chosen);
        });
    }

    /**
     * The routes for a call, native first. A pinned provider gets only its own route.
     *
     * @throws UnknownModelException when no active key lists the model (none of the pinned provider's keys does)
     * @throws ConfigurationException when the pinned provider is not a provider's name
     */
    public List<Route> plan(String model, String pinnedProvider) {
        String cacheKey = pinnedProvider == null ? model : pinnedProvider + "\u0000" + model;
        List<Route> cached = plans.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        List<Route> routes = pinnedProvider == null ? planInferred(model) : planPinned(model, pinnedProvider);
        if (plans.size() < 10_000) { // callers may send arbitrary model ids; bound the cache
            plans.put(cacheKey, routes);
        }
        return routes;
    }

    private List<Route> planPinned(String model, String provider) {
        config.provider(provider); // unknown provider: ConfigurationException with a suggestion
        List<KeySpec> keys = keys(provider, model);
        if (keys.isEmpty()) {
            throw new UnknownModelException(
                    model,
                    provider,
                    keysByProviderModel.getOrDefault(provider, Map.of()).keySet());
        }
        return List.of(new Route(
                provider, model, null, false, keys, settings(provider, model), capabilities(provider, model)));
    }

    private List<Route> planInferred(String model) {
        String provider = nativeProviderByModel.get(model);
        if (provider == null) {
            throw new UnknownModelException(model, null, nativeProviderByModel.keySet());
        }
        List<Route> routes = new ArrayList<>();
        routes.add(new Route(
                provider,
                model,
                null,
                false,
                keys(provider, model),
                settings(provider, model),
                capabilities(provider, model)));
        List<FallbackTarget> chain = config.modelFallbacks().get(model);
        if (chain == null) {
            chain = config.fallbackChains().getOrDefault(provider, List.of());
        }
        for (FallbackTarget target : chain) {
            String targetModel = target.model() == null ? model : target.model();
            List<KeySpec> keys = keys(target.provider(), targetModel);
            if (!keys.isEmpty()) {
                routes.add(new Route(
                        target.provider(),
                        targetModel,
                        target.upstream(),
                        true,
                        keys,
                        settings(target.provider(), targetModel),
                        capabilities(target.provider(), targetModel)));
            }
        }
        return List.copyOf(routes);
    }

    private ProviderSettings settings(String provider, String model) {
        return config.provider(provider).forModel(model);
    }

    private int capabilities(String provider, String model) {
        return ModelCapabilities.of(provider, model, config.modelCapabilities().get(model));
    }

    private List<KeySpec> keys(String provider, String model) {
        return keysByProviderModel.getOrDefault(provider, Map.of()).getOrDefault(model, List.of());
    }

    /** Whether some active key lists {@code model}. */
    public boolean servesModel(String model) {
        return model != null && nativeProviderByModel.containsKey(model);
    }

    /** The active keys of one provider, in configuration order (for {@code acquire} without a model). */
    public List<KeySpec> keysOf(String provider) {
        List<KeySpec> keys = new ArrayList<>();
        for (KeySpec key : config.activeKeys()) {
            if (key.provider().equals(provider)) {
                keys.add(key);
            }
        }
        return keys;
    }
}

package dev.llmrotate;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.internal.route.Backoff;
import dev.llmrotate.internal.route.RoutePlanner;
import dev.llmrotate.internal.select.SelectionStrategy;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.StateStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/** Everything derived from one configuration; swapped as a whole on reload, so a call sees one consistent view. */
final class EngineState {
    final LlmRotateConfig config;
    final RoutePlanner planner;
    final SelectionStrategy strategy;
    final Backoff backoff;

    EngineState(
            LlmRotateConfig config, StateStore store, RandomGenerator random, Map<String, ProviderAdapter> adapters) {
        this.config = config;
        this.planner = new RoutePlanner(config);
        this.strategy = SelectionStrategy.of(config.defaults().selectionStrategy(), store, random);
        this.backoff =
                new Backoff(config.defaults().backoffBase(), config.defaults().backoffMax(), random);
        Set<String> missing = new LinkedHashSet<>();
        for (KeySpec key : config.activeKeys()) {
            if (!adapters.containsKey(key.provider())) {
                missing.add(key.provider());
            }
        }
        if (!missing.isEmpty()) {
            List<String> problems = new ArrayList<>();
            for (String provider : missing) {
                problems.add("keys: provider '" + provider + "' has no adapter in this build (available: "
                        + new java.util.TreeSet<>(adapters.keySet()) + ")");
            }
            throw new ConfigurationException(problems);
        }
    }

    /** The key ids and (key, model) health scopes of the active keys: the state a store keeps. */
    Set<String> healthScopes() {
        Set<String> scopes = new LinkedHashSet<>();
        for (KeySpec key : config.activeKeys()) {
            scopes.add(key.keyId());
            for (String model : key.models()) {
                scopes.add(dev.llmrotate.spi.HealthScope.of(key.keyId(), model));
            }
        }
        return scopes;
    }

    Set<String> activeKeyIds() {
        Set<String> ids = new LinkedHashSet<>();
        config.activeKeys().forEach(k -> ids.add(k.keyId()));
        return ids;
    }
}

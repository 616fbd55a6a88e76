package dev.llmrotate.config;

import dev.llmrotate.error.ConfigurationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A validated, immutable configuration: the key registry, provider settings merged over the built-in catalog (with
 * per-model overrides), defaults, priorities, fallback chains (per provider and per model) and model routes. Build
 * one with {@link #builder()} or load one with {@link ConfigLoader}; either way every problem is reported at once in
 * a {@link ConfigurationException}.
 *
 * <p>{@link #toString()} and every other rendering leave out secret references.
 */
public final class LlmRotateConfig {
    private final List<KeySpec> keys;
    private final List<String> useKeys;
    private final Map<String, ProviderSettings> providers;
    private final Defaults defaults;
    private final Map<String, Integer> priorities;
    private final Map<String, List<FallbackTarget>> fallbackChains;
    private final Map<String, List<FallbackTarget>> modelFallbacks;
    private final Map<String, String> modelProviders;
    private final Map<String, Map<ModelCapability, Boolean>> modelCapabilities;
    private final PricingSettings pricing;
    private final int eventBufferCapacity;
    private final StateStoreSettings stateStore;
    private final Map<String, Map<String, Object>> moduleBlocks;
    private final List<KeySpec> activeKeys;

    /**
     * The top-level blocks that belong to other modules than the library ({@code gateway:} and {@code server:}, read
     * by {@code llm-rotate-server}): the library accepts them, keeps them as read, and leaves checking what is inside
     * to their module, so that one file serves both and a library user loading it gets no unknown-field error.
     */
    public static final List<String> MODULE_BLOCKS = List.of("gateway", "server");

    private LlmRotateConfig(Builder b) {
        this.keys = List.copyOf(b.keys);
        this.useKeys = b.useKeys == null ? null : List.copyOf(b.useKeys);
        Map<String, ProviderSettings> merged = new LinkedHashMap<>();
        for (String name : ProviderCatalog.names()) {
            merged.put(name, ProviderCatalog.defaults(name));
        }
        b.providerOverrides.forEach((name, override) -> {
            if (ProviderCatalog.isKnown(name)) {
                merged.put(name, override.apply(merged.get(name)));
            }
        });
        this.providers = Collections.unmodifiableMap(merged);
        this.defaults = b.defaults;
        this.priorities = Collections.unmodifiableMap(new LinkedHashMap<>(b.priorities));
        Map<String, List<FallbackTarget>> chains = new LinkedHashMap<>();
        b.fallbackChains.forEach((provider, targets) -> chains.put(provider, List.copyOf(targets)));
        this.fallbackChains = Collections.unmodifiableMap(chains);
        Map<String, List<FallbackTarget>> perModel = new LinkedHashMap<>();
        b.modelFallbacks.forEach((model, targets) -> perModel.put(model, List.copyOf(targets)));
        this.modelFallbacks = Collections.unmodifiableMap(perModel);
        this.modelProviders = Collections.unmodifiableMap(new LinkedHashMap<>(b.modelProviders));
        Map<String, Map<ModelCapability, Boolean>> capabilities = new LinkedHashMap<>();
        b.modelCapabilities.forEach(
                (model, flags) -> capabilities.put(model, Collections.unmodifiableMap(new java.util.EnumMap<>(flags))));
        this.modelCapabilities = Collections.unmodifiableMap(capabilities);
        this.pricing = b.pricing;
        this.eventBufferCapacity = b.eventBufferCapacity;
        this.stateStore = b.stateStore;
        this.moduleBlocks = Collections.unmodifiableMap(new LinkedHashMap<>(b.moduleBlocks));
        this.activeKeys = computeActiveKeys();
    }

    private List<KeySpec> computeActiveKeys() {
        Set<String> wanted = useKeys == null ? null : new LinkedHashSet<>(useKeys);
        List<KeySpec> active = new ArrayList<>();
        for (KeySpec key : keys) {
            if (key.enabled() && (wanted == null || wanted.contains(key.keyId()))) {
                Integer priority = priorities.get(key.keyId());
                active.add(priority == null ? key : key.withPriority(priority));
            }
        }
        return List.copyOf(active);
    }

    /**
     * A builder with the built-in defaults, in-memory state, no keys and no fallback chains.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads and validates a YAML or JSON file (see {@link ConfigLoader}).
     *
     * @param path the file
     * @return the configuration
     * @throws ConfigurationException listing every problem, each with its path in the file
     */
    public static LlmRotateConfig fromFile(Path path) {
        return ConfigLoader.fromFile(path);
    }

    /**
     * Loads and validates the original's registry dictionary plus {@code use_keys}.
     *
     * @param registry the configuration as plain maps, lists and scalars, with the file's field names
     * @return the configuration
     * @throws ConfigurationException listing every problem, each with its path
     */
    public static LlmRotateConfig fromMap(Map<String, ?> registry) {
        return ConfigLoader.fromMap(registry);
    }

    /**
     * Every key of the registry, active or not.
     *
     * @return the keys in configuration order, unmodifiable
     */
    public List<KeySpec> keys() {
        return keys;
    }

    /**
     * The {@code use_keys} list, or null when every enabled key is used.
     *
     * @return the key ids, unmodifiable, or null
     */
    public List<String> useKeys() {
        return useKeys;
    }

    /**
     * The keys in the pool: enabled, named by {@code use_keys} (if given), with {@code priorities} applied.
     *
     * @return the active keys in configuration order, unmodifiable; never empty
     */
    public List<KeySpec> activeKeys() {
        return activeKeys;
    }

    /**
     * Settings of all seven providers, overrides merged over the catalog.
     *
     * @return the settings by provider id, unmodifiable
     */
    public Map<String, ProviderSettings> providers() {
        return providers;
    }

    /**
     * The settings of one provider, overrides merged over the catalog.
     *
     * @param name the provider id, e.g. {@code openai}
     * @return the provider's settings (per-model overrides in {@link ProviderSettings#models()})
     * @throws ConfigurationException for an unknown provider id, with a "did you mean" hint
     */
    public ProviderSettings provider(String name) {
        ProviderSettings settings = providers.get(name);
        if (settings == null) {
            throw new ConfigurationException(
                    "unknown provider '" + name + "'" + Suggestions.didYouMean(name, ProviderCatalog.names()));
        }
        return settings;
    }

    /**
     * The {@code defaults} block.
     *
     * @return the defaults, {@link Defaults#BUILT_IN} where not configured
     */
    public Defaults defaults() {
        return defaults;
    }

    /**
     * Priority overrides by key id ({@code priorities}), already applied to {@link #activeKeys()}.
     *
     * @return the priorities, unmodifiable; empty when none are set
     */
    public Map<String, Integer> priorities() {
        return priorities;
    }

    /**
     * Fallback chains per provider ({@code fallback_chains}), walked when the provider is exhausted for a model
     * without a {@link #modelFallbacks()} entry.
     *
     * @return the chains by provider id, in order, unmodifiable
     */
    public Map<String, List<FallbackTarget>> fallbackChains() {
        return fallbackChains;
    }

    /**
     * Fallback chains per requested model ({@code model_fallbacks}), taking precedence over the native provider's
     * {@code fallback_chains} entry for that model.
     *
     * @return the chains by model id, in order, unmodifiable; an empty chain means no fallback for that model
     */
    public Map<String, List<FallbackTarget>> modelFallbacks() {
        return modelFallbacks;
    }

    /**
     * Explicit model to provider routes ({@code model_providers}) for models several providers serve.
     *
     * @return the native provider by model id, unmodifiable
     */
    public Map<String, String> modelProviders() {
        return modelProviders;
    }

    /**
     * Capabilities set per model id ({@code model_capabilities}), over the built-in table of model families; a
     * capability a model's entry does not name comes from the table (and is assumed when the table does not know the
     * model).
     *
     * @return the capabilities set by model id, unmodifiable
     */
    public Map<String, Map<ModelCapability, Boolean>> modelCapabilities() {
        return modelCapabilities;
    }

    /**
     * The {@code pricing} block (price file and single prices over the built-in table).
     *
     * @return the pricing settings, {@link PricingSettings#NONE} when not configured
     */
    public PricingSettings pricing() {
        return pricing;
    }

    /**
     * The {@code event_buffer} capacity, or 0 when the buffer is off (the default).
     *
     * @return the number of call records kept in memory
     */
    public int eventBufferCapacity() {
        return eventBufferCapacity;
    }

    /**
     * The {@code state_store} block (default: in memory). Read when an {@code LlmRotate} is built without an explicit
     * store; a reload does not change the store of a running instance.
     *
     * @return the state store settings
     */
    public StateStoreSettings stateStore() {
        return stateStore;
    }

    /**
     * One of the {@link #MODULE_BLOCKS} as read from the file: maps, lists, strings, numbers and booleans, unchecked
     * by the library; an empty map when the configuration has none.
     *
     * @param name {@code gateway} or {@code server}
     * @return the block's contents
     * @throws IllegalArgumentException for a name not in {@link #MODULE_BLOCKS}
     */
    public Map<String, Object> moduleBlock(String name) {
        if (!MODULE_BLOCKS.contains(name)) {
            throw new IllegalArgumentException("no module block '" + name + "'; the blocks are " + MODULE_BLOCKS);
        }
        return moduleBlocks.getOrDefault(name, Map.of());
    }

    /**
     * A builder holding this configuration's content, to derive a changed copy (for {@code reloadConfig}).
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.keys.addAll(keys);
        b.useKeys = useKeys == null ? null : new ArrayList<>(useKeys);
        providers.forEach((name, settings) -> b.providerOverrides.put(name, ignored -> settings));
        b.defaults = defaults;
        b.priorities.putAll(priorities);
        fallbackChains.forEach((p, targets) -> b.fallbackChains.put(p, new ArrayList<>(targets)));
        modelFallbacks.forEach((m, targets) -> b.modelFallbacks.put(m, new ArrayList<>(targets)));
        b.modelProviders.putAll(modelProviders);
        modelCapabilities.forEach((m, flags) -> b.modelCapabilities.put(m, new java.util.EnumMap<>(flags)));
        b.pricing = pricing;
        b.eventBufferCapacity = eventBufferCapacity;
        b.stateStore = stateStore;
        b.moduleBlocks.putAll(moduleBlocks);
        return b;
    }

    /**
     * Equal when every configured value is (keys, use_keys, merged providers with their per-model settings, defaults,
     * priorities, fallback chains of providers and of models, model routes, model capabilities, pricing, event
     * buffer, state store).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof LlmRotateConfig other
                && keys.equals(other.keys)
                && Objects.equals(useKeys, other.useKeys)
                && providers.equals(other.providers)
                && defaults.equals(other.defaults)
                && priorities.equals(other.priorities)
                && fallbackChains.equals(other.fallbackChains)
                && modelFallbacks.equals(other.modelFallbacks)
                && modelProviders.equals(other.modelProviders)
                && modelCapabilities.equals(other.modelCapabilities)
                && pricing.equals(other.pricing)
                && eventBufferCapacity == other.eventBufferCapacity
                && stateStore.equals(other.stateStore)
                && moduleBlocks.equals(other.moduleBlocks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                keys,
                useKeys,
                providers,
                defaults,
                priorities,
                fallbackChains,
                modelFallbacks,
                modelProviders,
                modelCapabilities,
                pricing,
                eventBufferCapacity,
                stateStore,
                moduleBlocks);
    }

    @Override
    public String toString() {
        List<String> ids = new ArrayList<>();
        for (KeySpec key : activeKeys) {
            ids.add(key.keyId() + "(" + key.provider() + ")");
        }
        return "LlmRotateConfig[activeKeys=" + ids + ", strategy="
                + defaults.selectionStrategy().wireName() + ", fallbackChains=" + fallbackChains + ", modelFallbacks="
                + modelFallbacks + "]";
    }

    /** Builds a validated {@link LlmRotateConfig}. */
    public static final class Builder {
        final List<KeySpec> keys = new ArrayList<>();
        List<String> useKeys;
        final Map<String, UnaryOperator<ProviderSettings>> providerOverrides = new LinkedHashMap<>();
        Defaults defaults = Defaults.BUILT_IN;
        final Map<String, Integer> priorities = new LinkedHashMap<>();
        final Map<String, List<FallbackTarget>> fallbackChains = new LinkedHashMap<>();
        final Map<String, List<FallbackTarget>> modelFallbacks = new LinkedHashMap<>();
        final Map<String, String> modelProviders = new LinkedHashMap<>();
        final Map<String, Map<ModelCapability, Boolean>> modelCapabilities = new LinkedHashMap<>();
        PricingSettings pricing = PricingSettings.NONE;
        int eventBufferCapacity;
        StateStoreSettings stateStore = StateStoreSettings.IN_MEMORY;
        final Map<String, Map<String, Object>> moduleBlocks = new LinkedHashMap<>();

        // Keys ConfigLoader left out because of problems it has already reported. The validator does not report
        // what only follows from their absence (use_keys naming one, "no key is active", a chain target without
        // an active key), so each mistake is reported once.
        private final Set<String> omittedKeyIds = new HashSet<>();
        private final Set<String> omittedKeyProviders = new HashSet<>();
        private boolean keysOmitted;
        private boolean omittedKeyWithoutId;
        private boolean omittedKeyWithoutProvider;

        private Builder() {}

        /** Records a key entry left out by the loader; null when its key_id or provider could not be read. */
        void omitKey(String keyId, String provider) {
            keysOmitted = true;
            if (keyId == null) {
                omittedKeyWithoutId = true;
            } else {
                omittedKeyIds.add(keyId);
            }
            if (provider == null) {
                omittedKeyWithoutProvider = true;
            } else {
                omittedKeyProviders.add(provider);
            }
        }

        /** Records that the loader could not read the key list at all. */
        void omitKeys() {
            omitKey(null, null);
        }

        boolean keysOmitted() {
            return keysOmitted;
        }

        boolean mayBeOmittedKey(String keyId) {
            return omittedKeyWithoutId || omittedKeyIds.contains(keyId);
        }

        boolean mayBeOmittedProvider(String provider) {
            return omittedKeyWithoutProvider || omittedKeyProviders.contains(provider);
        }

        /**
         * Adds a key after those added so far.
         *
         * @param key the key
         * @return this
         */
        public Builder key(KeySpec key) {
            keys.add(key);
            return this;
        }

        /**
         * Adds keys after those added so far.
         *
         * @param specs the keys, in order
         * @return this
         */
        public Builder keys(List<KeySpec> specs) {
            keys.addAll(specs);
            return this;
        }

        /**
         * Only these key ids are used; without it every enabled key is.
         *
         * @param ids ids of configured keys, each once; replaces an earlier list
         * @return this
         */
        public Builder useKeys(List<String> ids) {
            this.useKeys = new ArrayList<>(ids);
            return this;
        }

        /**
         * Only these key ids are used; without it every enabled key is.
         *
         * @param ids ids of configured keys, each once; replaces an earlier list
         * @return this
         */
        public Builder useKeys(String... ids) {
            return useKeys(List.of(ids));
        }

        /**
         * Changes a provider's settings; applied over the catalog's (and any earlier override's) values.
         *
         * @param name the provider id, e.g. {@code openai}
         * @param override a function from the settings so far to the new ones, e.g. {@code s ->
         *     s.withCooldown(Duration.ofSeconds(10))}
         * @return this
         */
        public Builder provider(String name, UnaryOperator<ProviderSettings> override) {
            UnaryOperator<ProviderSettings> earlier = providerOverrides.get(name);
            providerOverrides.put(name, earlier == null ? override : s -> override.apply(earlier.apply(s)));
            return this;
        }

        /**
         * Changes the {@code defaults} block; applied over the built-in (or earlier changed) values at once.
         *
         * @param change a function from the defaults so far to the new ones, e.g. {@code d -> d.withMaxRetries(3)}
         * @return this
         */
        public Builder defaults(UnaryOperator<Defaults> change) {
            this.defaults = change.apply(defaults);
            return this;
        }

        /**
         * The key selection strategy ({@code defaults.selection_strategy}; default {@code health_aware}).
         *
         * @param strategy the strategy, not null
         * @return this
         */
        public Builder strategy(SelectionStrategyType strategy) {
            return defaults(d -> d.withSelectionStrategy(strategy));
        }

        /**
         * Overrides one key's priority ({@code priorities}); higher comes first.
         *
         * @param keyId the id of a configured key
         * @param priority the priority
         * @return this
         */
        public Builder priority(String keyId, int priority) {
            priorities.put(keyId, priority);
            return this;
        }

        /**
         * The fallback chain of a provider ({@code fallback_chains}), tried in order when it is exhausted; replaces
         * an earlier chain of that provider.
         *
         * @param provider the provider id
         * @param targets the targets in order, each with an active key, none back at {@code provider}
         * @return this
         */
        public Builder fallbackChain(String provider, FallbackTarget... targets) {
            fallbackChains.put(provider, new ArrayList<>(List.of(targets)));
            return this;
        }

        /**
         * The fallback chain of one requested model, taking precedence over its provider's chain.
         *
         * @param model a model an active key lists
         * @param targets the targets in order; none for no fallback at all for that model
         * @return this
         */
        public Builder modelFallback(String model, FallbackTarget... targets) {
            modelFallbacks.put(model, new ArrayList<>(List.of(targets)));
            return this;
        }

        /**
         * The native provider of a model several providers serve ({@code model_providers}).
         *
         * @param model the model id
         * @param provider the provider id; one of its active keys must list the model
         * @return this
         */
        public Builder modelProvider(String model, String provider) {
            modelProviders.put(model, provider);
            return this;
        }

        /**
         * Says whether {@code model} has {@code capability} ({@code model_capabilities}), over the built-in table: a
         * call that uses a capability skips the routes whose model lacks it.
         *
         * @param model a model an active key lists, not null
         * @param capability the capability, not null
         * @param supported whether the model has it
         * @return this
         */
        public Builder modelCapability(String model, ModelCapability capability, boolean supported) {
            modelCapabilities
                    .computeIfAbsent(
                            Objects.requireNonNull(model, "model"), m -> new java.util.EnumMap<>(ModelCapability.class))
                    .put(Objects.requireNonNull(capability, "capability"), supported);
            return this;
        }

        /**
         * Sets one of the {@link #MODULE_BLOCKS} (as a file would: plain maps, lists and scalars), for the module that
         * reads it.
         *
         * @param name {@code gateway} or {@code server}
         * @param contents the block, not null; copied (its top level only)
         * @return this
         * @throws IllegalArgumentException for a name not in {@link #MODULE_BLOCKS}
         */
        public Builder moduleBlock(String name, Map<String, ?> contents) {
            if (!MODULE_BLOCKS.contains(name)) {
                throw new IllegalArgumentException("no module block '" + name + "'; the blocks are " + MODULE_BLOCKS);
            }
            moduleBlocks.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(contents))));
            return this;
        }

        /**
         * Prices over the built-in table: a LiteLLM-format file (or null) and single prices.
         *
         * @param value the pricing settings, not null
         * @return this
         */
        public Builder pricing(PricingSettings value) {
            this.pricing = Objects.requireNonNull(value, "pricing");
            return this;
        }

        /**
         * Keeps the most recent {@code capacity} call records in memory; 0 (the default) keeps none.
         *
         * @param capacity 0 to 200,000 records
         * @return this
         */
        public Builder eventBuffer(int capacity) {
            this.eventBufferCapacity = capacity;
            return this;
        }

        /**
         * Where health, budgets and usage live (the {@code state_store} block); default in memory.
         *
         * @param value the state store settings, not null
         * @return this
         */
        public Builder stateStore(StateStoreSettings value) {
            this.stateStore = Objects.requireNonNull(value, "stateStore");
            return this;
        }

        /**
         * Validates and builds; throws {@link ConfigurationException} listing every problem.
         *
         * @return the configuration
         */
        public LlmRotateConfig build() {
            return buildCollecting(List.of());
        }

        /** Builds after problems found earlier (by {@link ConfigLoader}) so that all are reported together. */
        LlmRotateConfig buildCollecting(List<String> earlierProblems) {
            List<String> problems = new ArrayList<>(earlierProblems);
            problems.addAll(ConfigValidator.validate(this));
            if (!problems.isEmpty()) {
                throw new ConfigurationException(problems);
            }
            return new LlmRotateConfig(this);
        }
    }
}

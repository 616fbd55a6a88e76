package dev.llmrotate.config;

import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.internal.observe.EventBuffer;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Walks a configuration document (plain maps, lists and scalars) field by field into an
 * {@link LlmRotateConfig.Builder}, recording every structural problem with its path, then builds so that the
 * semantic checks of {@link ConfigValidator} are reported in the same {@link ConfigurationException}.
 */
final class RegistryReader {
    static final List<String> TOP_LEVEL_FIELDS = List.of(
            "keys",
            "providers",
            "defaults",
            "use_keys",
            "priorities",
            "fallback_chains",
            "model_fallbacks",
            "model_providers",
            "model_capabilities",
            "pricing",
            "event_buffer",
            "state_store",
            "gateway",
            "server");
    static final List<String> PRICING_FIELDS = List.of("file", "models");
    static final List<String> PRICE_FIELDS =
            List.of("model", "provider", "input_per_million", "output_per_million", "cached_input_per_million");
    static final List<String> EVENT_BUFFER_FIELDS = List.of("enabled", "capacity");
    static final List<String> STATE_STORE_FIELDS = List.of("type", "url", "prefix");
    static final List<String> KEY_FIELDS = List.of(
            "key_id",
            "provider",
            "secret_ref",
            "models",
            "auth_method",
            "auth_config",
            "priority",
            "weight",
            "regions",
            "tags",
            "rate_limit_rpm",
            "rate_limit_tpm",
            "enabled",
            "metadata");
    static final List<String> DEFAULTS_FIELDS = List.of(
            "selection_strategy",
            "max_retries",
            "backoff_base_seconds",
            "backoff_max_seconds",
            "call_deadline_seconds",
            "max_wait_for_key_seconds",
            "wait_before_fallback_seconds");
    static final List<String> CHAIN_ENTRY_FIELDS = List.of("provider", "upstream", "model");
    /** The fields of a per-model block ({@code providers.<name>.models.<id>}). */
    static final List<String> MODEL_FIELDS = List.of(
            "cooldown_seconds",
            "max_consecutive_failures",
            "request_timeout_seconds",
            "first_chunk_timeout_seconds",
            "stream_idle_timeout_seconds",
            "recovery_probe_seconds",
            "stream_recovery");

    private static final Map<String, BiFunction<ProviderSettings, Duration, ProviderSettings>> PROVIDER_DURATIONS =
            providerDurations();
    static final List<String> PROVIDER_FIELDS = providerFields();

    private final List<String> problems = new ArrayList<>();
    private final Values values;
    private final LlmRotateConfig.Builder builder = LlmRotateConfig.builder();

    private final java.nio.file.Path baseDir;

    private RegistryReader(java.nio.file.Path baseDir, boolean textScalars) {
        this.baseDir = baseDir;
        this.values = new Values(problems, textScalars);
    }

    /** Every field name of the schema, at any depth. */
    static Set<String> allFieldNames() {
        Set<String> names = new LinkedHashSet<>();
        for (List<String> fields : List.of(
                TOP_LEVEL_FIELDS,
                PRICING_FIELDS,
                PRICE_FIELDS,
                EVENT_BUFFER_FIELDS,
                STATE_STORE_FIELDS,
                KEY_FIELDS,
                DEFAULTS_FIELDS,
                CHAIN_ENTRY_FIELDS,
                MODEL_FIELDS,
                PROVIDER_FIELDS)) {
            names.addAll(fields);
        }
        for (ModelCapability capability : ModelCapability.values()) {
            names.add(capability.wireName());
        }
        return Collections.unmodifiableSet(names);
    }

    private static Map<String, BiFunction<ProviderSettings, Duration, ProviderSettings>> providerDurations() {
        Map<String, BiFunction<ProviderSettings, Duration, ProviderSettings>> m = new LinkedHashMap<>();
        m.put("cooldown_seconds", ProviderSettings::withCooldown);
        m.put("quarantine_seconds", ProviderSettings::withQuarantine);
        m.put("quota_quarantine_seconds", ProviderSettings::withQuotaQuarantine);
        m.put("max_retry_after_seconds", ProviderSettings::withMaxRetryAfter);
        m.put("connect_timeout_seconds", ProviderSettings::withConnectTimeout);
        m.put("request_timeout_seconds", ProviderSettings::withRequestTimeout);
        m.put("first_chunk_timeout_seconds", ProviderSettings::withFirstChunkTimeout);
        m.put("stream_idle_timeout_seconds", ProviderSettings::withStreamIdleTimeout);
        m.put("recovery_probe_seconds", ProviderSettings::withRecoveryProbe);
        return m;
    }

    private static List<String> providerFields() {
        List<String> fields = new ArrayList<>();
        fields.add("base_url");
        fields.addAll(PROVIDER_DURATIONS.keySet());
        fields.add("max_consecutive_failures");
        fields.add("stream_recovery");
        fields.add("models");
        return List.copyOf(fields);
    }

    /**
     * Reads and validates a document.
     *
     * @param document the parsed document; must be a map
     * @param source how the document is named in a message about the document as a whole (a file path, "registry")
     * @param useKeys when not null, replaces the document's {@code use_keys}
     */
    static LlmRotateConfig read(Object document, String source, List<String> useKeys) {
        return read(document, source, useKeys, null);
    }

    /** Reads a document; relative paths in it (the price file) resolve against {@code baseDir} when given. */
    static LlmRotateConfig read(Object document, String source, List<String> useKeys, java.nio.file.Path baseDir) {
        return read(document, source, useKeys, baseDir, false);
    }

    /**
     * Reads a document; with {@code textScalars}, its scalars may be text where numbers, booleans or lists are
     * expected (see {@link ConfigLoader#fromPropertyTree}).
     */
    static LlmRotateConfig read(
            Object document, String source, List<String> useKeys, java.nio.file.Path baseDir, boolean textScalars) {
        if (document == null) {
            throw new ConfigurationException(source + ": the configuration is empty; expected a map with at least "
                    + "'keys' (and optionally "
                    + String.join(", ", TOP_LEVEL_FIELDS.subList(1, TOP_LEVEL_FIELDS.size()))
                    + ")");
        }
        if (!(document instanceof Map<?, ?>)) {
            throw new ConfigurationException(source + ": expected a map of configuration fields (keys, providers, "
                    + "defaults, ...), got " + Values.describe(document));
        }
        RegistryReader reader = new RegistryReader(baseDir, textScalars);
        Map<String, Object> root = reader.values.map(document, source, "a map of configuration fields");
        if (root != null) {
            reader.readRoot(root, useKeys);
        }
        return reader.builder.buildCollecting(reader.problems);
    }

    private void readRoot(Map<String, Object> root, List<String> useKeysArgument) {
        values.unknownFields(root, "", TOP_LEVEL_FIELDS);
        if (root.containsKey("keys")) {
            readKeys(root.get("keys"));
        } else {
            values.problem("keys", "required field is missing");
            builder.omitKeys();
        }
        readProviders(root.get("providers"));
        readDefaults(root.get("defaults"));
        List<String> fileUseKeys =
                root.get("use_keys") == null ? null : values.strings(root.get("use_keys"), "use_keys");
        List<String> useKeys = useKeysArgument != null ? useKeysArgument : fileUseKeys;
        if (useKeys != null) {
            builder.useKeys(useKeys);
        }
        readPriorities(root.get("priorities"));
        readFallbackChains(root.get("fallback_chains"));
        readModelFallbacks(root.get("model_fallbacks"));
        readModelProviders(root.get("model_providers"));
        readModelCapabilities(root.get("model_capabilities"));
        readPricing(root.get("pricing"));
        readEventBuffer(root.get("event_buffer"));
        readStateStore(root.get("state_store"));
        for (String block : LlmRotateConfig.MODULE_BLOCKS) {
            readModuleBlock(block, root.get(block));
        }
    }

    /** A block another module reads: only that it is a map is checked here. */
    private void readModuleBlock(String name, Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> fields = values.map(value, name, "a map");
        if (fields != null) {
            builder.moduleBlock(name, fields);
        }
    }

    /** The {@code state_store} block; whether its values make sense is the validator's check. */
    private void readStateStore(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> fields = values.map(value, "state_store", "a map (type, url, prefix)");
        if (fields == null) {
            return;
        }
        values.unknownFields(fields, "state_store", STATE_STORE_FIELDS);
        String type = required(fields, "type", "state_store", values::string);
        String url = optional(fields, "url", "state_store", values::string);
        String prefix = optional(fields, "prefix", "state_store", values::string);
        if (type != null) {
            builder.stateStore(new StateStoreSettings(type.strip(), url == null ? null : url.strip(), prefix));
        }
    }

    private void readPricing(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> fields = values.map(value, "pricing", "a map (file, models)");
        if (fields == null) {
            return;
        }
        values.unknownFields(fields, "pricing", PRICING_FIELDS);
        java.nio.file.Path file = null;
        String fileName = optional(fields, "file", "pricing", values::string);
        if (fileName != null) {
            file = java.nio.file.Path.of(fileName);
            if (!file.isAbsolute() && baseDir != null) {
                file = baseDir.resolve(file);
            }
        }
        List<PricingSettings.Entry> entries = new ArrayList<>();
        List<Object> models = fields.get("models") == null
                ? List.of()
                : values.list(fields.get("models"), "pricing.models", "a list of {model, input_per_million, ...}");
        for (int i = 0; models != null && i < models.size(); i++) {
            String path = "pricing.models[" + i + "]";
            Map<String, Object> price = values.map(models.get(i), path, "a map (model, input_per_million, ...)");
            if (price == null) {
                continue;
            }
            values.unknownFields(price, path, PRICE_FIELDS);
            String model = required(price, "model", path, values::string);
            String provider = optional(price, "provider", path, values::string);
            Double input = required(price, "input_per_million", path, values::number);
            Double output = required(price, "output_per_million", path, values::number);
            Double cached = optional(price, "cached_input_per_million", path, values::number);
            if (provider != null && !ProviderCatalog.isKnown(provider)) {
                values.problem(
                        path + ".provider",
                        "unknown provider " + quoted(provider)
                                + Suggestions.didYouMean(provider, ProviderCatalog.names()));
            }
            if (model == null || input == null || output == null) {
                continue;
            }
            if (input < 0 || output < 0 || (cached != null && cached < 0)) {
                values.problem(path, "prices must not be negative");
                continue;
            }
            entries.add(new PricingSettings.Entry(
                    provider, model, new dev.llmrotate.observe.ModelPrice(input, output, cached)));
        }
        builder.pricing(new PricingSettings(file, entries));
    }

    private void readEventBuffer(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> fields = values.map(value, "event_buffer", "a map (enabled, capacity)");
        if (fields == null) {
            return;
        }
        values.unknownFields(fields, "event_buffer", EVENT_BUFFER_FIELDS);
        Boolean enabled = optional(fields, "enabled", "event_buffer", values::bool);
        Integer capacity = optional(fields, "capacity", "event_buffer", values::integer);
        if (capacity != null && (capacity <= 0 || capacity > EventBuffer.MAX_CAPACITY)) {
            values.problem(
                    "event_buffer.capacity", "must be between 1 and " + EventBuffer.MAX_CAPACITY + ", got " + capacity);
            return;
        }
        if (Boolean.FALSE.equals(enabled)) {
            return;
        }
        builder.eventBuffer(capacity != null ? capacity : EventBuffer.DEFAULT_CAPACITY);
    }

    private void readKeys(Object value) {
        List<Object> entries = values.list(value, "keys", "a list of key entries");
        if (entries == null) {
            builder.omitKeys();
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            readKey(entries.get(i), "keys[" + i + "]");
        }
    }

    /** Adds the key, or, when a field of it cannot be read, tells the builder it was left out. */
    private void readKey(Object value, String path) {
        Map<String, Object> entry = values.map(value, path, "a key entry (a map with key_id, provider, ...)");
        if (entry == null) {
            builder.omitKey(null, null);
            return;
        }
        values.unknownFields(entry, path, KEY_FIELDS);
        int before = values.problemCount();
        String keyId = requiredString(entry, "key_id", path);
        String provider = requiredString(entry, "provider", path);
        String authMethod = optional(entry, "auth_method", path, values::string);
        SecretRef secretRef = entry.containsKey("secret_ref") || !AuthMethod.needsNoSecret(authMethod)
                ? secretRef(entry, path, authMethod)
                : null;
        List<String> models = entry.containsKey("models")
                ? values.strings(entry.get("models"), path + ".models")
                : missing(path + ".models");
        Map<String, Object> authConfig =
                optional(entry, "auth_config", path, (v, p) -> values.map(v, p, "a map of provider settings"));
        Integer priority = optional(entry, "priority", path, values::integer);
        Double weight = optional(entry, "weight", path, values::number);
        List<String> regions = optional(entry, "regions", path, values::strings);
        List<String> tags = optional(entry, "tags", path, values::strings);
        Integer rpm = optional(entry, "rate_limit_rpm", path, values::integer);
        Long tpm = optional(entry, "rate_limit_tpm", path, values::longInteger);
        Boolean enabled = optional(entry, "enabled", path, values::bool);
        Map<String, Object> metadata =
                optional(entry, "metadata", path, (v, p) -> values.map(v, p, "a map of free-form values"));
        if (values.problemCount() > before) {
            builder.omitKey(keyId, provider);
            return;
        }
        builder.key(new KeySpec(
                keyId,
                provider,
                secretRef,
                models,
                authMethod,
                authConfig,
                priority == null ? 0 : priority,
                weight == null ? 1.0 : weight,
                regions,
                tags,
                rpm,
                tpm,
                enabled == null || enabled,
                metadata));
    }

    private SecretRef secretRef(Map<String, Object> entry, String path, String authMethod) {
        String fieldPath = path + ".secret_ref";
        if (!entry.containsKey("secret_ref")) {
            String hint = authMethod == null || authMethod.equals(AuthMethod.API_KEY)
                    ? ""
                    : Suggestions.didYouMean(
                            authMethod, List.of(AuthMethod.ADC, AuthMethod.DEFAULT_CHAIN, AuthMethod.BEDROCK_API_KEY));
            // A typo of a method that needs no secret is the likelier mistake than a forgotten secret_ref.
            values.problem(
                    fieldPath,
                    "required field is missing"
                            + (hint.isEmpty()
                                    ? ""
                                    : "; did you mean auth_method "
                                            + hint.substring("; did you mean ".length(), hint.length() - 1)
                                            + ", which needs none?"));
            return null;
        }
        Object value = entry.get("secret_ref");
        if (value instanceof SecretRef ref) {
            return ref;
        }
        if (!(value instanceof String text)) {
            // Never echo the value: it may be a secret written without its scheme.
            values.problem(
                    fieldPath,
                    "expected a string such as env://NAME, file:///path or literal://value, got " + Values.kind(value));
            return null;
        }
        try {
            return SecretRef.parse(text);
        } catch (IllegalArgumentException e) {
            values.problem(fieldPath, e.getMessage());
            return null;
        }
    }

    private void readProviders(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> providers = values.map(value, "providers", "a map of provider name to overrides");
        if (providers == null) {
            return;
        }
        providers.forEach((name, overrides) -> builder.provider(name, readProviderOverrides(name, overrides)));
    }

    /** The overrides of one provider as one function; fields that cannot be read are reported and left out. */
    private UnaryOperator<ProviderSettings> readProviderOverrides(String name, Object value) {
        String path = Values.child("providers", name);
        UnaryOperator<ProviderSettings> result = UnaryOperator.identity();
        if (value == null) {
            return result;
        }
        Map<String, Object> fields = values.map(value, path, "a map of overrides (cooldown_seconds, base_url, ...)");
        if (fields == null) {
            return result;
        }
        values.unknownFields(fields, path, PROVIDER_FIELDS);
        URI baseUrl = optional(fields, "base_url", path, this::url);
        if (baseUrl != null) {
            result = andThen(result, s -> s.withBaseUrl(baseUrl));
        }
        for (var field : PROVIDER_DURATIONS.entrySet()) {
            Duration d = optional(fields, field.getKey(), path, values::duration);
            if (d != null) {
                result = andThen(result, s -> field.getValue().apply(s, d));
            }
        }
        Integer maxFailures = optional(fields, "max_consecutive_failures", path, values::integer);
        if (maxFailures != null) {
            result = andThen(result, s -> s.withMaxConsecutiveFailures(maxFailures));
        }
        StreamRecovery recovery = optional(fields, "stream_recovery", path, this::streamRecovery);
        if (recovery != null) {
            result = andThen(result, s -> s.withStreamRecovery(recovery));
        }
        Map<String, ModelSettings> models = optional(fields, "models", path, this::modelSettings);
        if (models != null) {
            result = andThen(result, s -> {
                Map<String, ModelSettings> merged = new LinkedHashMap<>(s.models());
                merged.putAll(models);
                return s.withModels(merged);
            });
        }
        return result;
    }

    /**
     * The {@code models} block of a provider: model id to overrides. A block with unreadable fields is kept with the
     * fields it could read, so that the validator still checks that a key lists its model.
     */
    private Map<String, ModelSettings> modelSettings(Object value, String path) {
        Map<String, Object> blocks = values.map(value, path, "a map of model id to overrides (cooldown_seconds, ...)");
        if (blocks == null) {
            return null;
        }
        Map<String, ModelSettings> result = new LinkedHashMap<>();
        blocks.forEach((model, raw) -> {
            String modelPath = Values.member(path, model);
            if (raw == null) {
                result.put(model, ModelSettings.NONE);
                return;
            }
            Map<String, Object> fields =
                    values.map(raw, modelPath, "a map of overrides (cooldown_seconds, request_timeout_seconds, ...)");
            if (fields == null) {
                return;
            }
            for (String field : fields.keySet()) {
                if (!MODEL_FIELDS.contains(field)) {
                    values.problem(
                            Values.child(modelPath, field),
                            PROVIDER_FIELDS.contains(field) && !field.equals("models")
                                    ? "unknown field; " + field + " is set per provider, not per model"
                                    : "unknown field" + Suggestions.didYouMean(field, MODEL_FIELDS));
                }
            }
            result.put(
                    model,
                    new ModelSettings(
                            optional(fields, "cooldown_seconds", modelPath, values::duration),
                            optional(fields, "max_consecutive_failures", modelPath, values::integer),
                            optional(fields, "request_timeout_seconds", modelPath, values::duration),
                            optional(fields, "first_chunk_timeout_seconds", modelPath, values::duration),
                            optional(fields, "stream_idle_timeout_seconds", modelPath, values::duration),
                            optional(fields, "recovery_probe_seconds", modelPath, values::duration),
                            optional(fields, "stream_recovery", modelPath, this::streamRecovery)));
        });
        return result;
    }

    /**
     * {@code off}, {@code prefill}, {@code replay} or {@code auto}. YAML 1.1 reads a bare {@code off} as the boolean
     * false, so false means off too.
     */
    private StreamRecovery streamRecovery(Object value, String path) {
        if (Boolean.FALSE.equals(value)) {
            return StreamRecovery.OFF;
        }
        List<String> known = new ArrayList<>();
        for (StreamRecovery r : StreamRecovery.values()) {
            known.add(r.wireName());
        }
        if (!(value instanceof String name)) {
            values.problem(
                    path, "expected one of " + String.join(", ", known) + ", got " + Values.describe(value, path));
            return null;
        }
        StreamRecovery recovery = StreamRecovery.fromWireName(name.strip());
        if (recovery == null) {
            values.problem(
                    path,
                    "unknown stream_recovery " + quoted(name) + "; use one of " + String.join(", ", known)
                            + Suggestions.didYouMean(name.strip(), known));
        }
        return recovery;
    }

    private static UnaryOperator<ProviderSettings> andThen(
            UnaryOperator<ProviderSettings> first, UnaryOperator<ProviderSettings> second) {
        return s -> second.apply(first.apply(s));
    }

    /** A syntactically valid URI; whether it is an absolute http(s) URL is the validator's check. */
    private URI url(Object value, String path) {
        String text = values.string(value, path);
        if (text == null) {
            return null;
        }
        try {
            return new URI(text.strip());
        } catch (URISyntaxException e) {
            // Not the text: a URL may carry credentials in its user-info part. Not the JDK's reason either: its
            // wording and index differ between JDK versions.
            values.problem(path, "not a valid URL (check for spaces or other characters a URL cannot contain)");
            return null;
        }
    }

    private void readDefaults(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> fields = values.map(value, "defaults", "a map (selection_strategy, max_retries, ...)");
        if (fields == null) {
            return;
        }
        values.unknownFields(fields, "defaults", DEFAULTS_FIELDS);
        SelectionStrategyType strategy = optional(fields, "selection_strategy", "defaults", this::strategy);
        if (strategy != null) {
            builder.strategy(strategy);
        }
        Integer maxRetries = optional(fields, "max_retries", "defaults", values::integer);
        if (maxRetries != null) {
            builder.defaults(d -> d.withMaxRetries(maxRetries));
        }
        Duration base = optional(fields, "backoff_base_seconds", "defaults", values::duration);
        if (base != null) {
            builder.defaults(d -> d.withBackoff(base, d.backoffMax()));
        }
        Duration max = optional(fields, "backoff_max_seconds", "defaults", values::duration);
        if (max != null) {
            builder.defaults(d -> d.withBackoff(d.backoffBase(), max));
        }
        Duration deadline = optional(fields, "call_deadline_seconds", "defaults", values::duration);
        if (deadline != null) {
            builder.defaults(d -> d.withCallDeadline(deadline));
        }
        Duration wait = optional(fields, "max_wait_for_key_seconds", "defaults", values::duration);
        if (wait != null) {
            builder.defaults(d -> d.withMaxWaitForKey(wait));
        }
        Duration beforeFallback = optional(fields, "wait_before_fallback_seconds", "defaults", values::duration);
        if (beforeFallback != null) {
            builder.defaults(d -> d.withWaitBeforeFallback(beforeFallback));
        }
    }

    private SelectionStrategyType strategy(Object value, String path) {
        String name = values.string(value, path);
        if (name == null) {
            return null;
        }
        SelectionStrategyType type = SelectionStrategyType.fromWireName(name);
        if (type == null) {
            List<String> known = new ArrayList<>();
            for (SelectionStrategyType t : SelectionStrategyType.values()) {
                known.add(t.wireName());
            }
            String hint = Suggestions.didYouMean(name, known);
            values.problem(
                    path,
                    "unknown strategy " + quoted(name)
                            + (hint.isEmpty() ? "; use one of " + String.join(", ", known) : hint));
        }
        return type;
    }

    private void readPriorities(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> priorities = values.map(value, "priorities", "a map of key_id to priority");
        if (priorities == null) {
            return;
        }
        priorities.forEach((keyId, raw) -> {
            Integer priority = values.integer(raw, Values.child("priorities", keyId));
            if (priority != null) {
                builder.priority(keyId, priority);
            }
        });
    }

    private void readFallbackChains(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> chains =
                values.map(value, "fallback_chains", "a map of provider to a list of fallback targets");
        if (chains == null) {
            return;
        }
        chains.forEach((source, raw) -> {
            List<FallbackTarget> targets = readChain(raw, Values.child("fallback_chains", source));
            if (targets != null) {
                builder.fallbackChain(source, targets.toArray(FallbackTarget[]::new));
            }
        });
    }

    /** The {@code model_fallbacks} block: requested model id to a chain of the same entries as fallback_chains. */
    private void readModelFallbacks(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> chains =
                values.map(value, "model_fallbacks", "a map of model id to a list of fallback targets");
        if (chains == null) {
            return;
        }
        chains.forEach((model, raw) -> {
            List<FallbackTarget> targets = readChain(raw, Values.member("model_fallbacks", model));
            if (targets != null) {
                builder.modelFallback(model, targets.toArray(FallbackTarget[]::new));
            }
        });
    }

    /** One chain; entries that cannot be read are reported and left out; null when it is not a list. */
    private List<FallbackTarget> readChain(Object raw, String path) {
        List<Object> entries = raw == null ? List.of() : values.list(raw, path, "a list of fallback targets");
        if (entries == null) {
            return null;
        }
        List<FallbackTarget> targets = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            FallbackTarget target = readChainEntry(entries.get(i), path + "[" + i + "]");
            if (target != null) {
                targets.add(target);
            }
        }
        return targets;
    }

    private FallbackTarget readChainEntry(Object value, String path) {
        Map<String, Object> entry = values.map(value, path, "a fallback target such as {provider: openrouter}");
        if (entry == null) {
            return null;
        }
        // An entry with a misspelt field is left out: checking what was read would report follow-on problems.
        int before = values.problemCount();
        values.unknownFields(entry, path, CHAIN_ENTRY_FIELDS);
        String provider = requiredString(entry, "provider", path);
        String upstream = optional(entry, "upstream", path, values::string);
        String model = optional(entry, "model", path, values::string);
        return values.problemCount() > before ? null : new FallbackTarget(provider, upstream, model);
    }

    private void readModelProviders(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> routes = values.map(value, "model_providers", "a map of model id to provider");
        if (routes == null) {
            return;
        }
        routes.forEach((model, raw) -> {
            String provider = values.string(raw, Values.member("model_providers", model));
            if (provider != null) {
                builder.modelProvider(model, provider);
            }
        });
    }

    /** The {@code model_capabilities} block: model id to capability names set to true or false. */
    private void readModelCapabilities(Object value) {
        if (value == null) {
            return;
        }
        Map<String, Object> models =
                values.map(value, "model_capabilities", "a map of model id to capabilities such as {tools: false}");
        if (models == null) {
            return;
        }
        List<String> names = new ArrayList<>();
        for (ModelCapability capability : ModelCapability.values()) {
            names.add(capability.wireName());
        }
        models.forEach((model, raw) -> {
            String path = Values.member("model_capabilities", model);
            Map<String, Object> flags = values.map(raw, path, "a map of capability name to true or false");
            if (flags == null) {
                return;
            }
            values.unknownFields(flags, path, names);
            flags.forEach((name, flag) -> {
                ModelCapability capability = ModelCapability.fromWireName(name);
                Boolean supported = capability == null ? null : values.bool(flag, Values.child(path, name));
                if (supported != null) {
                    builder.modelCapability(model, capability, supported);
                }
            });
        });
    }

    private String requiredString(Map<String, Object> map, String field, String path) {
        if (!map.containsKey(field)) {
            return missing(path + "." + field);
        }
        return values.string(map.get(field), path + "." + field);
    }

    private <T> T missing(String path) {
        values.problem(path, "required field is missing");
        return null;
    }

    /** Reads a required field; absent or null is a problem. */
    private <T> T required(Map<String, Object> map, String field, String path, BiFunction<Object, String, T> reader) {
        Object value = map.get(field);
        return value == null ? missing(Values.child(path, field)) : reader.apply(value, Values.child(path, field));
    }

    /** Reads an optional field; absent and null both mean "not given" (the default applies). */
    private static <T> T optional(
            Map<String, Object> map, String field, String path, BiFunction<Object, String, T> reader) {
        Object value = map.get(field);
        return value == null ? null : reader.apply(value, Values.child(path, field));
    }

    private static String quoted(String s) {
        return Values.quoted(s);
    }
}

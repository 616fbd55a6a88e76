package dev.llmrotate.config;

import dev.llmrotate.internal.observe.EventBuffer;
import dev.llmrotate.internal.route.ModelRoutes;
import dev.llmrotate.spi.StoreUrl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Semantic checks of a configuration; every problem names its path. */
final class ConfigValidator {
    private static final String NO_CONTROL_CHARACTERS =
            "must not contain control characters (U+0000 to U+001F, U+007F), got ";

    private final LlmRotateConfig.Builder config;
    private final List<String> problems = new ArrayList<>();

    private ConfigValidator(LlmRotateConfig.Builder config) {
        this.config = config;
    }

    static List<String> validate(LlmRotateConfig.Builder config) {
        ConfigValidator validator = new ConfigValidator(config);
        validator.checkKeys();
        validator.checkUseKeysAndPriorities();
        validator.checkProviders();
        validator.checkDefaults();
        Set<String> activeProviders = validator.activeProviders();
        validator.checkFallbackChains(activeProviders);
        Map<String, Set<String>> providersByModel = validator.activeProvidersByModel();
        validator.checkModelFallbacks(providersByModel);
        validator.checkModelRoutes(providersByModel);
        validator.checkModelCapabilities(providersByModel.keySet());
        validator.checkObservability();
        validator.checkStateStore();
        return validator.problems;
    }

    private void checkKeys() {
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < config.keys.size(); i++) {
            KeySpec key = config.keys.get(i);
            String path = "keys[" + i + "]";
            if (key.keyId().isBlank()) {
                problems.add(path + ".key_id: must not be empty");
            } else if (Values.hasControlCharacter(key.keyId())) {
                problems.add(path + ".key_id: " + NO_CONTROL_CHARACTERS + Values.describe(key.keyId()));
            } else {
                Integer earlier = seen.putIfAbsent(key.keyId(), i);
                if (earlier != null) {
                    problems.add(path + ".key_id: duplicate key_id '" + key.keyId() + "' (also keys[" + earlier + "])");
                }
            }
            if (!ProviderCatalog.isKnown(key.provider())) {
                problems.add(path + ".provider: unknown provider " + Values.quoted(key.provider())
                        + Suggestions.didYouMean(key.provider(), ProviderCatalog.names()));
            }
            if (key.models().isEmpty()) {
                problems.add(path + ".models: must list at least one model id");
            }
            for (int m = 0; m < key.models().size(); m++) {
                String model = key.models().get(m);
                if (model == null || model.isBlank()) {
                    problems.add(path + ".models[" + m + "]: must not be empty");
                } else if (Values.hasControlCharacter(model)) {
                    problems.add(path + ".models[" + m + "]: " + NO_CONTROL_CHARACTERS + Values.describe(model));
                }
            }
            if (!(key.weight() > 0) || Double.isInfinite(key.weight())) {
                problems.add(path + ".weight: must be a positive number, got " + key.weight());
            }
            if (key.rateLimitRpm() != null && key.rateLimitRpm() <= 0) {
                problems.add(path + ".rate_limit_rpm: must be positive, got " + key.rateLimitRpm());
            }
            if (key.rateLimitTpm() != null && key.rateLimitTpm() <= 0) {
                problems.add(path + ".rate_limit_tpm: must be positive, got " + key.rateLimitTpm());
            }
            checkAuthConfig(key, path);
        }
    }

    /** The auth_method of a key: one its provider takes, with the auth_config fields that method reads. */
    private void checkAuthMethod(KeySpec key, String path) {
        String method = key.authMethod();
        List<String> allowed = AuthMethod.BY_PROVIDER.get(key.provider());
        if (allowed == null) {
            AuthMethod.BY_PROVIDER.forEach((provider, methods) -> {
                if (!method.equals(AuthMethod.API_KEY) && methods.contains(method)) {
                    problems.add(path + ".auth_method: '" + method + "' is for provider '" + provider + "', not '"
                            + key.provider() + "'");
                }
            });
            return;
        }
        if (!allowed.contains(method)) {
            problems.add(path + ".auth_method: unknown auth_method " + Values.quoted(method) + " for provider '"
                    + key.provider() + "'" + Suggestions.didYouMean(method, allowed) + "; use one of "
                    + String.join(", ", allowed));
            return;
        }
        List<String> settings = AuthMethod.SETTINGS.get(method);
        if (settings == null) {
            return;
        }
        for (String field : key.authConfig().keySet()) {
            if (!settings.contains(field)) {
                problems.add(
                        Values.looksSecret(field)
                                ? path
                                        + ".auth_config: a field whose name looks like a secret is not read by auth_method "
                                        + method
                                : path + ".auth_config." + field + ": unknown field for auth_method " + method
                                        + Suggestions.didYouMean(field, settings));
            }
        }
        if (method.equals(AuthMethod.DEFAULT_CHAIN) && key.secretRef().scheme() != SecretRef.Scheme.AMBIENT) {
            problems.add(path + ".secret_ref: not used with auth_method default_chain, which finds its own"
                    + " credentials; remove it, or use auth_method sigv4 for explicit keys");
        }
        for (String needsRole : List.of("role_session_name", "external_id", "web_identity_token_file")) {
            if (key.authConfig().containsKey(needsRole) && !key.authConfig().containsKey("role_arn")) {
                problems.add(path + ".auth_config." + needsRole + ": needs auth_config.role_arn");
            }
        }
    }

    /** The auth_config entries a provider cannot work without. */
    private void checkAuthConfig(KeySpec key, String path) {
        checkAuthMethod(key, path);
        List<String> required = switch (key.provider()) {
            case ProviderCatalog.AZURE_OPENAI -> List.of("azure_endpoint");
            case ProviderCatalog.GOOGLE_VERTEX -> List.of("project", "region");
            case ProviderCatalog.AWS_BEDROCK -> List.of("region");
            default -> List.of();
        };
        for (String field : required) {
            Object value = key.authConfig().get(field);
            if (!(value instanceof String text) || text.isBlank()) {
                problems.add(path + ".auth_config." + field + ": required for provider '" + key.provider() + "'");
            }
        }
        Object region = key.authConfig().get("region");
        if (key.provider().equals(ProviderCatalog.AWS_BEDROCK)
                && region instanceof String text
                && !text.isBlank()
                && !text.strip().matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            // auth_config values are never echoed: a secret may have been put there.
            problems.add(path + ".auth_config.region: not an AWS region name such as us-east-1");
        }
        Object endpoint = key.authConfig().get("azure_endpoint");
        if (key.provider().equals(ProviderCatalog.AZURE_OPENAI) && endpoint instanceof String text && !text.isBlank()) {
            try {
                java.net.URI uri = new java.net.URI(text.strip());
                if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                    problems.add(path + ".auth_config.azure_endpoint: must be an absolute http(s) URL");
                }
            } catch (java.net.URISyntaxException e) {
                problems.add(path + ".auth_config.azure_endpoint: not a valid URL");
            }
        }
    }

    private Set<String> keyIds() {
        Set<String> ids = new HashSet<>();
        config.keys.forEach(k -> ids.add(k.keyId()));
        return ids;
    }

    private void checkUseKeysAndPriorities() {
        Set<String> ids = keyIds();
        if (config.useKeys != null) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < config.useKeys.size(); i++) {
                String id = config.useKeys.get(i);
                if (!ids.contains(id)) {
                    if (!config.mayBeOmittedKey(id)) {
                        problems.add("use_keys[" + i + "]: no key with key_id '" + id + "'"
                                + Suggestions.didYouMean(String.valueOf(id), ids));
                    }
                } else if (!seen.add(id)) {
                    problems.add("use_keys[" + i + "]: '" + id + "' is listed twice");
                }
            }
        }
        for (String id : config.priorities.keySet()) {
            if (!ids.contains(id) && !config.mayBeOmittedKey(id)) {
                problems.add(
                        "priorities." + id + ": no key with key_id '" + id + "'" + Suggestions.didYouMean(id, ids));
            }
        }
        if (config.keysOmitted()) {
            return; // the loader has reported why keys are missing
        }
        if (!config.keys.isEmpty() && activeKeys().isEmpty()) {
            problems.add("keys: no key is active (every key is disabled or left out of use_keys)");
        } else if (config.keys.isEmpty()) {
            problems.add("keys: at least one key is needed");
        }
    }

    private List<KeySpec> activeKeys() {
        List<KeySpec> active = new ArrayList<>();
        for (KeySpec key : config.keys) {
            if (key.enabled() && (config.useKeys == null || config.useKeys.contains(key.keyId()))) {
                active.add(key);
            }
        }
        return active;
    }

    private Set<String> activeProviders() {
        Set<String> providers = new LinkedHashSet<>();
        activeKeys().forEach(k -> providers.add(k.provider()));
        return providers;
    }

    private void checkProviders() {
        config.providerOverrides.forEach((name, override) -> {
            String path = Values.child("providers", name);
            if (!ProviderCatalog.isKnown(name)) {
                problems.add(path + ": unknown provider " + Values.quoted(name)
                        + Suggestions.didYouMean(name, ProviderCatalog.names()));
                return;
            }
            ProviderSettings s = override.apply(ProviderCatalog.defaults(name));
            positive(path + ".cooldown_seconds", s.cooldown());
            positive(path + ".quarantine_seconds", s.quarantine());
            positive(path + ".quota_quarantine_seconds", s.quotaQuarantine());
            positive(path + ".max_retry_after_seconds", s.maxRetryAfter());
            positive(path + ".connect_timeout_seconds", s.connectTimeout());
            positive(path + ".request_timeout_seconds", s.requestTimeout());
            positive(path + ".first_chunk_timeout_seconds", s.firstChunkTimeout());
            positive(path + ".stream_idle_timeout_seconds", s.streamIdleTimeout());
            positive(path + ".recovery_probe_seconds", s.recoveryProbe());
            atLeastOne(path + ".max_consecutive_failures", s.maxConsecutiveFailures());
            // In order of model id: the settings' map has none, and problems are reported in a stable order.
            new TreeMap<>(s.models()).forEach((model, overrides) -> checkModelSettings(name, path, model, overrides));
            String scheme = s.baseUrl().getScheme();
            if (scheme == null
                    || !(scheme.equals("http") || scheme.equals("https"))
                    || s.baseUrl().getHost() == null) {
                problems.add(path + ".base_url: must be an absolute http(s) URL, got '" + withoutUserInfo(s.baseUrl())
                        + "'");
            }
        });
    }

    /** A per-model block: its values, and that a key of the provider lists the model. */
    private void checkModelSettings(String provider, String providerPath, String model, ModelSettings m) {
        String path = Values.member(providerPath + ".models", model);
        Set<String> listed = new TreeSet<>();
        config.keys.stream().filter(k -> k.provider().equals(provider)).forEach(k -> listed.addAll(k.models()));
        if (!listed.contains(model) && !config.mayBeOmittedProvider(provider)) {
            problems.add(path + ": no key of '" + provider + "' lists this model; "
                    + (listed.isEmpty() ? "the provider has no keys" : "its keys list " + listed)
                    + Suggestions.didYouMean(model, listed));
        }
        positiveIfSet(path + ".cooldown_seconds", m.cooldown());
        if (m.maxConsecutiveFailures() != null) {
            atLeastOne(path + ".max_consecutive_failures", m.maxConsecutiveFailures());
        }
        positiveIfSet(path + ".request_timeout_seconds", m.requestTimeout());
        positiveIfSet(path + ".first_chunk_timeout_seconds", m.firstChunkTimeout());
        positiveIfSet(path + ".stream_idle_timeout_seconds", m.streamIdleTimeout());
        positiveIfSet(path + ".recovery_probe_seconds", m.recoveryProbe());
    }

    private void checkDefaults() {
        Defaults d = config.defaults;
        if (d.maxRetries() < 0) {
            problems.add("defaults.max_retries: must not be negative, got " + d.maxRetries());
        }
        positive("defaults.backoff_base_seconds", d.backoffBase());
        positive("defaults.backoff_max_seconds", d.backoffMax());
        positive("defaults.call_deadline_seconds", d.callDeadline());
        if (d.maxWaitForKey().isNegative()) {
            problems.add("defaults.max_wait_for_key_seconds: must not be negative, got " + seconds(d.maxWaitForKey()));
        }
        if (d.waitBeforeFallback().isNegative()) {
            problems.add("defaults.wait_before_fallback_seconds: must not be negative, got "
                    + seconds(d.waitBeforeFallback()));
        }
        if (d.backoffMax().compareTo(d.backoffBase()) < 0) {
            problems.add("defaults.backoff_max_seconds: must not be smaller than backoff_base_seconds");
        }
    }

    private void checkFallbackChains(Set<String> activeProviders) {
        config.fallbackChains.forEach((source, targets) -> {
            String path = Values.child("fallback_chains", source);
            if (!ProviderCatalog.isKnown(source)) {
                problems.add(path + ": unknown provider " + Values.quoted(source)
                        + Suggestions.didYouMean(source, ProviderCatalog.names()));
            }
            Set<FallbackTarget> seen = new HashSet<>();
            for (int i = 0; i < targets.size(); i++) {
                FallbackTarget t = targets.get(i);
                String entry = path + "[" + i + "]";
                if (!checkTarget(entry, t, seen)) {
                    continue;
                }
                if (t.provider().equals(source) && t.upstream() == null && t.model() == null) {
                    problems.add(entry + ": loops back to '" + source + "' itself");
                }
                if (!activeProviders.contains(t.provider()) && !config.mayBeOmittedProvider(t.provider())) {
                    problems.add(entry + ".provider: '" + t.provider() + "' has no active key");
                }
            }
        });
    }

    /**
     * What every chain entry must satisfy: a known provider, no repeat, an upstream only on a broker and naming a
     * known provider. False when the provider is unknown (nothing more can be checked).
     */
    private boolean checkTarget(String entry, FallbackTarget t, Set<FallbackTarget> seen) {
        if (!ProviderCatalog.isKnown(t.provider())) {
            problems.add(entry + ".provider: unknown provider " + Values.quoted(t.provider())
                    + Suggestions.didYouMean(t.provider(), ProviderCatalog.names()));
            return false;
        }
        if (!seen.add(t)) {
            problems.add(entry + ": repeats an earlier entry of the chain");
        }
        if (t.upstream() != null) {
            if (!ProviderCatalog.isBroker(t.provider())) {
                problems.add(entry + ".upstream: only a broker (openrouter) routes to an upstream, not '" + t.provider()
                        + "'");
            } else if (!ProviderCatalog.isKnown(t.upstream())) {
                problems.add(entry + ".upstream: unknown provider " + Values.quoted(t.upstream())
                        + Suggestions.didYouMean(t.upstream(), ProviderCatalog.names()));
            }
        }
        return true;
    }

    /** Model id to the providers whose active keys list it. */
    private Map<String, Set<String>> activeProvidersByModel() {
        Map<String, Set<String>> providersByModel = new LinkedHashMap<>();
        for (KeySpec key : activeKeys()) {
            if (!ProviderCatalog.isKnown(key.provider())) {
                continue; // reported once already; not echoed again in routing problems
            }
            for (String model : key.models()) {
                providersByModel
                        .computeIfAbsent(model, m -> new LinkedHashSet<>())
                        .add(key.provider());
            }
        }
        return providersByModel;
    }

    /**
     * {@code model_fallbacks}: the requested model is one an active key lists, and every entry names a known
     * provider (an upstream only on a broker) whose active keys list the target model, without pointing back at the
     * model's own route.
     */
    private void checkModelFallbacks(Map<String, Set<String>> providersByModel) {
        if (config.modelFallbacks.isEmpty()) {
            return;
        }
        Map<String, Set<String>> modelsByProvider = new HashMap<>();
        for (KeySpec key : activeKeys()) {
            modelsByProvider
                    .computeIfAbsent(key.provider(), p -> new TreeSet<>())
                    .addAll(key.models());
        }
        config.modelFallbacks.forEach((model, targets) -> {
            String path = Values.member("model_fallbacks", model);
            Set<String> serving = providersByModel.getOrDefault(model, Set.of());
            if (serving.isEmpty() && !config.keysOmitted()) {
                problems.add(path + ": no active key lists this model"
                        + Suggestions.didYouMean(model, providersByModel.keySet()));
            }
            String nativeProvider = nativeProvider(model, serving);
            Set<FallbackTarget> seen = new HashSet<>();
            for (int i = 0; i < targets.size(); i++) {
                FallbackTarget t = targets.get(i);
                String entry = path + "[" + i + "]";
                if (!checkTarget(entry, t, seen)) {
                    continue;
                }
                String targetModel = t.model() == null ? model : t.model();
                if (t.provider().equals(nativeProvider) && t.upstream() == null && targetModel.equals(model)) {
                    problems.add(entry + ": loops back to the model's own route on '" + nativeProvider + "'");
                    continue;
                }
                if (config.mayBeOmittedProvider(t.provider())) {
                    continue;
                }
                Set<String> listed = modelsByProvider.getOrDefault(t.provider(), Set.of());
                if (listed.isEmpty()) {
                    problems.add(entry + ".provider: '" + t.provider() + "' has no active key");
                } else if (!listed.contains(targetModel)) {
                    problems.add((t.model() == null ? entry : entry + ".model") + ": no active key of '"
                            + t.provider() + "' lists model '" + targetModel + "'; its active keys list " + listed
                            + Suggestions.didYouMean(targetModel, listed));
                }
            }
        });
    }

    /** The native provider of a model among those serving it, as the route planner chooses it; null if unclear. */
    private String nativeProvider(String model, Set<String> serving) {
        String chosen = config.modelProviders.get(model);
        if (chosen != null) {
            return chosen;
        }
        return serving.size() == 1
                ? serving.iterator().next()
                : ModelRoutes.nativeProvider(serving, config.fallbackChains, model, config.modelFallbacks.get(model));
    }

    private void checkModelRoutes(Map<String, Set<String>> providersByModel) {
        config.modelProviders.forEach((model, provider) -> {
            String path = Values.member("model_providers", model);
            Set<String> serving = providersByModel.getOrDefault(model, Set.of());
            if (!ProviderCatalog.isKnown(provider)) {
                problems.add(path + ": unknown provider " + Values.quoted(provider)
                        + Suggestions.didYouMean(provider, ProviderCatalog.names()));
            } else if (!serving.contains(provider) && !config.mayBeOmittedProvider(provider)) {
                problems.add(path + ": no active key of '" + provider + "' lists model '" + model + "'");
            }
        });
        providersByModel.forEach((model, providers) -> {
            if (providers.size() > 1 && nativeProvider(model, providers) == null) {
                problems.add("keys: model '" + model + "' is served by " + providers
                        + " and nothing says which to use first; add " + Values.member("model_providers", model)
                        + ", a " + Values.member("model_fallbacks", model)
                        + " chain or a fallback chain from one of them to the others");
            }
        });
    }

    /** {@code model_capabilities}: every model it names is one an active key lists (else it is likely a typo). */
    private void checkModelCapabilities(Set<String> listedModels) {
        if (config.keysOmitted()) {
            return;
        }
        config.modelCapabilities.keySet().forEach(model -> {
            if (!listedModels.contains(model)) {
                problems.add(Values.member("model_capabilities", model) + ": no active key lists this model"
                        + Suggestions.didYouMean(model, listedModels));
            }
        });
    }

    private void checkObservability() {
        if (config.eventBufferCapacity < 0 || config.eventBufferCapacity > EventBuffer.MAX_CAPACITY) {
            problems.add("event_buffer.capacity: must be between 0 and " + EventBuffer.MAX_CAPACITY + ", got "
                    + config.eventBufferCapacity);
        }
        java.nio.file.Path file = config.pricing.file();
        if (file != null && !java.nio.file.Files.isRegularFile(file)) {
            problems.add("pricing.file: " + file + " does not exist or is not a file");
        }
    }

    private void checkStateStore() {
        StateStoreSettings store = config.stateStore;
        if (!StateStoreSettings.TYPES.contains(store.type())) {
            String hint = Suggestions.didYouMean(store.type(), StateStoreSettings.TYPES);
            problems.add("state_store.type: unknown type '" + store.type() + "'"
                    + (hint.isEmpty() ? "; use one of " + String.join(", ", StateStoreSettings.TYPES) : hint));
            return;
        }
        if (store.type().equals(StateStoreSettings.REDIS)) {
            String url = store.url();
            int sep = url == null ? -1 : url.indexOf("://");
            if (url == null || url.isBlank()) {
                problems.add("state_store.url: required for type redis, e.g. redis://localhost:6379");
            } else if (sep <= 0 || !StateStoreSettings.URL_SCHEMES.contains(url.substring(0, sep))) {
                // Only the scheme: the rest may hold a password.
                problems.add("state_store.url: expected redis://host:port (or rediss://, redis-sentinel://, "
                        + "env://NAME, file:///path), got "
                        + (sep <= 0 ? "no scheme" : "scheme " + Values.quoted(url.substring(0, sep))));
            } else if (!url.startsWith("env://") && !url.startsWith("file://")) {
                try {
                    StoreUrl.parse(url.strip());
                } catch (IllegalArgumentException e) {
                    problems.add("state_store.url: " + e.getMessage());
                }
            }
        }
        String prefix = store.prefix();
        if (prefix.isBlank() || prefix.chars().anyMatch(c -> c == '{' || c == '}' || Character.isWhitespace(c))) {
            problems.add("state_store.prefix: must be non-empty without spaces or braces, got '" + prefix + "'");
        }
    }

    /** A URL as written, except that credentials in its user-info part show as {@code ***}. */
    private static String withoutUserInfo(java.net.URI url) {
        String raw = url.toString();
        String userInfo = url.getRawUserInfo();
        if (userInfo == null) {
            int at = raw.indexOf('@');
            // An @ the parser did not read as ending a user-info: show only the scheme.
            return at < 0 ? raw : (url.getScheme() == null ? "" : url.getScheme() + ":") + "***";
        }
        return raw.replace(userInfo + "@", "***@");
    }

    private void positiveIfSet(String path, Duration value) {
        if (value != null) {
            positive(path, value);
        }
    }

    private void atLeastOne(String path, int value) {
        if (value < 1) {
            problems.add(path + ": must be at least 1, got " + value);
        }
    }

    private void positive(String path, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(path + ": must be positive, got " + seconds(value));
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() / 1000.0 + "";
    }
}

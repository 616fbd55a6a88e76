package dev.llmrotate.server.http;

import dev.llmrotate.config.Defaults;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ModelCapability;
import dev.llmrotate.config.ModelSettings;
import dev.llmrotate.config.PricingSettings;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.config.StreamRecovery;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration in force with nothing secret in it: the body of {@code /config}. A {@code secret_ref} shows only
 * its scheme ({@code env://***}), {@code auth_config} and {@code metadata} only the names of their entries (their
 * values may be secrets), a state store URL its scheme when it is a reference and its masked form otherwise, and a
 * base URL neither user-info nor query. Durations are in seconds, names as in the configuration file.
 */
public final class ConfigView {
    /** What every hidden value shows. */
    public static final String HIDDEN = "***";

    private ConfigView() {}

    /**
     * The sanitized view of {@code config}.
     *
     * @param config the configuration in force
     * @return the body of {@code /config}, without secrets
     */
    public static Body of(LlmRotateConfig config) {
        Set<String> active = new java.util.HashSet<>();
        config.activeKeys().forEach(k -> active.add(k.keyId()));
        Map<String, ProviderView> providers = new LinkedHashMap<>();
        config.providers().forEach((name, settings) -> providers.put(name, ProviderView.of(settings)));
        return new Body(
                config.keys().stream()
                        .map(k -> KeyView.of(k, active.contains(k.keyId())))
                        .toList(),
                config.useKeys(),
                config.priorities(),
                DefaultsView.of(config.defaults()),
                providers,
                config.fallbackChains(),
                config.modelFallbacks(),
                config.modelProviders(),
                capabilities(config.modelCapabilities()),
                PricingView.of(config.pricing()),
                config.eventBufferCapacity(),
                StoreView.of(config.stateStore()));
    }

    /** {@code scheme://***} for a reference such as {@code env://NAME}, {@code file:///path}, {@code literal://x}. */
    static String schemeOnly(String ref) {
        int sep = ref.indexOf("://");
        String scheme = sep < 0 ? "" : ref.substring(0, sep);
        return scheme.matches("[a-z][a-z0-9+.-]{0,15}") ? scheme + "://" + HIDDEN : HIDDEN;
    }

    /** Scheme, host, port and path of a URL: no user-info, query or fragment, which may hold credentials. */
    static String withoutCredentials(URI url) {
        if (url == null) {
            return null;
        }
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return url.getScheme() == null ? HIDDEN : url.getScheme() + "://" + HIDDEN;
        }
    }

    private static Double seconds(Duration d) {
        return d == null ? null : d.toMillis() / 1000.0;
    }

    private static Map<String, String> namesOnly(Map<String, Object> entries) {
        Map<String, String> names = new LinkedHashMap<>();
        entries.keySet().forEach(name -> names.put(name, HIDDEN));
        return names;
    }

    private static Map<String, Map<String, Boolean>> capabilities(Map<String, Map<ModelCapability, Boolean>> perModel) {
        Map<String, Map<String, Boolean>> view = new LinkedHashMap<>();
        perModel.forEach((model, flags) -> {
            Map<String, Boolean> named = new LinkedHashMap<>();
            flags.forEach((capability, supported) -> named.put(capability.wireName(), supported));
            view.put(model, named);
        });
        return view;
    }

    private static String wire(StreamRecovery recovery) {
        return recovery == null ? null : recovery.wireName();
    }

    /**
     * The body of {@code /config}.
     *
     * @param keys every key of the registry, in configuration order
     * @param useKeys the {@code use_keys} list, or null
     * @param priorities the {@code priorities} block
     * @param defaults the {@code defaults} block
     * @param providers every provider's settings, overrides merged over the built-in catalog
     * @param fallbackChains per provider
     * @param modelFallbacks per model
     * @param modelProviders model to provider routes
     * @param modelCapabilities per model id, the capabilities set over the built-in table, by configuration name
     * @param pricing price overrides
     * @param eventBufferCapacity the configuration's {@code event_buffer} capacity (0: off)
     * @param stateStore where shared state lives
     */
    public record Body(
            List<KeyView> keys,
            List<String> useKeys,
            Map<String, Integer> priorities,
            DefaultsView defaults,
            Map<String, ProviderView> providers,
            Map<String, List<FallbackTarget>> fallbackChains,
            Map<String, List<FallbackTarget>> modelFallbacks,
            Map<String, String> modelProviders,
            Map<String, Map<String, Boolean>> modelCapabilities,
            PricingView pricing,
            int eventBufferCapacity,
            StoreView stateStore) {}

    /**
     * One key of the registry.
     *
     * @param keyId its id
     * @param provider its provider
     * @param secretRef the scheme of its reference only, e.g. {@code env://***}
     * @param active whether it is in the pool (enabled and in {@code use_keys})
     * @param enabled its {@code enabled} field
     * @param models the models it serves
     * @param authMethod its auth method
     * @param authConfig the names of its {@code auth_config} entries, each value shown as {@code ***}
     * @param priority its priority ({@code priorities} applied for active keys)
     * @param weight its weight
     * @param regions free-form region tags
     * @param tags free-form labels
     * @param rateLimitRpm its client-side requests per minute, or null
     * @param rateLimitTpm its client-side tokens per minute, or null
     * @param metadata the names of its {@code metadata} entries, each value shown as {@code ***}
     */
    public record KeyView(
            String keyId,
            String provider,
            String secretRef,
            boolean active,
            boolean enabled,
            List<String> models,
            String authMethod,
            Map<String, String> authConfig,
            int priority,
            double weight,
            List<String> regions,
            List<String> tags,
            Integer rateLimitRpm,
            Long rateLimitTpm,
            Map<String, String> metadata) {
        static KeyView of(KeySpec key, boolean active) {
            return new KeyView(
                    key.keyId(),
                    key.provider(),
                    // A key that finds its own credentials has no reference to hide, only its non-secret identity.
                    key.secretRef().scheme() == dev.llmrotate.config.SecretRef.Scheme.AMBIENT
                            ? key.secretRef().toString()
                            : key.secretRef().scheme().name().toLowerCase(java.util.Locale.ROOT) + "://" + HIDDEN,
                    active,
                    key.enabled(),
                    key.models(),
                    key.authMethod(),
                    namesOnly(key.authConfig()),
                    key.priority(),
                    key.weight(),
                    key.regions(),
                    key.tags(),
                    key.rateLimitRpm(),
                    key.rateLimitTpm(),
                    namesOnly(key.metadata()));
        }
    }

    /** The {@code defaults} block, durations in seconds. */
    public record DefaultsView(
            String selectionStrategy,
            int maxRetries,
            Double backoffBaseSeconds,
            Double backoffMaxSeconds,
            Double callDeadlineSeconds,
            Double maxWaitForKeySeconds,
            Double waitBeforeFallbackSeconds) {
        static DefaultsView of(Defaults d) {
            return new DefaultsView(
                    d.selectionStrategy().wireName(),
                    d.maxRetries(),
                    seconds(d.backoffBase()),
                    seconds(d.backoffMax()),
                    seconds(d.callDeadline()),
                    seconds(d.maxWaitForKey()),
                    seconds(d.waitBeforeFallback()));
        }
    }

    /** One provider's settings, durations in seconds; {@code models} holds per-model overrides (null: inherited). */
    public record ProviderView(
            String baseUrl,
            Double cooldownSeconds,
            Double quarantineSeconds,
            Double quotaQuarantineSeconds,
            int maxConsecutiveFailures,
            Double maxRetryAfterSeconds,
            Double connectTimeoutSeconds,
            Double requestTimeoutSeconds,
            Double firstChunkTimeoutSeconds,
            Double streamIdleTimeoutSeconds,
            Double recoveryProbeSeconds,
            String streamRecovery,
            Map<String, ModelView> models) {
        static ProviderView of(ProviderSettings s) {
            Map<String, ModelView> models = new LinkedHashMap<>();
            s.models().forEach((id, m) -> models.put(id, ModelView.of(m)));
            return new ProviderView(
                    withoutCredentials(s.baseUrl()),
                    seconds(s.cooldown()),
                    seconds(s.quarantine()),
                    seconds(s.quotaQuarantine()),
                    s.maxConsecutiveFailures(),
                    seconds(s.maxRetryAfter()),
                    seconds(s.connectTimeout()),
                    seconds(s.requestTimeout()),
                    seconds(s.firstChunkTimeout()),
                    seconds(s.streamIdleTimeout()),
                    seconds(s.recoveryProbe()),
                    wire(s.streamRecovery()),
                    models);
        }
    }

    /** A model's overrides under {@code providers.<p>.models.<id>}; null fields are inherited from the provider. */
    public record ModelView(
            Double cooldownSeconds,
            Integer maxConsecutiveFailures,
            Double requestTimeoutSeconds,
            Double firstChunkTimeoutSeconds,
            Double streamIdleTimeoutSeconds,
            Double recoveryProbeSeconds,
            String streamRecovery) {
        static ModelView of(ModelSettings m) {
            return new ModelView(
                    seconds(m.cooldown()),
                    m.maxConsecutiveFailures(),
                    seconds(m.requestTimeout()),
                    seconds(m.firstChunkTimeout()),
                    seconds(m.streamIdleTimeout()),
                    seconds(m.recoveryProbe()),
                    wire(m.streamRecovery()));
        }
    }

    /** The {@code pricing} block: the price file's name and single prices (USD per million tokens). */
    public record PricingView(String file, List<PricingSettings.Entry> models) {
        static PricingView of(PricingSettings p) {
            return new PricingView(
                    p.file() == null || p.file().getFileName() == null
                            ? null
                            : p.file().getFileName().toString(),
                    p.prices());
        }
    }

    /** The {@code state_store} block; {@code url} without its password, or only its scheme when it is a reference. */
    public record StoreView(String type, String url, String prefix) {
        static StoreView of(StateStoreSettings s) {
            String url = s.url();
            if (url != null) {
                url = url.startsWith("env://") || url.startsWith("file://")
                        ? schemeOnly(url)
                        : StateStoreSettings.maskUrl(url);
            }
            return new StoreView(s.type(), url, s.prefix());
        }
    }
}

package dev.llmrotate.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One credential in the key pool. Field names follow the original's snake_case configuration keys.
 *
 * @param keyId unique name, used in logs, records and {@code use_keys}
 * @param provider one of the catalog's providers
 * @param secretRef where the secret is read from when the key is used; when null, keys whose {@code auth_method}
 *     needs no secret get an implicit one ({@code adc} and {@code default_chain}: {@link SecretRef#ambient}, shown as
 *     the key's identity; {@code bedrock_api_key}: {@code env://AWS_BEARER_TOKEN_BEDROCK})
 * @param models model ids this key may serve; drives model to provider inference
 * @param authMethod {@code api_key} (default); see {@link AuthMethod} for the cloud providers' methods
 * @param authConfig provider settings such as Azure's {@code azure_endpoint} or Vertex's {@code project}
 * @param priority higher wins under {@code priority} and {@code health_aware}
 * @param weight relative share under {@code weighted} (and tie-breaks under {@code health_aware})
 * @param regions free-form region tags
 * @param tags free-form labels
 * @param rateLimitRpm client-side requests per minute, or null for none
 * @param rateLimitTpm client-side tokens per minute (counted from actual usage), or null for none
 * @param enabled false keeps the entry in the registry but out of the pool
 * @param metadata free-form values handed to {@code acquire} users
 */
public record KeySpec(
        String keyId,
        String provider,
        SecretRef secretRef,
        List<String> models,
        String authMethod,
        Map<String, Object> authConfig,
        int priority,
        double weight,
        List<String> regions,
        List<String> tags,
        Integer rateLimitRpm,
        Long rateLimitTpm,
        boolean enabled,
        Map<String, Object> metadata) {

    public KeySpec {
        Objects.requireNonNull(keyId, "key_id");
        Objects.requireNonNull(provider, "provider");
        models = List.copyOf(models);
        authMethod = authMethod == null ? "api_key" : authMethod;
        authConfig = authConfig == null ? Map.of() : unmodifiableCopy(authConfig);
        if (secretRef == null && AuthMethod.needsNoSecret(authMethod)) {
            secretRef = AuthMethod.implicitSecretRef(authMethod, authConfig);
        }
        Objects.requireNonNull(secretRef, "secret_ref");
        regions = regions == null ? List.of() : List.copyOf(regions);
        tags = tags == null ? List.of() : List.copyOf(tags);
        metadata = metadata == null ? Map.of() : unmodifiableCopy(metadata);
    }

    private static Map<String, Object> unmodifiableCopy(Map<String, Object> map) {
        // LinkedHashMap keeps the user's order; Map.copyOf would reject null values from YAML.
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /**
     * The key without anything secret: the secret_ref as a reference (a literal's value never shows), and of
     * {@code auth_config} and {@code metadata} only the names of their entries, whose values may be secrets.
     */
    @Override
    public String toString() {
        return "KeySpec[keyId=" + keyId + ", provider=" + provider + ", secretRef=" + secretRef + ", models=" + models
                + ", authMethod=" + authMethod + ", authConfig=" + authConfig.keySet() + ", priority=" + priority
                + ", weight=" + weight + ", regions=" + regions + ", tags=" + tags + ", rateLimitRpm=" + rateLimitRpm
                + ", rateLimitTpm=" + rateLimitTpm + ", enabled=" + enabled + ", metadata=" + metadata.keySet() + "]";
    }

    public static Builder builder(String keyId, String provider) {
        return new Builder(keyId, provider);
    }

    /** A copy with another priority (the {@code priorities} block overrides keys' own). */
    public KeySpec withPriority(int newPriority) {
        return new KeySpec(
                keyId,
                provider,
                secretRef,
                models,
                authMethod,
                authConfig,
                newPriority,
                weight,
                regions,
                tags,
                rateLimitRpm,
                rateLimitTpm,
                enabled,
                metadata);
    }

    public boolean servesModel(String model) {
        return models.contains(model);
    }

    /** Builds a {@link KeySpec}. */
    public static final class Builder {
        private final String keyId;
        private final String provider;
        private SecretRef secretRef;
        private final List<String> models = new ArrayList<>();
        private String authMethod = "api_key";
        private final Map<String, Object> authConfig = new LinkedHashMap<>();
        private int priority;
        private double weight = 1.0;
        private List<String> regions = List.of();
        private List<String> tags = List.of();
        private Integer rateLimitRpm;
        private Long rateLimitTpm;
        private boolean enabled = true;
        private final Map<String, Object> metadata = new LinkedHashMap<>();

        private Builder(String keyId, String provider) {
            this.keyId = keyId;
            this.provider = provider;
        }

        /** The secret reference, e.g. {@code env://OPENAI_API_KEY}. */
        public Builder secretRef(String ref) {
            this.secretRef = SecretRef.parse(ref);
            return this;
        }

        public Builder secretRef(SecretRef ref) {
            this.secretRef = ref;
            return this;
        }

        public Builder models(String... ids) {
            models.addAll(List.of(ids));
            return this;
        }

        public Builder authMethod(String method) {
            this.authMethod = method;
            return this;
        }

        public Builder authConfig(String name, Object value) {
            authConfig.put(name, value);
            return this;
        }

        public Builder priority(int value) {
            this.priority = value;
            return this;
        }

        public Builder weight(double value) {
            this.weight = value;
            return this;
        }

        public Builder regions(String... values) {
            this.regions = List.of(values);
            return this;
        }

        public Builder tags(String... values) {
            this.tags = List.of(values);
            return this;
        }

        public Builder rateLimitRpm(int rpm) {
            this.rateLimitRpm = rpm;
            return this;
        }

        public Builder rateLimitTpm(long tpm) {
            this.rateLimitTpm = tpm;
            return this;
        }

        public Builder enabled(boolean value) {
            this.enabled = value;
            return this;
        }

        public Builder metadata(String name, Object value) {
            metadata.put(name, value);
            return this;
        }

        public KeySpec build() {
            if (secretRef == null && !AuthMethod.needsNoSecret(authMethod)) {
                throw new IllegalArgumentException("key '" + keyId + "' needs a secret_ref");
            }
            return new KeySpec(
                    keyId,
                    provider,
                    secretRef,
                    models,
                    authMethod,
                    authConfig,
                    priority,
                    weight,
                    regions,
                    tags,
                    rateLimitRpm,
                    rateLimitTpm,
                    enabled,
                    metadata);
        }
    }
}

package dev.llmrotate.config;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The built-in provider catalog with the original's defaults: cooldown 30 s (Anthropic 60 s), quarantine 300 s.
 * Configuration overrides are merged over these values field by field.
 */
public final class ProviderCatalog {
    /** OpenAI's API. */
    public static final String OPENAI = "openai";
    /** Anthropic's Messages API. */
    public static final String ANTHROPIC = "anthropic";
    /** Google AI Studio (the Gemini API with an API key). */
    public static final String GOOGLE_AI_STUDIO = "google_ai_studio";
    /** Google Vertex AI (a service account; {@code auth_config} names project and region). */
    public static final String GOOGLE_VERTEX = "google_vertex";
    /** OpenRouter, a broker that routes to other providers' models. */
    public static final String OPENROUTER = "openrouter";
    /** Azure OpenAI ({@code auth_config.azure_endpoint} names the resource). */
    public static final String AZURE_OPENAI = "azure_openai";
    /** Amazon Bedrock's Converse API ({@code auth_config.region} names the region). */
    public static final String AWS_BEDROCK = "aws_bedrock";

    private static final Map<String, ProviderSettings> BUILT_IN = build();

    private ProviderCatalog() {}

    private static Map<String, ProviderSettings> build() {
        Map<String, ProviderSettings> catalog = new LinkedHashMap<>();
        add(catalog, OPENAI, "https://api.openai.com/v1", 30);
        add(catalog, ANTHROPIC, "https://api.anthropic.com/v1", 60);
        add(catalog, GOOGLE_AI_STUDIO, "https://generativelanguage.googleapis.com/v1beta", 30);
        // Vertex, Azure and Bedrock URLs depend on each key's auth_config (project/region, endpoint, region).
        add(catalog, GOOGLE_VERTEX, "https://aiplatform.googleapis.com/v1", 30);
        add(catalog, OPENROUTER, "https://openrouter.ai/api/v1", 30);
        add(catalog, AZURE_OPENAI, "https://azure-endpoint-from-auth-config.invalid", 30);
        add(catalog, AWS_BEDROCK, "https://bedrock-runtime.region-from-auth-config.invalid", 30);
        return Map.copyOf(catalog);
    }

    private static void add(Map<String, ProviderSettings> catalog, String name, String url, int cooldownSeconds) {
        catalog.put(
                name,
                new ProviderSettings(
                        name,
                        URI.create(url),
                        Duration.ofSeconds(cooldownSeconds),
                        Duration.ofSeconds(300),
                        Duration.ofSeconds(3600),
                        5,
                        Duration.ofSeconds(300),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(10),
                        StreamRecovery.OFF,
                        Map.of()));
    }

    /**
     * The provider ids of the catalog.
     *
     * @return the seven ids, unmodifiable
     */
    public static Set<String> names() {
        return Set.of(OPENAI, ANTHROPIC, GOOGLE_AI_STUDIO, GOOGLE_VERTEX, OPENROUTER, AZURE_OPENAI, AWS_BEDROCK);
    }

    /**
     * Whether {@code provider} is one of the catalog's ids.
     *
     * @param provider a provider id, compared exactly
     * @return true for a known provider
     */
    public static boolean isKnown(String provider) {
        return BUILT_IN.containsKey(provider);
    }

    /**
     * The built-in settings of a provider; {@link IllegalArgumentException} for an unknown id.
     *
     * @param provider a provider id of the catalog
     * @return the settings before any configuration override
     */
    public static ProviderSettings defaults(String provider) {
        ProviderSettings settings = BUILT_IN.get(provider);
        if (settings == null) {
            throw new IllegalArgumentException("unknown provider '" + provider + "'");
        }
        return settings;
    }

    /**
     * True for providers that route to other providers' models (their fallback entries may name an upstream).
     *
     * @param provider a provider id
     * @return true for {@code openrouter}
     */
    public static boolean isBroker(String provider) {
        return OPENROUTER.equals(provider);
    }
}

package dev.llmrotate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmrotate.error.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the same configuration from YAML, JSON, the registry map and the builder. */
class ConfigLoaderTest {
    static Path resource(String name) {
        try {
            return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's blocks load without an unknown-field error and are kept as read, for the server to check. */
    @Test
    void theServersBlocksAreKeptAsReadForTheServer() {
        String yaml = """
                keys:
                  - {key_id: k, provider: openai, secret_ref: env://K, models: [gpt-4o-mini]}
                gateway:
                  port: 4000
                  keys:
                    - {id: team-a, secret_ref: env://GW_A, modles: [gpt-4o-mini]}
                server: {port: 8200}
                """;
        LlmRotateConfig config = ConfigLoader.fromYaml(yaml);
        assertThat(config.moduleBlock("gateway")).containsEntry("port", 4000).containsKey("keys");
        assertThat(config.moduleBlock("server")).containsExactly(Map.entry("port", 8200));
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(ConfigLoader.fromYaml(yaml.replace("gateway:\n  port: 4000", "gateway:\n  port: 4001")))
                .isNotEqualTo(config);
        assertThat(LlmRotateConfig.builder()
                        .key(KeySpec.builder("k", "openai")
                                .secretRef("env://K")
                                .models("gpt-4o-mini")
                                .build())
                        .build()
                        .moduleBlock("gateway"))
                .isEmpty();
        assertThatThrownBy(() -> config.moduleBlock("gatway"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[gateway, server]");

        assertThatThrownBy(() -> ConfigLoader.fromYaml(yaml.replace("server: {port: 8200}", "server: 8200")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("server: expected a map");
        assertThatThrownBy(() -> ConfigLoader.fromYaml(yaml.replace("server:", "sever:")))
                .hasMessageContaining("sever: unknown field; did you mean 'server'?");
    }

    @Test
    void fullYamlLoadsEveryField() {
        LlmRotateConfig config = ConfigLoader.fromFile(resource("full.yaml"));

        assertThat(config.keys()).hasSize(6);
        KeySpec openai = config.keys().get(0);
        assertThat(openai.keyId()).isEqualTo("openai-1");
        assertThat(openai.provider()).isEqualTo("openai");
        assertThat(openai.secretRef()).isEqualTo(SecretRef.env("OPENAI_API_KEY"));
        assertThat(openai.secretRef().scheme()).isEqualTo(SecretRef.Scheme.ENV);
        assertThat(openai.models()).containsExactly("gpt-4o-mini", "gpt-4o");
        assertThat(openai.authMethod()).isEqualTo("api_key");
        assertThat(openai.authConfig()).isEmpty();
        assertThat(openai.priority()).isEqualTo(5);
        assertThat(openai.weight()).isEqualTo(2.5);
        assertThat(openai.regions()).containsExactly("us-east", "eu-west");
        assertThat(openai.tags()).containsExactly("prod", "search");
        assertThat(openai.rateLimitRpm()).isEqualTo(500);
        assertThat(openai.rateLimitTpm()).isEqualTo(2_000_000L);
        assertThat(openai.enabled()).isTrue();
        assertThat(openai.metadata()).containsExactly(Map.entry("team", "search"), Map.entry("tier", 2));

        KeySpec disabled = config.keys().get(1);
        assertThat(disabled.enabled()).isFalse();
        assertThat(disabled.secretRef().scheme()).isEqualTo(SecretRef.Scheme.FILE);
        assertThat(disabled.secretRef()).hasToString("file:///run/secrets/openai-2");

        KeySpec anthropic = config.keys().get(2);
        assertThat(anthropic.priority()).as("the key's own priority").isEqualTo(1);
        assertThat(anthropic.weight()).as("default weight").isEqualTo(1.0);
        assertThat(anthropic.authMethod()).as("default auth_method").isEqualTo("api_key");
        assertThat(anthropic.regions()).isEmpty();
        assertThat(anthropic.tags()).isEmpty();
        assertThat(anthropic.rateLimitRpm()).isNull();
        assertThat(anthropic.rateLimitTpm()).isNull();
        assertThat(anthropic.metadata()).isEmpty();

        KeySpec vertex = config.keys().get(4);
        assertThat(vertex.authMethod()).isEqualTo("service_account");
        assertThat(vertex.authConfig())
                .containsExactly(Map.entry("project", "my-gcp-project"), Map.entry("region", "us-central1"));

        assertThat(config.useKeys()).containsExactly("openai-1", "openai-2", "anthropic-1", "openrouter-1", "vertex-1");
        assertThat(config.activeKeys())
                .extracting(KeySpec::keyId)
                .as("openai-2 disabled, azure-1 not in use_keys")
                .containsExactly("openai-1", "anthropic-1", "openrouter-1", "vertex-1");
        assertThat(config.priorities()).containsExactly(Map.entry("anthropic-1", 10));
        assertThat(config.activeKeys().get(1).priority())
                .as("priorities override the key's own")
                .isEqualTo(10);
        assertThat(config.keys().get(2).priority())
                .as("keys() keeps the key as written")
                .isEqualTo(1);

        ProviderSettings openaiSettings = config.provider("openai");
        assertThat(openaiSettings.baseUrl()).isEqualTo(URI.create("http://localhost:8080/v1"));
        assertThat(openaiSettings.cooldown()).isEqualTo(Duration.ofSeconds(45));
        assertThat(openaiSettings.quarantine()).isEqualTo(Duration.ofMinutes(10));
        assertThat(openaiSettings.quotaQuarantine()).isEqualTo(Duration.ofHours(2));
        assertThat(openaiSettings.maxRetryAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(openaiSettings.connectTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(openaiSettings.requestTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(openaiSettings.maxConsecutiveFailures()).isEqualTo(3);
        assertThat(openaiSettings.recoveryProbe()).isEqualTo(Duration.ofSeconds(15));
        assertThat(openaiSettings.streamRecovery()).isEqualTo(StreamRecovery.AUTO);
        assertThat(openaiSettings.models())
                .containsOnly(Map.entry("gpt-4o", GPT_4O_OVERRIDES), Map.entry("gpt-4o-mini", GPT_4O_MINI_OVERRIDES));
        ProviderSettings gpt4o = openaiSettings.forModel("gpt-4o");
        assertThat(gpt4o.firstChunkTimeout()).isEqualTo(Duration.ofMinutes(3));
        assertThat(gpt4o.maxConsecutiveFailures()).isEqualTo(2);
        assertThat(gpt4o.streamRecovery()).isEqualTo(StreamRecovery.PREFILL);
        assertThat(gpt4o.cooldown())
                .as("the provider's where the model has none")
                .isEqualTo(Duration.ofSeconds(45));
        assertThat(gpt4o.models()).isEmpty();
        ProviderSettings mini = openaiSettings.forModel("gpt-4o-mini");
        assertThat(mini.cooldown()).isEqualTo(Duration.ofSeconds(5));
        assertThat(mini.requestTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(mini.streamIdleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(mini.recoveryProbe()).isEqualTo(Duration.ofSeconds(2));
        assertThat(mini.streamRecovery()).as("a bare YAML off").isEqualTo(StreamRecovery.OFF);
        assertThat(mini.firstChunkTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.provider("openrouter").forModel("anthropic/claude-haiku-4.5"))
                .isEqualTo(ProviderCatalog.defaults("openrouter")
                        .withCooldown(Duration.ofSeconds(12))
                        .withStreamRecovery(StreamRecovery.REPLAY));

        ProviderSettings anthropicSettings = config.provider("anthropic");
        assertThat(anthropicSettings.quarantine()).isEqualTo(Duration.ofSeconds(600));
        assertThat(anthropicSettings.cooldown())
                .as("catalog default kept where not overridden")
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(anthropicSettings)
                .isEqualTo(ProviderCatalog.defaults("anthropic").withQuarantine(Duration.ofSeconds(600)));
        assertThat(config.provider("google_ai_studio")).isEqualTo(ProviderCatalog.defaults("google_ai_studio"));

        assertThat(config.defaults())
                .isEqualTo(new Defaults(
                        SelectionStrategyType.WEIGHTED,
                        3,
                        Duration.ofMillis(250),
                        Duration.ofSeconds(4),
                        Duration.ofMinutes(1),
                        Duration.ZERO,
                        Duration.ofMillis(1500)));

        assertThat(config.fallbackChains())
                .containsExactly(
                        Map.entry(
                                "anthropic",
                                List.of(FallbackTarget.to("openrouter")
                                        .withUpstream("anthropic")
                                        .withModel("anthropic/claude-haiku-4.5"))),
                        Map.entry("openai", List.of(FallbackTarget.to("openrouter"))));
        assertThat(config.modelFallbacks()).containsExactly(Map.entry("gpt-4o", GPT_4O_CHAIN));
        assertThat(config.modelProviders()).containsExactly(Map.entry("gpt-4o-mini", "openai"));
    }

    static final ModelSettings GPT_4O_OVERRIDES =
            new ModelSettings(null, 2, null, Duration.ofMinutes(3), null, null, StreamRecovery.PREFILL);
    static final ModelSettings GPT_4O_MINI_OVERRIDES = new ModelSettings(
            Duration.ofSeconds(5),
            null,
            Duration.ofSeconds(20),
            null,
            Duration.ofSeconds(10),
            Duration.ofSeconds(2),
            StreamRecovery.OFF);
    static final List<FallbackTarget> GPT_4O_CHAIN = List.of(
            FallbackTarget.to("openrouter").withUpstream("openai").withModel("gpt-4o-mini"),
            FallbackTarget.to("anthropic").withModel("claude-haiku-4-5-20251001"));

    @Test
    void jsonFileLoadsToTheSameConfigurationAsYaml() {
        LlmRotateConfig yaml = ConfigLoader.fromFile(resource("full.yaml"));
        LlmRotateConfig json = ConfigLoader.fromFile(resource("full.json"));

        assertThat(json.keys()).isEqualTo(yaml.keys());
        assertThat(json.activeKeys()).isEqualTo(yaml.activeKeys());
        assertThat(json.providers()).isEqualTo(yaml.providers());
        assertThat(json.defaults()).isEqualTo(yaml.defaults());
        assertThat(json.priorities()).isEqualTo(yaml.priorities());
        assertThat(json.fallbackChains()).isEqualTo(yaml.fallbackChains());
        assertThat(json.modelFallbacks()).isEqualTo(yaml.modelFallbacks());
        assertThat(json.modelProviders()).isEqualTo(yaml.modelProviders());
        assertThat(json).isEqualTo(yaml).hasSameHashCodeAs(yaml);
    }

    @Test
    void yamlAndJsonTextLoadLikeTheirFiles() throws IOException {
        LlmRotateConfig fromFile = ConfigLoader.fromFile(resource("full.yaml"));
        assertThat(ConfigLoader.fromYaml(Files.readString(resource("full.yaml"))))
                .isEqualTo(fromFile);
        assertThat(ConfigLoader.fromJson(Files.readString(resource("full.json"))))
                .isEqualTo(fromFile);
        assertThat(LlmRotateConfig.fromFile(resource("full.json"))).isEqualTo(fromFile);
    }

    /** The original's registry dict, with use_keys passed as configure_from_dict's argument. */
    static Map<String, Object> registry() {
        Map<String, Object> registry = new LinkedHashMap<>();
        registry.put(
                "keys",
                List.of(
                        Map.ofEntries(
                                Map.entry("key_id", "openai-1"),
                                Map.entry("provider", "openai"),
                                Map.entry("secret_ref", "env://OPENAI_API_KEY"),
                                Map.entry("models", List.of("gpt-4o-mini", "gpt-4o")),
                                Map.entry("auth_method", "api_key"),
                                Map.entry("priority", 5),
                                Map.entry("weight", 2.5),
                                Map.entry("regions", List.of("us-east", "eu-west")),
                                Map.entry("tags", List.of("prod", "search")),
                                Map.entry("rate_limit_rpm", 500),
                                Map.entry("rate_limit_tpm", 2_000_000L),
                                Map.entry("enabled", true),
                                Map.entry("metadata", orderedMap("team", "search", "tier", 2))),
                        Map.of(
                                "key_id", "openai-2",
                                "provider", "openai",
                                "secret_ref", "file:///run/secrets/openai-2",
                                "models", List.of("gpt-4o-mini"),
                                "enabled", false),
                        Map.of(
                                "key_id",
                                "anthropic-1",
                                "provider",
                                "anthropic",
                                "secret_ref",
                                SecretRef.env("ANTHROPIC_API_KEY"),
                                "models",
                                List.of("claude-haiku-4-5-20251001"),
                                "priority",
                                1),
                        Map.of(
                                "key_id", "openrouter-1",
                                "provider", "openrouter",
                                "secret_ref", "env://OPENROUTER_API_KEY",
                                "models", List.of("anthropic/claude-haiku-4.5", "gpt-4o-mini")),
                        Map.of(
                                "key_id", "vertex-1",
                                "provider", "google_vertex",
                                "secret_ref", "file:///run/secrets/vertex-sa.json",
                                "models", List.of("gemini-2.0-flash"),
                                "auth_method", "service_account",
                                "auth_config", orderedMap("project", "my-gcp-project", "region", "us-central1")),
                        Map.of(
                                "key_id", "azure-1",
                                "provider", "azure_openai",
                                "secret_ref", "env://AZURE_OPENAI_KEY",
                                "models", List.of("gpt-4o"),
                                "auth_config", Map.of("azure_endpoint", "https://example-resource.openai.azure.com"))));
        Map<String, Object> providers = new LinkedHashMap<>();
        providers.put(
                "openai",
                Map.ofEntries(
                        Map.entry("base_url", "http://localhost:8080/v1"),
                        Map.entry("cooldown_seconds", 45),
                        Map.entry("quarantine_seconds", Duration.ofMinutes(10)),
                        Map.entry("quota_quarantine_seconds", "2h"),
                        Map.entry("max_retry_after_seconds", 120L),
                        Map.entry("connect_timeout_seconds", 2.5),
                        Map.entry("request_timeout_seconds", "90s"),
                        Map.entry("max_consecutive_failures", 3),
                        Map.entry("recovery_probe_seconds", Duration.ofSeconds(15)),
                        Map.entry("stream_recovery", "auto"),
                        Map.entry(
                                "models",
                                Map.of(
                                        "gpt-4o",
                                        Map.of(
                                                "first_chunk_timeout_seconds",
                                                Duration.ofMinutes(3),
                                                "max_consecutive_failures",
                                                2L,
                                                "stream_recovery",
                                                "prefill"),
                                        "gpt-4o-mini",
                                        Map.of(
                                                "cooldown_seconds",
                                                5,
                                                "request_timeout_seconds",
                                                "20s",
                                                "stream_idle_timeout_seconds",
                                                10.0,
                                                "recovery_probe_seconds",
                                                "2000ms",
                                                "stream_recovery",
                                                "off")))));
        providers.put("anthropic", Map.of("quarantine_seconds", 600));
        providers.put(
                "openrouter",
                Map.of(
                        "models",
                        Map.of(
                                "anthropic/claude-haiku-4.5",
                                Map.of("cooldown_seconds", 12, "stream_recovery", "replay"))));
        registry.put("providers", providers);
        registry.put(
                "defaults",
                Map.of(
                        "selection_strategy",
                        "weighted",
                        "max_retries",
                        3,
                        "backoff_base_seconds",
                        "250ms",
                        "backoff_max_seconds",
                        4,
                        "call_deadline_seconds",
                        "1m",
                        "max_wait_for_key_seconds",
                        0,
                        "wait_before_fallback_seconds",
                        Duration.ofMillis(1500)));
        registry.put("priorities", Map.of("anthropic-1", 10));
        registry.put(
                "fallback_chains",
                orderedMap(
                        "anthropic",
                        List.of(Map.of(
                                "provider", "openrouter",
                                "upstream", "anthropic",
                                "model", "anthropic/claude-haiku-4.5")),
                        "openai",
                        List.of(Map.of("provider", "openrouter"))));
        registry.put(
                "model_fallbacks",
                Map.of(
                        "gpt-4o",
                        List.of(
                                Map.of("provider", "openrouter", "upstream", "openai", "model", "gpt-4o-mini"),
                                Map.of("provider", "anthropic", "model", "claude-haiku-4-5-20251001"))));
        registry.put("model_providers", Map.of("gpt-4o-mini", "openai"));
        return registry;
    }

    static final List<String> USE_KEYS = List.of("openai-1", "openai-2", "anthropic-1", "openrouter-1", "vertex-1");

    private static Map<String, Object> orderedMap(String k1, Object v1, String k2, Object v2) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(k1, v1);
        map.put(k2, v2);
        return map;
    }

    @Test
    void registryMapWithUseKeysLoadsTheSame() {
        LlmRotateConfig yaml = ConfigLoader.fromFile(resource("full.yaml"));

        assertThat(ConfigLoader.fromMap(registry(), USE_KEYS)).isEqualTo(yaml);

        Map<String, Object> withUseKeys = registry();
        withUseKeys.put("use_keys", USE_KEYS);
        assertThat(ConfigLoader.fromMap(withUseKeys)).isEqualTo(yaml);
        assertThat(LlmRotateConfig.fromMap(withUseKeys)).isEqualTo(yaml);
    }

    @Test
    void builderBuildsTheSame() {
        LlmRotateConfig built = LlmRotateConfig.builder()
                .key(KeySpec.builder("openai-1", "openai")
                        .secretRef("env://OPENAI_API_KEY")
                        .models("gpt-4o-mini", "gpt-4o")
                        .priority(5)
                        .weight(2.5)
                        .regions("us-east", "eu-west")
                        .tags("prod", "search")
                        .rateLimitRpm(500)
                        .rateLimitTpm(2_000_000L)
                        .metadata("team", "search")
                        .metadata("tier", 2)
                        .build())
                .key(KeySpec.builder("openai-2", "openai")
                        .secretRef("file:///run/secrets/openai-2")
                        .models("gpt-4o-mini")
                        .enabled(false)
                        .build())
                .key(KeySpec.builder("anthropic-1", "anthropic")
                        .secretRef("env://ANTHROPIC_API_KEY")
                        .models("claude-haiku-4-5-20251001")
                        .priority(1)
                        .build())
                .key(KeySpec.builder("openrouter-1", "openrouter")
                        .secretRef("env://OPENROUTER_API_KEY")
                        .models("anthropic/claude-haiku-4.5", "gpt-4o-mini")
                        .build())
                .key(KeySpec.builder("vertex-1", "google_vertex")
                        .secretRef("file:///run/secrets/vertex-sa.json")
                        .models("gemini-2.0-flash")
                        .authMethod("service_account")
                        .authConfig("project", "my-gcp-project")
                        .authConfig("region", "us-central1")
                        .build())
                .key(KeySpec.builder("azure-1", "azure_openai")
                        .secretRef("env://AZURE_OPENAI_KEY")
                        .models("gpt-4o")
                        .authConfig("azure_endpoint", "https://example-resource.openai.azure.com")
                        .build())
                .provider(
                        "openai",
                        s -> s.withBaseUrl(URI.create("http://localhost:8080/v1"))
                                .withCooldown(Duration.ofSeconds(45))
                                .withQuarantine(Duration.ofMinutes(10))
                                .withQuotaQuarantine(Duration.ofHours(2))
                                .withMaxRetryAfter(Duration.ofMinutes(2))
                                .withConnectTimeout(Duration.ofMillis(2500))
                                .withRequestTimeout(Duration.ofSeconds(90))
                                .withMaxConsecutiveFailures(3)
                                .withRecoveryProbe(Duration.ofSeconds(15))
                                .withStreamRecovery(StreamRecovery.AUTO)
                                .withModels(Map.of("gpt-4o", GPT_4O_OVERRIDES, "gpt-4o-mini", GPT_4O_MINI_OVERRIDES)))
                .provider("anthropic", s -> s.withQuarantine(Duration.ofSeconds(600)))
                .provider(
                        "openrouter",
                        s -> s.withModels(Map.of(
                                "anthropic/claude-haiku-4.5",
                                new ModelSettings(
                                        Duration.ofSeconds(12), null, null, null, null, null, StreamRecovery.REPLAY))))
                .strategy(SelectionStrategyType.WEIGHTED)
                .defaults(d -> d.withMaxRetries(3)
                        .withBackoff(Duration.ofMillis(250), Duration.ofSeconds(4))
                        .withCallDeadline(Duration.ofMinutes(1))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ofMillis(1500)))
                .useKeys(USE_KEYS)
                .priority("anthropic-1", 10)
                .fallbackChain(
                        "anthropic",
                        FallbackTarget.to("openrouter")
                                .withUpstream("anthropic")
                                .withModel("anthropic/claude-haiku-4.5"))
                .fallbackChain("openai", FallbackTarget.to("openrouter"))
                .modelFallback("gpt-4o", GPT_4O_CHAIN.toArray(FallbackTarget[]::new))
                .modelProvider("gpt-4o-mini", "openai")
                .build();

        assertThat(built).isEqualTo(ConfigLoader.fromFile(resource("full.yaml")));
        assertThat(built.toBuilder().build()).isEqualTo(built);
        assertThat(built.toBuilder().build().modelFallbacks())
                .as("toBuilder keeps the model chains")
                .containsExactly(Map.entry("gpt-4o", GPT_4O_CHAIN));
    }

    @Test
    void catalogHasAllSevenProvidersWithTheOriginalsDefaults() {
        LlmRotateConfig config = ConfigLoader.fromYaml(
                "keys: [{key_id: a, provider: openai, secret_ref: env://A, models: [gpt-4o-mini]}]");

        assertThat(config.providers())
                .containsOnlyKeys(
                        "openai",
                        "anthropic",
                        "google_ai_studio",
                        "google_vertex",
                        "openrouter",
                        "azure_openai",
                        "aws_bedrock");
        assertThat(ProviderCatalog.names()).isEqualTo(config.providers().keySet());
        config.providers().forEach((name, settings) -> {
            assertThat(settings.name()).isEqualTo(name);
            assertThat(settings.cooldown())
                    .as(name + " cooldown")
                    .isEqualTo(name.equals("anthropic") ? Duration.ofSeconds(60) : Duration.ofSeconds(30));
            assertThat(settings.quarantine()).as(name + " quarantine").isEqualTo(Duration.ofSeconds(300));
            assertThat(settings.maxConsecutiveFailures()).isEqualTo(5);
            assertThat(settings).isEqualTo(ProviderCatalog.defaults(name));
        });
        assertThat(ProviderCatalog.isBroker("openrouter")).isTrue();
        assertThat(ProviderCatalog.isBroker("openai")).isFalse();
        assertThat(config.defaults()).isEqualTo(Defaults.BUILT_IN);
        assertThat(config.defaults().selectionStrategy()).isEqualTo(SelectionStrategyType.HEALTH_AWARE);
        assertThat(config.defaults().maxRetries()).isEqualTo(2);
        assertThat(config.useKeys()).isNull();
        assertThatThrownBy(() -> config.provider("opanai"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown provider 'opanai'; did you mean 'openai'?");
    }

    private static final String THREE_KEYS = """
            keys:
              - {key_id: a, provider: openai, secret_ref: env://A, models: [gpt-4o-mini], priority: 1}
              - {key_id: b, provider: openai, secret_ref: env://B, models: [gpt-4o-mini], priority: 2}
              - {key_id: c, provider: openai, secret_ref: env://C, models: [gpt-4o-mini], enabled: false}
            """;

    @Test
    void withoutUseKeysEveryEnabledKeyIsActive() {
        LlmRotateConfig config = ConfigLoader.fromYaml(THREE_KEYS);

        assertThat(config.keys()).extracting(KeySpec::keyId).containsExactly("a", "b", "c");
        assertThat(config.activeKeys()).extracting(KeySpec::keyId).containsExactly("a", "b");
    }

    @Test
    void useKeysFiltersAndDisabledKeysStayOut() {
        LlmRotateConfig config = ConfigLoader.fromYaml(THREE_KEYS + "use_keys: [b, c]\n");

        assertThat(config.useKeys()).containsExactly("b", "c");
        assertThat(config.activeKeys()).extracting(KeySpec::keyId).containsExactly("b");
    }

    @Test
    void prioritiesOverrideTheKeysOwnInActiveKeys() {
        LlmRotateConfig config = ConfigLoader.fromYaml(THREE_KEYS + "priorities: {a: 7}\n");

        assertThat(config.activeKeys())
                .extracting(KeySpec::keyId, KeySpec::priority)
                .containsExactly(tuple("a", 7), tuple("b", 2));
        assertThat(config.keys().get(0).priority()).isEqualTo(1);
    }

    @Test
    void useKeysArgumentWinsOverTheFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("keys.yml");
        Files.writeString(file, THREE_KEYS + "use_keys: [a]\n");

        assertThat(ConfigLoader.fromFile(file).activeKeys())
                .extracting(KeySpec::keyId)
                .containsExactly("a");
        LlmRotateConfig overridden = ConfigLoader.fromFile(file, List.of("b"));
        assertThat(overridden.useKeys()).containsExactly("b");
        assertThat(overridden.activeKeys()).extracting(KeySpec::keyId).containsExactly("b");
        assertThat(ConfigLoader.fromFile(file, null).useKeys())
                .as("null keeps the file's")
                .containsExactly("a");

        Map<String, Object> registry = new LinkedHashMap<>(Map.of(
                "keys",
                List.of(
                        Map.of("key_id", "a", "provider", "openai", "secret_ref", "env://A", "models", List.of("m")),
                        Map.of("key_id", "b", "provider", "openai", "secret_ref", "env://B", "models", List.of("m")))));
        registry.put("use_keys", List.of("a"));
        assertThat(ConfigLoader.fromMap(registry, List.of("b")).activeKeys())
                .extracting(KeySpec::keyId)
                .containsExactly("b");
    }

    @Test
    void useKeysArgumentIsValidatedLikeTheFiles() {
        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class,
                () -> ConfigLoader.fromMap(
                        Map.of(
                                "keys",
                                List.of(Map.of(
                                        "key_id",
                                        "a",
                                        "provider",
                                        "openai",
                                        "secret_ref",
                                        "env://A",
                                        "models",
                                        List.of("m")))),
                        List.of("other-key")));
        assertThat(e.problems())
                .containsExactly(
                        "use_keys[0]: no key with key_id 'other-key'",
                        "keys: no key is active (every key is disabled or left out of use_keys)");
    }

    @Test
    void fileWithAnotherExtensionIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("llm-rotate.toml");
        Files.writeString(file, "keys = []");

        assertThatThrownBy(() -> ConfigLoader.fromFile(file))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(file + ": unsupported configuration file type; use a .yaml or .yml (YAML) or .json (JSON)"
                        + " file");
    }

    @Test
    void upperCaseExtensionIsAccepted(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("CONFIG.YML");
        Files.writeString(file, THREE_KEYS);

        assertThat(ConfigLoader.fromFile(file).keys()).hasSize(3);
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path file = dir.resolve("absent.yaml");

        assertThatThrownBy(() -> ConfigLoader.fromFile(file))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage(file + ": configuration file does not exist");
    }

    @Test
    void emptyDocumentsAreRefusedClearly(@TempDir Path dir) throws IOException {
        String expectedEnd = ": the configuration is empty; expected a map with at least 'keys' (and optionally"
                + " providers, defaults, use_keys, priorities, fallback_chains, model_fallbacks, model_providers, model_capabilities, pricing, event_buffer, state_store, gateway, server)";
        Path empty = dir.resolve("empty.yaml");
        Files.writeString(empty, "");
        Path emptyJson = dir.resolve("empty.json");
        Files.writeString(emptyJson, "  \n");
        Path nullJson = dir.resolve("null.json");
        Files.writeString(nullJson, "null");

        assertThatThrownBy(() -> ConfigLoader.fromFile(empty)).hasMessage(empty + expectedEnd);
        assertThatThrownBy(() -> ConfigLoader.fromFile(resource("empty.yaml")))
                .as("comments only")
                .hasMessage(resource("empty.yaml") + expectedEnd);
        assertThatThrownBy(() -> ConfigLoader.fromFile(emptyJson)).hasMessage(emptyJson + expectedEnd);
        assertThatThrownBy(() -> ConfigLoader.fromFile(nullJson)).hasMessage(nullJson + expectedEnd);
        assertThatThrownBy(() -> ConfigLoader.fromYaml("~")).hasMessage("YAML text" + expectedEnd);
    }

    @Test
    void documentThatIsNotAMapIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("- key_id: a\n- key_id: b\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("YAML text: expected a map of configuration fields (keys, providers, defaults, ...), got a"
                        + " list");
        assertThatThrownBy(() -> ConfigLoader.fromJson("\"keys\""))
                .hasMessage("JSON text: expected a map of configuration fields (keys, providers, defaults, ...), got"
                        + " \"keys\"");
        assertThatThrownBy(() -> ConfigLoader.fromMap(null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("registry: must not be null");
    }

    @Test
    void malformedYamlNamesFileLineAndColumnButNotTheLine() {
        Path file = resource("malformed.yaml");

        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromFile(file));

        assertThat(e.getMessage())
                .isEqualTo(file + ": malformed YAML at line 3, column 57: mapping values are not allowed here")
                .doesNotContain("sk-test");
        assertThat(e.problems()).hasSize(1);
    }

    @Test
    void malformedJsonNamesFileLineAndColumnButNotTheToken() {
        Path file = resource("malformed.json");

        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromFile(file));

        assertThat(e.getMessage())
                .startsWith(file + ": malformed JSON at line 3, column ")
                .contains("unrecognized token")
                .doesNotContain("sk-test")
                .doesNotContain("literal");
    }

    @Test
    void otherParserErrorsKeepTheirReason() {
        assertThatThrownBy(() -> ConfigLoader.fromJson("{\"keys\": [], \"keys\": []}"))
                .hasMessage("JSON text: malformed JSON at line 1, column 20: Duplicate field 'keys'");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("keys: []\nkeys: []\n"))
                .hasMessage("YAML text: malformed YAML at line 2, column 5: Duplicate field 'keys'");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("keys: []\n---\nkeys: []\n"))
                .hasMessage("YAML text: malformed YAML at line 3, column 1: unexpected content after the end of the"
                        + " document (one document per file)");
        assertThatThrownBy(() -> ConfigLoader.fromJson("{\"keys\": [1, 2}"))
                .hasMessageStartingWith("JSON text: malformed JSON at line 1, column 15: Unexpected close marker '}'");
    }

    @Test
    void propertyTreeReadsTextScalarsAsTheTypesTheSchemaExpects() {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("key_id", "openai-1");
        key.put("provider", "openai");
        key.put("secret_ref", "env://OPENAI_API_KEY");
        key.put("models", "gpt-4o-mini, gpt-4o");
        key.put("priority", "7");
        key.put("weight", "2.5");
        key.put("enabled", "TRUE");
        key.put("rate_limit_tpm", "90000");
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("keys", List.of(key));
        tree.put("defaults", Map.of("max_retries", "4", "call_deadline_seconds", "45s", "backoff_max_seconds", "9"));

        LlmRotateConfig config = ConfigLoader.fromPropertyTree(tree, "llm-rotate");

        KeySpec spec = config.keys().get(0);
        assertThat(spec.models()).containsExactly("gpt-4o-mini", "gpt-4o");
        assertThat(spec.priority()).isEqualTo(7);
        assertThat(spec.weight()).isEqualTo(2.5);
        assertThat(spec.enabled()).isTrue();
        assertThat(spec.rateLimitTpm()).isEqualTo(90_000L);
        assertThat(config.defaults().maxRetries()).isEqualTo(4);
        assertThat(config.defaults().callDeadline()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.defaults().backoffMax()).isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void propertyTreeStillNamesTextThatIsNotTheExpectedType() {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("key_id", "openai-1");
        key.put("provider", "openai");
        key.put("secret_ref", "env://OPENAI_API_KEY");
        key.put("models", "gpt-4o-mini");
        key.put("priority", "high");
        key.put("enabled", "yes");
        Map<String, Object> tree = Map.of("keys", List.of(key));

        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class, () -> ConfigLoader.fromPropertyTree(tree, "llm-rotate"));

        assertThat(e.problems())
                .anySatisfy(p -> assertThat(p).startsWith("keys[0].priority: expected an integer"))
                .anySatisfy(p -> assertThat(p).startsWith("keys[0].enabled: expected true or false"));
        // The same text in a file's map stays an error: only a property tree reads text as numbers.
        assertThatThrownBy(() -> ConfigLoader.fromMap(Map.of(
                        "keys",
                        List.of(Map.of(
                                "key_id",
                                "a",
                                "provider",
                                "openai",
                                "secret_ref",
                                "env://X",
                                "models",
                                List.of("m"),
                                "priority",
                                "7")))))
                .hasMessageContaining("keys[0].priority: expected an integer");
    }

    @Test
    void theSchemasFieldNamesAreListedForOtherNamingConventions() {
        assertThat(ConfigLoader.FIELDS)
                .startsWith("keys", "providers", "defaults")
                .contains("state_store");
        assertThat(ConfigLoader.fieldNames())
                .containsAll(ConfigLoader.FIELDS)
                .contains("key_id", "secret_ref", "max_retries", "base_url", "first_chunk_timeout_seconds")
                .contains("upstream", "input_per_million", "capacity", "prefix", "json_schema")
                .doesNotContain("openai", "gpt-4o-mini");
        // Every name listed is one the loader accepts: a map with it is never told "unknown field".
        for (String field : ConfigLoader.FIELDS) {
            ConfigurationException e = catchThrowableOfType(
                    ConfigurationException.class, () -> ConfigLoader.fromMap(Map.of(field, List.of())));
            assertThat(e.problems()).noneSatisfy(p -> assertThat(p).startsWith(field + ": unknown field"));
        }
    }
}

package dev.llmrotate.config;

import static dev.llmrotate.config.ConfigValidationTest.problems;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.llmrotate.error.ConfigurationException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The failover settings: {@code recovery_probe_seconds}, {@code stream_recovery}, per-model blocks
 * ({@code providers.<p>.models.<id>}), {@code defaults.wait_before_fallback_seconds} and {@code model_fallbacks}, from
 * YAML, JSON and the registry map, and every problem they can have (each case asserts the complete list).
 */
class FailoverConfigTest {
    /** Active openai, anthropic and openrouter keys, and a disabled openai key with a model of its own. */
    private static final String BASE = """
            keys:
              - {key_id: openai-1, provider: openai, secret_ref: env://OPENAI_API_KEY, models: [gpt-4o, gpt-4o-mini, gpt-4.1]}
              - {key_id: anthropic-1, provider: anthropic, secret_ref: env://ANTHROPIC_API_KEY, models: [claude-sonnet-4-5, claude-haiku-4-5]}
              - {key_id: openrouter-1, provider: openrouter, secret_ref: env://OPENROUTER_API_KEY, models: [anthropic/claude-haiku-4.5, openai/gpt-4o]}
              - {key_id: old-openai, provider: openai, secret_ref: env://OLD_OPENAI_KEY, models: [gpt-3.5-turbo], enabled: false}
            """;

    private static final String DURATION_HELP =
            "expected seconds as a number (30, 0.25) or a duration such as \"250ms\", \"30s\", \"5m\", \"1h\" or"
                    + " \"PT30S\", got ";

    @Test
    void builtInDefaultsOfTheNewFields() {
        LlmRotateConfig config = ConfigLoader.fromYaml(BASE);

        config.providers().values().forEach(p -> {
            assertThat(p.recoveryProbe()).as(p.name()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.streamRecovery()).as(p.name()).isEqualTo(StreamRecovery.OFF);
            assertThat(p.models()).as(p.name()).isEmpty();
        });
        assertThat(config.defaults().waitBeforeFallback()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.modelFallbacks()).isEmpty();
        assertThat(config.provider("openai").forModel("gpt-4o")).isSameAs(config.provider("openai"));
    }

    @Test
    void perModelBlocksAcceptModelIdsWithSlashesColonsAndDots() {
        String yaml = BASE
                + "  - {key_id: bedrock-1, provider: aws_bedrock, secret_ref: env://AWS, models:"
                + " [amazon.nova-lite-v1:0], auth_config: {region: us-east-1}}\n"
                + """
                providers:
                  openai:
                    models:
                      gpt-4.1: {cooldown_seconds: 7}
                  openrouter:
                    models:
                      "anthropic/claude-haiku-4.5": {first_chunk_timeout_seconds: 120}
                  aws_bedrock:
                    models:
                      amazon.nova-lite-v1:0:
                        request_timeout_seconds: 45
                """;
        LlmRotateConfig config = ConfigLoader.fromYaml(yaml);

        assertThat(config.provider("openai").forModel("gpt-4.1").cooldown()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.provider("openai").forModel("gpt-4o").cooldown())
                .as("another model keeps the provider's")
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(config.provider("openrouter")
                        .forModel("anthropic/claude-haiku-4.5")
                        .firstChunkTimeout())
                .isEqualTo(Duration.ofSeconds(120));
        assertThat(config.provider("aws_bedrock")
                        .forModel("amazon.nova-lite-v1:0")
                        .requestTimeout())
                .isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void aPerModelBlockMayNameAModelOnlyADisabledKeyLists() {
        LlmRotateConfig config =
                ConfigLoader.fromYaml(BASE + "providers: {openai: {models: {gpt-3.5-turbo: {cooldown_seconds: 9}}}}\n");

        assertThat(config.provider("openai").forModel("gpt-3.5-turbo").cooldown())
                .isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void anEmptyPerModelBlockChangesNothing() {
        LlmRotateConfig config = ConfigLoader.fromYaml(BASE + "providers: {openai: {models: {gpt-4o: null}}}\n");

        assertThat(config.provider("openai").models()).containsExactly(Map.entry("gpt-4o", ModelSettings.NONE));
        assertThat(config.provider("openai").forModel("gpt-4o")).isEqualTo(ProviderCatalog.defaults("openai"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "off       | OFF",
                "'off'     | OFF",
                "false     | OFF",
                "prefill   | PREFILL",
                "replay    | REPLAY",
                "' auto '  | AUTO",
            })
    void streamRecoveryValues(String yamlValue, StreamRecovery expected) {
        LlmRotateConfig config = ConfigLoader.fromYaml(BASE
                + "providers: {anthropic: {stream_recovery: " + yamlValue + ", models: {claude-haiku-4-5:"
                + " {stream_recovery: " + yamlValue + "}}}}\n");

        assertThat(config.provider("anthropic").streamRecovery()).isEqualTo(expected);
        assertThat(config.provider("anthropic").models().get("claude-haiku-4-5").streamRecovery())
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource(
            delimiter = '|',
            value = {
                "30         | 30000",
                "0.25       | 250",
                "'250ms'    | 250",
                "'5m'       | 300000",
                "'PT1M30S'  | 90000",
            })
    void theNewDurationsTakeEveryDurationForm(String yamlValue, long millis) {
        Duration expected = Duration.ofMillis(millis);
        LlmRotateConfig config = ConfigLoader.fromYaml(BASE
                + "providers: {openai: {recovery_probe_seconds: " + yamlValue + ", models: {gpt-4o: {"
                + "cooldown_seconds: " + yamlValue + ", request_timeout_seconds: " + yamlValue + ","
                + " first_chunk_timeout_seconds: " + yamlValue + ", stream_idle_timeout_seconds: " + yamlValue + ","
                + " recovery_probe_seconds: " + yamlValue + "}}}}\n"
                + "defaults: {wait_before_fallback_seconds: " + yamlValue + "}\n");

        assertThat(config.provider("openai").recoveryProbe()).isEqualTo(expected);
        assertThat(config.provider("openai").models().get("gpt-4o"))
                .isEqualTo(new ModelSettings(expected, null, expected, expected, expected, expected, null));
        assertThat(config.defaults().waitBeforeFallback()).isEqualTo(expected);
    }

    @Test
    void waitBeforeFallbackMayBeZero() {
        assertThat(ConfigLoader.fromYaml(BASE + "defaults: {wait_before_fallback_seconds: 0}\n")
                        .defaults()
                        .waitBeforeFallback())
                .isZero();
    }

    @Test
    void modelFallbacksFromYamlJsonAndTheRegistryMapAreEqual() {
        LlmRotateConfig yaml = ConfigLoader.fromYaml(BASE + """
                model_fallbacks:
                  gpt-4o:
                    - {provider: anthropic, model: claude-sonnet-4-5}
                    - {provider: openrouter, upstream: openai, model: openai/gpt-4o}
                  gpt-4o-mini: [{provider: anthropic, model: claude-haiku-4-5}]
                  "anthropic/claude-haiku-4.5": []
                """);
        List<FallbackTarget> gpt4o = List.of(
                FallbackTarget.to("anthropic").withModel("claude-sonnet-4-5"),
                FallbackTarget.to("openrouter").withUpstream("openai").withModel("openai/gpt-4o"));
        assertThat(yaml.modelFallbacks())
                .containsExactly(
                        Map.entry("gpt-4o", gpt4o),
                        Map.entry(
                                "gpt-4o-mini",
                                List.of(FallbackTarget.to("anthropic").withModel("claude-haiku-4-5"))),
                        Map.entry("anthropic/claude-haiku-4.5", List.of()));

        String json = """
                {"keys": [
                  {"key_id": "openai-1", "provider": "openai", "secret_ref": "env://OPENAI_API_KEY",
                   "models": ["gpt-4o", "gpt-4o-mini", "gpt-4.1"]},
                  {"key_id": "anthropic-1", "provider": "anthropic", "secret_ref": "env://ANTHROPIC_API_KEY",
                   "models": ["claude-sonnet-4-5", "claude-haiku-4-5"]},
                  {"key_id": "openrouter-1", "provider": "openrouter", "secret_ref": "env://OPENROUTER_API_KEY",
                   "models": ["anthropic/claude-haiku-4.5", "openai/gpt-4o"]},
                  {"key_id": "old-openai", "provider": "openai", "secret_ref": "env://OLD_OPENAI_KEY",
                   "models": ["gpt-3.5-turbo"], "enabled": false}],
                 "model_fallbacks": {
                  "gpt-4o": [{"provider": "anthropic", "model": "claude-sonnet-4-5"},
                             {"provider": "openrouter", "upstream": "openai", "model": "openai/gpt-4o"}],
                  "gpt-4o-mini": [{"provider": "anthropic", "model": "claude-haiku-4-5"}],
                  "anthropic/claude-haiku-4.5": []}}
                """;
        assertThat(ConfigLoader.fromJson(json)).isEqualTo(yaml);

        Map<String, Object> registry = new LinkedHashMap<>();
        registry.put(
                "keys",
                List.of(
                        Map.of(
                                "key_id", "openai-1",
                                "provider", "openai",
                                "secret_ref", "env://OPENAI_API_KEY",
                                "models", List.of("gpt-4o", "gpt-4o-mini", "gpt-4.1")),
                        Map.of(
                                "key_id", "anthropic-1",
                                "provider", "anthropic",
                                "secret_ref", "env://ANTHROPIC_API_KEY",
                                "models", List.of("claude-sonnet-4-5", "claude-haiku-4-5")),
                        Map.of(
                                "key_id", "openrouter-1",
                                "provider", "openrouter",
                                "secret_ref", "env://OPENROUTER_API_KEY",
                                "models", List.of("anthropic/claude-haiku-4.5", "openai/gpt-4o")),
                        Map.of(
                                "key_id", "old-openai",
                                "provider", "openai",
                                "secret_ref", "env://OLD_OPENAI_KEY",
                                "models", List.of("gpt-3.5-turbo"),
                                "enabled", false)));
        Map<String, Object> chains = new LinkedHashMap<>();
        chains.put(
                "gpt-4o",
                List.of(
                        Map.of("provider", "anthropic", "model", "claude-sonnet-4-5"),
                        Map.of("provider", "openrouter", "upstream", "openai", "model", "openai/gpt-4o")));
        chains.put("gpt-4o-mini", List.of(Map.of("provider", "anthropic", "model", "claude-haiku-4-5")));
        chains.put("anthropic/claude-haiku-4.5", List.of());
        registry.put("model_fallbacks", chains);
        assertThat(ConfigLoader.fromMap(registry)).isEqualTo(yaml);
    }

    @Test
    void modelFallbacksTakePartInEqualityAndToString() {
        LlmRotateConfig without = ConfigLoader.fromYaml(BASE);
        LlmRotateConfig with = ConfigLoader.fromYaml(
                BASE + "model_fallbacks: {gpt-4o: [{provider: anthropic, model: claude-sonnet-4-5}]}\n");

        assertThat(with).isNotEqualTo(without);
        assertThat(with.toBuilder().build()).isEqualTo(with).hasSameHashCodeAs(with);
        assertThat(with.toString())
                .isEqualTo("LlmRotateConfig[activeKeys=[openai-1(openai), anthropic-1(anthropic),"
                        + " openrouter-1(openrouter)], strategy=health_aware, fallbackChains={},"
                        + " modelFallbacks={gpt-4o=[FallbackTarget[provider=anthropic, upstream=null,"
                        + " model=claude-sonnet-4-5]]}]")
                .doesNotContain("OPENAI_API_KEY");
    }

    @Test
    void perModelSettingsTakePartInEquality() {
        LlmRotateConfig plain = ConfigLoader.fromYaml(BASE);
        LlmRotateConfig tuned =
                ConfigLoader.fromYaml(BASE + "providers: {openai: {models: {gpt-4o: {recovery_probe_seconds: 4}}}}\n");

        assertThat(tuned).isNotEqualTo(plain);
        assertThat(tuned.toBuilder().build()).isEqualTo(tuned);
        assertThat(tuned.toBuilder()
                        .build()
                        .provider("openai")
                        .forModel("gpt-4o")
                        .recoveryProbe())
                .isEqualTo(Duration.ofSeconds(4));
    }

    static Stream<Arguments> loaderRules() {
        return Stream.of(
                arguments(
                        "unknown field of a model block",
                        BASE + "providers: {openai: {models: {gpt-4o: {first_chunk_timout_seconds: 90}}}}\n",
                        List.of("providers.openai.models.gpt-4o.first_chunk_timout_seconds: unknown field; did you"
                                + " mean 'first_chunk_timeout_seconds'?")),
                arguments(
                        "a provider-wide field in a model block",
                        BASE + "providers: {openai: {models: {gpt-4o: {quarantine_seconds: 60}}}}\n",
                        List.of("providers.openai.models.gpt-4o.quarantine_seconds: unknown field; quarantine_seconds"
                                + " is set per provider, not per model")),
                arguments(
                        "a model id with dots in the path",
                        BASE + "providers: {openai: {models: {gpt-4.1: {cooldown_secs: 5}}}}\n",
                        List.of("providers.openai.models[\"gpt-4.1\"].cooldown_secs: unknown field; did you mean"
                                + " 'cooldown_seconds'?")),
                arguments(
                        "a model id with a slash in the path",
                        BASE + "providers: {openrouter: {models: {\"anthropic/claude-haiku-4.5\": {stream_recovery:"
                                + " resume}}}}\n",
                        List.of("providers.openrouter.models[\"anthropic/claude-haiku-4.5\"].stream_recovery: unknown"
                                + " stream_recovery 'resume'; use one of off, prefill, replay, auto")),
                arguments(
                        "models not a map",
                        BASE + "providers: {openai: {models: [gpt-4o]}}\n",
                        List.of("providers.openai.models: expected a map of model id to overrides (cooldown_seconds,"
                                + " ...), got a list")),
                arguments(
                        "a model block not a map",
                        BASE + "providers: {openai: {models: {gpt-4o: 30}}}\n",
                        List.of("providers.openai.models.gpt-4o: expected a map of overrides (cooldown_seconds,"
                                + " request_timeout_seconds, ...), got 30")),
                arguments(
                        "wrong types in a model block",
                        BASE + "providers: {openai: {models: {gpt-4o: {max_consecutive_failures: many,"
                                + " request_timeout_seconds: soon, stream_recovery: 1}}}}\n",
                        List.of(
                                "providers.openai.models.gpt-4o.max_consecutive_failures: expected an integer, got"
                                        + " \"many\"",
                                "providers.openai.models.gpt-4o.request_timeout_seconds: " + DURATION_HELP + "\"soon\"",
                                "providers.openai.models.gpt-4o.stream_recovery: expected one of off, prefill,"
                                        + " replay, auto, got 1")),
                arguments(
                        "misspelt stream_recovery",
                        BASE + "providers: {openai: {stream_recovery: replai}}\n",
                        List.of("providers.openai.stream_recovery: unknown stream_recovery 'replai'; use one of off,"
                                + " prefill, replay, auto; did you mean 'replay'?")),
                arguments(
                        "unknown stream_recovery",
                        BASE + "providers: {openai: {stream_recovery: always}}\n",
                        List.of("providers.openai.stream_recovery: unknown stream_recovery 'always'; use one of off,"
                                + " prefill, replay, auto")),
                arguments(
                        "stream_recovery on (YAML's true)",
                        BASE + "providers: {openai: {stream_recovery: on}}\n",
                        List.of("providers.openai.stream_recovery: expected one of off, prefill, replay, auto, got"
                                + " true")),
                arguments(
                        "misspelt recovery_probe_seconds",
                        BASE + "providers: {openai: {recovery_prob_seconds: 5}}\n",
                        List.of("providers.openai.recovery_prob_seconds: unknown field; did you mean"
                                + " 'recovery_probe_seconds'?")),
                arguments(
                        "recovery_probe_seconds not a duration",
                        BASE + "providers: {openai: {recovery_probe_seconds: [5]}}\n",
                        List.of("providers.openai.recovery_probe_seconds: " + DURATION_HELP + "a list")),
                arguments(
                        "misspelt wait_before_fallback_seconds",
                        BASE + "defaults: {wait_before_falback_seconds: 1}\n",
                        List.of("defaults.wait_before_falback_seconds: unknown field; did you mean"
                                + " 'wait_before_fallback_seconds'?")),
                arguments(
                        "wait_before_fallback_seconds not a duration",
                        BASE + "defaults: {wait_before_fallback_seconds: soon}\n",
                        List.of("defaults.wait_before_fallback_seconds: " + DURATION_HELP + "\"soon\"")),
                arguments(
                        "misspelt model_fallbacks",
                        BASE + "model_fallback: {}\n",
                        List.of("model_fallback: unknown field; did you mean 'model_fallbacks'?")),
                arguments(
                        "model_fallbacks a list",
                        BASE + "model_fallbacks: [gpt-4o]\n",
                        List.of("model_fallbacks: expected a map of model id to a list of fallback targets, got a"
                                + " list")),
                arguments(
                        "a model chain not a list",
                        BASE + "model_fallbacks: {gpt-4o: anthropic}\n",
                        List.of("model_fallbacks.gpt-4o: expected a list of fallback targets, got \"anthropic\"")),
                arguments(
                        "a model chain entry not a map",
                        BASE + "model_fallbacks: {gpt-4o: [anthropic]}\n",
                        List.of("model_fallbacks.gpt-4o[0]: expected a fallback target such as {provider:"
                                + " openrouter}, got \"anthropic\"")),
                arguments(
                        "unknown field of a model chain entry (the entry is left out, no follow-on)",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: anthropic, modle: claude-sonnet-4-5}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].modle: unknown field; did you mean 'model'?")),
                arguments(
                        "a model chain entry without provider",
                        BASE + "model_fallbacks: {\"gpt-4.1\": [{model: claude-sonnet-4-5}]}\n",
                        List.of("model_fallbacks[\"gpt-4.1\"][0].provider: required field is missing")),
                arguments(
                        "a model chain entry's model not a string",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: anthropic, model: [claude-sonnet-4-5]}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].model: expected a string, got a list")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loaderRules")
    void loaderRule(String rule, String yaml, List<String> expected) {
        assertThat(problems(yaml)).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> validatorRules() {
        return Stream.of(
                arguments(
                        "a per-model block for a model no key of the provider lists",
                        BASE + "providers: {openai: {models: {gpt-4o-mimi: {cooldown_seconds: 5}}}}\n",
                        List.of("providers.openai.models.gpt-4o-mimi: no key of 'openai' lists this model; its keys"
                                + " list [gpt-3.5-turbo, gpt-4.1, gpt-4o, gpt-4o-mini]; did you mean 'gpt-4o-mini'?")),
                arguments(
                        "a per-model block for a model another provider serves",
                        BASE + "providers: {anthropic: {models: {gpt-4o: {cooldown_seconds: 5}}}}\n",
                        List.of("providers.anthropic.models.gpt-4o: no key of 'anthropic' lists this model; its keys"
                                + " list [claude-haiku-4-5, claude-sonnet-4-5]")),
                arguments(
                        "a per-model block of a provider without keys",
                        BASE + "providers: {google_ai_studio: {models: {gemini-2.5-pro: {first_chunk_timeout_seconds:"
                                + " 90}}}}\n",
                        List.of("providers.google_ai_studio.models[\"gemini-2.5-pro\"]: no key of 'google_ai_studio'"
                                + " lists this model; the provider has no keys")),
                arguments(
                        "bad values in a model block",
                        BASE + "providers: {openai: {models: {gpt-4o: {cooldown_seconds: -1, max_consecutive_failures:"
                                + " 0, request_timeout_seconds: 0, first_chunk_timeout_seconds: -2s,"
                                + " stream_idle_timeout_seconds: 0s, recovery_probe_seconds: -0.5}}}}\n",
                        List.of(
                                "providers.openai.models.gpt-4o.cooldown_seconds: must be positive, got -1.0",
                                "providers.openai.models.gpt-4o.max_consecutive_failures: must be at least 1, got 0",
                                "providers.openai.models.gpt-4o.request_timeout_seconds: must be positive, got 0.0",
                                "providers.openai.models.gpt-4o.first_chunk_timeout_seconds: must be positive, got"
                                        + " -2.0",
                                "providers.openai.models.gpt-4o.stream_idle_timeout_seconds: must be positive, got"
                                        + " 0.0",
                                "providers.openai.models.gpt-4o.recovery_probe_seconds: must be positive, got"
                                        + " -0.5")),
                arguments(
                        "negative wait_before_fallback_seconds",
                        BASE + "defaults: {wait_before_fallback_seconds: -1}\n",
                        List.of("defaults.wait_before_fallback_seconds: must not be negative, got -1.0")),
                arguments(
                        "model_fallbacks for a model no key lists",
                        BASE + "model_fallbacks: {gpt-4o-mni: [{provider: anthropic, model: claude-haiku-4-5}]}\n",
                        List.of("model_fallbacks.gpt-4o-mni: no active key lists this model; did you mean"
                                + " 'gpt-4o-mini'?")),
                arguments(
                        "model_fallbacks for a model only a disabled key lists",
                        BASE + "model_fallbacks: {gpt-3.5-turbo: [{provider: anthropic, model: claude-haiku-4-5}]}\n",
                        List.of("model_fallbacks[\"gpt-3.5-turbo\"]: no active key lists this model")),
                arguments(
                        "model chain to an unknown provider",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: antropic, model: claude-sonnet-4-5}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].provider: unknown provider 'antropic'; did you mean"
                                + " 'anthropic'?")),
                arguments(
                        "model chain upstream on a provider that is not a broker",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: anthropic, upstream: openai, model:"
                                + " claude-sonnet-4-5}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].upstream: only a broker (openrouter) routes to an upstream,"
                                + " not 'anthropic'")),
                arguments(
                        "model chain with an unknown upstream",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: openrouter, upstream: opnai, model:"
                                + " openai/gpt-4o}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].upstream: unknown provider 'opnai'; did you mean"
                                + " 'openai'?")),
                arguments(
                        "model chain to a provider without an active key",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: google_ai_studio, model: gemini-2.5-pro}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].provider: 'google_ai_studio' has no active key")),
                arguments(
                        "model chain to a model the target provider does not list",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: anthropic, model: claude-sonet-4-5}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].model: no active key of 'anthropic' lists model"
                                + " 'claude-sonet-4-5'; its active keys list [claude-haiku-4-5, claude-sonnet-4-5];"
                                + " did you mean 'claude-sonnet-4-5'?")),
                arguments(
                        "model chain entry without model to a provider that does not list the requested one",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: anthropic}]}\n",
                        List.of("model_fallbacks.gpt-4o[0]: no active key of 'anthropic' lists model 'gpt-4o'; its"
                                + " active keys list [claude-haiku-4-5, claude-sonnet-4-5]")),
                arguments(
                        "model chain to a model only a disabled key lists",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: openai, model: gpt-3.5-turbo}]}\n",
                        List.of("model_fallbacks.gpt-4o[0].model: no active key of 'openai' lists model"
                                + " 'gpt-3.5-turbo'; its active keys list [gpt-4.1, gpt-4o, gpt-4o-mini]")),
                arguments(
                        "model chain looping back to the model's own route",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: openai}, {provider: openai, model: gpt-4o}]}\n",
                        List.of(
                                "model_fallbacks.gpt-4o[0]: loops back to the model's own route on 'openai'",
                                "model_fallbacks.gpt-4o[1]: loops back to the model's own route on 'openai'")),
                arguments(
                        "repeated model chain entry",
                        BASE + "model_fallbacks: {gpt-4o: [{provider: anthropic, model: claude-sonnet-4-5},"
                                + " {provider: anthropic, model: claude-sonnet-4-5}]}\n",
                        List.of("model_fallbacks.gpt-4o[1]: repeats an earlier entry of the chain")),
                arguments(
                        "a control character in a key_id",
                        BASE.replace("key_id: anthropic-1", "key_id: \"anthropic\\x1f1\""),
                        List.of("keys[1].key_id: must not contain control characters (U+0000 to U+001F, U+007F), got"
                                + " \"anthropic\\u001f1\"")),
                arguments(
                        "a DEL in a key_id",
                        BASE.replace("key_id: anthropic-1", "key_id: \"anthropic\\x7f1\""),
                        List.of("keys[1].key_id: must not contain control characters (U+0000 to U+001F, U+007F), got"
                                + " \"anthropic\\u007f1\"")),
                arguments(
                        "a control character in a model id",
                        BASE.replace("[gpt-4o, gpt-4o-mini, gpt-4.1]", "[gpt-4o, \"gpt-4o\\nmini\", \"\\tgpt-4.1\"]"),
                        List.of(
                                "keys[0].models[1]: must not contain control characters (U+0000 to U+001F, U+007F),"
                                        + " got \"gpt-4o\\nmini\"",
                                "keys[0].models[2]: must not contain control characters (U+0000 to U+001F, U+007F),"
                                        + " got \"\\tgpt-4.1\"")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validatorRules")
    void validatorRule(String rule, String yaml, List<String> expected) {
        assertThat(problems(yaml)).containsExactlyElementsOf(expected);
    }

    @Test
    void controlCharactersAreRejectedFromTheRegistryMapAndTheBuilderToo() {
        Map<String, Object> registry = Map.of(
                "keys",
                List.of(Map.of(
                        "key_id",
                        "a\u0000b",
                        "provider",
                        "openai",
                        "secret_ref",
                        "env://A",
                        "models",
                        List.of("gpt-4o\u001fmini"))));
        assertThat(catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromMap(registry))
                        .problems())
                .containsExactly(
                        "keys[0].key_id: must not contain control characters (U+0000 to U+001F, U+007F), got"
                                + " \"a\\u0000b\"",
                        "keys[0].models[0]: must not contain control characters (U+0000 to U+001F, U+007F), got"
                                + " \"gpt-4o\\u001fmini\"");

        ConfigurationException fromBuilder = catchThrowableOfType(
                ConfigurationException.class,
                () -> LlmRotateConfig.builder()
                        .key(KeySpec.builder("k\r", "openai")
                                .secretRef("env://K")
                                .models("m")
                                .build())
                        .build());
        assertThat(fromBuilder.problems())
                .containsExactly("keys[0].key_id: must not contain control characters (U+0000 to U+001F, U+007F),"
                        + " got \"k\\r\"");
    }

    @Test
    void aModelChainAlsoNamesTheNativeProviderOfAModelTwoProvidersServe() {
        String shared = BASE
                + "  - {key_id: openrouter-2, provider: openrouter, secret_ref: env://OPENROUTER_2, models:"
                + " [gpt-4o-mini]}\n";
        assertThat(problems(shared))
                .containsExactly("keys: model 'gpt-4o-mini' is served by [openai, openrouter] and nothing says which to"
                        + " use first; add model_providers.gpt-4o-mini, a model_fallbacks.gpt-4o-mini chain or a"
                        + " fallback chain from one of them to the others");

        LlmRotateConfig config =
                ConfigLoader.fromYaml(shared + "model_fallbacks: {gpt-4o-mini: [{provider: openrouter}]}\n");
        assertThat(config.modelFallbacks()).containsKey("gpt-4o-mini");
        assertThat(problems(
                        shared + "model_fallbacks: {gpt-4o-mini: [{provider: openrouter, model: openai/gpt-4o}]}\n"))
                .as("a chain to another model id says nothing about who serves this one first")
                .hasSize(1);
    }

    @Test
    void aModelChainToAProviderWhoseKeysWereLeftOutReportsNothingMore() {
        String yaml = BASE.replace("env://ANTHROPIC_API_KEY", "vault://anthropic")
                + "model_fallbacks: {gpt-4o: [{provider: anthropic, model: claude-sonnet-4-5}]}\n"
                + "providers: {anthropic: {models: {claude-sonnet-4-5: {cooldown_seconds: 5}}}}\n";

        assertThat(problems(yaml))
                .containsExactly("keys[1].secret_ref: secret_ref scheme 'vault' is not supported; use env://, file://"
                        + " or literal://");
    }

    @Test
    void everyProblemOfTheNewBlocksIsReportedAtOnce() {
        String yaml = BASE + """
                providers:
                  openai:
                    stream_recovery: replai
                    recovery_probe_seconds: -1
                    models:
                      gpt-5: {cooldown_seconds: 5}
                      gpt-4o: {first_chunk_timeout: 90, max_consecutive_failures: 0}
                defaults: {wait_before_fallback_seconds: -3}
                model_fallbacks:
                  gpt-4o: [{provider: openai}, {provider: google_vertex, model: gemini-2.5-pro}]
                  claude-haiku-4-5: [{provider: openrouter, upstream: anthropic, model: anthropic/claude-haiku-4.5}]
                """;

        assertThat(problems(yaml))
                .containsExactly(
                        "providers.openai.stream_recovery: unknown stream_recovery 'replai'; use one of off, prefill,"
                                + " replay, auto; did you mean 'replay'?",
                        "providers.openai.models.gpt-4o.first_chunk_timeout: unknown field",
                        "providers.openai.recovery_probe_seconds: must be positive, got -1.0",
                        "providers.openai.models.gpt-4o.max_consecutive_failures: must be at least 1, got 0",
                        "providers.openai.models.gpt-5: no key of 'openai' lists this model; its keys list"
                                + " [gpt-3.5-turbo, gpt-4.1, gpt-4o, gpt-4o-mini]; did you mean 'gpt-4o'?",
                        "defaults.wait_before_fallback_seconds: must not be negative, got -3.0",
                        "model_fallbacks.gpt-4o[0]: loops back to the model's own route on 'openai'",
                        "model_fallbacks.gpt-4o[1].provider: 'google_vertex' has no active key");
    }
}

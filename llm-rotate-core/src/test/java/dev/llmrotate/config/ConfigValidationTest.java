package dev.llmrotate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.internal.route.ModelRoutes;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every validation rule of {@link ConfigLoader} (structure, types, unknown fields) and of {@link ConfigValidator}
 * (semantics), each asserting the complete list of problems so that no rule reports noise on top of its message.
 */
class ConfigValidationTest {
    private static final String OPENAI_KEY =
            "  - {key_id: openai-1, provider: openai, secret_ref: env://OPENAI_API_KEY, models: [gpt-4o-mini]}\n";
    private static final String ANTHROPIC_KEY =
            "  - {key_id: anthropic-1, provider: anthropic, secret_ref: env://ANTHROPIC_API_KEY, models: [claude-haiku-4-5]}\n";
    private static final String OPENROUTER_KEY =
            "  - {key_id: openrouter-1, provider: openrouter, secret_ref: env://OPENROUTER_API_KEY, models: [anthropic/claude-haiku-4.5]}\n";
    /** Two valid keys; cases append top-level fields. */
    private static final String BASE = "keys:\n" + OPENAI_KEY + ANTHROPIC_KEY;

    private static final String DURATION_HELP =
            "expected seconds as a number (30, 0.25) or a duration such as \"250ms\", \"30s\", \"5m\", \"1h\" or"
                    + " \"PT30S\", got ";

    static List<String> problems(String yaml) {
        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromYaml(yaml));
        assertThat(e).as("a ConfigurationException for:%n%s", yaml).isNotNull();
        return e.problems();
    }

    static Stream<Arguments> loaderRules() {
        return Stream.of(
                // unknown fields, at every level, with and without a suggestion
                arguments(
                        "unknown top-level field",
                        BASE + "fallback_chain: {}\n",
                        List.of("fallback_chain: unknown field; did you mean 'fallback_chains'?")),
                arguments(
                        "unknown top-level field without a close name",
                        BASE + "colour: blue\n",
                        List.of("colour: unknown field")),
                arguments(
                        "unknown key field (and so a missing one)",
                        BASE + "  - {key_id: k, provider: openai, secret_ref: env://K, modles: [gpt-4o]}\n",
                        List.of(
                                "keys[2].modles: unknown field; did you mean 'models'?",
                                "keys[2].models: required field is missing")),
                arguments(
                        "unknown key field beside complete ones",
                        "keys:\n  - {key_id: k, provider: openai, secret_ref: env://K, models: [m], wieght: 2}\n",
                        List.of("keys[0].wieght: unknown field; did you mean 'weight'?")),
                arguments(
                        "unknown provider override field",
                        BASE + "providers: {openai: {cooldown_secs: 5}}\n",
                        List.of("providers.openai.cooldown_secs: unknown field; did you mean 'cooldown_seconds'?")),
                arguments(
                        "unknown defaults field",
                        BASE + "defaults: {selection_stratgy: priority}\n",
                        List.of("defaults.selection_stratgy: unknown field; did you mean 'selection_strategy'?")),
                arguments(
                        "unknown fallback entry field",
                        BASE + "fallback_chains: {anthropic: [{provider: openai, upstrem: openai}]}\n",
                        List.of("fallback_chains.anthropic[0].upstrem: unknown field; did you mean 'upstream'?")),
                // required fields
                arguments(
                        "missing secret_ref",
                        "keys:\n  - {key_id: k, provider: openai, models: [m]}\n" + ANTHROPIC_KEY,
                        List.of("keys[0].secret_ref: required field is missing")),
                arguments(
                        "missing key_id, provider and models",
                        "keys:\n  - {secret_ref: env://K}\n" + ANTHROPIC_KEY,
                        List.of(
                                "keys[0].key_id: required field is missing",
                                "keys[0].provider: required field is missing",
                                "keys[0].models: required field is missing")),
                arguments("missing keys", "defaults: {max_retries: 1}\n", List.of("keys: required field is missing")),
                arguments(
                        "fallback entry without provider",
                        BASE + "fallback_chains: {openai: [{model: claude-haiku-4-5}]}\n",
                        List.of("fallback_chains.openai[0].provider: required field is missing")),
                // wrong scalar types
                arguments(
                        "priority not an integer",
                        BASE.replace("models: [claude-haiku-4-5]", "models: [claude-haiku-4-5], priority: high"),
                        List.of("keys[1].priority: expected an integer, got \"high\"")),
                arguments(
                        "key_id not a string",
                        "keys:\n  - {key_id: 123, provider: openai, secret_ref: env://K, models: [m]}\n"
                                + ANTHROPIC_KEY,
                        List.of("keys[0].key_id: expected a string, got 123")),
                arguments(
                        "weight not a number",
                        BASE.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini], weight: heavy"),
                        List.of("keys[0].weight: expected a number, got \"heavy\"")),
                arguments(
                        "enabled not a boolean",
                        BASE.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini], enabled: \"no\""),
                        List.of("keys[0].enabled: expected true or false, got \"no\"")),
                arguments(
                        "rate_limit_rpm with a fraction",
                        BASE.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini], rate_limit_rpm: 1.5"),
                        List.of("keys[0].rate_limit_rpm: expected an integer, got 1.5")),
                arguments(
                        "rate_limit_tpm out of range",
                        BASE.replace(
                                "models: [gpt-4o-mini]", "models: [gpt-4o-mini], rate_limit_tpm: 99999999999999999999"),
                        List.of("keys[0].rate_limit_tpm: expected an integer between -9223372036854775808 and"
                                + " 9223372036854775807, got 99999999999999999999")),
                arguments(
                        "max_consecutive_failures not an integer",
                        BASE + "providers: {openai: {max_consecutive_failures: many}}\n",
                        List.of("providers.openai.max_consecutive_failures: expected an integer, got \"many\"")),
                arguments(
                        "priorities value not an integer",
                        BASE + "priorities: {openai-1: high}\n",
                        List.of("priorities.openai-1: expected an integer, got \"high\"")),
                arguments(
                        "model_providers value not a string",
                        BASE + "model_providers: {gpt-4o-mini: [openai]}\n",
                        List.of("model_providers.gpt-4o-mini: expected a string, got a list")),
                // wrong container types
                arguments(
                        "models a string, not a list",
                        BASE.replace("models: [gpt-4o-mini]", "models: gpt-4o-mini"),
                        List.of("keys[0].models: expected a list of strings, got \"gpt-4o-mini\"")),
                arguments(
                        "a tag not a string",
                        BASE.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini], tags: [1, prod]"),
                        List.of("keys[0].tags[0]: expected a string, got 1")),
                arguments(
                        "auth_config a list",
                        BASE.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini], auth_config: [a]"),
                        List.of("keys[0].auth_config: expected a map of provider settings, got a list")),
                arguments(
                        "metadata a string",
                        BASE.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini], metadata: text"),
                        // metadata may hold secrets: only the kind of a wrong value is told
                        List.of("keys[0].metadata: expected a map of free-form values, got a string")),
                arguments("keys a map", "keys: {a: 1}\n", List.of("keys: expected a list of key entries, got a map")),
                arguments(
                        "a key entry not a map",
                        "keys:\n  - openai-1\n" + ANTHROPIC_KEY,
                        List.of("keys[0]: expected a key entry (a map with key_id, provider, ...), got \"openai-1\"")),
                arguments(
                        "providers a list",
                        BASE + "providers: [openai]\n",
                        List.of("providers: expected a map of provider name to overrides, got a list")),
                arguments(
                        "a provider's overrides not a map",
                        BASE + "providers: {openai: 30}\n",
                        List.of("providers.openai: expected a map of overrides (cooldown_seconds, base_url, ...), got"
                                + " 30")),
                arguments(
                        "defaults a string",
                        BASE + "defaults: weighted\n",
                        List.of("defaults: expected a map (selection_strategy, max_retries, ...), got \"weighted\"")),
                arguments(
                        "use_keys a string",
                        BASE + "use_keys: openai-1\n",
                        List.of("use_keys: expected a list of strings, got \"openai-1\"")),
                arguments(
                        "priorities a list",
                        BASE + "priorities: [openai-1]\n",
                        List.of("priorities: expected a map of key_id to priority, got a list")),
                arguments(
                        "fallback_chains a list",
                        BASE + "fallback_chains: [openai]\n",
                        List.of(
                                "fallback_chains: expected a map of provider to a list of fallback targets, got a list")),
                arguments(
                        "a fallback chain not a list",
                        BASE + "fallback_chains: {openai: anthropic}\n",
                        List.of("fallback_chains.openai: expected a list of fallback targets, got \"anthropic\"")),
                arguments(
                        "a fallback entry not a map",
                        BASE + "fallback_chains: {openai: [anthropic]}\n",
                        List.of("fallback_chains.openai[0]: expected a fallback target such as {provider: openrouter},"
                                + " got \"anthropic\"")),
                arguments(
                        "model_providers a list",
                        BASE + "model_providers: [gpt-4o-mini]\n",
                        List.of("model_providers: expected a map of model id to provider, got a list")),
                // values the loader parses
                arguments(
                        "strategy misspelt",
                        BASE + "defaults: {selection_strategy: round-robin}\n",
                        List.of("defaults.selection_strategy: unknown strategy 'round-robin'; did you mean"
                                + " 'round_robin'?")),
                arguments(
                        "strategy unknown",
                        BASE + "defaults: {selection_strategy: fastest}\n",
                        List.of("defaults.selection_strategy: unknown strategy 'fastest'; use one of health_aware,"
                                + " round_robin, priority, weighted")),
                arguments(
                        "bad duration string",
                        BASE + "providers: {openai: {cooldown_seconds: 30 seconds}}\n",
                        List.of("providers.openai.cooldown_seconds: " + DURATION_HELP + "\"30 seconds\"")),
                arguments(
                        "base_url not a URI",
                        BASE + "providers: {openai: {base_url: \"http://exa mple.com\"}}\n",
                        List.of("providers.openai.base_url: not a valid URL (check for spaces or other characters a URL"
                                + " cannot contain)")),
                arguments(
                        "secret_ref with an unsupported scheme",
                        BASE.replace("env://ANTHROPIC_API_KEY", "vault://secret/anthropic"),
                        List.of("keys[1].secret_ref: secret_ref scheme 'vault' is not supported; use env://, file://"
                                + " or literal://")),
                arguments(
                        "secret_ref without a scheme",
                        BASE.replace("env://OPENAI_API_KEY", "sk-test-not-a-real-secret-0003"),
                        List.of("keys[0].secret_ref: secret_ref has no scheme; use env://NAME, file:///path or"
                                + " literal://value")),
                arguments(
                        "secret_ref naming nothing",
                        BASE.replace("env://OPENAI_API_KEY", "\"env://\""),
                        List.of("keys[0].secret_ref: secret_ref env:// names nothing")),
                arguments(
                        "secret_ref a number",
                        BASE.replace("env://OPENAI_API_KEY", "1234567890123"),
                        List.of("keys[0].secret_ref: expected a string such as env://NAME, file:///path or"
                                + " literal://value, got a number")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loaderRules")
    void loaderRule(String rule, String yaml, List<String> expected) {
        assertThat(problems(yaml)).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> validatorRules() {
        return Stream.of(
                arguments(
                        "aws_bedrock key without a region",
                        BASE + "  - {key_id: bedrock-1, provider: aws_bedrock, secret_ref: env://AWS, models: [m]}\n",
                        List.of("keys[2].auth_config.region: required for provider 'aws_bedrock'")),
                arguments(
                        "aws_bedrock region that is not a region name",
                        BASE + "  - {key_id: bedrock-1, provider: aws_bedrock, secret_ref: env://AWS, models: [m],"
                                + " auth_config: {region: 'evil.example/x'}}\n",
                        List.of("keys[2].auth_config.region: not an AWS region name such as us-east-1")),
                arguments(
                        "unknown provider of a key",
                        BASE.replace("provider: openai", "provider: openia"),
                        List.of("keys[0].provider: unknown provider 'openia'; did you mean 'openai'?")),
                arguments(
                        "unknown provider in providers",
                        BASE + "providers: {anthropc: {cooldown_seconds: 5}}\n",
                        List.of("providers.anthropc: unknown provider 'anthropc'; did you mean 'anthropic'?")),
                arguments(
                        "duplicate key_id",
                        BASE.replace("key_id: anthropic-1", "key_id: openai-1"),
                        List.of("keys[1].key_id: duplicate key_id 'openai-1' (also keys[0])")),
                arguments(
                        "empty key_id",
                        BASE.replace("key_id: openai-1", "key_id: ''"),
                        List.of("keys[0].key_id: must not be empty")),
                arguments(
                        "empty models",
                        BASE.replace("models: [gpt-4o-mini]", "models: []"),
                        List.of("keys[0].models: must list at least one model id")),
                arguments(
                        "blank model id",
                        BASE.replace("models: [gpt-4o-mini]", "models: ['', gpt-4o-mini]"),
                        List.of("keys[0].models[0]: must not be empty")),
                arguments(
                        "zero weight",
                        BASE.replace("models: [gpt-4o-mini]", "models: [gpt-4o-mini], weight: 0"),
                        List.of("keys[0].weight: must be a positive number, got 0.0")),
                arguments(
                        "zero rate_limit_rpm and negative rate_limit_tpm",
                        BASE.replace(
                                "models: [gpt-4o-mini]",
                                "models: [gpt-4o-mini], rate_limit_rpm: 0, rate_limit_tpm: -1"),
                        List.of(
                                "keys[0].rate_limit_rpm: must be positive, got 0",
                                "keys[0].rate_limit_tpm: must be positive, got -1")),
                arguments(
                        "use_keys naming a missing key",
                        BASE + "use_keys: [openai-1, openai-9]\n",
                        List.of("use_keys[1]: no key with key_id 'openai-9'; did you mean 'openai-1'?")),
                arguments(
                        "use_keys naming a key twice",
                        BASE + "use_keys: [openai-1, openai-1]\n",
                        List.of("use_keys[1]: 'openai-1' is listed twice")),
                arguments(
                        "priorities naming a missing key",
                        BASE + "priorities: {antropic-1: 3}\n",
                        List.of("priorities.antropic-1: no key with key_id 'antropic-1'; did you mean 'anthropic-1'?")),
                arguments(
                        "every key disabled",
                        BASE.replace("models: [", "enabled: false, models: ["),
                        List.of("keys: no key is active (every key is disabled or left out of use_keys)")),
                arguments("no keys", "keys: []\n", List.of("keys: at least one key is needed")),
                arguments(
                        "negative cooldown",
                        BASE + "providers: {openai: {cooldown_seconds: -5}}\n",
                        List.of("providers.openai.cooldown_seconds: must be positive, got -5.0")),
                arguments(
                        "zero quarantine",
                        BASE + "providers: {openai: {quarantine_seconds: 0}}\n",
                        List.of("providers.openai.quarantine_seconds: must be positive, got 0.0")),
                arguments(
                        "max_consecutive_failures zero",
                        BASE + "providers: {openai: {max_consecutive_failures: 0}}\n",
                        List.of("providers.openai.max_consecutive_failures: must be at least 1, got 0")),
                arguments(
                        "base_url not http(s)",
                        BASE + "providers: {openai: {base_url: ftp://example.com}}\n",
                        List.of("providers.openai.base_url: must be an absolute http(s) URL, got 'ftp://example.com'")),
                arguments(
                        "base_url relative",
                        BASE + "providers: {openai: {base_url: /v1}}\n",
                        List.of("providers.openai.base_url: must be an absolute http(s) URL, got '/v1'")),
                arguments(
                        "negative max_retries",
                        BASE + "defaults: {max_retries: -1}\n",
                        List.of("defaults.max_retries: must not be negative, got -1")),
                arguments(
                        "zero backoff base",
                        BASE + "defaults: {backoff_base_seconds: 0}\n",
                        List.of("defaults.backoff_base_seconds: must be positive, got 0.0")),
                arguments(
                        "negative call deadline",
                        BASE + "defaults: {call_deadline_seconds: -1s}\n",
                        List.of("defaults.call_deadline_seconds: must be positive, got -1.0")),
                arguments(
                        "negative wait for a key",
                        BASE + "defaults: {max_wait_for_key_seconds: -1}\n",
                        List.of("defaults.max_wait_for_key_seconds: must not be negative, got -1.0")),
                arguments(
                        "backoff max below base",
                        BASE + "defaults: {backoff_max_seconds: 250ms}\n",
                        List.of("defaults.backoff_max_seconds: must not be smaller than backoff_base_seconds")),
                arguments(
                        "chain from an unknown provider",
                        BASE + "fallback_chains: {opnai: [{provider: anthropic}]}\n",
                        List.of("fallback_chains.opnai: unknown provider 'opnai'; did you mean 'openai'?")),
                arguments(
                        "chain to an unknown provider",
                        BASE + "fallback_chains: {openai: [{provider: antrhopic}]}\n",
                        List.of("fallback_chains.openai[0].provider: unknown provider 'antrhopic'; did you mean"
                                + " 'anthropic'?")),
                arguments(
                        "chain entry looping to its own provider",
                        BASE + "fallback_chains: {openai: [{provider: openai}]}\n",
                        List.of("fallback_chains.openai[0]: loops back to 'openai' itself")),
                arguments(
                        "repeated chain entry",
                        BASE + "fallback_chains: {openai: [{provider: anthropic}, {provider: anthropic}]}\n",
                        List.of("fallback_chains.openai[1]: repeats an earlier entry of the chain")),
                arguments(
                        "upstream on a provider that is not a broker",
                        BASE + "fallback_chains: {openai: [{provider: anthropic, upstream: openai}]}\n",
                        List.of("fallback_chains.openai[0].upstream: only a broker (openrouter) routes to an upstream,"
                                + " not 'anthropic'")),
                arguments(
                        "unknown upstream of a broker",
                        BASE + OPENROUTER_KEY
                                + "fallback_chains: {anthropic: [{provider: openrouter, upstream: antropic}]}\n",
                        List.of("fallback_chains.anthropic[0].upstream: unknown provider 'antropic'; did you mean"
                                + " 'anthropic'?")),
                arguments(
                        "chain to a provider without an active key",
                        BASE + "fallback_chains: {openai: [{provider: openrouter}]}\n",
                        List.of("fallback_chains.openai[0].provider: 'openrouter' has no active key")),
                arguments(
                        "chain to a provider whose only key is disabled",
                        BASE + OPENROUTER_KEY.replace("models:", "enabled: false, models:")
                                + "fallback_chains: {openai: [{provider: openrouter}]}\n",
                        List.of("fallback_chains.openai[0].provider: 'openrouter' has no active key")),
                arguments(
                        "model served by two providers",
                        BASE + OPENROUTER_KEY.replace("[anthropic/claude-haiku-4.5]", "[gpt-4o-mini]"),
                        List.of("keys: model 'gpt-4o-mini' is served by [openai, openrouter] and nothing says which to"
                                + " use first; add model_providers.gpt-4o-mini, a model_fallbacks.gpt-4o-mini chain or"
                                + " a fallback chain from one of them to the others")),
                arguments(
                        "model_providers naming an unknown provider",
                        BASE + "model_providers: {gpt-4o-mini: opnai}\n",
                        List.of("model_providers.gpt-4o-mini: unknown provider 'opnai'; did you mean 'openai'?")),
                arguments(
                        "model_providers naming a provider that does not serve the model",
                        BASE + "model_providers: {gpt-4o-mini: anthropic}\n",
                        List.of("model_providers.gpt-4o-mini: no active key of 'anthropic' lists model"
                                + " 'gpt-4o-mini'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validatorRules")
    void validatorRule(String rule, String yaml, List<String> expected) {
        assertThat(problems(yaml)).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource(
            delimiter = '|',
            value = {
                "30             | 30000",
                "0.25           | 250",
                "1.5            | 1500",
                "'250ms'        | 250",
                "'30s'          | 30000",
                "'2.5s'         | 2500",
                "'5m'           | 300000",
                "'1h'           | 3600000",
                "'1.5h'         | 5400000",
                "'PT30S'        | 30000",
                "'PT1M30S'      | 90000",
                "'pt0.5s'       | 500",
            })
    void durationForms(String yamlValue, long millis) {
        LlmRotateConfig config =
                ConfigLoader.fromYaml(BASE + "providers: {openai: {cooldown_seconds: " + yamlValue + "}}\n");

        assertThat(config.provider("openai").cooldown()).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"'30'", "'30 seconds'", "'5d'", "'1m30s'", "abc", "'P1X'", "true", "[30]", "''"})
    void badDurations(String yamlValue) {
        List<String> problems = problems(BASE + "defaults: {call_deadline_seconds: " + yamlValue + "}\n");

        assertThat(problems).hasSize(1);
        assertThat(problems.get(0)).startsWith("defaults.call_deadline_seconds: " + DURATION_HELP);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "cooldown_seconds",
                "quarantine_seconds",
                "quota_quarantine_seconds",
                "max_retry_after_seconds",
                "connect_timeout_seconds",
                "request_timeout_seconds",
                "first_chunk_timeout_seconds",
                "stream_idle_timeout_seconds",
                "recovery_probe_seconds"
            })
    void everyProviderDurationMustBePositive(String field) {
        assertThat(problems(BASE + "providers: {anthropic: {" + field + ": 0s}}\n"))
                .containsExactly("providers.anthropic." + field + ": must be positive, got 0.0");
        assertThat(problems(BASE + "providers: {anthropic: {" + field + ": -0.5}}\n"))
                .containsExactly("providers.anthropic." + field + ": must be positive, got -0.5");
        LlmRotateConfig config = ConfigLoader.fromYaml(BASE + "providers: {anthropic: {" + field + ": 0.001}}\n");
        assertThat(config.provider("anthropic")).isNotEqualTo(ProviderCatalog.defaults("anthropic"));
    }

    private static final String SHARED_MODEL =
            BASE + OPENROUTER_KEY.replace("[anthropic/claude-haiku-4.5]", "[gpt-4o-mini]");

    @Test
    void aChainOrModelProvidersResolvesAModelServedByTwoProviders() {
        assertThat(problems(SHARED_MODEL)).hasSize(1);

        LlmRotateConfig byChain =
                ConfigLoader.fromYaml(SHARED_MODEL + "fallback_chains: {openai: [{provider: openrouter}]}\n");
        assertThat(byChain.fallbackChains()).containsKey("openai");
        assertThat(ModelRoutes.nativeProvider(java.util.Set.of("openai", "openrouter"), byChain.fallbackChains()))
                .isEqualTo("openai");

        LlmRotateConfig byRoute = ConfigLoader.fromYaml(SHARED_MODEL + "model_providers: {gpt-4o-mini: openrouter}\n");
        assertThat(byRoute.modelProviders()).containsEntry("gpt-4o-mini", "openrouter");
    }

    @Test
    void aKeyLeftOutForItsProblemsCausesNoFollowOnReports() {
        String yaml = BASE
                + OPENROUTER_KEY.replace("env://OPENROUTER_API_KEY", "vault://openrouter")
                + "use_keys: [openai-1, anthropic-1, openrouter-1]\n"
                + "priorities: {openrouter-1: 5}\n"
                + "fallback_chains: {anthropic: [{provider: openrouter}]}\n"
                + "model_providers: {anthropic/claude-haiku-4.5: openrouter}\n";

        assertThat(problems(yaml))
                .containsExactly("keys[2].secret_ref: secret_ref scheme 'vault' is not supported; use env://, file://"
                        + " or literal://");
    }

    @Test
    void onlyKeyLeftOutDoesNotAlsoReportThatNoKeyIsActive() {
        assertThat(problems("keys:\n  - {key_id: a, provider: openai, secret_ref: env://A, models: gpt-4o}\n"))
                .containsExactly("keys[0].models: expected a list of strings, got \"gpt-4o\"");
    }

    @Test
    void severalProblemsAreReportedAtOnce() {
        String yaml = """
                keys:
                  - {key_id: openai-1, provider: openai, secret_ref: env://OPENAI_API_KEY, models: [gpt-4o-mini], weight: 0}
                  - {key_id: openai-1, provider: anthropic, secret_ref: env://ANTHROPIC_API_KEY, models: [claude-haiku-4-5]}
                  - {key_id: bedrock-1, provider: aws_bedrock, secret_ref: vault://aws, modles: [amazon.nova-lite-v1:0]}
                providers:
                  openai: {cooldown_seconds: -5, request_timeout_seconds: soon}
                defaults: {selection_strategy: round-robin}
                fallback_chains:
                  openai: [{provider: openai}]
                """;
        List<String> expected = List.of(
                "keys[2].modles: unknown field; did you mean 'models'?",
                "keys[2].secret_ref: secret_ref scheme 'vault' is not supported; use env://, file:// or literal://",
                "keys[2].models: required field is missing",
                "providers.openai.request_timeout_seconds: " + DURATION_HELP + "\"soon\"",
                "defaults.selection_strategy: unknown strategy 'round-robin'; did you mean 'round_robin'?",
                "keys[0].weight: must be a positive number, got 0.0",
                "keys[1].key_id: duplicate key_id 'openai-1' (also keys[0])",
                "providers.openai.cooldown_seconds: must be positive, got -5.0",
                "fallback_chains.openai[0]: loops back to 'openai' itself");

        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromYaml(yaml));

        assertThat(e.problems()).hasSize(9).containsExactlyElementsOf(expected);
        assertThat(e.getMessage())
                .isEqualTo("invalid configuration (9 problems):\n  - " + String.join("\n  - ", expected));
    }

    @Test
    void builderReportsTheValidatorsProblemsToo() {
        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class,
                () -> LlmRotateConfig.builder()
                        .key(KeySpec.builder("a", "openai")
                                .secretRef("env://A")
                                .models("gpt-4o-mini")
                                .build())
                        .fallbackChain("openai", FallbackTarget.to("openai"))
                        .defaults(d -> d.withMaxRetries(-2))
                        .build());

        assertThat(e.problems())
                .containsExactly(
                        "defaults.max_retries: must not be negative, got -2",
                        "fallback_chains.openai[0]: loops back to 'openai' itself");
    }
}

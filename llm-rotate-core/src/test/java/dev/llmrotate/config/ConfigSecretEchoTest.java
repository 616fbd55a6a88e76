package dev.llmrotate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmrotate.error.ConfigurationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Configuration problems never echo a value that may be a secret: fields that hold secrets ({@code secret_ref},
 * {@code auth_config.*}, {@code metadata.*}, {@code state_store.url}) are described by their type only, and an unknown
 * field's name or a wrong value that looks like a secret (a secret reference, a key-like token, a long string) is not
 * shown. Short, ordinary values are still quoted, so that typos stay easy to find. The secrets here are made up.
 */
class ConfigSecretEchoTest {
    private static final String TOKEN = "Xk29vQp7LmN3rT8wZy4bHc6j";
    private static final String KEY = "  - {key_id: k, provider: openai, secret_ref: env://K, models: [m]";

    private static ConfigurationException failure(String yaml) {
        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromYaml(yaml));
        assertThat(e).as("a ConfigurationException for:%n%s", yaml).isNotNull();
        return e;
    }

    @Test
    void fieldsThatHoldSecretsAreDescribedByTheirTypeOnly() {
        ConfigurationException e = failure("keys:\n"
                + KEY + ", auth_config: 'short'}\n"
                + KEY + ", metadata: ['" + TOKEN + "']}\n"
                + "  - {key_id: k, provider: openai, models: [m], secret_ref: {value: '" + TOKEN + "'}}\n"
                + "state_store: {type: redis, url: ['redis://:" + TOKEN + "@h']}\n");

        assertThat(e.problems())
                .contains(
                        "keys[0].auth_config: expected a map of provider settings, got a string",
                        "keys[1].metadata: expected a map of free-form values, got a list",
                        "keys[2].secret_ref: expected a string such as env://NAME, file:///path or literal://value,"
                                + " got a map",
                        "state_store.url: expected a string, got a list");
        assertThat(e.getMessage()).doesNotContain("short").doesNotContain(TOKEN);
    }

    @Test
    void aSecretWrittenWhereAFieldNameBelongsIsNotEchoed() {
        ConfigurationException e = failure("keys:\n"
                + "  - key_id: k\n"
                + "    provider: openai\n"
                + "    secret_ref: env://K\n"
                + "    models: [m]\n"
                + "    \"literal://sk-live-" + TOKEN + "\": x\n"
                + "    sk-" + TOKEN + ": y\n"
                + "  - {key_id: j, provider: openai, secret_ref: env://J, models: [m], modles: [n]}\n");

        assertThat(e.problems())
                .containsExactly(
                        "keys[0].<hidden>: unknown field; its name looks like a secret or a secret reference and is"
                                + " not shown (a value written where a field name belongs?)",
                        "keys[0].<hidden>: unknown field; its name looks like a secret or a secret reference and is"
                                + " not shown (a value written where a field name belongs?)",
                        "keys[1].modles: unknown field; did you mean 'models'?");
        assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContain("sk-live");
    }

    @Test
    void aWrongValueThatLooksLikeASecretIsNotEchoedButATypoIs() {
        ConfigurationException e = failure("keys:\n"
                + KEY + ", rate_limit_rpm: 'sixty'}\n"
                + KEY + ", rate_limit_rpm: 'env://RPM'}\n"
                + KEY + ", priority: '" + TOKEN + "'}\n"
                + KEY + ", weight: '" + "a".repeat(70) + "'}\n"
                + KEY + ", tags: 'file:///run/secrets/openai'}\n");

        assertThat(e.problems())
                .containsExactly(
                        "keys[0].rate_limit_rpm: expected an integer, got \"sixty\"",
                        "keys[1].rate_limit_rpm: expected an integer, got a string that looks like a secret (not"
                                + " shown)",
                        "keys[2].priority: expected an integer, got a string that looks like a secret (not shown)",
                        "keys[3].weight: expected a number, got a string that looks like a secret (not shown)",
                        "keys[4].tags: expected a list of strings, got a string that looks like a secret (not shown)");
        assertThat(e.getMessage())
                .doesNotContain(TOKEN)
                .doesNotContain("aaaaaaaaaa")
                .doesNotContain("/run/secrets");
    }

    @Test
    void authConfigValuesAreNotEchoedBySemanticChecksEither() {
        ConfigurationException e = failure("keys:\n"
                + "  - {key_id: b, provider: aws_bedrock, secret_ref: env://B, models: [m], auth_config: {region: '"
                + TOKEN + "/x'}}\n");

        assertThat(e.problems())
                .containsExactly("keys[0].auth_config.region: not an AWS region name such as us-east-1");
    }

    @Test
    void namesThatLookLikeSecretsAreHiddenInPathsAndProviderNames() {
        ConfigurationException e = failure("keys:\n"
                + "  - {key_id: k, provider: 'sk-" + TOKEN + "', secret_ref: env://K, models: [m]}\n"
                + "  - {key_id: j, provider: openai, secret_ref: env://J, models: [m]}\n"
                + "providers:\n"
                + "  'literal://" + TOKEN + "': {cooldown_seconds: 1}\n"
                + "priorities:\n"
                + "  'AIza" + TOKEN + TOKEN + "': oops\n");

        assertThat(e.problems())
                .contains(
                        "keys[0].provider: unknown provider (a name that looks like a secret, not shown)",
                        "priorities.<hidden>: expected an integer, got \"oops\"",
                        "providers.<hidden>: unknown provider (a name that looks like a secret, not shown)");
        assertThat(e.getMessage()).doesNotContain(TOKEN);
    }

    @Test
    void anAmbiguousRedisUrlIsRefusedAtLoadWithoutShowingIt() {
        ConfigurationException e = failure("keys:\n" + KEY + "}\nstate_store: {type: redis, url: 'redis://:pa#" + TOKEN
                + "@redis.internal:6379'}\n");

        assertThat(e.problems())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("state_store.url: redis://*** ")
                .contains("percent-encode")
                .contains("# as %23");
        assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContain("redis.internal");
    }

    @Test
    void aKeyRendersTheNamesOfItsAuthConfigAndMetadataButNeverTheirValues() {
        KeySpec key = KeySpec.builder("k", "azure_openai")
                .secretRef(SecretRef.literal("sk-" + TOKEN))
                .models("gpt-4o")
                .authConfig("azure_endpoint", "https://example.openai.azure.com")
                .authConfig("client_secret", TOKEN + "-auth")
                .metadata("owner_token", TOKEN + "-meta")
                .build();
        LlmRotateConfig config = ConfigLoader.fromMap(Map.of(
                "keys",
                List.of(Map.of(
                        "key_id", "m",
                        "provider", "openai",
                        "secret_ref", "env://M",
                        "models", List.of("gpt-4o"),
                        "metadata", Map.of("password", TOKEN)))));

        assertThat(key.toString())
                .contains("authConfig=[azure_endpoint, client_secret]")
                .contains("metadata=[owner_token]")
                .contains("literal://***")
                .doesNotContain(TOKEN);
        assertThat(config.keys().toString()).contains("metadata=[password]").doesNotContain(TOKEN);
        assertThat(config.toString()).doesNotContain(TOKEN);
    }
}

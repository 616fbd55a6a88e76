package dev.llmrotate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmrotate.error.ConfigurationException;
import org.junit.jupiter.api.Test;

/** The {@code state_store} block: defaults, reading, validation and a URL's password kept out of every rendering. */
class StateStoreConfigTest {
    private static final String KEY = """
            keys:
              - {key_id: a, provider: openai, secret_ref: env://A, models: [gpt-4o-mini]}
            """;

    private static ConfigurationException failure(String yaml) {
        return catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromYaml(KEY + yaml));
    }

    @Test
    void withoutTheBlockStateIsInMemory() {
        LlmRotateConfig config = ConfigLoader.fromYaml(KEY);

        assertThat(config.stateStore()).isEqualTo(StateStoreSettings.IN_MEMORY);
        assertThat(config.stateStore().type()).isEqualTo("memory");
        assertThat(config.stateStore().prefix()).isEqualTo("llm-rotate");
    }

    @Test
    void redisBlockIsRead() {
        LlmRotateConfig config = ConfigLoader.fromYaml(
                KEY + "state_store: {type: redis, url: 'redis://cache.internal:6380/2', prefix: team-a}\n");

        assertThat(config.stateStore()).isEqualTo(StateStoreSettings.redis("redis://cache.internal:6380/2", "team-a"));
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(config).isNotEqualTo(ConfigLoader.fromYaml(KEY));
    }

    @Test
    void prefixDefaultsToLlmRotateAndUrlMayBeAnEnvironmentReference() {
        LlmRotateConfig config = ConfigLoader.fromYaml(KEY + "state_store: {type: redis, url: env://REDIS_URL}\n");

        assertThat(config.stateStore().prefix()).isEqualTo("llm-rotate");
        assertThat(config.stateStore().url()).isEqualTo("env://REDIS_URL");
    }

    @Test
    void unknownTypeSuggestsTheClosestOne() {
        assertThat(failure("state_store: {type: rdis, url: 'redis://h:6379'}\n").problems())
                .containsExactly("state_store.type: unknown type 'rdis'; did you mean 'redis'?");
        assertThat(failure("state_store: {type: postgres}\n").problems())
                .containsExactly("state_store.type: unknown type 'postgres'; use one of memory, redis");
    }

    @Test
    void redisNeedsAUrlWithARedisScheme() {
        assertThat(failure("state_store: {type: redis}\n").problems())
                .containsExactly("state_store.url: required for type redis, e.g. redis://localhost:6379");
        ConfigurationException wrongScheme = failure("state_store: {type: redis, url: 'http://:hunter2@h:6379'}\n");
        assertThat(wrongScheme.problems())
                .containsExactly("state_store.url: expected redis://host:port (or rediss://, redis-sentinel://,"
                        + " env://NAME, file:///path), got scheme 'http'");
        assertThat(wrongScheme.getMessage()).doesNotContain("hunter2");
        assertThat(failure("state_store: {type: redis, url: 'localhost:6379'}\n")
                        .problems())
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .endsWith("got no scheme");
    }

    @Test
    void fieldsAndPrefixAreChecked() {
        assertThat(failure("state_store: {type: memory, prefx: x}\n").problems())
                .containsExactly("state_store.prefx: unknown field; did you mean 'prefix'?");
        assertThat(failure("state_store: {url: 'redis://h'}\n").problems())
                .containsExactly("state_store.type: required field is missing");
        assertThat(failure("state_store: {type: redis, url: 'redis://h', prefix: 'a{b}'}\n")
                        .problems())
                .containsExactly("state_store.prefix: must be non-empty without spaces or braces, got 'a{b}'");
        assertThat(failure("state_store: redis\n").problems())
                .containsExactly("state_store: expected a map (type, url, prefix), got \"redis\"");
    }

    @Test
    void renderingsMaskThePassword() {
        StateStoreSettings settings = StateStoreSettings.redis("redis://:hunter2@cache:6379/0");
        LlmRotateConfig config =
                ConfigLoader.fromYaml(KEY + "state_store: {type: redis, url: 'redis://app:hunter2@cache:6379/0'}\n");

        assertThat(settings)
                .hasToString("StateStoreSettings[type=redis, url=redis://:***@cache:6379/0, prefix=llm-rotate]");
        assertThat(config.toString()).doesNotContain("hunter2");
        assertThat(config.stateStore().toString())
                .contains("redis://app:***@cache:6379/0")
                .doesNotContain("hunter2");
    }

    @Test
    void maskUrlHidesEveryFormOfPassword() {
        assertThat(StateStoreSettings.maskUrl("redis://:pass@host:6379")).isEqualTo("redis://:***@host:6379");
        // A raw @ in the password: ambiguous, so nothing after the scheme is shown.
        assertThat(StateStoreSettings.maskUrl("rediss://user:p@ss@host/0")).isEqualTo("rediss://***");
        assertThat(StateStoreSettings.maskUrl("redis://pass@host")).isEqualTo("redis://***@host");
        assertThat(StateStoreSettings.maskUrl("redis-sentinel://:pw@s1:26379,s2:26379?sentinelMasterId=m"))
                .isEqualTo("redis-sentinel://:***@s1:26379,s2:26379?sentinelMasterId=m");
        assertThat(StateStoreSettings.maskUrl("redis://host:6379/0")).isEqualTo("redis://host:6379/0");
        assertThat(StateStoreSettings.maskUrl("env://REDIS_URL")).isEqualTo("env://REDIS_URL");
        assertThat(StateStoreSettings.maskUrl("not a url")).isEqualTo("***");
        assertThat(StateStoreSettings.maskUrl(null)).isNull();
    }
}

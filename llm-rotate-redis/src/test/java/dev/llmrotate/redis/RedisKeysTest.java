package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.spi.HealthScope;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Names of health scopes in Redis: readable, one per scope, and read back as the scope. */
class RedisKeysTest {
    private static final List<String> SCOPES = List.of(
            "openai-main",
            HealthScope.of("openai-main", "gpt-4o-mini"),
            "team:prod",
            HealthScope.of("team", "prod"),
            HealthScope.of("team:prod", "anthropic.claude-3-5-sonnet-20240620-v1:0"),
            HealthScope.of("or", "meta-llama/llama-3.1-70b"),
            HealthScope.of("vertex@eu", "claude-3-5-sonnet@20240620"),
            "team%3Aprod",
            "100%",
            HealthScope.of("a b", "tab\tmodel"),
            "ключ",
            HealthScope.of("", ""));

    @Test
    void namesReadAsTheirIdsWithColonPercentSpaceAndControlsEncoded() {
        assertThat(RedisKeys.nameOf("openai-main")).isEqualTo("openai-main");
        assertThat(RedisKeys.nameOf(HealthScope.of("openai-main", "gpt-4o-mini")))
                .isEqualTo("openai-main:gpt-4o-mini");
        assertThat(RedisKeys.nameOf("team:prod")).isEqualTo("team%3Aprod");
        assertThat(RedisKeys.nameOf(HealthScope.of("team", "prod"))).isEqualTo("team:prod");
        assertThat(RedisKeys.nameOf(HealthScope.of("team:prod", "anthropic.claude-3-5-sonnet-20240620-v1:0")))
                .isEqualTo("team%3Aprod:anthropic.claude-3-5-sonnet-20240620-v1%3A0");
        assertThat(RedisKeys.nameOf(HealthScope.of("or", "meta-llama/llama-3.1-70b")))
                .isEqualTo("or:meta-llama/llama-3.1-70b");
        assertThat(RedisKeys.nameOf(HealthScope.of("vertex@eu", "claude-3-5-sonnet@20240620")))
                .isEqualTo("vertex@eu:claude-3-5-sonnet@20240620");
        assertThat(RedisKeys.nameOf("team%3Aprod")).isEqualTo("team%253Aprod");
        assertThat(RedisKeys.nameOf(HealthScope.of("a b", "tab\tmodel"))).isEqualTo("a%20b:tab%09model");
        assertThat(RedisKeys.nameOf("ключ")).isEqualTo("ключ");
        String plain = "openai-main";
        assertThat(RedisKeys.nameOf(plain)).isSameAs(plain);
    }

    @Test
    void everyScopeHasItsOwnNameAndIsReadBackFromIt() {
        Set<String> names = new HashSet<>();
        for (String scope : SCOPES) {
            String name = RedisKeys.nameOf(scope);
            assertThat(names.add(name)).as(name).isTrue();
            assertThat(RedisKeys.scopeOf(name)).isEqualTo(scope);
            assertThat(name).doesNotContain(String.valueOf(HealthScope.SEPARATOR));
        }
    }

    @Test
    void namesNoScopeHasAreNotRead() {
        assertThat(RedisKeys.scopeOf("a:b:c")).as("two colons").isNull();
        assertThat(RedisKeys.scopeOf("a%3")).as("a cut escape").isNull();
        assertThat(RedisKeys.scopeOf("a%zz")).as("not hex").isNull();
        assertThat(RedisKeys.scopeOf("a%3a")).as("lower-case hex").isNull();
        assertThat(RedisKeys.scopeOf("a%41"))
                .as("an escape where none is needed")
                .isNull();
        assertThat(RedisKeys.scopeOf("a b")).as("a space not escaped").isNull();
    }

    @Test
    void aUsageSliceIsNamedByItsThreePartsAndReadBack() {
        assertThat(RedisKeys.sliceOf("openai", "gpt-4o-mini", "k1")).isEqualTo("openai|gpt-4o-mini|k1");
        assertThat(RedisKeys.sliceOf(null, "(unknown)", null)).isEqualTo("|(unknown)|");
        String odd = RedisKeys.sliceOf("aws_bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", "team|a b%");
        assertThat(odd).isEqualTo("aws_bedrock|anthropic.claude-3-5-sonnet-20240620-v1%3A0|team%7Ca%20b%25");
        assertThat(RedisKeys.partsOf(odd))
                .containsExactly("aws_bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", "team|a b%");
        assertThat(RedisKeys.partsOf("|(unknown)|")).containsExactly(null, "(unknown)", null);
        assertThat(RedisKeys.partsOf(RedisKeys.ALL_SLICES)).isNull();
        assertThat(RedisKeys.partsOf("a|b")).isNull();
        assertThat(RedisKeys.partsOf("a|b|c%2")).isNull();
    }

    @Test
    void aCallerIsNamedSoThatItsSliceIsNeverReadAsAProviderModelAndKey() {
        assertThat(RedisKeys.callerName("gw-team.a@eu")).isEqualTo("gw-team.a@eu");
        assertThat(RedisKeys.callerName("tenant:42")).isEqualTo("tenant%3A42");
        String odd = RedisKeys.callerName("a|b|c d%");
        assertThat(odd).isEqualTo("a%7Cb%7Cc%20d%25");
        assertThat(RedisKeys.partsOf(RedisKeys.CALLER + odd)).isNull();
        for (String caller : List.of("gw-team.a@eu", "tenant:42", "a|b|c d%", "_other")) {
            assertThat(RedisKeys.callerOf(RedisKeys.callerName(caller))).isEqualTo(caller);
        }
        assertThat(RedisKeys.callerOf("a%7cb")).as("lower-case hex").isNull();
        assertThat(RedisKeys.callerOf("a%41"))
                .as("an escape where none is needed")
                .isNull();
        assertThat(RedisKeys.callerOf("")).isNull();
    }
}

package dev.llmrotate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ModelCapability;
import dev.llmrotate.config.StateStoreSettings;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The parts of {@code /config} that could carry a secret, each shown without it. */
class ConfigViewTest {
    private static LlmRotateConfig.Builder base() {
        return LlmRotateConfig.builder()
                .key(KeySpec.builder("k", "openai")
                        .secretRef("file:///run/secrets/openai-key")
                        .models("m")
                        .metadata("owner", "team-secret-value")
                        .build());
    }

    @Test
    void aRedisUrlIsMaskedAndAReferenceShowsItsSchemeOnly() {
        String json = new String(
                Json.bytes(ConfigView.of(
                        base().stateStore(StateStoreSettings.redis("redis://:pa55word@redis.internal:6379/0"))
                                .build())),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("pa55word").contains("redis://:***@redis.internal:6379/0");
        String ref = new String(
                Json.bytes(ConfigView.of(base().stateStore(StateStoreSettings.redis("env://REDIS_URL_SECRET_NAME"))
                        .build())),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(ref).doesNotContain("REDIS_URL_SECRET_NAME").contains("\"url\":\"env://***\"");
    }

    @Test
    void modelCapabilitiesShowByTheirConfigurationNames() {
        String json = new String(
                Json.bytes(ConfigView.of(base().modelCapability("m", ModelCapability.TOOLS, false)
                        .modelCapability("m", ModelCapability.JSON_SCHEMA, true)
                        .build())),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"model_capabilities\":{\"m\":{\"json_schema\":true,\"tools\":false}}");
    }

    @Test
    void secretRefsMetadataAndBaseUrlCredentialsAreHidden() {
        String json = new String(
                Json.bytes(ConfigView.of(base().provider(
                                "anthropic",
                                s -> s.withBaseUrl(URI.create(
                                        "https://u:pw-in-url@proxy.example.com:8443/v1?api_key=q-secret#frag")))
                        .build())),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json)
                .contains("\"secret_ref\":\"file://***\"")
                .contains("\"metadata\":{\"owner\":\"***\"}")
                .contains("\"base_url\":\"https://proxy.example.com:8443/v1\"")
                .doesNotContain("openai-key", "team-secret-value", "pw-in-url", "q-secret", "frag");
    }
}

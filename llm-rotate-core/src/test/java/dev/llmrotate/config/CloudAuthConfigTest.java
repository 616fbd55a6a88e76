package dev.llmrotate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.error.ConfigurationException;
import org.junit.jupiter.api.Test;

/** The cloud auth methods in configuration files: secret_ref optional, methods and their fields checked. */
class CloudAuthConfigTest {
    private static LlmRotateConfig load(String key) {
        return ConfigLoader.fromYaml("keys:\n" + key);
    }

    @Test
    void adcAndDefaultChainKeysNeedNoSecretRefAndAreShownByTheirIdentity() {
        LlmRotateConfig config = load("""
                  - key_id: vx
                    provider: google_vertex
                    auth_method: adc
                    models: [gemini-2.5-flash]
                    auth_config: {project: p, region: us-central1, impersonate_service_account: sa@p.iam.gserviceaccount.com}
                  - key_id: br
                    provider: aws_bedrock
                    auth_method: default_chain
                    models: [amazon.nova-lite-v1:0]
                    auth_config: {region: us-east-1, profile: prod, role_arn: "arn:aws:iam::1:role/r"}
                  - key_id: api
                    provider: aws_bedrock
                    auth_method: bedrock_api_key
                    models: [amazon.nova-pro-v1:0]
                    auth_config: {region: us-east-1}
                """);

        assertThat(config.keys().get(0).secretRef().resolve()).isEqualTo("adc as sa@p.iam.gserviceaccount.com");
        assertThat(config.keys().get(1).secretRef().resolve())
                .isEqualTo("default_chain profile prod role arn:aws:iam::1:role/r");
        assertThat(config.keys().get(1).secretRef().scheme()).isEqualTo(SecretRef.Scheme.AMBIENT);
        assertThat(config.keys().get(1).toString()).contains("secretRef=(none: default_chain profile prod");
        assertThat(config.keys().get(2).secretRef()).isEqualTo(SecretRef.env("AWS_BEARER_TOKEN_BEDROCK"));
    }

    @Test
    void aMisspelledAuthConfigFieldIsNamedWithTheClosestOne() {
        assertThatThrownBy(() -> load("""
                  - key_id: br
                    provider: aws_bedrock
                    auth_method: default_chain
                    models: [amazon.nova-lite-v1:0]
                    auth_config: {region: us-east-1, profle: prod}
                """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("keys[0].auth_config.profle: unknown field for auth_method default_chain; did"
                        + " you mean 'profile'?");
    }

    @Test
    void anUnknownAuthMethodIsNamedWithTheClosestOne() {
        assertThatThrownBy(() -> load("""
                  - key_id: br
                    provider: aws_bedrock
                    auth_method: default_chian
                    models: [amazon.nova-lite-v1:0]
                    auth_config: {region: us-east-1}
                """))
                .hasMessageContaining("keys[0].secret_ref: required field is missing; did you mean auth_method"
                        + " 'default_chain', which needs none?");
    }

    @Test
    void aCloudMethodOnAnotherProviderAndASecretRefWithDefaultChainAreRefused() {
        assertThatThrownBy(() -> load("""
                  - key_id: o
                    provider: openai
                    auth_method: adc
                    secret_ref: env://OPENAI_API_KEY
                    models: [gpt-4o-mini]
                """))
                .hasMessageContaining("keys[0].auth_method: 'adc' is for provider 'google_vertex', not 'openai'");
        assertThatThrownBy(() -> load("""
                  - key_id: br
                    provider: aws_bedrock
                    auth_method: default_chain
                    secret_ref: env://AWS_CREDS
                    models: [amazon.nova-lite-v1:0]
                    auth_config: {region: us-east-1, role_session_name: s}
                """))
                .hasMessageContaining("keys[0].secret_ref: not used with auth_method default_chain")
                .hasMessageContaining("keys[0].auth_config.role_session_name: needs auth_config.role_arn");
    }

    @Test
    void anApiKeyProviderStillNeedsItsSecretRef() {
        assertThatThrownBy(() -> load("""
                  - key_id: o
                    provider: openai
                    models: [gpt-4o-mini]
                """)).hasMessageContaining("keys[0].secret_ref: required field is missing");
    }
}

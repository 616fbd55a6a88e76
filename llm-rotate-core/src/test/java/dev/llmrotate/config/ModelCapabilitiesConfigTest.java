package dev.llmrotate.config;

import static dev.llmrotate.config.ConfigValidationTest.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code model_capabilities}: read from YAML, kept by the builder, and every problem it can have, exactly. */
class ModelCapabilitiesConfigTest {
    private static final String BASE = """
            keys:
              - {key_id: openai-1, provider: openai, secret_ref: env://OPENAI_API_KEY, models: [gpt-4o-mini, o1-mini]}
              - {key_id: bedrock-1, provider: aws_bedrock, secret_ref: env://AWS, models: ["amazon.nova-lite-v1:0"], auth_config: {region: us-east-1}}
            """;

    @Test
    void overridesAreReadPerModelAndCapability() {
        LlmRotateConfig config = ConfigLoader.fromYaml(BASE + """
                model_capabilities:
                  gpt-4o-mini: {tools: false, json_schema: true}
                  o1-mini: {tools: true}
                  "amazon.nova-lite-v1:0": {images: false, reasoning: false, json_object: true}
                """);

        assertThat(config.modelCapabilities())
                .containsExactly(
                        Map.entry(
                                "gpt-4o-mini", Map.of(ModelCapability.TOOLS, false, ModelCapability.JSON_SCHEMA, true)),
                        Map.entry("o1-mini", Map.of(ModelCapability.TOOLS, true)),
                        Map.entry(
                                "amazon.nova-lite-v1:0",
                                Map.of(
                                        ModelCapability.IMAGES,
                                        false,
                                        ModelCapability.REASONING,
                                        false,
                                        ModelCapability.JSON_OBJECT,
                                        true)));
        assertThat(config.toBuilder().build()).isEqualTo(config);
        assertThat(ConfigLoader.fromYaml(BASE).modelCapabilities()).isEmpty();
    }

    @Test
    void theBuilderSetsTheSameAsTheFile() {
        LlmRotateConfig fromFile = ConfigLoader.fromYaml(BASE + "model_capabilities: {o1-mini: {tools: true}}\n");
        LlmRotateConfig built = fromFile.toBuilder().build();
        LlmRotateConfig changed = ConfigLoader.fromYaml(BASE).toBuilder()
                .modelCapability("o1-mini", ModelCapability.TOOLS, true)
                .build();

        assertThat(changed).isEqualTo(built);
        assertThat(changed.modelCapabilities()).isEqualTo(fromFile.modelCapabilities());
    }

    @Test
    void anUnknownCapabilityIsNamedWithTheClosestOne() {
        assertThat(problems(
                        BASE + "model_capabilities: {gpt-4o-mini: {tols: false, json_scheme: true, video: true}}\n"))
                .containsExactly(
                        "model_capabilities.gpt-4o-mini.tols: unknown field; did you mean 'tools'?",
                        "model_capabilities.gpt-4o-mini.json_scheme: unknown field; did you mean 'json_schema'?",
                        "model_capabilities.gpt-4o-mini.video: unknown field");
    }

    @Test
    void aCapabilityIsTrueOrFalse() {
        assertThat(problems(BASE + "model_capabilities: {gpt-4o-mini: {tools: \"no\", images: 0}}\n"))
                .containsExactly(
                        "model_capabilities.gpt-4o-mini.tools: expected true or false, got \"no\"",
                        "model_capabilities.gpt-4o-mini.images: expected true or false, got 0");
    }

    @Test
    void theBlockAndItsEntriesAreMaps() {
        assertThat(problems(BASE + "model_capabilities: [tools]\n"))
                .containsExactly("model_capabilities: expected a map of model id to capabilities such as"
                        + " {tools: false}, got a list");
        assertThat(problems(BASE + "model_capabilities: {gpt-4o-mini: false, \"amazon.nova-lite-v1:0\": [tools]}\n"))
                .containsExactly(
                        "model_capabilities.gpt-4o-mini: expected a map of capability name to true or false, got"
                                + " false",
                        "model_capabilities[\"amazon.nova-lite-v1:0\"]: expected a map of capability name to true or"
                                + " false, got a list");
    }

    @Test
    void aModelNoActiveKeyListsIsATypo() {
        assertThat(problems(
                        BASE + "model_capabilities: {gpt-4o-mni: {tools: false}, claude-haiku-4-5: {tools: true}}\n"))
                .containsExactly(
                        "model_capabilities.gpt-4o-mni: no active key lists this model; did you mean 'gpt-4o-mini'?",
                        "model_capabilities.claude-haiku-4-5: no active key lists this model");
    }
}

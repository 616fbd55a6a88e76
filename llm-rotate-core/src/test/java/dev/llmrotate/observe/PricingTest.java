package dev.llmrotate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PricingTest {
    private final Pricing builtIn = Pricing.builtIn();

    private static Path sample() throws URISyntaxException {
        return Path.of(
                PricingTest.class.getResource("/pricing/litellm-sample.json").toURI());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "openai, gpt-4o-mini, 0.15, 0.60",
        "openai, gpt-4o-2024-08-06, 2.50, 10.00",
        "azure_openai, gpt-4o, 2.50, 10.00",
        "anthropic, claude-haiku-4-5-20251001, 1.00, 5.00",
        "anthropic, claude-sonnet-4-5, 3.00, 15.00",
        "openrouter, anthropic/claude-haiku-4.5, 1.00, 5.00",
        "openrouter, openai/gpt-4o-mini, 0.15, 0.60",
        "aws_bedrock, anthropic.claude-sonnet-4-5-20250929-v1:0, 3.00, 15.00",
        "aws_bedrock, us.anthropic.claude-haiku-4-5-20251001-v1:0, 1.00, 5.00",
        "aws_bedrock, us.amazon.nova-pro-v1:0, 0.80, 3.20",
        "google_ai_studio, gemini-2.5-flash, 0.30, 2.50",
        "google_vertex, gemini-2.0-flash, 0.10, 0.40"
    })
    void theBuiltInTableKnowsTheCurrentModelsUnderTheirVariousIds(
            String provider, String model, double input, double output) {
        ModelPrice price = builtIn.price(provider, model);
        assertThat(price).as(model).isNotNull();
        assertThat(price.inputPerMillion()).isEqualTo(input, within(1e-9));
        assertThat(price.outputPerMillion()).isEqualTo(output, within(1e-9));
    }

    @Test
    void anUnknownModelHasNoPriceAndNoCost() {
        assertThat(builtIn.price("openai", "made-up-model")).isNull();
        assertThat(builtIn.cost("openai", "made-up-model", 100, 0, 100)).isNull();
        assertThat(builtIn.price("openai", null)).isNull();
    }

    @Test
    void cachedInputIsChargedAtTheCachedRateAndNeverMoreThanTheInput() {
        ModelPrice price = new ModelPrice(2.0, 8.0, 0.5);
        assertThat(price.cost(1_000_000, 400_000, 1_000_000))
                .isEqualTo(600_000 * 2.0 / 1e6 + 400_000 * 0.5 / 1e6 + 8.0, within(1e-9));
        assertThat(price.cost(100, 500, 0)).isEqualTo(100 * 0.5 / 1e6, within(1e-15));
        assertThat(new ModelPrice(2.0, 8.0, null).cost(1_000_000, 1_000_000, 0)).isEqualTo(2.0, within(1e-9));
        assertThatThrownBy(() -> new ModelPrice(-1, 1, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLiteLlmFileAddsPricesAndIgnoresWhatItDoesNotUse() throws Exception {
        Pricing prices = Pricing.builder().file(sample()).build();
        ModelPrice inHouse = prices.price("openai", "in-house-model-7");
        assertThat(inHouse).isEqualTo(new ModelPrice(2.0, 8.0, 0.5));
        // "azure/gpt-4o-mini" is gpt-4o-mini on azure_openai: it wins there, the built-in OpenAI price elsewhere.
        assertThat(prices.price("azure_openai", "gpt-4o-mini").inputPerMillion())
                .isEqualTo(0.165, within(1e-9));
        assertThat(prices.price("openai", "gpt-4o-mini").inputPerMillion()).isEqualTo(0.15, within(1e-9));
        assertThat(prices.price("openai", "dall-e-3")).isNull();
        assertThat(prices.price("openai", "sample_spec")).isNull();
    }

    @Test
    void singlePricesWinOverFilesAndTheBuiltInTable() throws Exception {
        Pricing prices = Pricing.builder()
                .file(sample())
                .price("openai", "gpt-4o-mini", new ModelPrice(9, 9, null))
                .price(null, "in-house-model-7", new ModelPrice(1, 1, null))
                .build();
        assertThat(prices.price("openai", "gpt-4o-mini").inputPerMillion()).isEqualTo(9);
        assertThat(prices.price("anthropic", "in-house-model-7").inputPerMillion())
                .isEqualTo(1);
    }

    @Test
    void aMissingOrMalformedFileIsAConfigurationError(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> Pricing.builder().file(dir.resolve("none.json")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("none.json does not exist");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{ not json");
        assertThatThrownBy(() -> Pricing.builder().file(broken))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("broken.json is not valid JSON");
        assertThatThrownBy(() -> Pricing.builder().file(dir))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageEndingWith(" is not a regular file (a directory, FIFO or device)");
        Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
        assertThatThrownBy(() -> Pricing.builder().file(array))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("must hold a JSON object");
    }

    @Test
    void theConfigurationsPricingBlockResolvesTheFileNextToTheConfigFile(@TempDir Path dir) throws Exception {
        Files.copy(sample(), dir.resolve("prices.json"));
        Path config = Files.writeString(dir.resolve("llm-rotate.yaml"), """
                keys:
                  - {key_id: a, provider: openai, secret_ref: env://A, models: [in-house-model-7]}
                pricing:
                  file: prices.json
                  models:
                    - {model: special, provider: openai, input_per_million: 1.5, output_per_million: 3}
                event_buffer: {enabled: true, capacity: 50}
                """);
        LlmRotateConfig loaded = LlmRotateConfig.fromFile(config);
        assertThat(loaded.pricing().file()).isEqualTo(dir.resolve("prices.json"));
        assertThat(loaded.pricing().prices()).singleElement().satisfies(entry -> {
            assertThat(entry.model()).isEqualTo("special");
            assertThat(entry.price()).isEqualTo(new ModelPrice(1.5, 3, null));
        });
        assertThat(loaded.eventBufferCapacity()).isEqualTo(50);
    }

    @Test
    void pricingAndEventBufferProblemsNameTheirPaths() {
        assertThatThrownBy(() -> LlmRotateConfig.fromMap(java.util.Map.of(
                        "keys",
                                java.util.List.of(java.util.Map.of(
                                        "key_id",
                                        "a",
                                        "provider",
                                        "openai",
                                        "secret_ref",
                                        "env://A",
                                        "models",
                                        java.util.List.of("m"))),
                        "pricing",
                                java.util.Map.of(
                                        "file",
                                        "/nowhere/prices.json",
                                        "models",
                                        java.util.List.of(java.util.Map.of(
                                                "model",
                                                "m",
                                                "provider",
                                                "opnai",
                                                "input_per_million",
                                                -1,
                                                "output_per_million",
                                                2,
                                                "cahced",
                                                1))),
                        "event_buffer", java.util.Map.of("capacity", 0))))
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.problems())
                                .contains(
                                        "pricing.models[0].cahced: unknown field",
                                        "pricing.models[0].provider: unknown provider 'opnai'; did you mean 'openai'?",
                                        "pricing.models[0]: prices must not be negative",
                                        "event_buffer.capacity: must be between 1 and 200000, got 0",
                                        "pricing.file: /nowhere/prices.json does not exist or is not a file"));
    }
}

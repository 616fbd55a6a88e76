package dev.llmrotate.internal.provider.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.ChatStream;
import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Azure OpenAI over loopback: deployment URLs, api-key auth, Azure's retry headers and content filter. */
class AzureOpenAiLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    private KeySpec azureKey(String id, Map<String, Object> extra) {
        KeySpec.Builder key = Keys.key(id, "azure_openai", "gpt-4o")
                .authConfig("azure_endpoint", openai.azureEndpoint().toString());
        extra.forEach(key::authConfig);
        return key.build();
    }

    private LlmRotate engineWith(KeySpec... keys) {
        return engine(LlmRotateConfig.builder()
                .keys(List.of(keys))
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO))
                .build());
    }

    @Test
    void aCallGoesToTheDeploymentWithTheApiKeyHeader() {
        openai.byDefault().always(FakeResponse.ok("from azure", 12, 4));
        LlmRotate lm = engineWith(azureKey("az", Map.of("deployments", Map.of("gpt-4o", "prod-gpt4o"))));

        ChatResponse response =
                lm.chat(ChatRequest.builder("gpt-4o").user("hi").maxTokens(50).build());

        assertThat(response.content()).isEqualTo("from azure");
        assertThat(response.provider()).isEqualTo("azure_openai");
        RecordedRequest sent = openai.requests().get(0);
        assertThat(sent.path()).isEqualTo("/openai/deployments/prod-gpt4o/chat/completions");
        assertThat(sent.queryParameter("api-version")).isEqualTo(AzureOpenAiAdapter.DEFAULT_API_VERSION);
        assertThat(sent.header("api-key")).isEqualTo(secret("az"));
        assertThat(sent.header("authorization")).isNull();
        assertThat(sent.attribute("deployment")).isEqualTo("prod-gpt4o");
        assertThat(sent.json().get("max_completion_tokens").asInt()).isEqualTo(50);
    }

    @Test
    void theDeploymentDefaultsToTheModelAndTheApiVersionCanBeSet() {
        LlmRotate lm = engineWith(azureKey("az", Map.of("api_version", "2025-04-01-preview")));
        lm.chat("gpt-4o", HI);
        RecordedRequest sent = openai.requests().get(0);
        assertThat(sent.path()).isEqualTo("/openai/deployments/gpt-4o/chat/completions");
        assertThat(sent.queryParameter("api-version")).isEqualTo("2025-04-01-preview");
    }

    @Test
    void azureRetryAfterMsHeadersLengthenTheCooldown() {
        openai.forKey(secret("az1"))
                .always(FakeResponse.error(429, "requests", "429", "Rate limit is exceeded.")
                        .header("x-ms-retry-after-ms", "75000"));
        LlmRotate lm = engineWith(
                Keys.key("az1", "azure_openai", "gpt-4o")
                        .priority(2)
                        .authConfig("azure_endpoint", openai.azureEndpoint().toString())
                        .build(),
                azureKey("az2", Map.of()));
        assertThat(lm.chat("gpt-4o", HI).keyId()).isEqualTo("az2");
        assertThat(lm.health().key("az1").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(lm.health().key("az1").availableAt())
                .isEqualTo(clock.instant().plusSeconds(75));
    }

    @Test
    void azuresContentFilterFailsFastAndAMissingDeploymentRotates() {
        openai.byDefault()
                .always(
                        FakeResponse.error(
                                400,
                                "invalid_request_error",
                                "content_filter",
                                "The response was filtered due to the prompt triggering Azure OpenAI's content management policy."));
        LlmRotate lm = engineWith(azureKey("az", Map.of()));
        assertThatThrownBy(() -> lm.chat("gpt-4o", HI))
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.CONTENT_FILTERED));

        openai.byDefault()
                .always(FakeResponse.error(
                        404,
                        "invalid_request_error",
                        "DeploymentNotFound",
                        "The API deployment for this resource does not exist."));
        assertThatThrownBy(() -> lm.chat("gpt-4o", HI))
                .isInstanceOfSatisfying(
                        dev.llmrotate.error.NoAvailableKeyException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.MODEL_UNAVAILABLE));
    }

    @Test
    void azureStreamsLikeOpenAi() {
        openai.byDefault().always(FakeResponse.ok("x").withChunks("a", "b", "c"));
        LlmRotate lm = engineWith(azureKey("az", Map.of()));
        try (ChatStream stream = lm.chatStream(ChatRequest.of("gpt-4o", HI))) {
            assertThat(stream.collect().content()).isEqualTo("abc");
        }
        assertThat(openai.requests().get(0).json().get("stream").asBoolean()).isTrue();
    }

    @Test
    void imagesGoAsDataUrlsInTheOpenAiShape() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        engineWith(azureKey("az", Map.of()))
                .chat(ChatRequest.builder("gpt-4o")
                        .messages(ChatMessage.user(
                                dev.llmrotate.chat.ContentPart.text("describe"),
                                dev.llmrotate.chat.ContentPart.image(png, "image/png")))
                        .build());
        var parts = openai.requests().get(0).json().at("/messages/0/content");
        assertThat(parts.get(0).get("text").asText()).isEqualTo("describe");
        assertThat(parts.get(1).at("/image_url/url").asText())
                .isEqualTo(
                        "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png));
    }

    @Test
    void aKeyWithoutAnEndpointIsRejectedWhenTheConfigurationLoads() {
        assertThatThrownBy(() -> LlmRotateConfig.builder()
                        .key(Keys.key("az", "azure_openai", "gpt-4o").build())
                        .build())
                .isInstanceOfSatisfying(
                        ConfigurationException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "keys[0].auth_config.azure_endpoint: required for provider 'azure_openai'"));
    }
}

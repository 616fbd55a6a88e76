package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.error.UnknownModelException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fallback chains walked in order after the native provider is exhausted, and skipped when a provider is pinned. */
class FallbackChainLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private FakeOpenAiServer openrouter;

    @BeforeEach
    void startBroker() {
        openrouter = FakeOpenAiServer.start();
    }

    @AfterEach
    void stopBroker() {
        openrouter.close();
    }

    private LlmRotateConfig.Builder twoProviders() {
        return config(
                        SelectionStrategyType.PRIORITY,
                        Keys.openai("oa-1", "gpt-4o-mini"),
                        Keys.openai("oa-2", "gpt-4o-mini"),
                        Keys.key("or-1", "openrouter", "openai/gpt-4o-mini", "anthropic/claude-haiku-4.5")
                                .build())
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .fallbackChain(
                        "openai",
                        FallbackTarget.to("openrouter").withUpstream("openai").withModel("openai/gpt-4o-mini"));
    }

    @Test
    void whenEveryNativeKeyIsExhaustedTheChainAnswersWithItsOwnModelId() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(5)));
        openrouter.byDefault().always(FakeResponse.ok("via broker"));
        LlmRotate lm = engine(twoProviders().build());

        ChatResponse response = lm.chat("gpt-4o-mini", HI);

        assertThat(response.content()).isEqualTo("via broker");
        assertThat(response.provider()).isEqualTo("openrouter");
        assertThat(response.upstream()).isEqualTo("openai");
        assertThat(response.model()).isEqualTo("openai/gpt-4o-mini");
        assertThat(response.fallbackUsed()).isTrue();
        assertThat(response.attempts()).isEqualTo(3);
        assertThat(response.rotations()).isEqualTo(2);
        assertThat(openai.requestCount()).isEqualTo(2);
        JsonNode body = openrouter.requests().get(0).json();
        assertThat(body.get("model").asText()).isEqualTo("openai/gpt-4o-mini");
        assertThat(body.at("/provider/order/0").asText()).isEqualTo("openai");
        assertThat(body.at("/provider/allow_fallbacks").asBoolean(true)).isFalse();
        assertThat(openrouter.requests().get(0).apiKey()).isEqualTo(secret("or-1"));
    }

    @Test
    void theNativeProviderIsTriedFirstWhileItHasKeys() {
        LlmRotate lm = engine(twoProviders().build());
        ChatResponse response = lm.chat("gpt-4o-mini", HI);
        assertThat(response.provider()).isEqualTo("openai");
        assertThat(response.fallbackUsed()).isFalse();
        assertThat(openrouter.requestCount()).isZero();
    }

    @Test
    void aPinnedProviderNeverFallsBack() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(5)));
        LlmRotate lm = engine(twoProviders().build());

        assertThatThrownBy(() -> lm.chat(ChatRequest.builder("gpt-4o-mini")
                        .user("hi")
                        .provider("openai")
                        .build()))
                .isInstanceOfSatisfying(NoAvailableKeyException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(ErrorType.RATE_LIMIT);
                    assertThat(e.earliestRetryAt()).isEqualTo(clock.instant().plusSeconds(5)); // its Retry-After
                    assertThat(e.getMessage()).contains("rate_limit");
                });
        assertThat(openrouter.requestCount()).isZero();
    }

    @Test
    void pinningTheFallbackProviderUsesItDirectly() {
        openrouter.byDefault().always(FakeResponse.ok("direct"));
        LlmRotate lm = engine(twoProviders().build());
        ChatResponse response = lm.chat(ChatRequest.builder("anthropic/claude-haiku-4.5")
                .user("hi")
                .provider("openrouter")
                .build());
        assertThat(response.provider()).isEqualTo("openrouter");
        assertThat(response.fallbackUsed()).isFalse();
        assertThat(openrouter.requests().get(0).json().has("provider")).isFalse();
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void aBrokerWithoutARouteMovesOnToTheNextChainEntry() {
        openai.byDefault().always(FakeResponse.insufficientQuota());
        openrouter
                .forModel("openai/gpt-4o-mini")
                .always(FakeResponse.raw(
                        404,
                        "{\"error\":{\"message\":\"No endpoints found matching your data policy\",\"code\":404}}"));
        openrouter.forModel("anthropic/claude-haiku-4.5").always(FakeResponse.ok("from claude"));
        LlmRotate lm = engine(twoProviders()
                .fallbackChain(
                        "openai",
                        FallbackTarget.to("openrouter").withUpstream("openai").withModel("openai/gpt-4o-mini"),
                        FallbackTarget.to("openrouter")
                                .withUpstream("anthropic")
                                .withModel("anthropic/claude-haiku-4.5"))
                .build());

        ChatResponse response = lm.chat("gpt-4o-mini", HI);

        assertThat(response.content()).isEqualTo("from claude");
        assertThat(response.upstream()).isEqualTo("anthropic");
        assertThat(response.attempts()).isEqualTo(4);
        // The broker's key is not blamed for a missing route.
        assertThat(lm.health().key("or-1").consecutiveFailures()).isZero();
    }

    @Test
    void whenTheChainIsExhaustedTooTheCallGivesNoAvailableKey() {
        openai.byDefault().always(FakeResponse.invalidApiKey());
        openrouter.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        LlmRotate lm = engine(twoProviders().build());

        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                .isInstanceOfSatisfying(NoAvailableKeyException.class, e -> {
                    assertThat(e.provider()).isEqualTo("openrouter");
                    assertThat(e.errorType()).isEqualTo(ErrorType.RATE_LIMIT);
                    assertThat(e.healthReport().keys()).hasSize(3);
                    assertThat(e.earliestRetryAt()).isEqualTo(clock.instant().plusSeconds(1)); // its Retry-After
                });
        assertThat(openai.requestCount()).isEqualTo(2);
        assertThat(openrouter.requestCount()).isEqualTo(1);
    }

    @Test
    void aModelWithItsOwnChainWalksItInsteadOfItsProvidersChain() {
        openai.byDefault().always(FakeResponse.insufficientQuota());
        openrouter.forModel("openai/gpt-4o-mini").always(FakeResponse.ok("from the provider's chain"));
        openrouter.forModel("anthropic/claude-haiku-4.5").always(FakeResponse.ok("from the model's chain"));
        LlmRotate lm = engine(twoProviders()
                .modelFallback(
                        "gpt-4o-mini",
                        FallbackTarget.to("openrouter")
                                .withUpstream("anthropic")
                                .withModel("anthropic/claude-haiku-4.5"))
                .build());

        ChatResponse response = lm.chat("gpt-4o-mini", HI);

        assertThat(response.content()).isEqualTo("from the model's chain");
        assertThat(response.provider()).isEqualTo("openrouter");
        assertThat(response.upstream()).isEqualTo("anthropic");
        assertThat(response.model()).isEqualTo("anthropic/claude-haiku-4.5");
        assertThat(response.fallbackUsed()).isTrue();
        assertThat(openai.requestCount()).isEqualTo(2);
        assertThat(openrouter.requests())
                .extracting(r -> r.json().get("model").asText())
                .containsExactly("anthropic/claude-haiku-4.5");
    }

    @Test
    void aModelNoKeyServesIsAnUnknownModelAndStillRecorded() {
        LlmRotate lm = engine(twoProviders().eventBuffer(10).build());
        assertThatThrownBy(() -> lm.chat("gpt-5-nonexistent", HI))
                .isInstanceOfSatisfying(UnknownModelException.class, e -> {
                    assertThat(e.model()).isEqualTo("gpt-5-nonexistent");
                    assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
                    assertThat(e.provider()).isNull();
                })
                .hasMessage("unknown model 'gpt-5-nonexistent': no active key lists it; known models:"
                        + " [anthropic/claude-haiku-4.5, gpt-4o-mini, openai/gpt-4o-mini]");
        assertThatThrownBy(() -> lm.chat(ChatRequest.builder("gpt-4o")
                        .user("hi")
                        .provider("openai")
                        .build()))
                .isInstanceOf(UnknownModelException.class)
                .hasMessage("no active key of provider 'openai' lists model 'gpt-4o'; its keys serve [gpt-4o-mini]");
        assertThatThrownBy(() -> lm.chat(ChatRequest.builder("gpt-4o-mini")
                        .user("hi")
                        .provider("opnai")
                        .build()))
                .as("an unknown provider name is misuse of the API")
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown provider 'opnai'; did you mean 'openai'?");

        assertThat(lm.recentCalls(10))
                .extracting(
                        CallRecord::requestedModel, CallRecord::outcome, CallRecord::errorType, CallRecord::attempts)
                .containsExactly(
                        tuple("gpt-4o-mini", CallRecord.ERROR, "configuration_error", 0),
                        tuple("gpt-4o", CallRecord.ERROR, "invalid_request", 0),
                        tuple("gpt-5-nonexistent", CallRecord.ERROR, "invalid_request", 0));
        assertThat(lm.usageSummary().overall().failuresByType()).containsEntry("invalid_request", 2L);
        assertThat(openai.requestCount()).isZero();
        assertThat(openrouter.requestCount()).isZero();
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ModelCapability;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeAnthropicServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A call only takes the routes whose model can serve what it uses (the built-in capability table, then {@code
 * model_capabilities}) and whose adapter accepts it: the others are dropped from the plan, the native route too; with
 * none left, the call fails with {@code invalid_request} before anything is sent. Over loopback to the fakes.
 */
class CapabilityRoutingLoopbackTest extends EngineTestSupport {
    private static final String GPT = "gpt-4o-mini";
    /** No tools, no structured outputs, text only (OpenAI: "Unsupported parameter: 'tools'"). */
    private static final String O1_MINI = "o1-mini";

    private static final String CLAUDE = "claude-haiku-4-5";
    /** No tool use, no vision (Anthropic models overview; Bedrock Converse supported models). */
    private static final String CLAUDE_2 = "claude-2.1";

    private static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")
            .build();

    private FakeAnthropicServer anthropic;

    @BeforeEach
    void startAnthropic() {
        anthropic = FakeAnthropicServer.start();
    }

    @AfterEach
    void stopAnthropic() {
        anthropic.close();
    }

    /** gpt-4o-mini first, then o1-mini on OpenAI, then Claude on Anthropic. */
    private LlmRotateConfig config(UnaryOperator<LlmRotateConfig.Builder> change) {
        return change.apply(config(
                                SelectionStrategyType.PRIORITY,
                                Keys.openai("oa-1", GPT, O1_MINI, "gpt-3.5-turbo", "o3-mini", "gpt-5-mini"),
                                Keys.key("ant-1", "anthropic", CLAUDE, CLAUDE_2, "claude-sonnet-4-5")
                                        .build())
                        .provider("anthropic", s -> s.withBaseUrl(anthropic.baseUrl()))
                        .modelFallback(
                                GPT,
                                FallbackTarget.to("openai").withModel(O1_MINI),
                                FallbackTarget.to("anthropic").withModel(CLAUDE)))
                .build();
    }

    private static List<String> models(List<RecordedRequest> requests) {
        return requests.stream().map(r -> r.json().get("model").asText()).toList();
    }

    @Test
    void aToolCallFallsBackOnlyToACapableModel() {
        openai.forModel(GPT).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forModel(O1_MINI).always(FakeResponse.ok("o1-mini would have dropped the tools"));
        anthropic.byDefault().always(FakeResponse.ok("Sunny in Paris."));
        LlmRotate lm = engine(config(b -> b));

        ChatResponse response = lm.chat(ChatRequest.builder(GPT)
                .user("Weather in Paris?")
                .tools(WEATHER)
                .build());

        assertThat(response.provider()).isEqualTo("anthropic");
        assertThat(response.content()).isEqualTo("Sunny in Paris.");
        assertThat(models(openai.requests())).containsOnly(GPT); // o1-mini was never asked
        assertThat(anthropic.requests().get(0).toolNames()).containsExactly("get_weather");
    }

    @Test
    void aPlainCallStillTakesTheModelThatCannotTakeTools() {
        openai.forModel(GPT).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forModel(O1_MINI).always(FakeResponse.ok("from o1-mini"));
        LlmRotate lm = engine(config(b -> b));

        ChatResponse response = lm.chat(ChatRequest.builder(GPT).user("Hi").build());

        assertThat(response.content()).isEqualTo("from o1-mini");
        assertThat(models(openai.requests())).containsExactly(GPT, O1_MINI);
        assertThat(anthropic.requestCount()).isZero();
    }

    @Test
    void modelCapabilitiesOverrideTheTableBothWays() {
        openai.forModel(GPT).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forModel(O1_MINI).always(FakeResponse.ok("from o1-mini"));
        anthropic.byDefault().always(FakeResponse.ok("from claude"));
        ChatRequest withTools =
                ChatRequest.builder(GPT).user("Weather?").tools(WEATHER).build();

        // The operator knows better than the table: this o1-mini takes tools.
        LlmRotate toolsOn = engine(config(b -> b.modelCapability(O1_MINI, ModelCapability.TOOLS, true)));
        assertThat(toolsOn.chat(withTools).content()).isEqualTo("from o1-mini");

        // And the converse: Claude (capable by the table) is turned off, so the only route left is the primary.
        LlmRotate claudeOff = engine(config(b -> b.modelCapability(CLAUDE, ModelCapability.TOOLS, false)));
        assertThatThrownBy(() -> claudeOff.chat(withTools))
                .isInstanceOf(dev.llmrotate.error.NoAvailableKeyException.class);
        assertThat(anthropic.requestCount()).isZero();
    }

    @Test
    void whenNoRouteQualifiesTheCallFailsBeforeSendingAnythingNamingEachReason() {
        LlmRotate lm = engine(config(b -> b.modelFallback(
                        O1_MINI,
                        FallbackTarget.to("anthropic").withModel(CLAUDE_2),
                        FallbackTarget.to("anthropic").withModel(CLAUDE))
                .modelCapability(CLAUDE, ModelCapability.REASONING, false)));
        ChatRequest request = ChatRequest.builder(O1_MINI)
                .user("Weather in Paris? Think first.")
                .tools(WEATHER)
                .maxTokens(2048)
                .thinkingBudget(1024)
                .build();
        List<CallRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        lm.onCall(records::add);

        assertThatThrownBy(() -> lm.chat(request))
                .isInstanceOfSatisfying(LlmRotateException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
                    assertThat(e.provider()).isEqualTo("openai");
                })
                // the adapter's own reason first, then the model's missing capabilities (table, then override)
                .hasMessage("no route can serve this request:"
                        + " openai:o1-mini: thinkingBudget is not supported by openai, which takes a reasoning effort"
                        + " (reasoningEffort) instead of a token budget;"
                        + " anthropic:claude-2.1: model 'claude-2.1' does not support tools, reasoning (built-in"
                        + " capability table or model_capabilities);"
                        + " anthropic:claude-haiku-4-5: model 'claude-haiku-4-5' does not support reasoning (built-in"
                        + " capability table or model_capabilities)");
        // the same for the asynchronous form and a stream
        assertThatThrownBy(() -> lm.chatAsync(request).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST));
        assertThatThrownBy(() -> lm.chatStream(request).close())
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST));
        assertThat(openai.requestCount()).isZero();
        assertThat(anthropic.requestCount()).isZero();
        assertThat(records).hasSize(3).allSatisfy(r -> assertThat(r.attempts()).isZero());
    }

    @Test
    void aRequestThePrimarysAdapterRefusesIsServedByAFallbackThatAcceptsIt() {
        // OpenAI takes a reasoning effort, not a token budget; Anthropic takes the budget (extended thinking).
        anthropic.byDefault().always(FakeResponse.ok("thought it through"));
        LlmRotate lm = engine(config(b ->
                b.modelFallback("gpt-5-mini", FallbackTarget.to("anthropic").withModel("claude-sonnet-4-5"))));

        ChatResponse response = lm.chat(ChatRequest.builder("gpt-5-mini")
                .user("Think first.")
                .maxTokens(4096)
                .thinkingBudget(2048)
                .build());

        assertThat(response.provider()).isEqualTo("anthropic");
        assertThat(response.fallbackUsed()).isTrue();
        assertThat(anthropic
                        .requests()
                        .get(0)
                        .json()
                        .at("/thinking/budget_tokens")
                        .asInt())
                .isEqualTo(2048);
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void aJsonSchemaCallSkipsAPrimaryWithoutStructuredOutputsAlsoWhenStreamed() {
        // GPT-3.5 Turbo has JSON mode but not Structured Outputs (gpt-4o-2024-08-06 and later).
        openai.byDefault().always(FakeResponse.ok("{\"city\":\"Paris\"}"));
        LlmRotate lm = engine(config(b ->
                b.modelFallback("gpt-3.5-turbo", FallbackTarget.to("openai").withModel(GPT))));
        ChatRequest request = ChatRequest.builder("gpt-3.5-turbo")
                .user("City?")
                .responseFormat(ResponseFormat.jsonSchema(
                        "city", Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")))))
                .build();

        assertThat(lm.chat(request).model()).isEqualTo(GPT);
        try (ChatStream stream = lm.chatStream(request)) {
            assertThat(stream.collect().content()).isEqualTo("{\"city\":\"Paris\"}");
        }
        assertThat(models(openai.requests())).containsExactly(GPT, GPT);

        // JSON mode is something GPT-3.5 Turbo has: the primary serves it.
        lm.chat(ChatRequest.builder("gpt-3.5-turbo")
                .user("City?")
                .responseFormat(ResponseFormat.JSON_OBJECT)
                .build());
        assertThat(models(openai.requests())).containsExactly(GPT, GPT, "gpt-3.5-turbo");
    }

    @Test
    void reasoningAndImagesGoToTheModelsThatTakeThem() {
        openai.byDefault().always(FakeResponse.ok("ok"));
        LlmRotate lm = engine(
                config(b -> b.modelFallback(GPT, FallbackTarget.to("openai").withModel("o3-mini"))
                        .modelFallback("o3-mini", FallbackTarget.to("openai").withModel(GPT))));

        // GPT-4o mini is no reasoning model; o3-mini is.
        lm.chat(ChatRequest.builder(GPT)
                .user("Think.")
                .reasoningEffort(ReasoningEffort.HIGH)
                .build());
        // o3-mini takes no images; GPT-4o mini does.
        lm.chat(ChatRequest.builder("o3-mini")
                .message(ChatMessage.user(
                        ContentPart.text("What is this?"), ContentPart.image(new byte[] {1, 2, 3}, "image/png")))
                .build());

        assertThat(models(openai.requests())).containsExactly("o3-mini", GPT);
        assertThat(openai.requests().get(0).json().get("reasoning_effort").asText())
                .isEqualTo("high");
    }
}

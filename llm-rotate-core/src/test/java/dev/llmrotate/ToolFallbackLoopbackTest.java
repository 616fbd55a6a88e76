package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeAnthropicServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tool conversation that moves between providers: turn 1 answered by OpenAI with a tool call, turn 2 (every
 * OpenAI key rate-limited) answered by Anthropic through the fallback chain with the tool result, turn 3 back on
 * OpenAI with Anthropic's call in the history. Ids are translated by a pure function, so two engines (two processes)
 * send the same bytes.
 */
class ToolFallbackLoopbackTest extends EngineTestSupport {
    private static final String GPT = "gpt-4o-mini";
    private static final String CLAUDE = "claude-haiku-4-5";
    private static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                    + "\"required\":[\"city\"]}")
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

    private LlmRotateConfig config() {
        return config(
                        SelectionStrategyType.PRIORITY,
                        Keys.openai("oa-1", GPT),
                        Keys.openai("oa-2", GPT),
                        Keys.key("ant-1", "anthropic", CLAUDE).build())
                .provider("anthropic", s -> s.withBaseUrl(anthropic.baseUrl()))
                .fallbackChain("openai", FallbackTarget.to("anthropic").withModel(CLAUDE))
                .build();
    }

    private static ChatRequest request(List<ChatMessage> messages) {
        return ChatRequest.builder(GPT).messages(messages).tools(WEATHER).build();
    }

    @Test
    void openAiCallsAToolAnthropicAnswersWithItsResultAfterA429StormAndOpenAiGoesOn() {
        String openAiId = "call_Hq8e2Vx3"; // OpenAI's own form, which Anthropic takes as it is
        openai.byDefault().next(FakeResponse.toolCall(openAiId, "get_weather", "{\"city\":\"Paris\"}"));
        LlmRotate lm = engine(config());
        List<ChatMessage> conversation = new ArrayList<>(List.of(ChatMessage.user("Weather in Paris, then Rome?")));

        ChatResponse turn1 = lm.chat(request(conversation));
        assertThat(turn1.provider()).isEqualTo("openai");
        assertThat(turn1.toolCalls()).containsExactly(new ToolCall(openAiId, "get_weather", "{\"city\":\"Paris\"}"));
        conversation.add(turn1.message());
        conversation.add(ChatMessage.toolResult(openAiId, "18 C, sunny"));

        // A 429 storm on every OpenAI key: the chain moves the call to Anthropic, tool result and all.
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic
                .byDefault()
                .next(FakeResponse.ok("Paris is sunny. Now Rome.")
                        .withToolCall("toolu_01Rome", "get_weather", "{\"city\":\"Rome\"}")
                        .withFinishReason("tool_calls"));
        ChatResponse turn2 = lm.chat(request(conversation));

        assertThat(turn2.provider()).isEqualTo("anthropic");
        assertThat(turn2.fallbackUsed()).isTrue();
        assertThat(turn2.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(turn2.toolCalls())
                .containsExactly(new ToolCall("toolu_01Rome", "get_weather", "{\"city\":\"Rome\"}"));
        JsonNode sent = anthropic.requests().get(0).json();
        assertThat(sent.get("model").asText()).isEqualTo(CLAUDE);
        assertThat(sent.at("/tools/0/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/input_schema/required/0").asText()).isEqualTo("city");
        JsonNode messages = sent.get("messages");
        assertThat(messages.get(1).toString())
                .isEqualTo("{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"" + openAiId
                        + "\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]}");
        assertThat(messages.get(2).toString())
                .isEqualTo("{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + openAiId
                        + "\",\"content\":\"18 C, sunny\"}]}");
        conversation.add(turn2.message());
        conversation.add(ChatMessage.toolResult("toolu_01Rome", "24 C, clear"));

        // The storm is over: OpenAI takes the conversation back, with Anthropic's call in it.
        clock.advance(Duration.ofMinutes(2));
        openai.byDefault().always(FakeResponse.ok("Paris 18 C, Rome 24 C."));
        ChatResponse turn3 = lm.chat(request(conversation));

        assertThat(turn3.provider()).isEqualTo("openai");
        assertThat(turn3.content()).isEqualTo("Paris 18 C, Rome 24 C.");
        JsonNode history =
                openai.requests().get(openai.requestCount() - 1).json().get("messages");
        assertThat(history).hasSize(5);
        assertThat(history.at("/1/tool_calls/0/id").asText()).isEqualTo(openAiId);
        assertThat(history.at("/2/tool_call_id").asText()).isEqualTo(openAiId);
        assertThat(history.at("/3/content").asText()).isEqualTo("Paris is sunny. Now Rome.");
        assertThat(history.at("/3/tool_calls/0/id").asText()).isEqualTo("toolu_01Rome");
        assertThat(history.at("/3/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(history.at("/4/tool_call_id").asText()).isEqualTo("toolu_01Rome");
    }

    @Test
    void anIdAnthropicWouldRefuseIsTranslatedTheSameWayByEveryEngine() {
        // OpenAI-compatible servers return ids like this one; Anthropic takes only [a-zA-Z0-9_-].
        String compatibleId = "functions.get_weather:0";
        openai.byDefault().next(FakeResponse.toolCall(compatibleId, "get_weather", "{\"city\":\"Paris\"}"));
        List<ChatMessage> conversation = new ArrayList<>(List.of(ChatMessage.user("Weather in Paris?")));
        ChatResponse turn1 = engine(config()).chat(request(conversation));
        assertThat(turn1.toolCalls().get(0).id()).isEqualTo(compatibleId); // kept as the provider gave it
        conversation.add(turn1.message());
        conversation.add(ChatMessage.toolResult(compatibleId, "18 C"));

        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.ok("18 C in Paris."));
        // Two engines, as two processes would be, with nothing shared but the conversation.
        ChatResponse one = engine(config()).chat(request(conversation));
        ChatResponse other = engine(config()).chat(request(conversation));

        assertThat(one.provider()).isEqualTo("anthropic");
        assertThat(other.content()).isEqualTo("18 C in Paris.");
        JsonNode first = anthropic.requests().get(0).json().get("messages");
        JsonNode second = anthropic.requests().get(1).json().get("messages");
        assertThat(second).isEqualTo(first);
        String useId = first.at("/1/content/0/id").asText();
        assertThat(useId).matches("call_[A-Za-z0-9_-]{32}");
        assertThat(first.at("/2/content/0/tool_use_id").asText()).isEqualTo(useId);
    }
}

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
import dev.llmrotate.testkit.FakeGeminiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tool conversation begun on OpenAI continues on Gemini (AI Studio) through the fallback chain: OpenAI's call goes
 * to Gemini as a {@code functionCall} with its id and the stand-in signature Google documents for history another
 * model produced, the result as a {@code functionResponse} named after the call; Gemini's own call (no id, a thought
 * signature) then goes back to OpenAI with the id the adapter gave it.
 */
class GeminiToolFallbackLoopbackTest extends EngineTestSupport {
    private static final String GPT = "gpt-4o-mini";
    private static final String GEMINI = "gemini-2.5-flash";
    private static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                    + "\"required\":[\"city\"]}")
            .build();

    private FakeGeminiServer gemini;

    @BeforeEach
    void startGemini() {
        gemini = FakeGeminiServer.start();
    }

    @AfterEach
    void stopGemini() {
        gemini.close();
    }

    private LlmRotateConfig config() {
        return config(
                        SelectionStrategyType.PRIORITY,
                        Keys.openai("oa-1", GPT),
                        Keys.key("gm-1", "google_ai_studio", GEMINI).build())
                .provider("google_ai_studio", s -> s.withBaseUrl(URI.create(gemini.baseUrl() + "/v1beta")))
                .fallbackChain("openai", FallbackTarget.to("google_ai_studio").withModel(GEMINI))
                .build();
    }

    private static ChatRequest request(List<ChatMessage> messages) {
        return ChatRequest.builder(GPT).messages(messages).tools(WEATHER).build();
    }

    @Test
    void openAiCallsAToolGeminiAnswersWithItsResultAndCallsAnotherThenOpenAiGoesOn() {
        String openAiId = "call_Hq8e2Vx3";
        openai.byDefault().next(FakeResponse.toolCall(openAiId, "get_weather", "{\"city\":\"Paris\"}"));
        LlmRotate lm = engine(config());
        List<ChatMessage> conversation = new ArrayList<>(List.of(ChatMessage.user("Weather in Paris, then Rome?")));

        ChatResponse turn1 = lm.chat(request(conversation));
        assertThat(turn1.provider()).isEqualTo("openai");
        conversation.add(turn1.message());
        conversation.add(ChatMessage.toolResult(openAiId, "18 C, sunny"));

        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        gemini.byDefault()
                .next(FakeResponse.ok("Paris is sunny. Now Rome.")
                        .withToolCall("", "get_weather", "{\"city\":\"Rome\"}")
                        .withReasoning("Rome next.", "c2lnLXJvbWU=")
                        .withFinishReason("tool_calls"));
        ChatResponse turn2 = lm.chat(request(conversation));

        assertThat(turn2.provider()).isEqualTo("google_ai_studio");
        assertThat(turn2.fallbackUsed()).isTrue();
        assertThat(turn2.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        ToolCall romeCall = turn2.toolCalls().get(0);
        assertThat(romeCall.id()).matches("call_[A-Za-z0-9_-]{32}");
        assertThat(romeCall.signature()).isEqualTo("c2lnLXJvbWU=");
        JsonNode sent = gemini.requests().get(0).json();
        assertThat(gemini.requests().get(0).model()).isEqualTo(GEMINI);
        assertThat(sent.at("/tools/0/functionDeclarations/0/name").asText()).isEqualTo("get_weather");
        JsonNode contents = sent.get("contents");
        assertThat(contents.get(1).toString())
                .isEqualTo("{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"id\":\"" + openAiId
                        + "\",\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
                        + "\"thoughtSignature\":\"skip_thought_signature_validator\"}]}");
        assertThat(contents.get(2).toString())
                .isEqualTo("{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"id\":\"" + openAiId
                        + "\",\"name\":\"get_weather\",\"response\":{\"output\":\"18 C, sunny\"}}}]}");
        conversation.add(turn2.message());
        conversation.add(ChatMessage.toolResult(romeCall.id(), "24 C, clear"));

        // The storm is over: OpenAI takes the conversation back; Gemini's reasoning and signature stay out of it.
        clock.advance(Duration.ofMinutes(2));
        openai.byDefault().always(FakeResponse.ok("Paris 18 C, Rome 24 C."));
        ChatResponse turn3 = lm.chat(request(conversation));

        assertThat(turn3.provider()).isEqualTo("openai");
        JsonNode history =
                openai.requests().get(openai.requestCount() - 1).json().get("messages");
        assertThat(history).hasSize(5);
        assertThat(history.at("/3/content").asText()).isEqualTo("Paris is sunny. Now Rome.");
        assertThat(history.at("/3/tool_calls/0/id").asText()).isEqualTo(romeCall.id());
        assertThat(history.at("/3").has("reasoning")).isFalse();
        assertThat(history.at("/4/tool_call_id").asText()).isEqualTo(romeCall.id());
    }
}

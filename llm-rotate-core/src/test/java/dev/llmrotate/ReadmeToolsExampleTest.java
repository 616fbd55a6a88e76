package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tool-calling example of README.md ("Tools, structured output and reasoning"), run on the fake. Keep in sync. */
class ReadmeToolsExampleTest extends EngineTestSupport {

    @Test
    void theAgentLoopOfTheReadme() {
        openai.byDefault()
                .next(FakeResponse.toolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))
                .next(FakeResponse.ok("A light jacket: 14 C and windy."));
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());

        // From the README:
        ToolDefinition weather = ToolDefinition.builder("get_weather")
                .description("Current weather for a city")
                .parametersJson("""
                        {"type": "object", "properties": {"city": {"type": "string"}},
                         "required": ["city"], "additionalProperties": false}""")
                .strict(true)
                .build();

        List<ChatMessage> messages = new ArrayList<>(List.of(ChatMessage.user("What should I wear in Paris today?")));
        ChatResponse answer = null;
        for (int turn = 0; turn < 8; turn++) {
            answer = lm.chat(ChatRequest.builder("gpt-4o-mini")
                    .messages(messages)
                    .tools(weather)
                    .toolChoice(ToolChoice.AUTO)
                    .parallelToolCalls(false)
                    .build());
            messages.add(answer.message());
            if (answer.finishReason() != FinishReason.TOOL_CALLS) {
                break;
            }
            for (ToolCall call : answer.toolCalls()) {
                messages.add(ChatMessage.toolResult(call.id(), runTool(call.name(), call.arguments())));
            }
        }

        assertThat(answer.content()).isEqualTo("A light jacket: 14 C and windy.");
        assertThat(messages).extracting(ChatMessage::role).containsExactly("user", "assistant", "tool", "assistant");
        assertThat(openai.requests().get(1).json().at("/messages/2/content").asText())
                .isEqualTo("{\"temp_c\":14,\"wind\":\"strong\"}");
    }

    private static String runTool(String name, String arguments) {
        assertThat(name).isEqualTo("get_weather");
        assertThat(arguments).isEqualTo("{\"city\":\"Paris\"}");
        return "{\"temp_c\":14,\"wind\":\"strong\"}";
    }
}

package dev.llmrotate.springai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.AdvisorParams;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.annotation.Tool;

/**
 * Spring AI's {@code ChatClient} on llm-rotate, end to end over loopback: plain and streamed content, structured
 * output through the prompt and natively, options, and {@code @Tool} methods run by the model's tool calling manager
 * (the model asks for a tool, the tool runs, the second turn answers; plain and streamed, with a 429 between the turns
 * that the engine rotates away from), {@code returnDirect}, and tool calls handed to the caller.
 */
class ChatClientTest extends SpringAiTestSupport {

    record Person(String name, int born) {}

    static final class Clock {
        final List<String> asked = new CopyOnWriteArrayList<>();

        @Tool(description = "The current time in a city", returnDirect = true)
        String currentTime(String city) {
            asked.add(city);
            return "12:00 in " + city;
        }
    }

    @Test
    void callContentIsTheAnswersText() {
        openai.byDefault().always(FakeResponse.ok("Hello from the fake"));
        ChatClient client = ChatClient.create(model(openAiEngine(1)));

        String content = client.prompt().system("Be brief.").user("Hi").call().content();

        assertThat(content).isEqualTo("Hello from the fake");
        assertThat(openai.requests().get(0).json().get("messages").toString())
                .isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]");
    }

    @Test
    void streamContentIsTheAnswersPieces() {
        openai.byDefault().always(FakeResponse.ok("Hello big world"));
        ChatClient client = ChatClient.create(model(openAiEngine(1)));

        List<String> pieces =
                client.prompt().user("Hi").stream().content().collectList().block(Duration.ofSeconds(10));

        assertThat(pieces).containsExactly("Hello", " big", " world");
        assertThat(openai.requests().get(0).stream()).isTrue();
    }

    @Test
    void chatClientOptionsOverrideTheModelsDefaults() {
        ChatClient client = ChatClient.builder(model(openAiEngine(1)))
                .defaultOptions(LlmRotateChatOptions.builder().temperature(0.2).build())
                .build();

        ChatResponse response = client.prompt()
                .user("Hi")
                .options(LlmRotateChatOptions.builder()
                        .model(GPT_4O)
                        .caller("tenant-9")
                        .build())
                .call()
                .chatResponse();

        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.get("model").asText()).isEqualTo(GPT_4O);
        assertThat(record(response.getMetadata().getId()).caller()).isEqualTo("tenant-9");
    }

    @Test
    void entityPutsTheFormatIntoThePromptWhichEveryModelFollows() {
        openai.byDefault().always(FakeResponse.ok("{\"name\":\"Ada Lovelace\",\"born\":1815}"));
        ChatClient client = ChatClient.create(model(openAiEngine(1)));

        Person person = client.prompt().user("Ada Lovelace, born 1815.").call().entity(Person.class);

        assertThat(person).isEqualTo(new Person("Ada Lovelace", 1815));
        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.get("response_format")).isNull();
        assertThat(sent.at("/messages/0/content").asText()).contains("Your response should be in JSON format");
    }

    @Test
    void nativeStructuredOutputSendsTheSchemaAsTheProvidersFormat() {
        openai.byDefault().always(FakeResponse.ok("{\"name\":\"Ada Lovelace\",\"born\":1815}"));
        ChatClient client = ChatClient.create(model(openAiEngine(1)));

        Person person = client.prompt()
                .advisors(AdvisorParams.ENABLE_NATIVE_STRUCTURED_OUTPUT)
                .user("Ada Lovelace, born 1815.")
                .call()
                .entity(Person.class);

        assertThat(person).isEqualTo(new Person("Ada Lovelace", 1815));
        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.at("/messages/0/content").asText()).isEqualTo("Ada Lovelace, born 1815.");
        JsonNode format = sent.get("response_format");
        assertThat(format.get("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/json_schema/name").asText()).isEqualTo("response");
        assertThat(format.at("/json_schema/schema/properties/born/type").asText())
                .isEqualTo("integer");
    }

    /** Turn 1 (key 1): the tool call; then key 1 is rate-limited and turn 2 is answered by key 2. */
    private LlmRotate toolLoopScript() {
        openai.forKey(secret(1))
                .next(FakeResponse.toolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")
                        .withUsage(20, 5, 0, 0))
                .always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(2)).always(FakeResponse.ok("It is 18 C and sunny in Paris.", 30, 8));
        return openAiEngine(2);
    }

    private void assertTheToolLoopWentOverTheWire(Weather weather) {
        assertThat(weather.cities).containsExactly("Paris");
        assertThat(openai.requestCount(secret(1))).isEqualTo(2);
        assertThat(openai.requestCount(secret(2))).isEqualTo(1);
        JsonNode first = openai.requests().get(0).json();
        assertThat(first.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(first.at("/tools/0/function/parameters/properties/city/description")
                        .asText())
                .isEqualTo("the city's name");
        JsonNode second = openai.requests().get(2).json().get("messages");
        assertThat(second).hasSize(3);
        assertThat(second.at("/0/content").asText()).isEqualTo("Weather in Paris?");
        assertThat(second.at("/1/tool_calls/0/id").asText()).isEqualTo("call_1");
        assertThat(second.at("/1/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(second.at("/2/role").asText()).isEqualTo("tool");
        assertThat(second.at("/2/tool_call_id").asText()).isEqualTo("call_1");
        assertThat(second.at("/2/content").asText()).contains("18 C, sunny in Paris");
    }

    @Test
    void aToolMethodRunsThroughTheToolCallingManagerAndTheSecondTurnAnswers() {
        LlmRotate lm = toolLoopScript();
        Weather weather = new Weather();

        ChatResponse response = ChatClient.create(model(lm))
                .prompt()
                .user("Weather in Paris?")
                .tools(weather)
                .call()
                .chatResponse();

        assertThat(response.getResult().getOutput().getText()).isEqualTo("It is 18 C and sunny in Paris.");
        assertTheToolLoopWentOverTheWire(weather);
        // Usage adds up over the loop's turns, as with Spring AI's own models: the records' sum.
        assertThat(records).hasSize(2);
        long recorded = records.stream().mapToLong(CallRecord::totalTokens).sum();
        assertThat(response.getMetadata().getUsage().getTotalTokens())
                .isEqualTo((int) recorded)
                .isEqualTo(63);
        assertThat(response.getMetadata().getUsage().getPromptTokens()).isEqualTo(50);
        assertThat(response.getMetadata().getId()).isEqualTo(records.get(1).callId());
    }

    @Test
    void aStreamedToolLoopRunsTheToolAndStreamsTheSecondTurn() {
        LlmRotate lm = toolLoopScript();
        Weather weather = new Weather();

        List<ChatResponse> responses =
                ChatClient.create(model(lm)).prompt().user("Weather in Paris?").tools(weather).stream()
                        .chatResponse()
                        .collectList()
                        .block(Duration.ofSeconds(10));

        String text = responses.stream()
                .map(r -> r.getResult().getOutput().getText())
                .filter(t -> t != null)
                .reduce("", String::concat);
        assertThat(text).isEqualTo("It is 18 C and sunny in Paris.");
        assertTheToolLoopWentOverTheWire(weather);
        assertThat(responses.get(responses.size() - 1).getMetadata().getUsage().getTotalTokens())
                .isEqualTo(63);
    }

    @Test
    void aStreamedToolCallAfterTextSendsTheWholeTurnBack() {
        openai.forKey(secret(1))
                .next(FakeResponse.ok("Let me check.")
                        .withToolCallChunks("call_1", "get_weather", "{\"city\":", "\"Paris\"}")
                        .withFinishReason("tool_calls"))
                .next(FakeResponse.ok("18 C."));
        Weather weather = new Weather();

        List<String> pieces =
                ChatClient.create(model(openAiEngine(1))).prompt().user("Weather in Paris?").tools(weather).stream()
                        .content()
                        .collectList()
                        .block(Duration.ofSeconds(10));

        assertThat(pieces).containsExactly("Let", " me", " check.", "18", " C.");
        JsonNode assistant = openai.requests().get(1).json().at("/messages/1");
        assertThat(assistant.get("content").asText()).isEqualTo("Let me check.");
        assertThat(assistant.at("/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    }

    @Test
    void aReturnDirectToolsResultIsTheAnswerWithoutASecondTurn() {
        openai.byDefault().always(FakeResponse.toolCall("call_1", "currentTime", "{\"city\":\"Paris\"}"));
        Clock clock = new Clock();
        ChatClient client = ChatClient.create(model(openAiEngine(1)));

        ChatResponse called =
                client.prompt().user("Time in Paris?").tools(clock).call().chatResponse();
        List<ChatResponse> streamed = client.prompt().user("Time in Paris?").tools(clock).stream()
                .chatResponse()
                .collectList()
                .block(Duration.ofSeconds(10));

        assertThat(called.getResult().getOutput().getText()).contains("12:00 in Paris");
        assertThat(called.getResult().getMetadata().getFinishReason()).isEqualTo("returnDirect");
        assertThat(streamed).hasSize(1);
        assertThat(streamed.get(0).getResult().getOutput().getText()).contains("12:00 in Paris");
        assertThat(clock.asked).containsExactly("Paris", "Paris");
        assertThat(openai.requestCount()).isEqualTo(2); // one per call: no second turn
    }

    @Test
    void withInternalToolExecutionOffTheToolCallsComeBackToTheCaller() {
        openai.byDefault().always(FakeResponse.toolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"));
        Weather weather = new Weather();

        ChatResponse response = ChatClient.create(model(openAiEngine(1)))
                .prompt()
                .user("Weather in Paris?")
                .tools(weather)
                .options(ToolCallingChatOptions.builder()
                        .internalToolExecutionEnabled(false)
                        .build())
                .call()
                .chatResponse();

        assertThat(response.hasToolCalls()).isTrue();
        assertThat(response.getResult().getOutput().getToolCalls())
                .containsExactly(
                        new AssistantMessage.ToolCall("call_1", "function", "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(weather.cities).isEmpty();
        assertThat(openai.requestCount()).isEqualTo(1);
        assertThat(openai.requests().get(0).json().at("/tools/0/function/name").asText())
                .isEqualTo("get_weather");
    }
}

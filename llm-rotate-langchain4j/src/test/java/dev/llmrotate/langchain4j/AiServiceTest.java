package dev.llmrotate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j AI Services on llm-rotate, end to end over loopback: the model asks for a tool, the service runs it and
 * sends the result, the second turn answers (plain and streamed, with a 429 between the turns that the engine
 * rotates away from); structured output with and without the JSON-schema capability.
 */
class AiServiceTest extends LangChain4jTestSupport {

    interface Assistant {
        String chat(String message);
    }

    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    record Person(String name, int born) {}

    interface Extractor {
        Person extract(String text);
    }

    static final class WeatherTools {
        final List<String> cities = new CopyOnWriteArrayList<>();

        @Tool("Current weather for a city")
        String getWeather(@P(name = "city", description = "the city's name") String city) {
            cities.add(city);
            return "18 C, sunny in " + city;
        }
    }

    /** Turn 1 (key 1): the tool call; then key 1 is rate-limited and turn 2 is answered by key 2. */
    private LlmRotate toolLoopScript() {
        openai.forKey(secret(1))
                .next(FakeResponse.toolCall("call_1", "getWeather", "{\"city\":\"Paris\"}"))
                .always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(2)).always(FakeResponse.ok("It is 18 C and sunny in Paris."));
        return openAiEngine(2);
    }

    private void assertTheToolLoopWentOverTheWire(WeatherTools tools) {
        assertThat(tools.cities).containsExactly("Paris");
        assertThat(openai.requestCount(secret(1))).isEqualTo(2);
        assertThat(openai.requestCount(secret(2))).isEqualTo(1);
        JsonNode first = openai.requests().get(0).json();
        assertThat(first.at("/tools/0/function/name").asText()).isEqualTo("getWeather");
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
        assertThat(second.at("/2/content").asText()).isEqualTo("18 C, sunny in Paris");
    }

    @Test
    void anAiServiceRunsTheToolTheModelAsksForAndAnswersOnTheSecondTurn() {
        LlmRotate lm = toolLoopScript();
        WeatherTools tools = new WeatherTools();
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(LlmRotateChatModel.builder(lm).modelName(GPT).build())
                .tools(tools)
                .build();

        String answer = assistant.chat("Weather in Paris?");

        assertThat(answer).isEqualTo("It is 18 C and sunny in Paris.");
        assertTheToolLoopWentOverTheWire(tools);
    }

    @Test
    void aStreamingAiServiceRunsTheToolAndStreamsTheSecondTurn() throws Exception {
        LlmRotate lm = toolLoopScript();
        WeatherTools tools = new WeatherTools();
        StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
                .streamingChatModel(
                        LlmRotateStreamingChatModel.builder(lm).modelName(GPT).build())
                .tools(tools)
                .build();
        StringBuilder streamed = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        assistant
                .chat("Weather in Paris?")
                .onPartialResponse(streamed::append)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();

        ChatResponse response = done.get(10, TimeUnit.SECONDS);
        assertThat(response.aiMessage().text()).isEqualTo("It is 18 C and sunny in Paris.");
        assertThat(streamed).hasToString("It is 18 C and sunny in Paris.");
        assertTheToolLoopWentOverTheWire(tools);
    }

    @Test
    void structuredOutputUsesAJsonSchemaWhenTheModelReportsTheCapability() {
        openai.byDefault().always(FakeResponse.ok("{\"name\":\"Ada Lovelace\",\"born\":1815}"));
        ChatModel model = LlmRotateChatModel.builder(openAiEngine(1))
                .modelName(GPT)
                .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA)
                .build();

        Person person = AiServices.create(Extractor.class, model).extract("Ada Lovelace, born 1815, wrote programs.");

        assertThat(person).isEqualTo(new Person("Ada Lovelace", 1815));
        JsonNode format = openai.requests().get(0).json().get("response_format");
        assertThat(format.get("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/json_schema/name").asText()).isEqualTo("Person");
        assertThat(format.at("/json_schema/schema/properties/born/type").asText())
                .isEqualTo("integer");
    }

    @Test
    void structuredOutputWithoutTheCapabilityPutsTheFormatIntoThePrompt() {
        openai.byDefault().always(FakeResponse.ok("{\"name\":\"Ada Lovelace\",\"born\":1815}"));
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(1)).modelName(GPT).build();

        Person person = AiServices.create(Extractor.class, model).extract("Ada Lovelace, born 1815.");

        assertThat(person).isEqualTo(new Person("Ada Lovelace", 1815));
        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.get("response_format")).isNull();
        assertThat(sent.at("/messages/0/content").asText()).contains("\"born\"");
    }
}

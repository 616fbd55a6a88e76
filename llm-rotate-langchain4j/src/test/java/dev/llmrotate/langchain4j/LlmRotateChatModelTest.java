package dev.llmrotate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link LlmRotateChatModel} against the testkit's fake providers over loopback HTTP. */
class LlmRotateChatModelTest extends LangChain4jTestSupport {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};

    private static ChatRequest ask(String text) {
        return ChatRequest.builder().messages(UserMessage.from(text)).build();
    }

    @Test
    void aPlainCallAnswersWithTheCallsIdTheServedModelUsageAndFinishReason() {
        openai.byDefault().always(FakeResponse.ok("Hello from the fake", 12, 3));
        ChatModel model = LlmRotateChatModel.builder(openAiEngine(1))
                .modelName(GPT)
                .temperature(0.3)
                .maxOutputTokens(100)
                .build();

        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."), UserMessage.from("Hi"))
                .build());

        assertThat(response.aiMessage().text()).isEqualTo("Hello from the fake");
        assertThat(response.aiMessage().hasToolExecutionRequests()).isFalse();
        assertThat(response.aiMessage().thinking()).isNull();
        assertThat(response.tokenUsage()).isEqualTo(new TokenUsage(12, 3, 15));
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.modelName()).isEqualTo(GPT);
        CallRecord record = record(response.id());
        assertThat(record.outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(record.keyId()).isEqualTo("oa-1");
        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.get("model").asText()).isEqualTo(GPT);
        assertThat(sent.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(sent.get("max_completion_tokens").asInt()).isEqualTo(100);
        assertThat(sent.get("messages").toString())
                .isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]");
        assertThat(model.chat("Hi again")).isEqualTo("Hello from the fake");
    }

    @Test
    void aRequestsParametersOverrideTheDefaultsFieldByField() {
        LlmRotate lm = openAiEngine(1);
        ChatModel model = LlmRotateChatModel.builder(lm)
                .defaultRequestParameters(LlmRotateChatRequestParameters.builder()
                        .modelName(GPT)
                        .temperature(0.1)
                        .maxOutputTokens(50)
                        .caller("tenant-1")
                        .extra(Map.of("openai:seed", 7))
                        .build())
                .temperature(0.2) // the single setter wins over the default parameters
                .build();
        assertThat(model.defaultRequestParameters().temperature()).isEqualTo(0.2);

        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Hi"))
                .parameters(LlmRotateChatRequestParameters.builder()
                        .modelName(GPT_4O)
                        .maxRetries(0)
                        .build())
                .build());

        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.get("model").asText()).isEqualTo(GPT_4O);
        assertThat(sent.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.get("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(sent.get("seed").asInt()).isEqualTo(7);
        assertThat(response.modelName()).isEqualTo(GPT_4O);
        assertThat(record(response.id()).caller()).isEqualTo("tenant-1");
    }

    @Test
    void aReasoningEffortGoesToTheProvider() {
        ChatModel model = LlmRotateChatModel.builder(openAiEngine(1)).build();
        model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Think"))
                .parameters(LlmRotateChatRequestParameters.builder()
                        .modelName(O3)
                        .reasoningEffort(ReasoningEffort.HIGH)
                        .build())
                .build());
        assertThat(openai.requests().get(0).json().get("reasoning_effort").asText())
                .isEqualTo("high");
    }

    @Test
    void messagesOfEveryKindGoOutInTheProvidersForm() {
        openai.byDefault().always(FakeResponse.ok("It is 18 C in Paris."));
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(1)).modelName(GPT).build();
        String png = Base64.getEncoder().encodeToString(PNG);
        List<ChatMessage> conversation = List.of(
                SystemMessage.from("You see images."),
                UserMessage.from(
                        TextContent.from("What city is this? Weather there?"), ImageContent.from(png, "image/png")),
                AiMessage.from(
                        "Paris. Let me check.",
                        List.of(ToolExecutionRequest.builder()
                                .id("call_1")
                                .name("get_weather")
                                .arguments("{\"city\":\"Paris\"}")
                                .build())),
                ToolExecutionResultMessage.from("call_1", "get_weather", "18 C, sunny"));

        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(conversation)
                .toolSpecifications(ToolSpecs.WEATHER)
                .build());

        assertThat(response.aiMessage().text()).isEqualTo("It is 18 C in Paris.");
        JsonNode messages = openai.requests().get(0).json().get("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.at("/1/content/0/text").asText()).isEqualTo("What city is this? Weather there?");
        assertThat(messages.at("/1/content/1/image_url/url").asText()).isEqualTo("data:image/png;base64," + png);
        assertThat(messages.at("/2/role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/2/content").asText()).isEqualTo("Paris. Let me check.");
        assertThat(messages.at("/2/tool_calls/0/id").asText()).isEqualTo("call_1");
        assertThat(messages.at("/2/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(messages.at("/2/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(messages.at("/3/role").asText()).isEqualTo("tool");
        assertThat(messages.at("/3/tool_call_id").asText()).isEqualTo("call_1");
        assertThat(messages.at("/3/content").asText()).isEqualTo("18 C, sunny");
    }

    @Test
    void toolSpecificationsAndToolChoiceGoOutAndToolCallsComeBack() {
        openai.byDefault()
                .always(FakeResponse.toolCall("call_7", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall("call_8", "get_weather", "{\"city\":\"Rome\"}"));
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(1)).modelName(GPT).build();

        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Weather in Paris and Rome?"))
                .toolSpecifications(ToolSpecs.WEATHER)
                .toolChoice(ToolChoice.REQUIRED)
                .build());

        AiMessage message = response.aiMessage();
        assertThat(message.text()).isNull(); // as LangChain4j's own models answer a call without text
        assertThat(message.toolExecutionRequests())
                .containsExactly(
                        ToolExecutionRequest.builder()
                                .id("call_7")
                                .name("get_weather")
                                .arguments("{\"city\":\"Paris\"}")
                                .build(),
                        ToolExecutionRequest.builder()
                                .id("call_8")
                                .name("get_weather")
                                .arguments("{\"city\":\"Rome\"}")
                                .build());
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.get("tool_choice").asText()).isEqualTo("required");
        assertThat(sent.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(sent.at("/tools/0/function/description").asText()).isEqualTo("Current weather for a city");
        assertThat(sent.at("/tools/0/function/parameters").toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{"
                        + "\"city\":{\"type\":\"string\",\"description\":\"the city's name\"},"
                        + "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
                        + "\"days\":{\"type\":\"integer\"},"
                        + "\"sources\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
                        + "\"required\":[\"city\"]}");
    }

    @Test
    void aJsonSchemaResponseFormatGoesOutAsStructuredOutput() {
        openai.byDefault().always(FakeResponse.ok("{\"name\":\"Ada\",\"born\":1815}"));
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(1)).modelName(GPT).build();
        JsonSchema person = JsonSchema.builder()
                .name("Person record") // not a name every provider takes: it gets one that is
                .rootElement(JsonObjectSchema.builder()
                        .addStringProperty("name")
                        .addIntegerProperty("born")
                        .required("name", "born")
                        .additionalProperties(false)
                        .build())
                .build();

        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Who wrote the first program?"))
                .responseFormat(ResponseFormat.builder()
                        .type(ResponseFormatType.JSON)
                        .jsonSchema(person)
                        .build())
                .build());
        model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Any JSON"))
                .responseFormat(ResponseFormat.JSON)
                .build());

        assertThat(response.aiMessage().text()).isEqualTo("{\"name\":\"Ada\",\"born\":1815}");
        JsonNode format = openai.requests().get(0).json().get("response_format");
        assertThat(format.get("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/json_schema/name").asText()).isEqualTo("Person_record");
        assertThat(format.at("/json_schema/schema").toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                        + "\"born\":{\"type\":\"integer\"}},\"required\":[\"name\",\"born\"],"
                        + "\"additionalProperties\":false}");
        assertThat(openai.requests().get(1).json().at("/response_format/type").asText())
                .isEqualTo("json_object");
    }

    @Test
    void signedReasoningComesBackAsThinkingAndGoesBackToItsProviderOnTheNextTurn() {
        anthropic
                .byDefault()
                .next(FakeResponse.toolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}")
                        .withReasoning("The user wants the weather.", "sig-abc"))
                .next(FakeResponse.ok("18 C."));
        ChatModel model =
                LlmRotateChatModel.builder(anthropicEngine()).modelName(CLAUDE).build();
        List<ChatMessage> conversation = new ArrayList<>(List.of(UserMessage.from("Weather in Paris?")));

        ChatResponse first = model.chat(ChatRequest.builder()
                .messages(conversation)
                .toolSpecifications(ToolSpecs.WEATHER)
                .build());
        assertThat(first.aiMessage().thinking()).isEqualTo("The user wants the weather.");
        conversation.add(first.aiMessage());
        conversation.add(ToolExecutionResultMessage.from(
                first.aiMessage().toolExecutionRequests().get(0), "18 C"));
        ChatResponse second = model.chat(ChatRequest.builder()
                .messages(conversation)
                .toolSpecifications(ToolSpecs.WEATHER)
                .build());

        assertThat(second.aiMessage().text()).isEqualTo("18 C.");
        JsonNode assistant = anthropic.requests().get(1).json().at("/messages/1");
        assertThat(assistant.toString())
                .isEqualTo(
                        "{\"role\":\"assistant\",\"content\":["
                                + "{\"type\":\"thinking\",\"thinking\":\"The user wants the weather.\",\"signature\":\"sig-abc\"},"
                                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]}");
    }

    @Test
    void whatLlmRotateCannotSendIsRefusedBeforeAnythingIsSent() {
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(1)).modelName(GPT).build();

        assertThatThrownBy(() -> model.chat(ChatRequest.builder()
                        .messages(UserMessage.from("Hi"))
                        .topK(5)
                        .build()))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageStartingWith("topK is not supported by llm-rotate");
        assertThatThrownBy(() -> model.chat(ChatRequest.builder()
                        .messages(UserMessage.from("Hi"))
                        .stopSequences(List.of("END"))
                        .build()))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("stopSequences");
        assertThatThrownBy(() -> model.chat(ChatRequest.builder()
                        .messages(UserMessage.from(
                                TextContent.from("What is this?"), ImageContent.from("https://example.com/a.png")))
                        .build()))
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessage("messages[0]: image URLs are not supported by llm-rotate, which sends images inline to"
                        + " every provider; give the image as base64 data with its MIME type");
        assertThatThrownBy(() -> LlmRotateChatModel.builder(openAiEngine(1))
                        .defaultRequestParameters(dev.langchain4j.model.chat.request.ChatRequestParameters.builder()
                                .presencePenalty(0.5)
                                .build())
                        .build())
                .isInstanceOf(UnsupportedFeatureException.class)
                .hasMessageStartingWith("presencePenalty is not supported");
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void aDataUrlImageIsInline() {
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(1)).modelName(GPT).build();
        String png = Base64.getEncoder().encodeToString(PNG);
        model.chat(ChatRequest.builder()
                .messages(UserMessage.from(ImageContent.from("data:image/png;base64," + png)))
                .build());
        // LangChain4j leaves a URL image's MIME type unset: the data URL's own is taken.
        assertThat(openai.requests()
                        .get(0)
                        .json()
                        .at("/messages/0/content/0/image_url/url")
                        .asText())
                .isEqualTo("data:image/png;base64," + png);
    }

    @Test
    void aStormOf429sRotatesKeysAndTheCallerSeesOneAnswer() {
        openai.forKey(secret(1)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(2)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(3)).always(FakeResponse.ok("served by the third key"));
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(3)).modelName(GPT).build();

        ChatResponse response = model.chat(ask("Hi"));

        assertThat(response.aiMessage().text()).isEqualTo("served by the third key");
        assertThat(openai.requestCount(secret(1))).isEqualTo(1);
        assertThat(openai.requestCount(secret(2))).isEqualTo(1);
        assertThat(openai.requestCount(secret(3))).isEqualTo(1);
        CallRecord record = record(response.id());
        assertThat(record.keyId()).isEqualTo("oa-3");
        assertThat(record.rotations()).isEqualTo(2);

        // The two keys cool down: the next call goes straight to the third.
        model.chat(ask("Again"));
        assertThat(openai.requestCount()).isEqualTo(4);
    }

    @Test
    void aProviderWideStormFallsBackToAnthropicAndTheResponseNamesTheServedModel() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.ok("Claude here", 9, 2));
        ChatModel model =
                LlmRotateChatModel.builder(fallbackEngine(2)).modelName(GPT).build();

        ChatResponse response = model.chat(ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."), UserMessage.from("Hi"))
                .build());

        assertThat(response.aiMessage().text()).isEqualTo("Claude here");
        assertThat(response.modelName()).isEqualTo(CLAUDE);
        assertThat(response.tokenUsage()).isEqualTo(new TokenUsage(9, 2, 11));
        CallRecord record = record(response.id());
        assertThat(record.fallbackUsed()).isTrue();
        assertThat(record.provider()).isEqualTo("anthropic");
        assertThat(openai.requestCount()).isEqualTo(2);
        JsonNode sent = anthropic.requests().get(0).json();
        assertThat(sent.get("model").asText()).isEqualTo(CLAUDE);
        assertThat(sent.get("system").toString()).contains("Be brief.");
    }

    @Test
    void theModelReportsNoCapabilityUnlessToldAndNamesNoProvider() {
        LlmRotate lm = openAiEngine(1);
        assertThat(LlmRotateChatModel.builder(lm).build().supportedCapabilities())
                .isEmpty();
        assertThat(LlmRotateChatModel.builder(lm)
                        .supportedCapabilities(
                                dev.langchain4j.model.chat.Capability.RESPONSE_FORMAT_JSON_SCHEMA,
                                dev.langchain4j.model.chat.Capability.RESPONSE_FORMAT_JSON_SCHEMA)
                        .build()
                        .supportedCapabilities())
                .containsExactly(dev.langchain4j.model.chat.Capability.RESPONSE_FORMAT_JSON_SCHEMA);
        assertThat(LlmRotateChatModel.builder(lm).build().provider())
                .isEqualTo(dev.langchain4j.model.ModelProvider.OTHER);
        assertThatThrownBy(
                        () -> LlmRotateChatModel.builder(lm).maxOutputTokens(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxOutputTokens must be positive, got 0");
        assertThatThrownBy(() -> LlmRotateChatModel.builder(lm)
                        .defaultRequestParameters(LlmRotateChatRequestParameters.builder()
                                .caller("tenant 42")
                                .build())
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("caller must be 1 to 64 letters, digits, '.', '_', ':', '@' or '-', got 'tenant 42'");
        assertThatThrownBy(() -> LlmRotateChatModel.builder(lm).build().chat("Hi"))
                .isInstanceOf(dev.langchain4j.exception.InvalidRequestException.class)
                .hasMessageStartingWith("no model for the call");
    }
}

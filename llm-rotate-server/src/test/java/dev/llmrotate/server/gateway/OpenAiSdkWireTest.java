package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.ChatModel;
import com.openai.models.ErrorObject;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.Usage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}) reads what the gateway writes, with its own model
 * classes and validation ({@code validate()} checks every required field and enum value), and the gateway reads
 * what the SDK sends.
 */
class OpenAiSdkWireTest {
    private static final JsonMapper SDK = ObjectMappers.jsonMapper();
    private static final long CREATED = 1_700_000_000L;

    @Test
    void theSdkReadsACompletionWithToolCallsAndUsage() throws Exception {
        byte[] json = OpenAiChatResponses.completion(
                OpenAiChatResponsesTest.response(
                        "Let me check.",
                        FinishReason.TOOL_CALLS,
                        new Usage(20, 7, 4, 2),
                        List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")),
                        List.of(new ContentPart.Reasoning("thinking", null, "openrouter"))),
                "abc",
                CREATED);

        ChatCompletion completion = SDK.readValue(json, ChatCompletion.class).validate();

        assertThat(completion.id()).isEqualTo("chatcmpl-abc");
        assertThat(completion.created()).isEqualTo(CREATED);
        assertThat(completion.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.index()).isZero();
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Let me check.");
        assertThat(choice.message().refusal()).isEmpty();
        // An extension field: the SDK keeps it among the message's additional properties.
        assertThat(choice.message()._additionalProperties().get("reasoning_content"))
                .isEqualTo(JsonValue.from("thinking"));
        ChatCompletionMessageToolCall call =
                choice.message().toolCalls().orElseThrow().get(0);
        assertThat(call.asFunction().id()).isEqualTo("call_1");
        assertThat(call.asFunction().function().name()).isEqualTo("get_weather");
        assertThat(call.asFunction().function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(completion.usage().orElseThrow().promptTokens()).isEqualTo(20);
        assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(7);
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(27);
        assertThat(completion
                        .usage()
                        .orElseThrow()
                        .promptTokensDetails()
                        .orElseThrow()
                        .cachedTokens())
                .contains(4L);
        assertThat(completion
                        .usage()
                        .orElseThrow()
                        .completionTokensDetails()
                        .orElseThrow()
                        .reasoningTokens())
                .contains(2L);
    }

    @Test
    void theSdkReadsEveryFinishReasonWeWrite() throws Exception {
        for (FinishReason reason : FinishReason.values()) {
            byte[] json = OpenAiChatResponses.completion(
                    OpenAiChatResponsesTest.response("x", reason, Usage.UNREPORTED, List.of(), List.of()), "a", 1);

            ChatCompletion completion =
                    SDK.readValue(json, ChatCompletion.class).validate();

            assertThat(completion.choices().get(0).finishReason().asString())
                    .isEqualTo(OpenAiChatResponses.finishReason(reason));
            assertThat(completion.usage()).isEmpty();
        }
    }

    @Test
    void theSdkAccumulatesOurStreamIntoTheWholeAnswer() throws Exception {
        OpenAiChunkWriter writer = new OpenAiChunkWriter("s1", CREATED, "gpt-4o", true);
        List<StreamChunk> chunks = List.of(
                new StreamChunk("The weather", null, null),
                new StreamChunk(" is", null, null),
                new StreamChunk(
                        "",
                        null,
                        null,
                        "",
                        List.of(
                                new ToolCallDelta(0, "call_1", "get_weather", "{\"city\":"),
                                new ToolCallDelta(0, null, null, "\"Paris\"}")),
                        List.of()),
                new StreamChunk("", null, null, "", List.of(new ToolCallDelta(1, "call_2", "f", "")), List.of()),
                new StreamChunk("", FinishReason.TOOL_CALLS, new Usage(30, 10, 0, 0)));
        StringBuilder stream = new StringBuilder();
        for (StreamChunk chunk : chunks) {
            stream.append(new String(writer.events(chunk), StandardCharsets.UTF_8));
        }
        stream.append(new String(OpenAiChatResponses.doneEvent(), StandardCharsets.UTF_8));

        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        List<ChatCompletionChunk> parsed = new ArrayList<>();
        String[] events = stream.toString().split("\n\n");
        for (String event : events) {
            assertThat(event).startsWith("data: ");
            String data = event.substring("data: ".length());
            if (data.equals("[DONE]")) {
                break;
            }
            ChatCompletionChunk chunk =
                    SDK.readValue(data, ChatCompletionChunk.class).validate();
            parsed.add(chunk);
            accumulator.accumulate(chunk);
        }

        assertThat(events).hasSize(7); // 5 chunks, the usage chunk, [DONE]
        assertThat(parsed.get(0).choices().get(0).delta().role())
                .contains(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        assertThat(parsed.get(5).choices()).isEmpty();
        assertThat(parsed.get(5).usage().orElseThrow().totalTokens()).isEqualTo(40);
        ChatCompletion whole = accumulator.chatCompletion().validate();
        assertThat(whole.id()).isEqualTo("chatcmpl-s1");
        assertThat(whole.model()).isEqualTo("gpt-4o");
        assertThat(whole.choices().get(0).message().content()).contains("The weather is");
        assertThat(whole.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        List<ChatCompletionMessageToolCall> calls =
                whole.choices().get(0).message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_1");
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).asFunction().function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(calls.get(1).asFunction().function().name()).isEqualTo("f");
        assertThat(whole.usage().orElseThrow().promptTokens()).isEqualTo(30);
    }

    @Test
    void theSdkReadsOurErrors() throws Exception {
        byte[] body = OpenAiErrors.body("model: required", OpenAiErrors.INVALID_REQUEST, "model", null);
        byte[] event = OpenAiChatResponses.errorEvent(
                new OpenAiError("upstream cut the stream", "server_error", null, "stream_broken"));

        JsonNode error = SDK.readTree(body).get("error");
        ErrorObject object = SDK.treeToValue(error, ErrorObject.class).validate();
        assertThat(object.message()).isEqualTo("model: required");
        assertThat(object.type()).isEqualTo("invalid_request_error");
        assertThat(object.param()).contains("model");
        assertThat(object.code()).isEmpty();

        String data = new String(event, StandardCharsets.UTF_8);
        JsonNode inBand = SDK.readTree(data.substring("data: ".length())).get("error");
        ErrorObject streamed = SDK.treeToValue(inBand, ErrorObject.class).validate();
        assertThat(streamed.code()).contains("stream_broken");
    }

    @Test
    void weReadWhatTheSdkSends() throws Exception {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(ChatModel.GPT_4O_MINI)
                .addDeveloperMessage("be brief")
                .addUserMessage("weather in Paris?")
                .maxCompletionTokens(200)
                .temperature(0.3)
                .topP(0.8)
                .stop(ChatCompletionCreateParams.Stop.ofStrings(List.of("END")))
                .seed(7)
                .user("u-1")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .addTool(ChatCompletionFunctionTool.builder()
                        .function(FunctionDefinition.builder()
                                .name("get_weather")
                                .description("Weather of a city")
                                .parameters(FunctionParameters.builder()
                                        .putAdditionalProperty("type", JsonValue.from("object"))
                                        .putAdditionalProperty(
                                                "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                        .build())
                                .strict(false)
                                .build())
                        .build())
                .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .parallelToolCalls(true)
                .responseFormat(ResponseFormatJsonSchema.builder()
                        .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                                .name("answer")
                                .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                        .putAdditionalProperty("type", JsonValue.from("object"))
                                        .build())
                                .strict(true)
                                .build())
                        .build())
                .reasoningEffort(com.openai.models.ReasoningEffort.LOW)
                .build();
        byte[] body = SDK.writeValueAsBytes(params._body());

        OpenAiChatRequest parsed = new OpenAiChatRequests().parse(body);

        ChatRequest r = parsed.chatRequest();
        assertThat(parsed.model()).isEqualTo("gpt-4o-mini");
        assertThat(parsed.user()).isEqualTo("u-1");
        assertThat(r.messages()).hasSize(2);
        assertThat(r.messages().get(0).role()).isEqualTo("system");
        assertThat(r.messages().get(0).text()).isEqualTo("be brief");
        assertThat(r.messages().get(1).text()).isEqualTo("weather in Paris?");
        assertThat(r.maxTokens()).isEqualTo(200);
        assertThat(r.temperature()).isEqualTo(0.3);
        assertThat(r.topP()).isEqualTo(0.8);
        assertThat(r.extra()).containsEntry("openai:stop", List.of("END")).containsEntry("openai:seed", 7);
        assertThat(r.tools()).hasSize(1);
        assertThat(r.tools().get(0).name()).isEqualTo("get_weather");
        assertThat(r.tools().get(0).strict()).isFalse();
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.REQUIRED);
        assertThat(r.parallelToolCalls()).isTrue();
        assertThat(r.responseFormat()).isEqualTo(ResponseFormat.jsonSchema("answer", Map.of("type", "object"), true));
        assertThat(r.reasoningEffort()).isEqualTo(dev.llmrotate.chat.ReasoningEffort.LOW);
        assertThat(parsed.includeUsage()).isTrue();
    }
}

package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.chat.completions.StructuredChatCompletion;
import com.openai.models.completions.CompletionUsage;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeAnthropicServer;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import dev.llmrotate.testkit.RecordedTool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}) pointed at the gateway over real loopback HTTP, with
 * the testkit's fake OpenAI and Anthropic servers behind an {@link LlmRotate}: plain and streamed completions, tool
 * calls in two turns (served by OpenAI, and by Anthropic through the fallback chain), streamed tool calls, structured
 * output (a schema given by hand and one the SDK makes from a class), and the SDK's exception type for each error
 * status. The SDK retries nothing ({@code maxRetries(0)}), so every status it sees is the gateway's first answer.
 *
 * <p>Wire formats: OpenAI Chat Completions, https://platform.openai.com/docs/api-reference/chat/create (tools,
 * {@code role: tool} messages, {@code response_format}, {@code stream_options}); Anthropic Messages tool use,
 * https://docs.anthropic.com/en/docs/build-with-claude/tool-use ({@code tool_use} blocks in the assistant's
 * message, {@code tool_result} blocks with {@code tool_use_id} in the next user message). The SDK's exceptions
 * (package {@code com.openai.errors}, https://javadoc.io/doc/com.openai/openai-java): 400 BadRequestException, 401
 * UnauthorizedException, 403 PermissionDeniedException, 404 NotFoundException, 429 RateLimitException, 5xx
 * InternalServerException; an {@code error} event in a stream, SseException.
 */
class OpenAiSdkGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MINI = "gpt-4o-mini";
    private static final String CLAUDE = "claude-3-5-haiku-latest";
    private static final String WEATHER_SCHEMA =
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final FakeAnthropicServer anthropic = FakeAnthropicServer.start();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();
    private Gateway gateway;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        openai.close();
        anthropic.close();
    }

    private static KeySpec key(String id, String provider, String model) {
        return KeySpec.builder(id, provider)
                .secretRef(SecretRef.parse("env://SDK_" + id, name -> "sk-upstream-" + id + "-0123456789abcdef"))
                .models(model)
                .build();
    }

    /** Two OpenAI keys and one Anthropic key; gpt-4o-mini falls back to Claude. */
    private void start(Consumer<GatewayOptions.Builder> options) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(
                        key("oa-1", "openai", MINI), key("oa-2", "openai", MINI), key("an-1", "anthropic", CLAUDE)))
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .provider(
                        "anthropic", s -> s.withBaseUrl(anthropic.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .strategy(SelectionStrategyType.PRIORITY)
                .modelFallback(MINI, FallbackTarget.to("anthropic").withModel(CLAUDE))
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO))
                .build();
        LlmRotate lm = LlmRotate.create(config);
        opened.add(lm);
        lm.onCall(records::add);
        GatewayOptions.Builder builder = GatewayOptions.builder().port(0);
        options.accept(builder);
        gateway = Gateway.start(lm, builder.build());
        opened.add(gateway);
    }

    private void start() {
        start(o -> {});
    }

    /**
     * The SDK as a user points it at the gateway; no retries of its own, so each status is the gateway's, and with
     * response validation on, so that an answer missing a field the SDK requires fails the test.
     */
    private OpenAIClient sdk(String apiKey) {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(gateway.uri() + "v1")
                .apiKey(apiKey)
                .maxRetries(0)
                .responseValidation(true) // every required field and enum value of each answer is checked
                .timeout(Duration.ofSeconds(20))
                .build();
        opened.add(client::close);
        return client;
    }

    private OpenAIClient sdk() {
        return sdk("unused-without-gateway-keys");
    }

    private static ChatCompletionCreateParams.Builder ask(String text) {
        return ChatCompletionCreateParams.builder().model(MINI).addUserMessage(text);
    }

    private static ChatCompletionFunctionTool weatherTool() {
        return ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name("get_weather")
                        .description("Current weather of a city")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty(
                                        "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                                .build())
                        .build())
                .build();
    }

    /** Drains a streamed answer through the SDK's accumulator; the content deltas in order go to {@code deltas}. */
    private static ChatCompletion accumulate(StreamResponse<ChatCompletionChunk> stream, List<String> deltas) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (stream) {
            stream.stream().forEach(chunk -> {
                accumulator.accumulate(chunk);
                chunk.choices().forEach(c -> c.delta().content().ifPresent(deltas::add));
            });
        }
        return accumulator.chatCompletion();
    }

    /** What {@code call} threw, which must be a {@code type}. */
    private static <E extends Throwable> E thrown(Class<E> type, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(type);
        return type.cast(thrown);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---- answers -------------------------------------------------------------------------------------------------

    @Test
    void aPlainCompletionHasItsContentUsageModelAndFinishReason() {
        start();
        openai.byDefault().always(FakeResponse.ok("Hello from the gateway", 12, 3));

        ChatCompletion completion =
                sdk().chat().completions().create(ask("Say hi").build());

        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content()).contains("Hello from the gateway");
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(completion.model()).isEqualTo(MINI);
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(12);
        assertThat(usage.completionTokens()).isEqualTo(3);
        assertThat(usage.totalTokens()).isEqualTo(15);
        await().until(() -> records.size() == 1);
        assertThat(completion.id()).isEqualTo("chatcmpl-" + records.get(0).callId());
        assertThat(openai.requests()
                        .get(0)
                        .json()
                        .path("messages")
                        .get(0)
                        .path("content")
                        .asText())
                .isEqualTo("Say hi");
    }

    @Test
    void theSdksRawResponseShowsWhichProviderAndKeyServed() {
        start();
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.ok("from claude"));

        var raw = sdk().chat()
                .completions()
                .withRawResponse()
                .create(ask("Say hi").build());

        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().values(GatewayHeaders.PROVIDER)).containsExactly("anthropic");
        assertThat(raw.headers().values(GatewayHeaders.KEY)).containsExactly("an-1");
        assertThat(raw.headers().values(GatewayHeaders.FALLBACK)).containsExactly("true");
        ChatCompletion completion = raw.parse();
        assertThat(completion.model()).isEqualTo(CLAUDE);
        assertThat(completion.choices().get(0).message().content()).contains("from claude");
    }

    @Test
    void aStreamAccumulatesIntoTheWholeAnswerWithUsage() {
        start();
        openai.byDefault().always(FakeResponse.ok("Hi there friend", 7, 3).withChunks("Hi", " there", " friend"));
        List<String> deltas = new ArrayList<>();

        ChatCompletion whole = accumulate(
                sdk().chat()
                        .completions()
                        .createStreaming(ask("Say hi")
                                .streamOptions(ChatCompletionStreamOptions.builder()
                                        .includeUsage(true)
                                        .build())
                                .build()),
                deltas);

        assertThat(deltas).containsExactly("Hi", " there", " friend");
        assertThat(whole.choices().get(0).message().content()).contains("Hi there friend");
        assertThat(whole.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        assertThat(whole.model()).isEqualTo(MINI);
        assertThat(whole.usage().orElseThrow().promptTokens()).isEqualTo(7);
        assertThat(whole.usage().orElseThrow().completionTokens()).isEqualTo(3);
        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.path("stream").asBoolean()).isTrue();
        assertThat(sent.path("stream_options").path("include_usage").asBoolean())
                .isTrue();
    }

    @Test
    void aStreamWithoutIncludeUsageGetsNoUsage() {
        start();
        openai.byDefault().always(FakeResponse.ok("Hi there", 7, 2));

        ChatCompletion whole = accumulate(
                sdk().chat().completions().createStreaming(ask("Say hi").build()), new ArrayList<>());

        assertThat(whole.choices().get(0).message().content()).contains("Hi there");
        assertThat(whole.usage()).isEmpty();
        // Usage is still asked upstream, for the records.
        assertThat(openai.requests()
                        .get(0)
                        .json()
                        .path("stream_options")
                        .path("include_usage")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void aStreamCutAfterItsFirstChunkIsAnErrorInTheSdkNotATruncatedAnswer() {
        start();
        openai.byDefault()
                .always(FakeResponse.ok("one two three")
                        .withChunks("one ", "two ", "three")
                        .cutAfterChunks(1));
        List<String> deltas = new ArrayList<>();

        SseException error = thrown(
                SseException.class,
                () -> accumulate(
                        sdk().chat().completions().createStreaming(ask("Count").build()), deltas));
        assertThat(deltas).containsExactly("one ");
        assertThat(error.code()).contains("stream_interrupted");
        assertThat(error.getMessage()).contains("interrupted after 1 chunks");
        assertThat(error.type()).contains("server_error");
    }

    // ---- tools ---------------------------------------------------------------------------------------------------

    @Test
    void aToolCallAndItsResultMakeTwoTurnsInOpenAisWireFormat() {
        start();
        openai.byDefault()
                .next(
                        FakeResponse.toolCall("call_w1", "get_weather", "{\"city\":\"Paris\"}"),
                        FakeResponse.ok("It is 18 °C in Paris."));
        OpenAIClient client = sdk();

        ChatCompletion first = client.chat()
                .completions()
                .create(ask("Weather in Paris?").addTool(weatherTool()).build());

        ChatCompletion.Choice choice = first.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call =
                choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("call_w1");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(json(call.function().arguments()).path("city").asText()).isEqualTo("Paris");

        ChatCompletion second = client.chat()
                .completions()
                .create(ask("Weather in Paris?")
                        .addTool(weatherTool())
                        .addMessage(choice.message())
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("{\"temp_c\":18}")
                                .build())
                        .build());

        assertThat(second.choices().get(0).message().content()).contains("It is 18 °C in Paris.");
        assertThat(second.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

        // What OpenAI received: the tool definition, then the assistant's call and the tool's result.
        RecordedTool tool = openai.requests().get(0).tools().get(0);
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool.description()).isEqualTo("Current weather of a city");
        assertThat(tool.parameters()).isEqualTo(json(WEATHER_SCHEMA));
        JsonNode messages = openai.requests().get(1).json().path("messages");
        assertThat(messages).hasSize(3);
        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        JsonNode sentCall = assistant.path("tool_calls").get(0);
        assertThat(sentCall.path("id").asText()).isEqualTo("call_w1");
        assertThat(sentCall.path("type").asText()).isEqualTo("function");
        assertThat(sentCall.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(json(sentCall.path("function").path("arguments").asText())).isEqualTo(json("{\"city\":\"Paris\"}"));
        JsonNode result = messages.get(2);
        assertThat(result.path("role").asText()).isEqualTo("tool");
        assertThat(result.path("tool_call_id").asText()).isEqualTo("call_w1");
        assertThat(
                        result.path("content").isTextual()
                                ? result.path("content").asText()
                                : result.path("content").get(0).path("text").asText())
                .isEqualTo("{\"temp_c\":18}");
    }

    @Test
    void aToolResultGivenAsTextPartsReachesTheProvider() {
        start();
        openai.byDefault()
                .next(
                        FakeResponse.toolCall("call_p1", "get_weather", "{\"city\":\"Oslo\"}"),
                        FakeResponse.ok("Cold in Oslo."));
        OpenAIClient client = sdk();
        ChatCompletion first = client.chat()
                .completions()
                .create(ask("Weather in Oslo?").addTool(weatherTool()).build());

        ChatCompletion second = client.chat()
                .completions()
                .create(ask("Weather in Oslo?")
                        .addTool(weatherTool())
                        .addMessage(first.choices().get(0).message())
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId("call_p1")
                                .contentOfArrayOfContentParts(List.of(
                                        ChatCompletionContentPartText.builder()
                                                .text("{\"temp_c\":")
                                                .build(),
                                        ChatCompletionContentPartText.builder()
                                                .text("-3}")
                                                .build()))
                                .build())
                        .build());

        assertThat(second.choices().get(0).message().content()).contains("Cold in Oslo.");
        JsonNode result = openai.requests().get(1).json().path("messages").get(2);
        assertThat(result.path("role").asText()).isEqualTo("tool");
        assertThat(result.path("tool_call_id").asText()).isEqualTo("call_p1");
        StringBuilder text = new StringBuilder(
                result.path("content").isTextual() ? result.path("content").asText() : "");
        result.path("content").forEach(part -> text.append(part.path("text").asText()));
        assertThat(text.toString()).isEqualTo("{\"temp_c\":-3}");
    }

    @Test
    void theSameTwoTurnsServedByAnthropicThroughTheFallbackChainLookLikeOpenAiToTheSdk() {
        start();
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic
                .byDefault()
                .next(
                        FakeResponse.toolCall("toolu_01A", "get_weather", "{\"city\":\"Paris\"}"),
                        FakeResponse.ok("Claude says 18 °C."));
        OpenAIClient client = sdk();

        ChatCompletion first = client.chat()
                .completions()
                .create(ask("Weather in Paris?").addTool(weatherTool()).build());

        assertThat(first.model()).isEqualTo(CLAUDE);
        ChatCompletion.Choice choice = first.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        ChatCompletionMessageFunctionToolCall call =
                choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).isEqualTo("toolu_01A");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(json(call.function().arguments())).isEqualTo(json("{\"city\":\"Paris\"}"));

        ChatCompletion second = client.chat()
                .completions()
                .create(ask("Weather in Paris?")
                        .addTool(weatherTool())
                        .addMessage(choice.message())
                        .addMessage(ChatCompletionToolMessageParam.builder()
                                .toolCallId(call.id())
                                .content("{\"temp_c\":18}")
                                .build())
                        .build());

        assertThat(second.model()).isEqualTo(CLAUDE);
        assertThat(second.choices().get(0).message().content()).contains("Claude says 18 °C.");

        // What Anthropic received: the tool as input_schema, then tool_use and tool_result blocks.
        RecordedRequest firstSent = anthropic.requests().get(0);
        assertThat(firstSent.json().path("tools").get(0).path("input_schema")).isEqualTo(json(WEATHER_SCHEMA));
        JsonNode messages = anthropic.requests().get(1).json().path("messages");
        assertThat(messages).hasSize(3);
        JsonNode toolUse = messages.get(1).path("content").get(0);
        assertThat(messages.get(1).path("role").asText()).isEqualTo("assistant");
        assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
        assertThat(toolUse.path("id").asText()).isEqualTo("toolu_01A");
        assertThat(toolUse.path("name").asText()).isEqualTo("get_weather");
        assertThat(toolUse.path("input")).isEqualTo(json("{\"city\":\"Paris\"}"));
        assertThat(messages.get(2).path("role").asText()).isEqualTo("user");
        JsonNode toolResult = messages.get(2).path("content").get(0);
        assertThat(toolResult.path("type").asText()).isEqualTo("tool_result");
        assertThat(toolResult.path("tool_use_id").asText()).isEqualTo("toolu_01A");
        assertThat(toolResult.path("content").asText()).isEqualTo("{\"temp_c\":18}");
    }

    @Test
    void aStreamedToolCallAccumulatesIntoOneCallWithItsWholeArguments() {
        start();
        openai.byDefault()
                .always(FakeResponse.ok("Checking.")
                        .withChunks("Checking.")
                        .withToolCall("call_s1", "get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}")
                        .withFinishReason("tool_calls"));

        ChatCompletion whole = accumulate(
                sdk().chat()
                        .completions()
                        .createStreaming(
                                ask("Weather in Paris?").addTool(weatherTool()).build()),
                new ArrayList<>());

        ChatCompletion.Choice choice = whole.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Checking.");
        List<com.openai.models.chat.completions.ChatCompletionMessageToolCall> calls =
                choice.message().toolCalls().orElseThrow();
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).asFunction().id()).isEqualTo("call_s1");
        assertThat(calls.get(0).asFunction().function().name()).isEqualTo("get_weather");
        assertThat(calls.get(0).asFunction().function().arguments())
                .isEqualTo("{\"city\":\"Paris\",\"unit\":\"celsius\"}");
        assertThat(openai.requests().get(0).toolNames()).containsExactly("get_weather");
    }

    @Test
    void aStreamedAnswerWithTwoToolCallsFromAnthropicThroughTheFallbackAccumulatesInOpenAisShape() {
        start();
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic
                .byDefault()
                .always(FakeResponse.ok("Checking both.")
                        .withChunks("Checking", " both.")
                        .withToolCall("toolu_P", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall("toolu_L", "get_weather", "{\"city\":\"London\"}")
                        .withFinishReason("tool_calls"));
        List<String> deltas = new ArrayList<>();

        ChatCompletion whole = accumulate(
                sdk().chat()
                        .completions()
                        .createStreaming(ask("Weather in Paris and London?")
                                .addTool(weatherTool())
                                .streamOptions(ChatCompletionStreamOptions.builder()
                                        .includeUsage(true)
                                        .build())
                                .build()),
                deltas);

        assertThat(deltas).containsExactly("Checking", " both.");
        assertThat(whole.model()).isEqualTo(CLAUDE);
        ChatCompletion.Choice choice = whole.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).contains("Checking both.");
        List<String> calls = choice.message().toolCalls().orElseThrow().stream()
                .map(c -> c.asFunction().id() + " " + c.asFunction().function().name() + " "
                        + c.asFunction().function().arguments())
                .toList();
        assertThat(calls)
                .containsExactly(
                        "toolu_P get_weather {\"city\":\"Paris\"}", "toolu_L get_weather {\"city\":\"London\"}");
        assertThat(whole.usage()).isPresent();
        assertThat(anthropic.requests().get(0).stream()).isTrue();
    }

    // ---- structured output ---------------------------------------------------------------------------------------

    @Test
    void aJsonSchemaResponseFormatReachesTheProviderAndTheAnswerParses() {
        start();
        openai.byDefault().always(FakeResponse.ok("{\"city\":\"Paris\",\"temp_c\":18}"));

        ChatCompletion completion = sdk().chat()
                .completions()
                .create(ask("Weather in Paris as JSON")
                        .responseFormat(ResponseFormatJsonSchema.builder()
                                .jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                                        .name("weather")
                                        .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                                                .putAdditionalProperty("type", JsonValue.from("object"))
                                                .putAdditionalProperty(
                                                        "properties",
                                                        JsonValue.from(Map.of(
                                                                "city", Map.of("type", "string"),
                                                                "temp_c", Map.of("type", "number"))))
                                                .putAdditionalProperty(
                                                        "required", JsonValue.from(List.of("city", "temp_c")))
                                                .putAdditionalProperty("additionalProperties", JsonValue.from(false))
                                                .build())
                                        .strict(true)
                                        .build())
                                .build())
                        .build());

        JsonNode answer = json(completion.choices().get(0).message().content().orElseThrow());
        assertThat(answer.path("temp_c").asInt()).isEqualTo(18);
        JsonNode format = openai.requests().get(0).json().path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("name").asText()).isEqualTo("weather");
        assertThat(format.path("json_schema").path("strict").asBoolean()).isTrue();
        assertThat(format.path("json_schema").path("schema"))
                .isEqualTo(json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
                        + "\"temp_c\":{\"type\":\"number\"}},\"required\":[\"city\",\"temp_c\"],"
                        + "\"additionalProperties\":false}"));
    }

    /** A class the SDK turns into a JSON schema (structured output) and reads the answer into. */
    public static class Weather {
        public String city;
        public double tempC;
    }

    /** A class the SDK turns into a function tool named after it, and reads the call's arguments into. */
    public static class GetWeather {
        public String city;
    }

    @Test
    void theSdksClassBasedStructuredOutputGoesThroughTheGateway() {
        start();
        openai.byDefault().always(FakeResponse.ok("{\"city\":\"Paris\",\"tempC\":18.5}"));

        StructuredChatCompletion<Weather> completion = sdk().chat()
                .completions()
                .create(ask("Weather in Paris as JSON")
                        .responseFormat(Weather.class)
                        .build());

        Weather weather = completion.choices().get(0).message().content().orElseThrow();
        assertThat(weather.city).isEqualTo("Paris");
        assertThat(weather.tempC).isEqualTo(18.5);
        JsonNode format = openai.requests().get(0).json().path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("schema").path("properties").has("tempC"))
                .isTrue();
    }

    @Test
    void theSdksClassBasedToolGoesThroughTheGatewayAndItsArgumentsParse() {
        start();
        openai.byDefault().always(FakeResponse.toolCall("call_c1", "GetWeather", "{\"city\":\"Paris\"}"));

        ChatCompletion completion = sdk().chat()
                .completions()
                .create(ask("Weather in Paris?").addTool(GetWeather.class).build());

        ChatCompletionMessageFunctionToolCall call = completion
                .choices()
                .get(0)
                .message()
                .toolCalls()
                .orElseThrow()
                .get(0)
                .asFunction();
        assertThat(call.function().name()).isEqualTo("GetWeather");
        assertThat(call.function().arguments(GetWeather.class).city).isEqualTo("Paris");
        RecordedTool tool = openai.requests().get(0).tools().get(0);
        assertThat(tool.name()).isEqualTo("GetWeather");
        assertThat(tool.parameters().path("properties").has("city")).isTrue();
    }

    // ---- errors --------------------------------------------------------------------------------------------------

    @Test
    void everyKeyOutIs503InternalServerExceptionWithRetryAfter() {
        start();
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));

        InternalServerException e = thrown(
                InternalServerException.class,
                () -> sdk().chat().completions().create(ask("Say hi").build()));

        assertThat(e.statusCode()).isEqualTo(503);
        assertThat(e.code()).contains("no_available_key");
        assertThat(e.type()).contains("server_error");
        assertThat(Long.parseLong(e.headers().values("retry-after").get(0))).isBetween(1L, 30L);
        assertThat(e.getMessage()).doesNotContain("0123456789abcdef");
        // No retry by the SDK: two OpenAI keys and the Anthropic fallback, once each.
        assertThat(openai.requestCount() + anthropic.requestCount()).isEqualTo(3);
    }

    @Test
    void upstreamFailuresThatAreNotTheClientsFaultAre502InternalServerException() {
        start();
        openai.byDefault().always(FakeResponse.serverError());
        anthropic.byDefault().always(FakeResponse.serverError());

        OpenAIServiceException e = thrown(
                OpenAIServiceException.class,
                () -> sdk().chat().completions().create(ask("Say hi").build()));
        assertThat(e).isInstanceOf(InternalServerException.class);
        assertThat(e.statusCode()).isEqualTo(502);
        assertThat(e.type()).contains("server_error");
        assertThat(e.code()).contains("transient_server_error");
        assertThat(e.getMessage()).contains("anthropic").doesNotContain("0123456789abcdef");
    }

    @Test
    void aRequestTheGatewayRejectsIs400BadRequestNamingTheParameter() {
        start();

        BadRequestException e = thrown(
                BadRequestException.class,
                () -> sdk().chat().completions().create(ask("Say hi").n(2).build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.param()).contains("n");
        assertThat(e.type()).contains("invalid_request_error");
        assertThat(e.getMessage()).contains("only 1 choice is supported");

        ChatCompletionFunctionTool notAnObjectSchema = ChatCompletionFunctionTool.builder()
                .function(FunctionDefinition.builder()
                        .name("get_weather")
                        .parameters(FunctionParameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("string"))
                                .build())
                        .build())
                .build();
        BadRequestException badTool = thrown(
                BadRequestException.class,
                () -> sdk().chat()
                        .completions()
                        .create(ask("Weather in Paris?")
                                .addTool(notAnObjectSchema)
                                .build()));
        assertThat(badTool.statusCode()).isEqualTo(400);
        assertThat(badTool.param()).contains("tools[0].function.parameters");
        assertThat(badTool.getMessage()).contains("expected a JSON object schema");
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void aRequestTheProviderRejectsIs400BadRequestWithTheProvidersMessageAndNoFallback() {
        start();
        openai.byDefault()
                .always(FakeResponse.error(
                        400,
                        "invalid_request_error",
                        null,
                        "Invalid schema for function 'get_weather': 'strnig' is not valid under any of the given"
                                + " schemas."));

        BadRequestException e = thrown(
                BadRequestException.class,
                () -> sdk().chat()
                        .completions()
                        .create(ask("Weather in Paris?").addTool(weatherTool()).build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.type()).contains("invalid_request_error");
        assertThat(e.getMessage()).contains("Invalid schema for function 'get_weather'");
        assertThat(openai.requestCount()).as("fail fast: no other key").isEqualTo(1);
        assertThat(anthropic.requestCount()).as("fail fast: no fallback").isZero();
    }

    @Test
    void gatewayKeysAre401UnauthorizedWhenWrongAnd403PermissionDeniedForAModelNotAllowed() {
        start(o -> o.keys(List.of(
                GatewayKey.of("team-a", "gw-secret-a", Set.of(), null),
                GatewayKey.of("team-b", "gw-secret-b", Set.of(CLAUDE), null))));
        openai.byDefault().always(FakeResponse.ok("hello"));

        UnauthorizedException wrong = thrown(
                UnauthorizedException.class,
                () -> sdk("gw-secret-wrong")
                        .chat()
                        .completions()
                        .create(ask("Say hi").build()));
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.code()).contains("invalid_api_key");
        assertThat(wrong.getMessage()).doesNotContain("gw-secret");
        assertThat(openai.requestCount()).isZero();

        PermissionDeniedException denied = thrown(
                PermissionDeniedException.class,
                () -> sdk("gw-secret-b")
                        .chat()
                        .completions()
                        .create(ask("Say hi").build()));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.code()).contains("model_not_allowed");
        assertThat(denied.param()).contains("model");

        ChatCompletion ok =
                sdk("gw-secret-a").chat().completions().create(ask("Say hi").build());
        assertThat(ok.choices().get(0).message().content()).contains("hello");
    }

    @Test
    void oneCallOverTheGatewaysConcurrencyLimitAndQueueIs429RateLimitException() throws Exception {
        start(o -> o.maxConcurrentCalls(1).maxQueuedCalls(0));
        openai.byDefault().always(FakeResponse.ok("slow").delay(Duration.ofSeconds(2)));
        OpenAIClient client = sdk();
        CompletableFuture<ChatCompletion> first = CompletableFuture.supplyAsync(
                () -> client.chat().completions().create(ask("Say hi").build()));
        await().until(() -> gateway.callsInFlight() == 1);

        RateLimitException e = thrown(
                RateLimitException.class,
                () -> client.chat().completions().create(ask("Say hi").build()));

        assertThat(e.statusCode()).isEqualTo(429);
        assertThat(e.code()).contains("gateway_busy");
        assertThat(e.headers().values("retry-after")).containsExactly("1");
        assertThat(first.get(20, TimeUnit.SECONDS).choices().get(0).message().content())
                .contains("slow");
    }

    @Test
    void anUnknownModelIs404NotFoundModelNotFound() {
        start();

        NotFoundException e = thrown(
                NotFoundException.class,
                () -> sdk().chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("gpt-9-turbo")
                                .addUserMessage("Say hi")
                                .build()));

        assertThat(e.statusCode()).isEqualTo(404);
        assertThat(e.code()).contains("model_not_found");
        assertThat(e.param()).contains("model");
        assertThat(e.getMessage()).contains("gpt-9-turbo");
    }

    @Test
    void aStreamThatFailsBeforeItsFirstChunkIsAnOrdinaryErrorStatus() {
        start();
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));

        InternalServerException e = thrown(
                InternalServerException.class,
                () -> accumulate(
                        sdk().chat().completions().createStreaming(ask("Say hi").build()), new ArrayList<>()));

        assertThat(e.statusCode()).isEqualTo(503);
        assertThat(e.code()).contains("no_available_key");
    }
}

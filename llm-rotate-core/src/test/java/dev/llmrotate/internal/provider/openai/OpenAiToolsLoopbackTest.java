package dev.llmrotate.internal.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.ChatStream;
import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.internal.provider.tools.ToolCallIds;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedTool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Tools, structured output and reasoning in the Chat Completions format, for the three providers that speak it
 * (OpenAI, Azure OpenAI, OpenRouter), plain and streamed, request bodies checked field by field.
 *
 * <p>The format, from the API reference (https://platform.openai.com/docs/api-reference/chat/create) and the guides
 * (https://platform.openai.com/docs/guides/function-calling, https://platform.openai.com/docs/guides/structured-outputs):
 * {@code tools[] = {"type": "function", "function": {name, description, parameters, strict}}}; {@code tool_choice}
 * {@code "auto" | "none" | "required" | {"type": "function", "function": {"name"}}}; {@code parallel_tool_calls};
 * {@code response_format} {@code {"type": "json_schema", "json_schema": {name, schema, strict}}}; {@code
 * reasoning_effort}; an assistant message's {@code tool_calls[] = {id, "type": "function", "function": {name,
 * arguments}}} with {@code content: null}; a {@code {"role": "tool", "tool_call_id", "content"}} result; a stream's
 * {@code delta.tool_calls[]} by {@code index} (https://platform.openai.com/docs/api-reference/chat-streaming);
 * {@code finish_reason: "tool_calls"}; {@code usage.completion_tokens_details.reasoning_tokens}. Azure OpenAI serves
 * the same body (https://learn.microsoft.com/azure/ai-services/openai/reference), OpenRouter too, with its own {@code
 * reasoning} object (https://openrouter.ai/docs/use-cases/reasoning-tokens).
 */
class OpenAiToolsLoopbackTest extends EngineTestSupport {
    static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                    + "\"required\":[\"city\"],\"additionalProperties\":false}")
            .strict(true)
            .build();
    static final ToolDefinition TIME = ToolDefinition.builder("get_time")
            .description("Local time in a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")
            .build();

    /** The three providers of the format, each on the fake OpenAI server; reasoning models, so that every row applies. */
    enum Provider {
        OPENAI("openai", "o4-mini", "/v1/chat/completions"),
        AZURE("azure_openai", "gpt-4o", "/openai/deployments/gpt-4o/chat/completions"),
        OPENROUTER("openrouter", "openai/o4-mini", "/v1/chat/completions");

        final String id;
        final String model;
        final String path;

        Provider(String id, String model, String path) {
            this.id = id;
            this.model = model;
            this.path = path;
        }
    }

    private LlmRotate engineFor(Provider provider) {
        KeySpec.Builder key = Keys.key("k", provider.id, provider.model);
        if (provider == Provider.AZURE) {
            key.authConfig("azure_endpoint", openai.azureEndpoint().toString());
        }
        LlmRotateConfig.Builder config = LlmRotateConfig.builder()
                .key(key.build())
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        if (provider != Provider.AZURE) {
            config.provider(provider.id, s -> s.withBaseUrl(openai.baseUrl()));
        }
        return engine(config.build());
    }

    private static ChatRequest.Builder weatherQuestion(Provider provider) {
        return ChatRequest.builder(provider.model).user("What is the weather in Paris?");
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aTwoTurnToolConversation(Provider provider) {
        openai.byDefault()
                .next(FakeResponse.toolCall("call_w1", "get_weather", "{\"city\":\"Paris\"}"))
                .next(FakeResponse.ok("It is 18 C and sunny in Paris."));
        LlmRotate lm = engineFor(provider);

        ChatRequest turn1 = weatherQuestion(provider)
                .tools(WEATHER, TIME)
                .toolChoice(ToolChoice.AUTO)
                .parallelToolCalls(false)
                .build();
        ChatResponse first = lm.chat(turn1);

        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.content()).isEmpty();
        assertThat(first.toolCalls()).containsExactly(new ToolCall("call_w1", "get_weather", "{\"city\":\"Paris\"}"));
        JsonNode body1 = openai.requests().get(0).json();
        assertThat(openai.requests().get(0).path()).isEqualTo(provider.path);
        JsonNode tool = body1.at("/tools/0");
        assertThat(tool.get("type").asText()).isEqualTo("function");
        assertThat(tool.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(tool.at("/function/description").asText()).isEqualTo("Current weather for a city");
        assertThat(tool.at("/function/parameters").toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                        + "\"required\":[\"city\"],\"additionalProperties\":false}");
        assertThat(tool.at("/function/strict").asBoolean()).isTrue();
        assertThat(body1.at("/tools/1/function").has("strict")).isFalse();
        assertThat(body1.get("tool_choice").asText()).isEqualTo("auto");
        assertThat(body1.get("parallel_tool_calls").asBoolean()).isFalse();
        assertThat(openai.requests().get(0).toolNames()).containsExactly("get_weather", "get_time");
        assertThat(openai.requests().get(0).tools().get(0))
                .extracting(RecordedTool::description, RecordedTool::strict)
                .containsExactly("Current weather for a city", true);

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult("call_w1", "{\"temp_c\":18,\"sky\":\"sunny\"}"));
        ChatResponse second = lm.chat(ChatRequest.builder(provider.model)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        assertThat(second.content()).isEqualTo("It is 18 C and sunny in Paris.");
        assertThat(second.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(second.toolCalls()).isEmpty();
        JsonNode messages = openai.requests().get(1).json().get("messages");
        assertThat(messages).hasSize(3);
        JsonNode assistant = messages.get(1);
        assertThat(assistant.get("role").asText()).isEqualTo("assistant");
        assertThat(assistant.get("content").isNull()).isTrue();
        assertThat(assistant.at("/tool_calls/0/id").asText()).isEqualTo("call_w1");
        assertThat(assistant.at("/tool_calls/0/type").asText()).isEqualTo("function");
        assertThat(assistant.at("/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(assistant.at("/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        JsonNode result = messages.get(2);
        assertThat(result.get("role").asText()).isEqualTo("tool");
        assertThat(result.get("tool_call_id").asText()).isEqualTo("call_w1");
        assertThat(result.get("content").asText()).isEqualTo("{\"temp_c\":18,\"sky\":\"sunny\"}");
        assertThat(openai.requests().get(1).json().has("tool_choice")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aStreamedTwoTurnToolConversation(Provider provider) {
        openai.byDefault()
                .next(FakeResponse.ok("Let me check.")
                        .withToolCallChunks("call_s1", "get_weather", "{\"ci", "ty\":\"Par", "is\"}")
                        .withFinishReason("tool_calls"))
                .next(FakeResponse.ok("Sunny, 18 C.").withChunks("Sunny,", " 18 C."));
        LlmRotate lm = engineFor(provider);
        ChatRequest turn1 = weatherQuestion(provider).tools(WEATHER).build();

        List<StreamChunk> chunks = new ArrayList<>();
        ChatResponse first;
        try (ChatStream stream = lm.chatStream(turn1)) {
            chunks.add(stream.next());
            chunks.add(stream.next());
            first = stream.collect(); // the whole answer, the chunks read above included
        }

        assertThat(chunks).extracting(StreamChunk::delta).containsExactly("Let", " me");
        assertThat(first.content()).isEqualTo("Let me check.");
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.toolCalls()).containsExactly(new ToolCall("call_s1", "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(openai.requests().get(0).json().at("/tools/0/function/name").asText())
                .isEqualTo("get_weather");

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult("call_s1", "18 C, sunny"));
        List<StreamChunk> second = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(ChatRequest.builder(provider.model)
                .messages(conversation)
                .tools(WEATHER)
                .build())) {
            stream.forEach(second::add);
        }
        assertThat(second).extracting(StreamChunk::delta).containsExactly("Sunny,", " 18 C.", "");
        JsonNode assistant = openai.requests().get(1).json().at("/messages/1");
        assertThat(assistant.get("content").asText()).isEqualTo("Let me check.");
        assertThat(assistant.at("/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(openai.requests()
                        .get(1)
                        .json()
                        .at("/messages/2/tool_call_id")
                        .asText())
                .isEqualTo("call_s1");
    }

    @Test
    void streamedToolCallsArriveAsDeltasByIndex() {
        openai.byDefault()
                .always(FakeResponse.toolCall("call_a", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCallChunks("call_b", "get_time", "{\"city\":", "\"Rome\"}"));
        List<ToolCallDelta> deltas = new ArrayList<>();
        ChatResponse whole;
        try (ChatStream stream = engineFor(Provider.OPENAI)
                .chatStream(
                        weatherQuestion(Provider.OPENAI).tools(WEATHER, TIME).build())) {
            for (StreamChunk chunk : stream) {
                deltas.addAll(chunk.toolCallDeltas());
            }
            whole = stream.collect();
        }
        // Per call: id and name first, then the arguments in pieces (8 characters at most by default).
        assertThat(deltas.get(0)).isEqualTo(new ToolCallDelta(0, "call_a", "get_weather", ""));
        assertThat(deltas.get(1)).isEqualTo(new ToolCallDelta(0, null, null, "{\"city\":"));
        assertThat(deltas.get(2)).isEqualTo(new ToolCallDelta(0, null, null, "\"Paris\"}"));
        assertThat(deltas.get(3)).isEqualTo(new ToolCallDelta(1, "call_b", "get_time", ""));
        assertThat(deltas).hasSize(6);
        assertThat(whole.toolCalls())
                .containsExactly(
                        new ToolCall("call_a", "get_weather", "{\"city\":\"Paris\"}"),
                        new ToolCall("call_b", "get_time", "{\"city\":\"Rome\"}"));
        assertThat(whole.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void parallelCallsAndTheirResults(Provider provider) {
        openai.byDefault()
                .next(FakeResponse.toolCall("call_p1", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall("call_p2", "get_time", "{\"city\":\"Paris\"}"))
                .next(FakeResponse.ok("18 C at 14:00."));
        LlmRotate lm = engineFor(provider);
        ChatRequest turn1 = weatherQuestion(provider)
                .tools(WEATHER, TIME)
                .parallelToolCalls(true)
                .build();

        ChatResponse first = lm.chat(turn1);
        assertThat(first.toolCalls()).extracting(ToolCall::id).containsExactly("call_p1", "call_p2");
        assertThat(openai.requests().get(0).json().get("parallel_tool_calls").asBoolean())
                .isTrue();

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult("call_p1", "18 C"));
        conversation.add(ChatMessage.toolResult("call_p2", "14:00"));
        assertThat(lm.chat(ChatRequest.builder(provider.model)
                                .messages(conversation)
                                .tools(WEATHER, TIME)
                                .build())
                        .content())
                .isEqualTo("18 C at 14:00.");
        JsonNode messages = openai.requests().get(1).json().get("messages");
        assertThat(messages.at("/1/tool_calls")).hasSize(2);
        assertThat(messages.at("/2/tool_call_id").asText()).isEqualTo("call_p1");
        assertThat(messages.at("/3/tool_call_id").asText()).isEqualTo("call_p2");
    }

    @Test
    void forcedToolChoices() {
        LlmRotate lm = engineFor(Provider.OPENAI);
        lm.chat(weatherQuestion(Provider.OPENAI)
                .tools(WEATHER, TIME)
                .toolChoice(ToolChoice.tool("get_time"))
                .build());
        lm.chat(weatherQuestion(Provider.OPENAI)
                .tools(WEATHER)
                .toolChoice(ToolChoice.REQUIRED)
                .build());
        lm.chat(weatherQuestion(Provider.OPENAI)
                .tools(WEATHER)
                .toolChoice(ToolChoice.NONE)
                .build());
        assertThat(openai.requests().get(0).json().get("tool_choice").toString())
                .isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}");
        assertThat(openai.requests().get(1).json().get("tool_choice").asText()).isEqualTo("required");
        assertThat(openai.requests().get(2).json().get("tool_choice").asText()).isEqualTo("none");
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void jsonSchemaOutput(Provider provider) {
        openai.byDefault().always(FakeResponse.ok("{\"city\":\"Paris\",\"temp_c\":18}"));
        ChatResponse response = engineFor(provider)
                .chat(weatherQuestion(provider)
                        .responseFormat(ResponseFormat.jsonSchema(
                                "weather",
                                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
                                        + "\"temp_c\":{\"type\":\"number\"}},\"required\":[\"city\",\"temp_c\"],"
                                        + "\"additionalProperties\":false}",
                                true))
                        .build());
        assertThat(response.content()).isEqualTo("{\"city\":\"Paris\",\"temp_c\":18}");
        JsonNode format = openai.requests().get(0).json().get("response_format");
        assertThat(format.get("type").asText()).isEqualTo("json_schema");
        assertThat(format.at("/json_schema/name").asText()).isEqualTo("weather");
        assertThat(format.at("/json_schema/strict").asBoolean()).isTrue();
        assertThat(format.at("/json_schema/schema/required").toString()).isEqualTo("[\"city\",\"temp_c\"]");
        assertThat(format.at("/json_schema/schema/properties").fieldNames())
                .toIterable()
                .containsExactly("city", "temp_c");
    }

    @Test
    void jsonObjectAndTextFormats() {
        LlmRotate lm = engineFor(Provider.OPENAI);
        lm.chat(weatherQuestion(Provider.OPENAI)
                .responseFormat(ResponseFormat.JSON_OBJECT)
                .build());
        lm.chat(weatherQuestion(Provider.OPENAI)
                .responseFormat(ResponseFormat.TEXT)
                .build());
        assertThat(openai.requests().get(0).json().get("response_format").toString())
                .isEqualTo("{\"type\":\"json_object\"}");
        assertThat(openai.requests().get(1).json().get("response_format").toString())
                .isEqualTo("{\"type\":\"text\"}");
    }

    @Test
    void reasoningEffortAndReasoningTokens() {
        openai.byDefault().always(FakeResponse.ok("42").withUsage(30, 500, 0, 448));
        ChatResponse response = engineFor(Provider.OPENAI)
                .chat(weatherQuestion(Provider.OPENAI)
                        .reasoningEffort(ReasoningEffort.HIGH)
                        .build());
        assertThat(openai.requests().get(0).json().get("reasoning_effort").asText())
                .isEqualTo("high");
        assertThat(response.usage().reasoningTokens()).isEqualTo(448);
        assertThat(response.usage().outputTokens()).isEqualTo(500);
        assertThat(response.reasoning()).isEmpty(); // OpenAI returns no reasoning text
    }

    @Test
    void openRouterReasoningControlsAndText() {
        openai.byDefault()
                .always(FakeResponse.ok("42")
                        .withReasoning("Six times seven.", "ignored-by-this-format")
                        .withUsage(30, 60, 0, 50));
        LlmRotate lm = engineFor(Provider.OPENROUTER);

        ChatResponse plain = lm.chat(weatherQuestion(Provider.OPENROUTER)
                .reasoningEffort(ReasoningEffort.LOW)
                .build());
        lm.chat(weatherQuestion(Provider.OPENROUTER).thinkingBudget(2000).build());
        lm.chat(weatherQuestion(Provider.OPENROUTER).thinkingBudget(0).build());
        lm.chat(weatherQuestion(Provider.OPENROUTER).thinkingBudget(-1).build());

        assertThat(plain.reasoningText()).isEqualTo("Six times seven.");
        assertThat(plain.reasoning())
                .containsExactly(new ContentPart.Reasoning("Six times seven.", null, "openrouter"));
        assertThat(plain.usage().reasoningTokens()).isEqualTo(50);
        assertThat(openai.requests().get(0).json().get("reasoning").toString()).isEqualTo("{\"effort\":\"low\"}");
        assertThat(openai.requests().get(0).json().has("reasoning_effort")).isFalse();
        assertThat(openai.requests().get(1).json().get("reasoning").toString()).isEqualTo("{\"max_tokens\":2000}");
        assertThat(openai.requests().get(2).json().get("reasoning").toString()).isEqualTo("{\"enabled\":false}");
        assertThat(openai.requests().get(3).json().get("reasoning").toString()).isEqualTo("{\"enabled\":true}");

        List<String> reasoningDeltas = new ArrayList<>();
        ChatResponse streamed;
        try (ChatStream stream =
                lm.chatStream(weatherQuestion(Provider.OPENROUTER).build())) {
            for (StreamChunk chunk : stream) {
                reasoningDeltas.add(chunk.reasoningDelta());
            }
            streamed = stream.collect();
        }
        assertThat(String.join("", reasoningDeltas)).isEqualTo("Six times seven.");
        assertThat(streamed.content()).isEqualTo("42");
        assertThat(streamed.reasoningText()).isEqualTo("Six times seven.");
        // Unsigned reasoning is for reading; it is not sent back on the next turn.
        lm.chat(ChatRequest.builder(Provider.OPENROUTER.model)
                .user("Q")
                .message(streamed.message())
                .user("And?")
                .build());
        JsonNode assistant = openai.requests().get(5).json().at("/messages/1");
        assertThat(assistant.toString()).isEqualTo("{\"role\":\"assistant\",\"content\":\"42\"}");
    }

    @Test
    void anotherProvidersIdsAndReasoningAreTranslatedAndLeftOut() {
        // A conversation begun elsewhere: an OpenAI-compatible server's id, Anthropic's signed thinking.
        String foreignId = "functions.get_weather:0";
        ChatMessage assistant = new ChatMessage(
                "assistant",
                List.of(new ContentPart.Reasoning("Need the weather.", "sig-anthropic", "anthropic")),
                List.of(new ToolCall(foreignId, "get_weather", "{\"city\":\"Paris\"}")),
                null);
        engineFor(Provider.OPENAI)
                .chat(weatherQuestion(Provider.OPENAI)
                        .message(assistant)
                        .message(ChatMessage.toolResult(foreignId, "18 C"))
                        .tools(WEATHER)
                        .build());
        JsonNode messages = openai.requests().get(0).json().get("messages");
        String portable = ToolCallIds.portable(foreignId);
        assertThat(portable).isEqualTo("call_eawaqrIWsijHqyJBGyPM-jnLQgeIAeMs");
        assertThat(messages.at("/1/tool_calls/0/id").asText()).isEqualTo(portable);
        assertThat(messages.at("/2/tool_call_id").asText()).isEqualTo(portable);
        assertThat(messages.get(1).toString()).doesNotContain("sig-anthropic").doesNotContain("Need the weather");
    }

    @Test
    void failFastRowsSendNothing() {
        LlmRotate lm = engineFor(Provider.OPENAI);
        assertInvalid(
                lm,
                weatherQuestion(Provider.OPENAI).thinkingBudget(1024).build(),
                "thinkingBudget is not supported by openai, which takes a reasoning effort (reasoningEffort)");
        assertInvalid(
                lm,
                weatherQuestion(Provider.OPENAI)
                        .reasoningEffort(ReasoningEffort.MAX)
                        .build(),
                "reasoningEffort MAX is not supported by openai");
        assertInvalid(
                lm,
                weatherQuestion(Provider.OPENAI)
                        .message(ChatMessage.assistant(null, List.of(new ToolCall("c1", "get_weather", "{}"))))
                        .message(ChatMessage.toolResult("c1", ContentPart.image(new byte[] {1}, "image/png")))
                        .tools(WEATHER)
                        .build(),
                "openai takes only text in tool results");
        assertInvalid(
                engineFor(Provider.OPENROUTER),
                weatherQuestion(Provider.OPENROUTER)
                        .reasoningEffort(ReasoningEffort.LOW)
                        .thinkingBudget(100)
                        .build(),
                "openrouter takes a reasoning effort or a thinking budget, not both");
        assertThatThrownBy(() -> weatherQuestion(Provider.OPENAI)
                        .tools(WEATHER)
                        .extra("tools", List.of())
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tools and extra 'tools' both set the same request field");
        assertThat(openai.requestCount()).isZero();
    }

    private static void assertInvalid(LlmRotate lm, ChatRequest request, String message) {
        assertThatThrownBy(() -> lm.chat(request)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(e.getMessage()).contains(message);
        });
    }
}

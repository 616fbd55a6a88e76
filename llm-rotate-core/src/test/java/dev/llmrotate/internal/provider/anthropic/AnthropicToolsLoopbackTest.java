package dev.llmrotate.internal.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.ChatStream;
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
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.internal.provider.tools.ToolCallIds;
import dev.llmrotate.testkit.FakeResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tools, thinking and structured output in the Messages API, plain and streamed, request bodies checked field by
 * field against Anthropic's documentation:
 *
 * <ul>
 *   <li>tool use (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use): {@code tools[] =
 *       {name, description, input_schema, strict}}; {@code tool_choice} {@code {"type": "auto" | "any" | "none"}} or
 *       {@code {"type": "tool", "name"}}, with {@code disable_parallel_tool_use}; the answer's {@code tool_use} blocks
 *       ({@code id}, {@code name}, {@code input}) and {@code stop_reason: "tool_use"}; results as {@code tool_result}
 *       blocks ({@code tool_use_id}, {@code content}) in the next user message, all results of parallel calls in one;
 *   <li>streaming (https://docs.anthropic.com/en/docs/build-with-claude/streaming): a {@code tool_use} block's {@code
 *       input_json_delta}s ({@code partial_json}), a {@code thinking} block's {@code thinking_delta}s and its {@code
 *       signature_delta};
 *   <li>extended thinking (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking): {@code thinking:
 *       {"type": "enabled", "budget_tokens"}} below {@code max_tokens}; {@code thinking} blocks with their {@code
 *       signature} and {@code redacted_thinking} blocks passed back unchanged with the tool results; no forced tool
 *       choice with thinking;
 *   <li>structured outputs (https://docs.anthropic.com/en/docs/build-with-claude/structured-outputs): {@code
 *       output_config.format = {"type": "json_schema", "schema"}}; effort
 *       (https://docs.anthropic.com/en/docs/build-with-claude/effort): {@code output_config.effort}.
 * </ul>
 */
class AnthropicToolsLoopbackTest extends AnthropicTestSupport {
    private static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                    + "\"required\":[\"city\"],\"additionalProperties\":false}")
            .strict(true)
            .build();
    private static final ToolDefinition TIME = ToolDefinition.builder("get_time")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")
            .build();
    private static final String TOOLU = "toolu_01A09q90qw90lq917835lq9";

    private static ChatRequest.Builder question() {
        return ChatRequest.builder(MODEL).user("What is the weather in Paris?");
    }

    @Test
    void aTwoTurnToolConversation() {
        anthropic
                .byDefault()
                .next(FakeResponse.ok("I'll check.")
                        .withToolCall(TOOLU, "get_weather", "{\"city\":\"Paris\"}")
                        .withFinishReason("tool_calls"))
                .next(FakeResponse.ok("It is 18 C in Paris."));
        LlmRotate lm = twoKeys();
        ChatRequest turn1 = question()
                .tools(WEATHER, TIME)
                .toolChoice(ToolChoice.AUTO)
                .parallelToolCalls(false)
                .build();

        ChatResponse first = lm.chat(turn1);

        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.content()).isEqualTo("I'll check.");
        assertThat(first.toolCalls()).containsExactly(new ToolCall(TOOLU, "get_weather", "{\"city\":\"Paris\"}"));
        JsonNode body1 = anthropic.requests().get(0).json();
        assertThat(body1.at("/tools/0").toString())
                .isEqualTo("{\"name\":\"get_weather\",\"description\":\"Current weather for a city\","
                        + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                        + "\"required\":[\"city\"],\"additionalProperties\":false},\"strict\":true}");
        assertThat(body1.at("/tools/1").toString())
                .isEqualTo("{\"name\":\"get_time\",\"input_schema\":{\"type\":\"object\","
                        + "\"properties\":{\"city\":{\"type\":\"string\"}}}}");
        assertThat(body1.get("tool_choice").toString())
                .isEqualTo("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}");
        assertThat(anthropic.requests().get(0).toolNames()).containsExactly("get_weather", "get_time");

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult(TOOLU, "18 C, sunny"));
        ChatResponse second = lm.chat(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        assertThat(second.content()).isEqualTo("It is 18 C in Paris.");
        JsonNode messages = anthropic.requests().get(1).json().get("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(1).toString())
                .isEqualTo("{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"I'll check.\"},"
                        + "{\"type\":\"tool_use\",\"id\":\"" + TOOLU + "\",\"name\":\"get_weather\","
                        + "\"input\":{\"city\":\"Paris\"}}]}");
        assertThat(messages.get(2).toString())
                .isEqualTo("{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + TOOLU
                        + "\",\"content\":\"18 C, sunny\"}]}");
    }

    @Test
    void aStreamedTurnWithThinkingAndAToolCallThenItsResult() {
        anthropic
                .byDefault()
                .next(FakeResponse.toolCall(TOOLU, "get_weather", "{\"city\":\"Paris\"}")
                        .withReasoning("The user wants the weather.", "EqQBCgIYAhIM1gbcDa9GJwZA")
                        .withRedactedReasoning("EmwKAhgBEgy3va3pzix")
                        .withUsage(50, 120, 0, 0))
                .next(FakeResponse.ok("18 C.").withChunks("18", " C."));
        LlmRotate lm = twoKeys();
        ChatRequest turn1 = question().tools(WEATHER).thinkingBudget(2048).build();

        List<StreamChunk> chunks = new ArrayList<>();
        ChatResponse first;
        try (ChatStream stream = lm.chatStream(turn1)) {
            stream.forEach(chunks::add);
            first = stream.collect();
        }

        StringBuilder reasoning = new StringBuilder();
        List<ToolCallDelta> deltas = new ArrayList<>();
        for (StreamChunk chunk : chunks) {
            reasoning.append(chunk.reasoningDelta());
            deltas.addAll(chunk.toolCallDeltas());
        }
        assertThat(reasoning.toString()).isEqualTo("The user wants the weather.");
        assertThat(deltas.get(0)).isEqualTo(new ToolCallDelta(0, TOOLU, "get_weather", ""));
        assertThat(deltas.subList(1, deltas.size()))
                .extracting(ToolCallDelta::argumentsDelta)
                .containsExactly("{\"city\":", "\"Paris\"}");
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.content()).isEmpty();
        assertThat(first.toolCalls()).containsExactly(new ToolCall(TOOLU, "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(first.reasoning())
                .containsExactly(
                        new ContentPart.Reasoning(
                                "The user wants the weather.", "EqQBCgIYAhIM1gbcDa9GJwZA", "anthropic"),
                        new ContentPart.RedactedReasoning("EmwKAhgBEgy3va3pzix", "anthropic"));
        JsonNode body1 = anthropic.requests().get(0).json();
        assertThat(body1.get("thinking").toString()).isEqualTo("{\"type\":\"enabled\",\"budget_tokens\":2048}");
        assertThat(body1.get("max_tokens").asInt()).isEqualTo(2048 + AnthropicAdapter.DEFAULT_MAX_TOKENS);
        assertThat(body1.get("stream").asBoolean()).isTrue();

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult(TOOLU, "18 C"));
        try (ChatStream stream = lm.chatStream(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER)
                .thinkingBudget(2048)
                .build())) {
            assertThat(stream.collect().content()).isEqualTo("18 C.");
        }
        // The thinking blocks go back first, unchanged, before the tool_use block they led to.
        JsonNode assistant = anthropic.requests().get(1).json().at("/messages/1");
        assertThat(assistant.toString())
                .isEqualTo("{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\","
                        + "\"thinking\":\"The user wants the weather.\",\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA\"},"
                        + "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix\"},"
                        + "{\"type\":\"tool_use\",\"id\":\"" + TOOLU + "\",\"name\":\"get_weather\","
                        + "\"input\":{\"city\":\"Paris\"}}]}");
    }

    @Test
    void thinkingBlocksOfAPlainAnswerAreKeptWithTheirSignature() {
        anthropic.byDefault().always(FakeResponse.ok("42").withReasoning("Six times seven.", "sig-plain"));
        ChatResponse response = twoKeys().chat(question().thinkingBudget(1024).build());
        assertThat(response.content()).isEqualTo("42");
        assertThat(response.reasoningText()).isEqualTo("Six times seven.");
        assertThat(response.message().content())
                .containsExactly(
                        new ContentPart.Reasoning("Six times seven.", "sig-plain", "anthropic"),
                        new ContentPart.Text("42"));
        assertThat(response.usage().reasoningTokens()).isZero(); // Anthropic does not count thinking apart
    }

    @Test
    void parallelCallsAndTheirResultsInOneUserMessage() {
        anthropic
                .byDefault()
                .next(FakeResponse.toolCall("toolu_a", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall("toolu_b", "get_time", "{\"city\":\"Paris\"}"))
                .next(FakeResponse.ok("18 C at 14:00."));
        LlmRotate lm = twoKeys();
        ChatRequest turn1 =
                question().tools(WEATHER, TIME).parallelToolCalls(true).build();
        ChatResponse first = lm.chat(turn1);
        assertThat(first.toolCalls()).extracting(ToolCall::id).containsExactly("toolu_a", "toolu_b");
        assertThat(anthropic.requests().get(0).json().get("tool_choice").toString())
                .isEqualTo("{\"type\":\"auto\",\"disable_parallel_tool_use\":false}");

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult("toolu_a", "18 C"));
        conversation.add(ChatMessage.toolResult("toolu_b", "14:00"));
        conversation.add(ChatMessage.user("Be brief."));
        lm.chat(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        JsonNode messages = anthropic.requests().get(1).json().get("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.at("/1/content")).hasSize(2);
        JsonNode results = messages.at("/2/content");
        assertThat(messages.at("/2/role").asText()).isEqualTo("user");
        assertThat(results).hasSize(2);
        assertThat(results.at("/0/tool_use_id").asText()).isEqualTo("toolu_a");
        assertThat(results.at("/1/tool_use_id").asText()).isEqualTo("toolu_b");
        assertThat(messages.at("/3/content").asText()).isEqualTo("Be brief.");
    }

    @Test
    void forcedToolChoices() {
        LlmRotate lm = twoKeys();
        lm.chat(question()
                .tools(WEATHER, TIME)
                .toolChoice(ToolChoice.tool("get_time"))
                .build());
        lm.chat(question().tools(WEATHER).toolChoice(ToolChoice.REQUIRED).build());
        lm.chat(question()
                .tools(WEATHER)
                .toolChoice(ToolChoice.NONE)
                .parallelToolCalls(false)
                .build());
        assertThat(anthropic.requests().get(0).json().get("tool_choice").toString())
                .isEqualTo("{\"type\":\"tool\",\"name\":\"get_time\"}");
        assertThat(anthropic.requests().get(1).json().get("tool_choice").toString())
                .isEqualTo("{\"type\":\"any\"}");
        assertThat(anthropic.requests().get(2).json().get("tool_choice").toString())
                .isEqualTo("{\"type\":\"none\"}");
    }

    @Test
    void jsonSchemaOutputAndEffortShareOutputConfig() {
        anthropic.byDefault().always(FakeResponse.ok("{\"city\":\"Paris\"}"));
        ChatResponse response = twoKeys()
                .chat(question()
                        .responseFormat(ResponseFormat.jsonSchema(
                                "weather",
                                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                                        + "\"required\":[\"city\"],\"additionalProperties\":false}",
                                true))
                        .reasoningEffort(ReasoningEffort.MEDIUM)
                        .build());
        assertThat(response.content()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(anthropic.requests().get(0).json().get("output_config").toString())
                .isEqualTo("{\"effort\":\"medium\",\"format\":{\"type\":\"json_schema\",\"schema\":{\"type\":"
                        + "\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
                        + "\"additionalProperties\":false}}}");
    }

    @Test
    void thinkingOffAdaptiveAndAnExplicitMaxTokens() {
        LlmRotate lm = twoKeys();
        lm.chat(question().thinkingBudget(0).build());
        lm.chat(question().thinkingBudget(-1).build());
        lm.chat(question().thinkingBudget(1024).maxTokens(3000).build());
        assertThat(anthropic.requests().get(0).json().get("thinking").toString())
                .isEqualTo("{\"type\":\"disabled\"}");
        assertThat(anthropic.requests().get(0).json().get("max_tokens").asInt())
                .isEqualTo(AnthropicAdapter.DEFAULT_MAX_TOKENS);
        assertThat(anthropic.requests().get(1).json().get("thinking").toString())
                .isEqualTo("{\"type\":\"adaptive\"}");
        assertThat(anthropic.requests().get(2).json().get("max_tokens").asInt()).isEqualTo(3000);
    }

    @Test
    void otherProvidersIdsAreTranslatedAndTheirReasoningLeftOut() {
        String foreignId = "functions.get_weather:0";
        ChatMessage assistant = new ChatMessage(
                "assistant",
                List.of(
                        new ContentPart.Reasoning("unsigned", null, "openrouter"),
                        new ContentPart.Reasoning("gemini thought", "c2ln", "google_ai_studio")),
                List.of(new ToolCall(foreignId, "get_weather", "{\"city\":\"Paris\"}")),
                null);
        twoKeys()
                .chat(question()
                        .message(assistant)
                        .message(ChatMessage.toolResult(foreignId, "18 C"))
                        .tools(WEATHER)
                        .build());
        JsonNode messages = anthropic.requests().get(0).json().get("messages");
        String portable = ToolCallIds.portable(foreignId);
        assertThat(messages.at("/1/content")).hasSize(1);
        assertThat(messages.at("/1/content/0/type").asText()).isEqualTo("tool_use");
        assertThat(messages.at("/1/content/0/id").asText()).isEqualTo(portable);
        assertThat(messages.at("/2/content/0/tool_use_id").asText()).isEqualTo(portable);
    }

    @Test
    void failFastRowsSendNothing() {
        LlmRotate lm = twoKeys();
        ToolCall call = new ToolCall("toolu_x", "get_weather", "{\"city\":\"Paris\"}");
        assertInvalid(
                lm,
                question().responseFormat(ResponseFormat.JSON_OBJECT).build(),
                "response format json_object is not supported by anthropic");
        assertInvalid(
                lm,
                question().reasoningEffort(ReasoningEffort.XHIGH).build(),
                "reasoningEffort XHIGH is not supported by anthropic");
        assertInvalid(
                lm,
                question()
                        .tools(WEATHER)
                        .toolChoice(ToolChoice.REQUIRED)
                        .thinkingBudget(2048)
                        .build(),
                "anthropic does not take a tool choice that forces tool use (REQUIRED) together with thinking");
        assertInvalid(
                lm,
                question().thinkingBudget(4096).maxTokens(4096).build(),
                "anthropic needs maxTokens (4096) greater than the thinking budget (4096)");
        assertInvalid(
                lm,
                question()
                        .message(ChatMessage.assistant(null, List.of(call)))
                        .message(ChatMessage.toolResult("toolu_x", "18 C"))
                        .build(),
                "anthropic needs the tool definitions (tools)");
        assertInvalid(
                lm,
                question()
                        .message(ChatMessage.assistant(null, List.of(new ToolCall("toolu_y", "get_weather", "[1]"))))
                        .message(ChatMessage.toolResult("toolu_y", "18 C"))
                        .tools(WEATHER)
                        .build(),
                "tool call toolu_y (get_weather) has arguments that are not a JSON object");
        assertThat(anthropic.requestCount()).isZero();
    }

    private static void assertInvalid(LlmRotate lm, ChatRequest request, String message) {
        assertThatThrownBy(() -> lm.chat(request)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(e.getMessage()).contains(message);
        });
    }
}

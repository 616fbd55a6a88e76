package dev.llmrotate.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tool, structured-output and reasoning model: what it accepts, what it refuses, and how answers assemble. */
class ToolModelTest {
    private static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                    + "\"required\":[\"city\"],\"additionalProperties\":false}")
            .strict(true)
            .build();

    private static final ToolCall CALL = new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}");

    @Test
    void aToolDefinitionKeepsItsSchemaInOrderAndImmutable() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("zeta", Map.of("type", "string"));
        properties.put("alpha", Map.of("type", "integer"));
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        List<Object> required = new ArrayList<>(List.of("zeta"));
        schema.put("required", required);

        ToolDefinition tool = ToolDefinition.of("lookup", null, schema);
        properties.put("added_later", Map.of("type", "string"));
        required.add("alpha");

        @SuppressWarnings("unchecked")
        Map<String, Object> kept = (Map<String, Object>) tool.parameters().get("properties");
        assertThat(kept.keySet()).containsExactly("zeta", "alpha");
        assertThat(tool.parameters().get("required")).isEqualTo(List.of("zeta"));
        assertThatThrownBy(() -> tool.parameters().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(tool.strict()).isNull();
    }

    @Test
    void aToolWithoutParametersTakesNoArguments() {
        ToolDefinition ping = ToolDefinition.builder("ping").build();
        assertThat(ping.parameters()).containsExactly(Map.entry("type", "object"), Map.entry("properties", Map.of()));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "get.weather|tool name 'get.weather' must be 1 to 64 letters",
                "has space|must be 1 to 64 letters",
            })
    void toolNamesMustBeOnesEveryProviderTakes(String name, String message) {
        assertThatThrownBy(() -> ToolDefinition.builder(name).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
        assertThatThrownBy(() -> ToolDefinition.builder("x".repeat(65)).build()).hasMessageContaining("1 to 64");
    }

    @Test
    void parametersMustBeAnObjectSchemaOfJsonValues() {
        assertThatThrownBy(() -> ToolDefinition.builder("t")
                        .parametersJson("{\"type\":\"string\"}")
                        .build())
                .hasMessageContaining("must be a JSON object schema");
        assertThatThrownBy(() -> ToolDefinition.builder("t").parametersJson("[1]"))
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() -> ToolDefinition.builder("t").parametersJson("{nope"))
                .hasMessageContaining("is not valid JSON");
        assertThatThrownBy(() -> ToolDefinition.of("t", null, Map.of("type", "object", "default", new Object())))
                .hasMessageContaining("tool t parameters.default: not a JSON value (java.lang.Object)");
    }

    @Test
    void aToolChoiceNamesAToolOfTheRequest() {
        assertThatThrownBy(() -> request()
                        .tools(WEATHER)
                        .toolChoice(ToolChoice.tool("get_time"))
                        .build())
                .hasMessageContaining("tool choice names get_time, which is not among the tools [get_weather]");
        assertThatThrownBy(() -> request().toolChoice(ToolChoice.REQUIRED).build())
                .hasMessageContaining("tool choice REQUIRED needs tools");
        assertThatThrownBy(() -> request().parallelToolCalls(false).build())
                .hasMessageContaining("parallelToolCalls applies only to a request with tools");
        assertThatThrownBy(() -> request().tools(WEATHER, WEATHER).build())
                .hasMessageContaining("two tools are named get_weather");
        assertThatThrownBy(() -> new ToolChoice(ToolChoice.Type.AUTO, "get_weather"))
                .hasMessageContaining("only a TOOL choice names a tool");
        assertThat(request().toolChoice(ToolChoice.NONE).build().toolChoice()).isEqualTo(ToolChoice.NONE);
    }

    @ParameterizedTest
    @CsvSource({
        "tools,tools",
        "tools,functions",
        "toolChoice,tool_choice",
        "parallelToolCalls,parallel_tool_calls",
        "responseFormat,response_format",
        "responseFormat,output_config",
        "reasoningEffort,reasoning_effort",
        "reasoningEffort,reasoning",
        "thinkingBudget,thinking",
        "thinkingBudget,thinking_budget",
    })
    void aFirstClassFieldAndTheSameFieldInExtraCollide(String field, String extraName) {
        ChatRequest.Builder builder = request().tools(WEATHER).extra(extraName, Map.of("x", 1));
        switch (field) {
            case "tools" -> {}
            case "toolChoice" -> builder.toolChoice(ToolChoice.AUTO);
            case "parallelToolCalls" -> builder.parallelToolCalls(false);
            case "responseFormat" -> builder.responseFormat(ResponseFormat.JSON_OBJECT);
            case "reasoningEffort" -> builder.reasoningEffort(ReasoningEffort.LOW);
            case "thinkingBudget" -> builder.thinkingBudget(2048);
            default -> throw new IllegalArgumentException(field);
        }
        if (field.equals("tools") || !extraName.equals("tools") && !extraName.equals("functions")) {
            assertThatThrownBy(builder::build)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(field + " and extra '" + extraName
                            + "' both set the same request field: set it once, either first-class or through extra");
        }
    }

    @Test
    void extraStillPassesWhatNoFirstClassFieldSets() {
        ChatRequest request = request()
                .extra("tools", List.of(Map.of("type", "function")))
                .extra("response_format", Map.of("type", "json_object"))
                .extra("thinking", Map.of("type", "enabled", "budget_tokens", 1024))
                .build();
        assertThat(request.extra()).containsKeys("tools", "response_format", "thinking");
        assertThat(request.tools()).isEmpty();
    }

    @Test
    void aToolResultAnswersACallOfAnEarlierAssistantMessage() {
        assertThatThrownBy(() -> request()
                        .message(ChatMessage.toolResult("call_9", "18 C"))
                        .build())
                .hasMessageContaining("messages[1] answers tool call call_9, which no earlier assistant message made");
        ChatRequest ok = request()
                .tools(WEATHER)
                .message(ChatMessage.assistant(null, List.of(CALL)))
                .message(ChatMessage.toolResult("call_1", "18 C"))
                .build();
        assertThat(ok.messages()).hasSize(3);
    }

    @Test
    void messagesKeepToolCallsAndResultsWhereTheyBelong() {
        ChatMessage calls = ChatMessage.assistant("", List.of(CALL));
        assertThat(calls.content()).isEmpty();
        assertThat(calls.toolCalls()).containsExactly(CALL);
        assertThat(ChatMessage.toolResult("call_1", "18 C").toolCallId()).isEqualTo("call_1");

        assertThatThrownBy(() -> new ChatMessage("user", List.of(ContentPart.text("x")), List.of(CALL), null))
                .hasMessageContaining("only assistant messages carry tool calls");
        assertThatThrownBy(() -> new ChatMessage("tool", List.of(ContentPart.text("x")), List.of(), null))
                .hasMessageContaining("a tool message needs the id of the tool call it answers");
        assertThatThrownBy(() -> new ChatMessage("user", List.of(ContentPart.text("x")), List.of(), "call_1"))
                .hasMessageContaining("only tool messages name a tool call id");
        assertThatThrownBy(() -> ChatMessage.assistant(null, List.of()))
                .hasMessageContaining("an assistant message needs content or tool calls");
        assertThatThrownBy(() -> ChatMessage.user(new ContentPart.Reasoning("hmm", "sig", "anthropic")))
                .hasMessageContaining("reasoning parts belong to assistant messages, not user");
        assertThatThrownBy(() -> ChatMessage.assistant("x", List.of(CALL, CALL)))
                .hasMessageContaining("tool call id call_1 appears twice");
        assertThatThrownBy(() -> new ChatMessage("function", List.of(ContentPart.text("x"))))
                .hasMessageContaining("role must be system, user, assistant or tool");
    }

    @Test
    void aResponsesMessageKeepsReasoningTextAndToolCalls() {
        ContentPart.Reasoning thought = new ContentPart.Reasoning("Check the weather.", "sig-1", "anthropic");
        ContentPart.RedactedReasoning hidden = new ContentPart.RedactedReasoning("opaque", "anthropic");
        ChatResponse response = response("Let me look.", List.of(CALL), List.of(thought, hidden));

        ChatMessage message = response.message();
        assertThat(message.role()).isEqualTo("assistant");
        assertThat(message.content()).containsExactly(thought, hidden, new ContentPart.Text("Let me look."));
        assertThat(message.toolCalls()).containsExactly(CALL);
        assertThat(message.text()).isEqualTo("Let me look.");
        assertThat(message.reasoning()).containsExactly(thought, hidden);
        assertThat(response.reasoningText()).isEqualTo("Check the weather.");
        assertThat(response.hasToolCalls()).isTrue();

        ChatMessage onlyCalls = response("", List.of(CALL), List.of()).message();
        assertThat(onlyCalls.content()).isEmpty();
        ChatMessage empty = response("", List.of(), List.of()).message();
        assertThat(empty.content()).containsExactly(new ContentPart.Text(""));
    }

    @Test
    void aStreamAssemblerPutsInterleavedToolCallDeltasTogetherByIndex() {
        StreamAssembler answer = new StreamAssembler();
        answer.add(chunk("", "Let me ", List.of(), List.of()));
        answer.add(chunk("", "think.", List.of(), List.of()));
        answer.add(chunk("", "", List.of(), List.of(new ContentPart.Reasoning("Let me think.", "sig", "anthropic"))));
        answer.add(chunk("Checking.", "", List.of(new ToolCallDelta(0, "call_a", "get_weather", "")), List.of()));
        answer.add(chunk("", "", List.of(new ToolCallDelta(1, "call_b", "get_weather", "{\"ci")), List.of()));
        answer.add(chunk("", "", List.of(new ToolCallDelta(0, null, null, "{\"city\":")), List.of()));
        answer.add(chunk("", "", List.of(new ToolCallDelta(1, null, null, "ty\":\"Rome\"}")), List.of()));
        answer.add(chunk("", "", List.of(new ToolCallDelta(0, null, null, "\"Paris\"}")), List.of()));
        answer.add(new StreamChunk("", FinishReason.TOOL_CALLS, Usage.of(10, 5)));

        assertThat(answer.text()).isEqualTo("Checking.");
        assertThat(answer.reasoning()).containsExactly(new ContentPart.Reasoning("Let me think.", "sig", "anthropic"));
        assertThat(answer.toolCalls())
                .containsExactly(
                        new ToolCall("call_a", "get_weather", "{\"city\":\"Paris\"}"),
                        new ToolCall("call_b", "get_weather", "{\"city\":\"Rome\"}"));
        assertThat(answer.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(answer.message().toolCalls()).hasSize(2);
    }

    @Test
    void reasoningWithoutBlocksIsKeptUnsigned() {
        StreamAssembler answer = new StreamAssembler();
        answer.add(chunk("", "Thinking aloud", List.of(), List.of()));
        answer.add(chunk("42", "", List.of(), List.of()));
        assertThat(answer.reasoning()).containsExactly(new ContentPart.Reasoning("Thinking aloud", null, null));
        assertThat(answer.reasoningText()).isEqualTo("Thinking aloud");
    }

    @Test
    void aToolCallWhoseNameNeverCameIsMalformed() {
        StreamAssembler answer = new StreamAssembler();
        answer.add(chunk("", "", List.of(new ToolCallDelta(0, "call_a", null, "{}")), List.of()));
        assertThatThrownBy(answer::toolCalls)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the stream never gave the name of tool call 0");
    }

    @Test
    void responseFormatsAndEfforts() {
        ResponseFormat schema = ResponseFormat.jsonSchema("weather", "{\"type\":\"object\"}", true);
        assertThat(schema.type()).isEqualTo(ResponseFormat.Type.JSON_SCHEMA);
        assertThat(schema.schema()).containsEntry("type", "object");
        assertThat(schema.strict()).isTrue();
        assertThatThrownBy(() -> ResponseFormat.jsonSchema("bad name", Map.of("type", "object")))
                .hasMessageContaining("response schema name 'bad name'");
        assertThatThrownBy(() -> new ResponseFormat(ResponseFormat.Type.TEXT, "x", null, null))
                .hasMessageContaining("only a JSON_SCHEMA format has a name");
        assertThat(ReasoningEffort.XHIGH.wireName()).isEqualTo("xhigh");
        assertThatThrownBy(() -> request().thinkingBudget(-2).build()).hasMessageContaining("thinkingBudget must be");
        assertThat(new ToolCall("id", "n", null).arguments()).isEqualTo("{}");
    }

    private static ChatRequest.Builder request() {
        return ChatRequest.builder("gpt-4o-mini").user("What is the weather in Paris?");
    }

    private static StreamChunk chunk(
            String text, String reasoning, List<ToolCallDelta> calls, List<ContentPart> blocks) {
        return new StreamChunk(text, null, null, reasoning, calls, blocks);
    }

    private static ChatResponse response(String text, List<ToolCall> calls, List<ContentPart> reasoning) {
        return new ChatResponse(
                text,
                "anthropic",
                null,
                "m",
                "k",
                "sk-…",
                FinishReason.TOOL_CALLS,
                Usage.NONE,
                java.time.Duration.ZERO,
                1,
                0,
                false,
                null,
                calls,
                reasoning);
    }
}

package dev.llmrotate.internal.provider.google;

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
import dev.llmrotate.testkit.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Function calling, thinking and structured output on both Gemini providers (AI Studio with an API key, Vertex with
 * a service account's token), plain and streamed, request bodies checked field by field against Google's reference:
 *
 * <ul>
 *   <li>function calling (https://ai.google.dev/gemini-api/docs/function-calling, https://ai.google.dev/api/caching#Tool):
 *       {@code tools[].functionDeclarations[] = {name, description, parametersJsonSchema}} ("describes the parameters
 *       to the function in JSON Schema format ... mutually exclusive with parameters"); {@code
 *       toolConfig.functionCallingConfig} {@code {mode: AUTO | ANY | NONE, allowedFunctionNames}} ("should only be
 *       set when the mode is ANY"); the answer's {@code functionCall} parts ({@code id} optional, {@code name},
 *       {@code args}); results as {@code functionResponse} parts ({@code id}, {@code name}, {@code response}: "use
 *       'output' key to specify function output"), all results of parallel calls in one content;
 *   <li>thought signatures (https://ai.google.dev/gemini-api/docs/thought-signatures): "pass back the signature in
 *       the part it came in"; parallel calls: only the first call is signed; for history from another model the
 *       documented {@code skip_thought_signature_validator};
 *   <li>thinking (https://ai.google.dev/gemini-api/docs/thinking): {@code generationConfig.thinkingConfig} {@code
 *       {thinkingBudget}} (0 off, -1 dynamic) or {@code {thinkingLevel}} (Gemini 3), not both; {@code
 *       includeThoughts} returns {@code thought: true} summary parts; {@code usageMetadata.thoughtsTokenCount};
 *   <li>structured output (https://ai.google.dev/gemini-api/docs/structured-output): {@code
 *       generationConfig.responseMimeType: application/json} and {@code responseJsonSchema} ("an alternative to
 *       responseSchema that accepts JSON Schema").
 * </ul>
 */
class GeminiToolsLoopbackTest extends GoogleLoopbackSupport {
    private static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                    + "\"required\":[\"city\"],\"additionalProperties\":false}")
            .build();
    private static final ToolDefinition TIME = ToolDefinition.builder("get_time")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")
            .build();
    private static final String PARIS = "{\"city\":\"Paris\"}";
    private static final String SYNTHESIZED = "call_[A-Za-z0-9_-]{32}";

    private static ChatRequest.Builder question() {
        return ChatRequest.builder(MODEL).user("What is the weather in Paris?");
    }

    /** An engine with one key of the provider: an AI Studio API key, or a Vertex service account. */
    private LlmRotate engineFor(String provider) {
        return provider.equals("google_vertex")
                ? engine(config(vertex("vx-1", account("agent")).build()).build())
                : engine(config(studio("a", 1)).build());
    }

    private JsonNode body(int i) {
        return gemini.requests().get(i).json();
    }

    private void assertPath(String provider) {
        RecordedRequest request = gemini.requests().get(0);
        assertThat(request.attribute("api")).isEqualTo(provider.equals("google_vertex") ? "vertex" : "ai-studio");
    }

    @ParameterizedTest
    @ValueSource(strings = {"google_ai_studio", "google_vertex"})
    void aTwoTurnToolConversation(String provider) {
        // Gemini 2.5 gives no call id: the adapter makes one up.
        gemini.byDefault()
                .next(FakeResponse.ok("I'll check.")
                        .withToolCall("", "get_weather", PARIS)
                        .withFinishReason("tool_calls"))
                .next(FakeResponse.ok("It is 18 C in Paris."));
        LlmRotate lm = engineFor(provider);
        ChatRequest turn1 =
                question().tools(WEATHER, TIME).toolChoice(ToolChoice.AUTO).build();

        ChatResponse first = lm.chat(turn1);

        assertPath(provider);
        assertThat(first.provider()).isEqualTo(provider);
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS); // Gemini says STOP
        assertThat(first.content()).isEqualTo("I'll check.");
        assertThat(first.toolCalls()).hasSize(1);
        ToolCall call = first.toolCalls().get(0);
        assertThat(call.id()).matches(SYNTHESIZED);
        assertThat(call).isEqualTo(new ToolCall(call.id(), "get_weather", PARIS));
        JsonNode body1 = body(0);
        assertThat(body1.get("tools").toString())
                .isEqualTo("[{\"functionDeclarations\":[{\"name\":\"get_weather\","
                        + "\"description\":\"Current weather for a city\",\"parametersJsonSchema\":{\"type\":\"object\","
                        + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
                        + "\"additionalProperties\":false}},{\"name\":\"get_time\",\"parametersJsonSchema\":"
                        + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}]}]");
        assertThat(body1.get("toolConfig").toString()).isEqualTo("{\"functionCallingConfig\":{\"mode\":\"AUTO\"}}");
        assertThat(gemini.requests().get(0).toolNames()).containsExactly("get_weather", "get_time");

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult(call.id(), "18 C, sunny"));
        ChatResponse second = lm.chat(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        assertThat(second.content()).isEqualTo("It is 18 C in Paris.");
        assertThat(second.finishReason()).isEqualTo(FinishReason.STOP);
        JsonNode contents = body(1).get("contents");
        assertThat(contents).hasSize(3);
        // The call goes back with its id; it has no signature (thinking was off), so it gets the documented
        // stand-in, which Gemini 3 needs for a call of the current turn.
        assertThat(contents.get(1).toString())
                .isEqualTo("{\"role\":\"model\",\"parts\":[{\"text\":\"I'll check.\"},{\"functionCall\":{\"id\":\""
                        + call.id() + "\",\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
                        + "\"thoughtSignature\":\"skip_thought_signature_validator\"}]}");
        // The result names the function (Gemini needs the name), its text under "output".
        assertThat(contents.get(2).toString())
                .isEqualTo("{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"id\":\"" + call.id()
                        + "\",\"name\":\"get_weather\",\"response\":{\"output\":\"18 C, sunny\"}}}]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"google_ai_studio", "google_vertex"})
    void aStreamedTurnWithThoughtsAndASignedCallThenItsResult(String provider) {
        gemini.byDefault()
                .next(FakeResponse.toolCall("fc-1", "get_weather", PARIS)
                        .withReasoning("The user wants the weather.", "c2lnLXdlYXRoZXI=")
                        .withUsage(50, 120, 0, 30))
                .next(FakeResponse.ok("18 C.").withChunks("18", " C."));
        LlmRotate lm = engineFor(provider);
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
        // A function call arrives whole: one delta with the id, the name, all the arguments and the signature.
        assertThat(deltas).containsExactly(new ToolCallDelta(0, "fc-1", "get_weather", PARIS, "c2lnLXdlYXRoZXI="));
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.content()).isEmpty();
        assertThat(first.toolCalls()).containsExactly(new ToolCall("fc-1", "get_weather", PARIS, "c2lnLXdlYXRoZXI="));
        assertThat(first.reasoning())
                .containsExactly(new ContentPart.Reasoning("The user wants the weather.", null, provider));
        assertThat(first.usage().reasoningTokens()).isEqualTo(30);
        assertThat(first.usage().outputTokens()).isEqualTo(120);
        JsonNode body1 = body(0);
        assertThat(gemini.requests().get(0).attribute("alt")).isEqualTo("sse");
        assertThat(body1.at("/generationConfig/thinkingConfig").toString())
                .isEqualTo("{\"thinkingBudget\":2048,\"includeThoughts\":true}");

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult("fc-1", "18 C"));
        try (ChatStream stream = lm.chatStream(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER)
                .thinkingBudget(2048)
                .build())) {
            assertThat(stream.collect().content()).isEqualTo("18 C.");
        }
        // The signature goes back on the call it came with; the unsigned thought summary is not sent.
        JsonNode contents = body(1).get("contents");
        assertThat(contents.get(1).toString())
                .isEqualTo("{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"id\":\"fc-1\",\"name\":\"get_weather\","
                        + "\"args\":{\"city\":\"Paris\"}},\"thoughtSignature\":\"c2lnLXdlYXRoZXI=\"}]}");
        assertThat(contents.get(2).toString())
                .isEqualTo("{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"id\":\"fc-1\",\"name\":"
                        + "\"get_weather\",\"response\":{\"output\":\"18 C\"}}}]}");
    }

    @Test
    void aStreamedCallWithoutAnIdGetsTheIdTheSameAnswerGetsPlain() {
        // The same response id, position, name and arguments give the same id, streamed or not.
        String response = "{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"functionCall\":"
                + "{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}}]},\"finishReason\":\"STOP\",\"index\":0}],"
                + "\"responseId\":\"r-42\",\"modelVersion\":\"" + MODEL + "\"}";
        gemini.byDefault()
                .next(FakeResponse.raw(200, response))
                .next(FakeResponse.raw(200, "data: " + response + "\r\n\r\n")
                        .header("content-type", "text/event-stream"));
        LlmRotate lm = engineFor("google_ai_studio");
        ChatResponse plain = lm.chat(question().tools(WEATHER).build());
        ChatResponse streamed;
        try (ChatStream stream = lm.chatStream(question().tools(WEATHER).build())) {
            streamed = stream.collect();
        }
        assertThat(plain.toolCalls().get(0).id()).matches(SYNTHESIZED);
        assertThat(streamed.toolCalls()).isEqualTo(plain.toolCalls());
        assertThat(streamed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"google_ai_studio", "google_vertex"})
    void parallelCallsAndTheirResultsInOneContent(String provider) {
        gemini.byDefault()
                .next(FakeResponse.toolCall("fc-a", "get_weather", PARIS)
                        .withToolCall("fc-b", "get_time", PARIS)
                        .withReasoning("Both at once.", "c2lnLXBhcmFsbGVs"))
                .next(FakeResponse.ok("18 C at 14:00."));
        LlmRotate lm = engineFor(provider);
        ChatRequest turn1 =
                question().tools(WEATHER, TIME).parallelToolCalls(true).build();
        ChatResponse first = lm.chat(turn1);
        assertThat(first.toolCalls())
                .containsExactly(
                        new ToolCall("fc-a", "get_weather", PARIS, "c2lnLXBhcmFsbGVs"),
                        new ToolCall("fc-b", "get_time", PARIS));
        // parallelToolCalls true is what Gemini does anyway: nothing is sent for it.
        assertThat(body(0).has("toolConfig")).isFalse();

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult("fc-a", "18 C"));
        conversation.add(ChatMessage.toolResult("fc-b", "14:00"));
        conversation.add(ChatMessage.user("Be brief."));
        lm.chat(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        JsonNode contents = body(1).get("contents");
        assertThat(contents).hasSize(4);
        // Only the first call was signed, and only it carries the signature back.
        assertThat(contents.at("/1/parts/0/thoughtSignature").asText()).isEqualTo("c2lnLXBhcmFsbGVs");
        assertThat(contents.at("/1/parts/1/functionCall/id").asText()).isEqualTo("fc-b");
        assertThat(contents.at("/1/parts/1").has("thoughtSignature")).isFalse();
        assertThat(contents.at("/2/role").asText()).isEqualTo("user");
        assertThat(contents.at("/2/parts")).hasSize(2);
        assertThat(contents.at("/2/parts/0/functionResponse/name").asText()).isEqualTo("get_weather");
        assertThat(contents.at("/2/parts/1/functionResponse/name").asText()).isEqualTo("get_time");
        assertThat(contents.at("/2/parts/1/functionResponse/id").asText()).isEqualTo("fc-b");
        assertThat(contents.at("/3/parts/0/text").asText()).isEqualTo("Be brief.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"google_ai_studio", "google_vertex"})
    void forcedToolChoices(String provider) {
        LlmRotate lm = engineFor(provider);
        lm.chat(question()
                .tools(WEATHER, TIME)
                .toolChoice(ToolChoice.tool("get_time"))
                .build());
        lm.chat(question().tools(WEATHER).toolChoice(ToolChoice.REQUIRED).build());
        lm.chat(question().tools(WEATHER).toolChoice(ToolChoice.NONE).build());
        assertThat(body(0).get("toolConfig").toString())
                .isEqualTo("{\"functionCallingConfig\":{\"mode\":\"ANY\",\"allowedFunctionNames\":[\"get_time\"]}}");
        assertThat(body(1).get("toolConfig").toString()).isEqualTo("{\"functionCallingConfig\":{\"mode\":\"ANY\"}}");
        assertThat(body(2).get("toolConfig").toString()).isEqualTo("{\"functionCallingConfig\":{\"mode\":\"NONE\"}}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"google_ai_studio", "google_vertex"})
    void responseFormatsAndAThinkingLevel(String provider) {
        gemini.byDefault().always(FakeResponse.ok("{\"city\":\"Paris\"}"));
        LlmRotate lm = engineFor(provider);
        ChatResponse response = lm.chat(question()
                .responseFormat(ResponseFormat.jsonSchema(
                        "weather",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                                + "\"required\":[\"city\"],\"additionalProperties\":false}",
                        true))
                .reasoningEffort(ReasoningEffort.HIGH)
                .maxTokens(500)
                .build());
        lm.chat(question().responseFormat(ResponseFormat.JSON_OBJECT).build());
        lm.chat(question().responseFormat(ResponseFormat.TEXT).build());
        lm.chat(question().reasoningEffort(ReasoningEffort.MINIMAL).build());

        assertThat(response.content()).isEqualTo("{\"city\":\"Paris\"}");
        // The schema's name has no place in Gemini; the answer always follows the schema.
        assertThat(body(0).get("generationConfig").toString())
                .isEqualTo("{\"maxOutputTokens\":500,\"responseMimeType\":\"application/json\",\"responseJsonSchema\":"
                        + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                        + "\"required\":[\"city\"],\"additionalProperties\":false},"
                        + "\"thinkingConfig\":{\"thinkingLevel\":\"HIGH\",\"includeThoughts\":true}}");
        assertThat(body(1).get("generationConfig").toString()).isEqualTo("{\"responseMimeType\":\"application/json\"}");
        assertThat(body(2).get("generationConfig").toString()).isEqualTo("{\"responseMimeType\":\"text/plain\"}");
        assertThat(body(3).at("/generationConfig/thinkingConfig/thinkingLevel").asText())
                .isEqualTo("MINIMAL");
    }

    @Test
    void thinkingOffAndDynamic() {
        LlmRotate lm = engineFor("google_ai_studio");
        lm.chat(question().thinkingBudget(0).build());
        lm.chat(question().thinkingBudget(-1).build());
        assertThat(body(0).get("generationConfig").toString())
                .isEqualTo("{\"thinkingConfig\":{\"thinkingBudget\":0}}"); // no thoughts to include
        assertThat(body(1).get("generationConfig").toString())
                .isEqualTo("{\"thinkingConfig\":{\"thinkingBudget\":-1,\"includeThoughts\":true}}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"google_ai_studio", "google_vertex"})
    void thoughtsAndTheSignatureOfAPlainAnswerGoBackOnTheNextTurn(String provider) {
        gemini.byDefault()
                .always(FakeResponse.ok("42")
                        .withReasoning("Six times seven.", "c2lnLTQy")
                        .withUsage(10, 40, 0, 25));
        LlmRotate lm = engineFor(provider);
        ChatRequest turn1 = question().reasoningEffort(ReasoningEffort.LOW).build();
        ChatResponse response = lm.chat(turn1);

        assertThat(response.content()).isEqualTo("42");
        assertThat(response.reasoningText()).isEqualTo("Six times seven.");
        assertThat(response.usage().reasoningTokens()).isEqualTo(25);
        // Gemini signs the text part: the signature is kept as reasoning without text.
        assertThat(response.message().content())
                .containsExactly(
                        new ContentPart.Reasoning("Six times seven.", null, provider),
                        new ContentPart.Reasoning("", "c2lnLTQy", provider),
                        new ContentPart.Text("42"));

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(response.message());
        conversation.add(ChatMessage.user("And times two?"));
        lm.chat(ChatRequest.builder(MODEL).messages(conversation).build());
        assertThat(body(1).at("/contents/1").toString())
                .isEqualTo("{\"role\":\"model\",\"parts\":[{\"text\":\"\",\"thoughtSignature\":\"c2lnLTQy\"},"
                        + "{\"text\":\"42\"}]}");
    }

    @Test
    void theSameAnswerStreamedKeepsTheSameReasoningParts() {
        gemini.byDefault().always(FakeResponse.ok("42").withReasoning("Six times seven.", "c2lnLTQy"));
        try (ChatStream stream = engineFor("google_ai_studio")
                .chatStream(question().thinkingBudget(512).build())) {
            ChatResponse collected = stream.collect();
            assertThat(collected.content()).isEqualTo("42");
            assertThat(collected.reasoning())
                    .containsExactly(
                            new ContentPart.Reasoning("Six times seven.", null, "google_ai_studio"),
                            new ContentPart.Reasoning("", "c2lnLTQy", "google_ai_studio"));
        }
    }

    @Test
    void otherProvidersIdsAreTranslatedTheirReasoningLeftOutAndTheirCallsGetTheStandInSignature() {
        String foreignId = "functions.get_weather:0";
        ChatMessage assistant = new ChatMessage(
                "assistant",
                List.of(
                        new ContentPart.Reasoning("unsigned", null, "openrouter"),
                        new ContentPart.Reasoning("claude thinking", "RXFRQkNn", "anthropic")),
                List.of(new ToolCall(foreignId, "get_weather", PARIS)),
                null);
        engineFor("google_vertex")
                .chat(question()
                        .message(assistant)
                        .message(ChatMessage.toolResult(foreignId, "18 C"))
                        .tools(WEATHER)
                        .build());
        String portable = ToolCallIds.portable(foreignId);
        JsonNode contents = body(0).get("contents");
        assertThat(contents.get(1).toString())
                .isEqualTo("{\"role\":\"model\",\"parts\":[{\"functionCall\":{\"id\":\"" + portable
                        + "\",\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
                        + "\"thoughtSignature\":\"skip_thought_signature_validator\"}]}");
        assertThat(contents.at("/2/parts/0/functionResponse/id").asText()).isEqualTo(portable);
    }

    @Test
    void failFastRowsSendNothing() {
        LlmRotate lm = engineFor("google_ai_studio");
        ToolDefinition strict =
                ToolDefinition.builder("get_weather").strict(true).build();
        ToolCall call = new ToolCall("fc-x", "get_weather", PARIS);
        assertInvalid(
                lm,
                question().tools(strict).build(),
                "strict tool schemas (tool get_weather) are not supported by google_ai_studio");
        assertInvalid(
                lm,
                question().tools(WEATHER).parallelToolCalls(false).build(),
                "parallelToolCalls false is not supported by google_ai_studio");
        for (ReasoningEffort effort : List.of(ReasoningEffort.NONE, ReasoningEffort.XHIGH, ReasoningEffort.MAX)) {
            assertInvalid(
                    lm,
                    question().reasoningEffort(effort).build(),
                    "reasoningEffort " + effort + " is not supported by google_ai_studio");
        }
        assertInvalid(
                lm,
                question()
                        .reasoningEffort(ReasoningEffort.LOW)
                        .thinkingBudget(1024)
                        .build(),
                "google_ai_studio takes a reasoningEffort (thinkingLevel) or a thinkingBudget, not both");
        assertInvalid(
                lm,
                question()
                        .message(ChatMessage.assistant(null, List.of(call)))
                        .message(ChatMessage.toolResult("fc-x", ContentPart.image(new byte[] {1}, "image/png")))
                        .tools(WEATHER)
                        .build(),
                "google_ai_studio takes only text in a tool result, not ImageBytes parts");
        assertInvalid(
                lm,
                question()
                        .message(ChatMessage.assistant(null, List.of(new ToolCall("fc-y", "get_weather", "[1]"))))
                        .message(ChatMessage.toolResult("fc-y", "18 C"))
                        .tools(WEATHER)
                        .build(),
                "tool call fc-y (get_weather) has arguments that are not a JSON object");
        // A first-class field and the same field inside an extra generationConfig collide.
        assertInvalid(
                lm,
                question()
                        .responseFormat(ResponseFormat.JSON_OBJECT)
                        .extra("generationConfig", Map.of("responseSchema", Map.of("type", "OBJECT")))
                        .build(),
                "responseFormat and extra 'generationConfig.responseSchema' both set the same request field");
        assertInvalid(
                lm,
                question()
                        .thinkingBudget(1024)
                        .extra("generationConfig", Map.of("thinkingConfig", Map.of("thinkingBudget", 0)))
                        .build(),
                "thinkingBudget and extra 'generationConfig.thinkingConfig' both set the same request field");
        assertInvalid(
                lm,
                question()
                        .reasoningEffort(ReasoningEffort.HIGH)
                        .extra("thinking_budget", 1024)
                        .build(),
                "reasoningEffort and extra 'thinking_budget' both set the same request field");
        assertThat(gemini.requestCount()).isZero();
        // Collisions every provider shares are refused when the request is built.
        assertThatThrownBy(() ->
                        question().tools(WEATHER).extra("toolConfig", Map.of()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tools and extra 'toolConfig' both set the same request field");
        assertThatThrownBy(() ->
                        question().thinkingBudget(0).extra("thinking_budget", 0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thinkingBudget and extra 'thinking_budget'");
        assertThatThrownBy(() -> question()
                        .responseFormat(ResponseFormat.JSON_OBJECT)
                        .extra("response_mime_type", "application/json")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("responseFormat and extra 'response_mime_type'");
    }

    private static void assertInvalid(LlmRotate lm, ChatRequest request, String message) {
        assertThatThrownBy(() -> lm.chat(request)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(e.getMessage()).contains(message);
        });
    }
}

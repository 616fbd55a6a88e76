package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scripted tool calls and reasoning in the OpenAI, Anthropic and Gemini wire formats, plain and streamed, over loopback; and
 * the tool definitions the fakes record.
 */
class ToolCallFakesTest {
    private static final FakeResponse CALLS = FakeResponse.toolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")
            .withToolCallChunks("call_2", "get_time", "{\"city\":", "\"Rome\"}");

    private final TestClient client = new TestClient();

    @Test
    void openAiRendersToolCallsAndReasoning() {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            server.byDefault().always(CALLS.withReasoning("Two lookups.", "sig"));
            JsonNode reply = TestClient.json(client.chat(server, "sk-a", "gpt-4o-mini"));

            JsonNode message = reply.at("/choices/0/message");
            assertThat(message.get("content").isNull()).isTrue();
            assertThat(message.get("reasoning").asText()).isEqualTo("Two lookups.");
            assertThat(message.get("tool_calls").toString())
                    .isEqualTo("[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                            + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},{\"id\":\"call_2\",\"type\":\"function\","
                            + "\"function\":{\"name\":\"get_time\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]");
            assertThat(reply.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        }
    }

    @Test
    void openAiStreamsToolCallsAsDeltasByIndexAfterTheText() {
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            server.byDefault()
                    .always(FakeResponse.ok("Checking.")
                            .withReasoning("Two lookups.", "sig")
                            .withToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")
                            .withFinishReason("tool_calls"));
            List<JsonNode> chunks = dataEvents(client.send(
                    TestClient.post(server.chatCompletionsUrl(), "sk-a", TestClient.streamBody("gpt-4o-mini", false))
                            .build()));

            List<String> shapes = new ArrayList<>();
            for (JsonNode chunk : chunks) {
                JsonNode delta = chunk.at("/choices/0/delta");
                shapes.add(delta.toString() + " " + chunk.at("/choices/0/finish_reason"));
            }
            assertThat(shapes)
                    .containsExactly(
                            "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null} null",
                            "{\"reasoning\":\"Two\"} null",
                            "{\"reasoning\":\" lookups.\"} null",
                            "{\"content\":\"Checking.\"} null",
                            "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":"
                                    + "{\"name\":\"get_weather\",\"arguments\":\"\"}}]} null",
                            "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]} null",
                            "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]} null",
                            "{} \"tool_calls\"");
        }
    }

    @Test
    void anthropicRendersThinkingTextAndToolUseBlocks() {
        try (FakeAnthropicServer server = FakeAnthropicServer.start()) {
            server.byDefault()
                    .always(FakeResponse.ok("Checking.")
                            .withReasoning("Two lookups.", "sig-1")
                            .withRedactedReasoning("opaque")
                            .withToolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}")
                            .withFinishReason("tool_calls"));
            JsonNode reply = TestClient.json(client.send(anthropic(server, false)));

            assertThat(reply.get("content").toString())
                    .isEqualTo("[{\"type\":\"thinking\",\"thinking\":\"Two lookups.\",\"signature\":\"sig-1\"},"
                            + "{\"type\":\"redacted_thinking\",\"data\":\"opaque\"},"
                            + "{\"type\":\"text\",\"text\":\"Checking.\"},"
                            + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\","
                            + "\"input\":{\"city\":\"Paris\"}}]");
            assertThat(reply.get("stop_reason").asText()).isEqualTo("tool_use");
        }
    }

    @Test
    void anthropicStreamsBlocksInOrderWithInputJsonDeltas() {
        try (FakeAnthropicServer server = FakeAnthropicServer.start()) {
            server.byDefault().always(CALLS.withReasoning("Hmm.", "sig-1"));
            List<JsonNode> events = dataEvents(client.send(anthropic(server, true)));

            List<String> shapes = new ArrayList<>();
            for (JsonNode event : events) {
                String type = event.get("type").asText();
                switch (type) {
                    case "content_block_start" ->
                        shapes.add("start " + event.get("index") + " " + event.get("content_block"));
                    case "content_block_delta" -> shapes.add("delta " + event.get("index") + " " + event.get("delta"));
                    case "content_block_stop" -> shapes.add("stop " + event.get("index"));
                    case "message_delta" -> shapes.add("stop_reason " + event.at("/delta/stop_reason"));
                    default -> shapes.add(type);
                }
            }
            assertThat(shapes)
                    .containsExactly(
                            "message_start",
                            "start 0 {\"type\":\"thinking\",\"thinking\":\"\"}",
                            "delta 0 {\"type\":\"thinking_delta\",\"thinking\":\"Hmm.\"}",
                            "delta 0 {\"type\":\"signature_delta\",\"signature\":\"sig-1\"}",
                            "stop 0",
                            "ping",
                            "start 1 {\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{}}",
                            "delta 1 {\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}",
                            "delta 1 {\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Paris\\\"}\"}",
                            "stop 1",
                            "start 2 {\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"get_time\",\"input\":{}}",
                            "delta 2 {\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}",
                            "delta 2 {\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Rome\\\"}\"}",
                            "stop 2",
                            "stop_reason \"tool_use\"",
                            "message_stop");
        }
    }

    @Test
    void argumentsAreStreamedInShortDeltasByDefault() {
        assertThat(FakeResponse.splitArguments("{\"city\":\"Paris\",\"unit\":\"c\"}"))
                .containsExactly("{\"city\":", "\"Paris\",", "\"unit\":\"", "c\"}");
        assertThat(FakeResponse.splitArguments("")).isEmpty();
        assertThat(String.join("", FakeResponse.splitArguments("{\"x\":\"\uD83D\uDE00\uD83D\uDE00\"}")))
                .isEqualTo("{\"x\":\"\uD83D\uDE00\uD83D\uDE00\"}");
    }

    @Test
    void requestsRecordTheToolDefinitionsInEveryFormat() {
        String openAi = "{\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\",\"description\":\"A\","
                + "\"parameters\":{\"type\":\"object\"},\"strict\":true}}]}";
        String anthropic = "{\"tools\":[{\"name\":\"b\",\"input_schema\":{\"type\":\"object\"}}]}";
        String gemini = "{\"tools\":[{\"functionDeclarations\":[{\"name\":\"c\",\"parameters\":{\"type\":"
                + "\"OBJECT\"}},{\"name\":\"d\",\"parametersJsonSchema\":{\"type\":\"object\"}}]}]}";
        String bedrock = "{\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"e\",\"description\":\"E\","
                + "\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}]}}";

        assertThat(recorded(openAi).tools())
                .containsExactly(new RecordedTool("a", "A", TestClient.json("{\"type\":\"object\"}"), true));
        assertThat(recorded(anthropic).tools())
                .containsExactly(new RecordedTool("b", null, TestClient.json("{\"type\":\"object\"}"), null));
        assertThat(recorded(gemini).toolNames()).containsExactly("c", "d");
        assertThat(recorded(gemini).tools().get(0).parameters().get("type").asText())
                .isEqualTo("OBJECT");
        assertThat(recorded(bedrock).tools())
                .containsExactly(new RecordedTool("e", "E", TestClient.json("{\"type\":\"object\"}"), null));
        assertThat(recorded("{}").tools()).isEmpty();
        assertThat(recorded("not json").tools()).isEmpty();
    }

    @Test
    void geminiRendersThoughtsTextAndFunctionCallsTheFirstSigned() {
        try (FakeGeminiServer server = FakeGeminiServer.start()) {
            server.byDefault()
                    .always(FakeResponse.ok("Checking.")
                            .withReasoning("Two lookups.", "c2lnLTE=")
                            .withToolCall("", "get_weather", "{\"city\":\"Paris\"}")
                            .withToolCall("fc-2", "get_time", "{\"city\":\"Rome\"}")
                            .withFinishReason("tool_calls"));
            JsonNode reply = TestClient.json(client.send(gemini(server, false)));

            assertThat(reply.at("/candidates/0/content/parts").toString())
                    .isEqualTo(
                            "[{\"text\":\"Two lookups.\",\"thought\":true},{\"text\":\"Checking.\"},"
                                    + "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},"
                                    + "\"thoughtSignature\":\"c2lnLTE=\"},"
                                    + "{\"functionCall\":{\"id\":\"fc-2\",\"name\":\"get_time\",\"args\":{\"city\":\"Rome\"}}}]");
            assertThat(reply.at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
        }
    }

    @Test
    void geminiStreamsThoughtsTextThenTheCallsWholeInOneEvent() {
        try (FakeGeminiServer server = FakeGeminiServer.start()) {
            server.byDefault().always(CALLS.withReasoning("Two lookups.", "c2ln"));
            List<JsonNode> events = dataEvents(client.send(gemini(server, true)));

            List<String> parts = new ArrayList<>();
            for (JsonNode event : events) {
                parts.add(event.at("/candidates/0/content/parts").toString() + " "
                        + event.at("/candidates/0/finishReason").asText("-"));
            }
            assertThat(parts)
                    .containsExactly(
                            "[{\"text\":\"Two lookups.\",\"thought\":true}] -",
                            "[{\"functionCall\":{\"id\":\"call_1\",\"name\":\"get_weather\","
                                    + "\"args\":{\"city\":\"Paris\"}},\"thoughtSignature\":\"c2ln\"},"
                                    + "{\"functionCall\":{\"id\":\"call_2\",\"name\":\"get_time\","
                                    + "\"args\":{\"city\":\"Rome\"}}}] -",
                            "[{\"text\":\"\"}] STOP");
        }
        try (FakeGeminiServer server = FakeGeminiServer.start()) {
            // An answer without calls: Gemini signs its last part, the empty one that ends the stream.
            server.byDefault().always(FakeResponse.ok("42").withReasoning("Six times seven.", "c2ln"));
            List<JsonNode> events = dataEvents(client.send(gemini(server, true)));
            assertThat(events.get(events.size() - 1)
                            .at("/candidates/0/content/parts/0")
                            .toString())
                    .isEqualTo("{\"text\":\"\",\"thoughtSignature\":\"c2ln\"}");
        }
        assertThatThrownBy(() -> FakeResponse.rateLimited(Duration.ZERO).withToolCall("c", "n", "{}"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void geminiHasNoRedactedReasoning() {
        try (FakeGeminiServer server = FakeGeminiServer.start()) {
            server.byDefault().always(FakeResponse.ok("x").withRedactedReasoning("opaque"));
            HttpResponse<String> response = client.send(gemini(server, false));
            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(response.body()).contains("cannot render redacted reasoning");
        }
    }

    private static HttpRequest gemini(FakeGeminiServer server, boolean stream) {
        return HttpRequest.newBuilder(
                        stream
                                ? server.streamGenerateContentUrl("gemini-2.5-flash")
                                : server.generateContentUrl("gemini-2.5-flash"))
                .timeout(Duration.ofSeconds(10))
                .header("x-goog-api-key", "AIza-a")
                .POST(HttpRequest.BodyPublishers.ofString("{\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}]}"))
                .build();
    }

    private static HttpRequest anthropic(FakeAnthropicServer server, boolean stream) {
        return HttpRequest.newBuilder(server.messagesUrl())
                .timeout(Duration.ofSeconds(10))
                .header("x-api-key", "sk-ant-a")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(AnthropicServerTest.body("claude-haiku-4-5", stream)))
                .build();
    }

    /** The JSON data of every SSE event except OpenAI's [DONE]. */
    private static List<JsonNode> dataEvents(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                events.add(TestClient.json(line.substring("data: ".length())));
            }
        }
        return events;
    }

    private static RecordedRequest recorded(String body) {
        return new RecordedRequest("POST", "/", Map.of(), body, null, null, Instant.EPOCH);
    }
}

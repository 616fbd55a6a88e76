package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fake Anthropic Messages server: messages, errors, streams and stream faults over real loopback HTTP. */
class AnthropicServerTest {

    private final FakeAnthropicServer server = FakeAnthropicServer.start();
    private final TestClient client = new TestClient();

    @AfterEach
    void close() {
        server.close();
    }

    static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":256" + (stream ? ",\"stream\":true" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    private HttpRequest.Builder request(String apiKey, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.messagesUrl())
                .timeout(Duration.ofMinutes(5))
                .header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            builder.header("x-api-key", apiKey);
        }
        return builder;
    }

    private HttpResponse<String> send(String apiKey, String model) {
        return client.send(request(apiKey, body(model, false)).build());
    }

    private SseReader stream(String apiKey) throws Exception {
        return SseReader.open(
                client.http(), request(apiKey, body("claude-sonnet-4-5", true)).build());
    }

    @Test
    void baseUrlAndMessagesUrl() {
        assertThat(server.baseUrl().toString()).matches("http://127\\.0\\.0\\.1:\\d+/v1");
        assertThat(server.messagesUrl().toString()).isEqualTo(server.baseUrl() + "/messages");
    }

    @Test
    void successIsAMessageObject() {
        server.forKey("sk-ant-1").always(FakeResponse.ok("Hello there").withUsage(100, 20, 60, 0));

        HttpResponse<String> response = send("sk-ant-1", "claude-sonnet-4-5");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("request-id"))
                .hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        JsonNode body = TestClient.json(response);
        assertThat(names(body))
                .containsExactly("id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage");
        assertThat(body.path("id").asText()).startsWith("msg_");
        assertThat(body.path("type").asText()).isEqualTo("message");
        assertThat(body.path("role").asText()).isEqualTo("assistant");
        assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(body.path("content").size()).isEqualTo(1);
        assertThat(body.path("content").path(0).path("type").asText()).isEqualTo("text");
        assertThat(body.path("content").path(0).path("text").asText()).isEqualTo("Hello there");
        assertThat(body.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(body.path("stop_sequence").isNull()).isTrue();
        JsonNode usage = body.path("usage");
        assertThat(usage.path("input_tokens").asInt()).isEqualTo(40); // 100 prompt tokens, 60 of them cached
        assertThat(usage.path("cache_read_input_tokens").asInt()).isEqualTo(60);
        assertThat(usage.path("cache_creation_input_tokens").asInt(-1)).isZero();
        assertThat(usage.path("output_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void finishReasonsAreMappedToStopReasons() {
        server.forKey("a").always(FakeResponse.ok("x").withFinishReason("length"));
        server.forKey("b").always(FakeResponse.ok("x").withFinishReason("tool_calls"));
        server.forKey("c").always(FakeResponse.ok("x").withFinishReason("stop_sequence"));

        assertThat(TestClient.json(send("a", "m")).path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(TestClient.json(send("b", "m")).path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(TestClient.json(send("c", "m")).path("stop_reason").asText()).isEqualTo("stop_sequence");
    }

    @Test
    void requestsAreRecordedWithKeyModelAndVersion() {
        send("sk-ant-1", "claude-haiku-4-5");

        RecordedRequest request = server.requests().get(0);
        assertThat(request.apiKey()).isEqualTo("sk-ant-1");
        assertThat(request.model()).isEqualTo("claude-haiku-4-5");
        assertThat(request.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(request.attribute("anthropicVersion")).isEqualTo("2023-06-01");
        assertThat(request.stream()).isFalse();
        assertThat(server.requestCount("sk-ant-1")).isEqualTo(1);
    }

    @Test
    void missingAnthropicVersionIsRejectedEvenWhenScripted() {
        server.byDefault().always(FakeResponse.ok("scripted"));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.messagesUrl())
                .header("x-api-key", "sk-ant-1")
                .POST(HttpRequest.BodyPublishers.ofString(body("m", false)))
                .build());

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = TestClient.json(response);
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.path("error").path("message").asText()).contains("anthropic-version");
        assertThat(server.requestCount()).isEqualTo(1);
    }

    @Test
    void unscriptedRequestsWithoutKeyGetAuthenticationError() {
        HttpResponse<String> response = send(null, "m");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(TestClient.json(response).path("error").path("type").asText())
                .isEqualTo("authentication_error");
        assertThat(client.send(request("k", "{\"max_tokens\":1}").build()).statusCode())
                .isEqualTo(400);
        assertThat(TestClient.json(send("k", "m"))
                        .path("content")
                        .path(0)
                        .path("text")
                        .asText())
                .isEqualTo("fake reply");
    }

    @Test
    void otherPathsGetNotFound() {
        HttpResponse<String> response =
                client.send(HttpRequest.newBuilder(server.baseUrl().resolve("/v1/complete"))
                        .header("x-api-key", "k")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(TestClient.json(response).path("error").path("type").asText())
                .isEqualTo("not_found_error");
    }

    static List<Arguments> errors() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(
                "rateLimited",
                (Supplier<FakeResponse>) () -> FakeResponse.rateLimited(Duration.ofMillis(2500)),
                429,
                "rate_limit_error"));
        cases.add(Arguments.of(
                "insufficientQuota", (Supplier<FakeResponse>) FakeResponse::insufficientQuota, 402, "billing_error"));
        cases.add(Arguments.of(
                "invalidApiKey", (Supplier<FakeResponse>) FakeResponse::invalidApiKey, 401, "authentication_error"));
        cases.add(Arguments.of("serverError", (Supplier<FakeResponse>) FakeResponse::serverError, 500, "api_error"));
        cases.add(
                Arguments.of("overloaded", (Supplier<FakeResponse>) FakeResponse::overloaded, 529, "overloaded_error"));
        cases.add(Arguments.of(
                "permission_error",
                (Supplier<FakeResponse>) () -> FakeResponse.error(403, "permission_error", null, "no access"),
                403,
                "permission_error"));
        cases.add(Arguments.of(
                "request_too_large",
                (Supplier<FakeResponse>) () -> FakeResponse.error(413, "request_too_large", null, "too large"),
                413,
                "request_too_large"));
        cases.add(Arguments.of(
                "not_found_error",
                (Supplier<FakeResponse>) () -> FakeResponse.error(404, "not_found_error", null, "model: x"),
                404,
                "not_found_error"));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void errorsHaveAnthropicsShape(String name, Supplier<FakeResponse> factory, int status, String type)
            throws Exception {
        server.forKey("k1").always(factory.get());

        HttpResponse<String> response = send("k1", "m");
        // A streaming request gets the same JSON error: the stream never starts.
        HttpResponse<String> streamed =
                client.send(request("k1", body("m", true)).build());

        for (HttpResponse<String> r : List.of(response, streamed)) {
            assertThat(r.statusCode()).isEqualTo(status);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode body = TestClient.json(r);
            assertThat(names(body)).containsExactly("type", "error", "request_id");
            assertThat(body.path("type").asText()).isEqualTo("error");
            assertThat(names(body.path("error"))).containsExactly("type", "message");
            assertThat(body.path("error").path("type").asText()).isEqualTo(type);
            assertThat(body.path("error").path("message").asText()).isNotBlank();
            assertThat(body.path("request_id").asText()).startsWith("req_");
        }
        if (status == 429) {
            assertThat(response.headers().firstValue("retry-after")).hasValue("3");
        }
    }

    @Test
    void errorCodeBecomesDetailsErrorCode() {
        server.forKey("k1")
                .always(FakeResponse.error(
                        429, "rate_limit_error", "enforced_spend_limit_reached", "You have reached your limits."));

        JsonNode error = TestClient.json(send("k1", "m")).path("error");

        assertThat(error.path("details").path("error_code").asText()).isEqualTo("enforced_spend_limit_reached");
    }

    @Test
    void streamIsNamedEventsFromMessageStartToMessageStop() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("Hello big world").withUsage(30, 12, 10, 0));

        List<SseReader.Event> events;
        try (SseReader stream = stream("k1")) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            assertThat(stream.response().headers().firstValue("content-type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            events = stream.rest();
        }

        assertThat(events)
                .extracting(SseReader.Event::name)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "ping",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        for (SseReader.Event event : events) {
            assertThat(event.json().path("type").asText())
                    .as("data type matches event name")
                    .isEqualTo(event.name());
        }
        JsonNode message = events.get(0).json().path("message");
        assertThat(message.path("id").asText()).startsWith("msg_");
        assertThat(message.path("type").asText()).isEqualTo("message");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(message.path("content").isArray()).isTrue();
        assertThat(message.path("content").size()).isZero();
        assertThat(message.path("stop_reason").isNull()).isTrue();
        assertThat(message.path("usage").path("input_tokens").asInt()).isEqualTo(20);
        assertThat(message.path("usage").path("cache_read_input_tokens").asInt())
                .isEqualTo(10);
        JsonNode blockStart = events.get(1).json();
        assertThat(blockStart.path("index").asInt(-1)).isZero();
        assertThat(blockStart.path("content_block").path("type").asText()).isEqualTo("text");
        assertThat(blockStart.path("content_block").path("text").asText()).isEmpty();
        assertThat(events.subList(3, 6))
                .extracting(e -> e.json().path("delta"))
                .allSatisfy(delta -> assertThat(delta.path("type").asText()).isEqualTo("text_delta"))
                .extracting(delta -> delta.path("text").asText())
                .containsExactly("Hello", " big", " world");
        assertThat(events.get(6).json().path("index").asInt(-1)).isZero();
        JsonNode messageDelta = events.get(7).json();
        assertThat(messageDelta.path("delta").path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(messageDelta.path("delta").path("stop_sequence").isNull()).isTrue();
        assertThat(messageDelta.path("usage").path("output_tokens").asInt()).isEqualTo(12);
        assertThat(server.requests().get(0).stream()).isTrue();
    }

    @Test
    void errorEventAfterChunksSendsAnErrorEventAndEndsTheStream() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two three").errorEventAfterChunks(2, "overloaded_error"));

        List<SseReader.Event> events;
        try (SseReader stream = stream("k1")) {
            events = stream.rest();
        }

        assertThat(events)
                .extracting(SseReader.Event::name)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "ping",
                        "content_block_delta",
                        "content_block_delta",
                        "error");
        JsonNode error = events.get(5).json();
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("error").path("type").asText()).isEqualTo("overloaded_error");
        assertThat(error.path("error").path("message").asText()).isEqualTo("Overloaded");
    }

    @Test
    void missingEndMarkerLeavesOutMessageStopOnly() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one").missingEndMarker());

        List<SseReader.Event> events;
        try (SseReader stream = stream("k1")) {
            events = stream.rest();
        }

        assertThat(events)
                .extracting(SseReader.Event::name)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "ping",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta");
    }

    @Test
    void cutAfterChunksAbortsWithoutMessageStop() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two three").cutAfterChunks(1));

        List<SseReader.Event> events = new ArrayList<>();
        IOException failure;
        try (SseReader stream = stream("k1")) {
            failure = stream.drainInto(events);
        }

        assertThat(failure).isNotNull();
        assertThat(events)
                .extracting(SseReader.Event::name)
                .containsExactly("message_start", "content_block_start", "ping", "content_block_delta");
    }

    @Test
    void malformedEventKeepsItsEventNameAndTheStreamCarriesOn() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").malformedEventAfterChunks(1));

        List<SseReader.Event> events;
        try (SseReader stream = stream("k1")) {
            events = stream.rest();
        }

        assertThat(events).hasSize(9); // 3 opening, "one", malformed, " two", 3 closing
        assertThat(events.get(4).name()).isEqualTo("content_block_delta");
        assertThat(events.get(4).isJson()).isFalse();
        assertThat(events.get(5).json().path("delta").path("text").asText()).isEqualTo(" two");
        assertThat(events.get(8).name()).isEqualTo("message_stop");
    }

    @Test
    void stallAfterChunksHoldsTheStreamUntilClose() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").stallAfterChunks(1));

        try (SseReader stream = stream("k1")) {
            for (int i = 0; i < 4; i++) {
                stream.next();
            }
            CompletableFuture<SseReader.Event> next = OpenAiStreamingTest.nextAsync(stream);
            assertThat(next).isNotDone();

            server.close();

            assertThat(next)
                    .failsWithin(OpenAiStreamingTest.PROMPT)
                    .withThrowableOfType(ExecutionException.class)
                    .withRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void keepAlivesAreAnthropicPingsAfterTheChunks() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").keepAlivesAfterChunks(1, Duration.ofMillis(20)));

        try (SseReader stream = stream("k1")) {
            for (int i = 0; i < 3; i++) {
                stream.next(); // message_start, content_block_start, ping
            }
            assertThat(stream.next().json().at("/delta/text").asText()).isEqualTo("one");
            for (int i = 0; i < 3; i++) {
                SseReader.Event ping = stream.next();
                assertThat(ping.name()).isEqualTo("ping");
                assertThat(ping.data()).isEqualTo("{\"type\":\"ping\"}");
            }
        }
    }

    static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

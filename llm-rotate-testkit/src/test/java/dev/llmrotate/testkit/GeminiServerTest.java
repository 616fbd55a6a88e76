package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.AnthropicServerTest.names;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The fake Gemini server on AI Studio paths: responses, Google errors, streams and stream faults. */
class GeminiServerTest {

    static final String BODY = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}";

    private final FakeGeminiServer server = FakeGeminiServer.start();
    private final TestClient client = new TestClient();

    @AfterEach
    void close() {
        server.close();
    }

    static HttpRequest.Builder post(URI uri, String apiKey, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(5))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            builder.header("x-goog-api-key", apiKey);
        }
        return builder;
    }

    private HttpResponse<String> generate(String apiKey, String model) {
        return client.send(post(server.generateContentUrl(model), apiKey, BODY).build());
    }

    private SseReader stream(String apiKey, String model) throws Exception {
        return SseReader.open(
                client.http(),
                post(server.streamGenerateContentUrl(model), apiKey, BODY).build());
    }

    @Test
    void urls() {
        String base = server.baseUrl().toString();
        assertThat(base).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(server.generateContentUrl("gemini-2.5-flash").toString())
                .isEqualTo(base + "/v1beta/models/gemini-2.5-flash:generateContent");
        assertThat(server.streamGenerateContentUrl("gemini-2.5-flash").toString())
                .isEqualTo(base + "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
        assertThat(server.vertexGenerateContentUrl("proj", "us-central1", "gemini-2.5-pro")
                        .toString())
                .isEqualTo(base
                        + "/v1/projects/proj/locations/us-central1/publishers/google/models/gemini-2.5-pro"
                        + ":generateContent");
        assertThat(server.tokenUrl().toString()).isEqualTo(base + "/token");
    }

    @Test
    void successIsAGenerateContentResponse() {
        server.forKey("AIza-1").always(FakeResponse.ok("Hello there").withUsage(100, 50, 40, 20));

        HttpResponse<String> response = generate("AIza-1", "gemini-2.5-flash");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = TestClient.json(response);
        assertThat(names(body)).containsExactly("candidates", "usageMetadata", "modelVersion", "responseId");
        JsonNode candidate = body.path("candidates").path(0);
        assertThat(body.path("candidates").size()).isEqualTo(1);
        assertThat(candidate.path("content").path("role").asText()).isEqualTo("model");
        assertThat(candidate.path("content").path("parts").size()).isEqualTo(1);
        assertThat(candidate.path("content").path("parts").path(0).path("text").asText())
                .isEqualTo("Hello there");
        assertThat(candidate.path("finishReason").asText()).isEqualTo("STOP");
        assertThat(candidate.path("index").asInt(-1)).isZero();
        JsonNode usage = body.path("usageMetadata");
        assertThat(usage.path("promptTokenCount").asInt()).isEqualTo(100);
        assertThat(usage.path("candidatesTokenCount").asInt()).isEqualTo(30); // 50 minus 20 thinking tokens
        assertThat(usage.path("thoughtsTokenCount").asInt()).isEqualTo(20);
        assertThat(usage.path("totalTokenCount").asInt()).isEqualTo(150);
        assertThat(usage.path("cachedContentTokenCount").asInt()).isEqualTo(40);
        assertThat(body.path("modelVersion").asText()).isEqualTo("gemini-2.5-flash");
        assertThat(body.path("responseId").asText()).isNotBlank();
    }

    @Test
    void finishReasonsAreMapped() {
        server.forKey("a").always(FakeResponse.ok("x").withFinishReason("length"));
        server.forKey("b").always(FakeResponse.ok("x").withFinishReason("RECITATION"));

        assertThat(TestClient.json(generate("a", "m"))
                        .path("candidates")
                        .path(0)
                        .path("finishReason")
                        .asText())
                .isEqualTo("MAX_TOKENS");
        assertThat(TestClient.json(generate("b", "m"))
                        .path("candidates")
                        .path(0)
                        .path("finishReason")
                        .asText())
                .isEqualTo("RECITATION");
    }

    @Test
    void keyComesFromTheHeaderOrTheKeyParameterAndTheModelFromThePath() {
        generate("AIza-header", "gemini-2.5-pro");
        client.send(post(URI.create(server.generateContentUrl("gemini-2.0-flash") + "?key=AIza-query"), null, BODY)
                .build());
        client.send(post(URI.create(server.baseUrl() + "/v1/models/gemini-1.5-pro:generateContent"), "AIza-v1", BODY)
                .build());

        List<RecordedRequest> requests = server.requests();
        assertThat(requests)
                .extracting(RecordedRequest::apiKey)
                .containsExactly("AIza-header", "AIza-query", "AIza-v1");
        assertThat(requests)
                .extracting(RecordedRequest::model)
                .containsExactly("gemini-2.5-pro", "gemini-2.0-flash", "gemini-1.5-pro");
        RecordedRequest first = requests.get(0);
        assertThat(first.attribute("api")).isEqualTo("ai-studio");
        assertThat(first.attribute("version")).isEqualTo("v1beta");
        assertThat(first.attribute("method")).isEqualTo("generateContent");
        assertThat(first.stream()).isFalse();
        assertThat(requests.get(1).queryParameter("key")).isEqualTo("AIza-query");
        assertThat(requests.get(2).attribute("version")).isEqualTo("v1");
    }

    @Test
    void unscriptedAnswers() {
        HttpResponse<String> noKey = generate(null, "m");
        HttpResponse<String> badJson = client.send(
                post(server.generateContentUrl("m"), "k", "not json").build());
        HttpResponse<String> otherPath = client.send(
                post(URI.create(server.baseUrl() + "/v1beta/models"), "k", BODY).build());

        assertThat(noKey.statusCode()).isEqualTo(403);
        assertThat(TestClient.json(noKey).path("error").path("status").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(TestClient.json(badJson).path("error").path("status").asText())
                .isEqualTo("INVALID_ARGUMENT");
        assertThat(otherPath.statusCode()).isEqualTo(404);
        assertThat(TestClient.json(otherPath).path("error").path("status").asText())
                .isEqualTo("NOT_FOUND");
        assertThat(TestClient.json(generate("k", "m"))
                        .path("candidates")
                        .path(0)
                        .path("content")
                        .path("parts")
                        .path(0)
                        .path("text")
                        .asText())
                .isEqualTo("fake reply");
    }

    static List<Arguments> errors() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(
                "rateLimited",
                (Supplier<FakeResponse>) () -> FakeResponse.rateLimited(Duration.ofSeconds(34)),
                429,
                "RESOURCE_EXHAUSTED"));
        cases.add(Arguments.of(
                "insufficientQuota",
                (Supplier<FakeResponse>) FakeResponse::insufficientQuota,
                429,
                "RESOURCE_EXHAUSTED"));
        cases.add(Arguments.of(
                "invalidApiKey", (Supplier<FakeResponse>) FakeResponse::invalidApiKey, 400, "INVALID_ARGUMENT"));
        cases.add(Arguments.of("serverError", (Supplier<FakeResponse>) FakeResponse::serverError, 500, "INTERNAL"));
        cases.add(Arguments.of("overloaded", (Supplier<FakeResponse>) FakeResponse::overloaded, 503, "UNAVAILABLE"));
        cases.add(Arguments.of(
                "permissionDenied",
                (Supplier<FakeResponse>) GeminiResponses::permissionDenied,
                403,
                "PERMISSION_DENIED"));
        cases.add(Arguments.of(
                "deadlineExceeded",
                (Supplier<FakeResponse>) GeminiResponses::deadlineExceeded,
                504,
                "DEADLINE_EXCEEDED"));
        cases.add(Arguments.of(
                "unauthenticated", (Supplier<FakeResponse>) GeminiResponses::unauthenticated, 401, "UNAUTHENTICATED"));
        cases.add(Arguments.of("internal", (Supplier<FakeResponse>) GeminiResponses::internal, 500, "INTERNAL"));
        cases.add(
                Arguments.of("unavailable", (Supplier<FakeResponse>) GeminiResponses::unavailable, 503, "UNAVAILABLE"));
        cases.add(Arguments.of(
                "error(...)",
                (Supplier<FakeResponse>) () -> FakeResponse.error(404, "NOT_FOUND", null, "models/x is not found"),
                404,
                "NOT_FOUND"));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void errorsAreGoogleRpcStatuses(String name, Supplier<FakeResponse> factory, int status, String statusName) {
        server.forKey("k1").always(factory.get());

        HttpResponse<String> response = generate("k1", "gemini-2.5-flash");
        // A streaming request gets the same JSON error: the stream never starts.
        HttpResponse<String> streamed =
                client.send(post(server.streamGenerateContentUrl("gemini-2.5-flash"), "k1", BODY)
                        .build());

        for (HttpResponse<String> r : List.of(response, streamed)) {
            assertThat(r.statusCode()).isEqualTo(status);
            assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode body = TestClient.json(r);
            assertThat(names(body)).containsExactly("error");
            JsonNode error = body.path("error");
            assertThat(names(error)).startsWith("code", "message", "status");
            assertThat(error.path("code").asInt()).isEqualTo(status);
            assertThat(error.path("status").asText()).isEqualTo(statusName);
            assertThat(error.path("message").asText()).isNotBlank();
        }
        assertThat(response.headers().firstValue("retry-after")).isEmpty();
    }

    @Test
    void rateLimitedCarriesAPerMinuteQuotaFailureAndRetryInfo() {
        server.forKey("k1").always(FakeResponse.rateLimited(Duration.ofSeconds(34)));
        server.forKey("k2").always(GeminiResponses.rateLimitedPerMinute(Duration.ofMillis(1500)));

        JsonNode error = TestClient.json(generate("k1", "gemini-2.5-flash")).path("error");
        JsonNode fractional =
                TestClient.json(generate("k2", "gemini-2.5-flash")).path("error");

        JsonNode details = error.path("details");
        assertThat(details.size()).isEqualTo(2);
        assertThat(details.path(0).path("@type").asText()).isEqualTo("type.googleapis.com/google.rpc.QuotaFailure");
        JsonNode violation = details.path(0).path("violations").path(0);
        assertThat(violation.path("quotaId").asText()).isEqualTo(GeminiResponses.PER_MINUTE_QUOTA);
        assertThat(violation.path("quotaMetric").asText())
                .isEqualTo("generativelanguage.googleapis.com/generate_content_free_tier_requests");
        assertThat(violation.path("quotaDimensions").path("model").asText()).isEqualTo("gemini-2.5-flash");
        assertThat(details.path(1).path("@type").asText()).isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
        assertThat(details.path(1).path("retryDelay").asText()).isEqualTo("34s");
        assertThat(error.path("message").asText()).contains("Please retry in 34s.");
        assertThat(fractional.path("details").path(1).path("retryDelay").asText())
                .isEqualTo("1.5s");
    }

    @Test
    void perDayAndLimitZeroQuotas() {
        server.forKey("day").always(GeminiResponses.quotaExhaustedPerDay(Duration.ofHours(9)));
        server.forKey("zero").always(GeminiResponses.quotaLimitZero());

        JsonNode day = TestClient.json(generate("day", "gemini-2.5-pro")).path("error");
        JsonNode zero = TestClient.json(generate("zero", "gemini-2.5-pro")).path("error");

        assertThat(day.path("details")
                        .path(0)
                        .path("violations")
                        .path(0)
                        .path("quotaId")
                        .asText())
                .isEqualTo("GenerateRequestsPerDayPerProjectPerModel-FreeTier");
        assertThat(day.path("details").path(1).path("retryDelay").asText()).isEqualTo("32400s");
        assertThat(zero.path("message").asText()).contains("limit: 0, model: gemini-2.5-pro");
        assertThat(zero.path("details").size()).as("no RetryInfo").isEqualTo(1);
        assertThat(zero.path("details")
                        .path(0)
                        .path("violations")
                        .path(0)
                        .path("quotaValue")
                        .asText())
                .isEqualTo("0");
    }

    @Test
    void invalidApiKeyHasAnErrorInfoWithReasonApiKeyInvalid() {
        server.forKey("k1").always(FakeResponse.invalidApiKey());
        server.forKey("k2").always(FakeResponse.error(400, "FAILED_PRECONDITION", "BILLING_DISABLED", "billing"));

        JsonNode error = TestClient.json(generate("k1", "m")).path("error");
        JsonNode custom = TestClient.json(generate("k2", "m")).path("error");

        assertThat(error.path("message").asText()).isEqualTo("API key not valid. Please pass a valid API key.");
        JsonNode info = error.path("details").path(0);
        assertThat(info.path("@type").asText()).isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
        assertThat(info.path("reason").asText()).isEqualTo("API_KEY_INVALID");
        assertThat(info.path("domain").asText()).isEqualTo("googleapis.com");
        assertThat(info.path("metadata").path("service").asText()).isEqualTo("generativelanguage.googleapis.com");
        assertThat(custom.path("details").path(0).path("reason").asText()).isEqualTo("BILLING_DISABLED");
    }

    @Test
    void geminiOnlyResponsesFailLoudlyOnOtherServers() {
        try (FakeOpenAiServer openai = FakeOpenAiServer.start()) {
            openai.forKey("k1").always(GeminiResponses.quotaLimitZero());

            HttpResponse<String> response = client.chat(openai, "k1", "m");

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(TestClient.json(response).path("error").path("message").asText())
                    .contains("gemini");
        }
    }

    @Test
    void streamIsSseDataEventsWithCrlfAndALastEventWithFinishReasonAndUsage() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("Hello big world").withUsage(10, 7, 0, 2));

        List<SseReader.Event> events;
        try (SseReader stream = stream("k1", "gemini-2.5-flash")) {
            assertThat(stream.response().headers().firstValue("content-type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            events = stream.rest();
        }
        String raw = client.send(post(server.streamGenerateContentUrl("gemini-2.5-flash"), "k1", BODY)
                        .build())
                .body();

        assertThat(events).hasSize(4);
        assertThat(events).allSatisfy(event -> assertThat(event.name()).isNull());
        String responseId = events.get(0).json().path("responseId").asText();
        for (SseReader.Event event : events) {
            assertThat(event.json().path("responseId").asText()).isEqualTo(responseId);
            assertThat(event.json().path("modelVersion").asText()).isEqualTo("gemini-2.5-flash");
            assertThat(event.json()
                            .path("candidates")
                            .path(0)
                            .path("content")
                            .path("role")
                            .asText())
                    .isEqualTo("model");
        }
        assertThat(events.subList(0, 3))
                .allSatisfy(event -> {
                    assertThat(event.json().path("candidates").path(0).has("finishReason"))
                            .isFalse();
                    assertThat(event.json().has("usageMetadata")).isFalse();
                })
                .extracting(event -> event.json()
                        .path("candidates")
                        .path(0)
                        .path("content")
                        .path("parts")
                        .path(0)
                        .path("text")
                        .asText())
                .containsExactly("Hello", " big", " world");
        JsonNode last = events.get(3).json();
        assertThat(last.path("candidates").path(0).path("finishReason").asText())
                .isEqualTo("STOP");
        assertThat(last.path("usageMetadata").path("candidatesTokenCount").asInt())
                .isEqualTo(5);
        assertThat(last.path("usageMetadata").path("thoughtsTokenCount").asInt())
                .isEqualTo(2);
        assertThat(last.path("usageMetadata").path("totalTokenCount").asInt()).isEqualTo(17);
        assertThat(raw).startsWith("data: {").endsWith("}\r\n\r\n").doesNotContain("[DONE]");
        assertThat(raw.split("\r\n\r\n", -1)).hasSize(5);
        RecordedRequest request = server.requests().get(0);
        assertThat(request.stream()).isTrue();
        assertThat(request.attribute("method")).isEqualTo("streamGenerateContent");
        assertThat(request.attribute("alt")).isEqualTo("sse");
    }

    @Test
    void missingEndMarkerLeavesOutTheLastEventSoNoEventHasAFinishReason() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").missingEndMarker());

        List<SseReader.Event> events;
        try (SseReader stream = stream("k1", "m")) {
            events = stream.rest();
        }

        assertThat(events).hasSize(2);
        assertThat(events)
                .noneMatch(event -> event.json().path("candidates").path(0).has("finishReason"));
        assertThat(events).noneMatch(event -> event.json().has("usageMetadata"));
    }

    @Test
    void errorEventAfterChunksSendsAGoogleErrorWithTheStatusCode() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").errorEventAfterChunks(1, "UNAVAILABLE"));

        List<SseReader.Event> events;
        try (SseReader stream = stream("k1", "m")) {
            events = stream.rest();
        }

        assertThat(events).hasSize(2);
        JsonNode error = events.get(1).json().path("error");
        assertThat(error.path("code").asInt()).isEqualTo(503);
        assertThat(error.path("status").asText()).isEqualTo("UNAVAILABLE");
    }

    @Test
    void cutAndMalformedFaultsWorkOnGeminiStreams() throws Exception {
        server.forKey("cut").always(FakeResponse.ok("one two three").cutAfterChunks(2));
        server.forKey("bad").always(FakeResponse.ok("one two").malformedEventAfterChunks(0));

        List<SseReader.Event> cut = new ArrayList<>();
        IOException failure;
        try (SseReader stream = stream("cut", "m")) {
            failure = stream.drainInto(cut);
        }
        List<SseReader.Event> bad;
        try (SseReader stream = stream("bad", "m")) {
            bad = stream.rest();
        }

        assertThat(failure).isNotNull();
        assertThat(cut).hasSize(2);
        assertThat(bad).hasSize(4); // malformed, "one", " two", last
        assertThat(bad.get(0).isJson()).isFalse();
        assertThat(bad.get(3)
                        .json()
                        .path("candidates")
                        .path(0)
                        .path("finishReason")
                        .asText())
                .isEqualTo("STOP");
    }

    @Test
    void keepAlivesAreCandidatesWithEmptyTextAndNoFinishReason() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").keepAlivesBeforeFirstChunk(Duration.ofMillis(20)));

        try (SseReader stream = stream("k1", "gemini-2.5-flash")) {
            for (int i = 0; i < 3; i++) {
                JsonNode candidate = stream.next().json().path("candidates").path(0);
                assertThat(candidate.at("/content/parts/0/text").asText("missing"))
                        .isEmpty();
                assertThat(candidate.has("finishReason")).isFalse();
            }
        }
    }
}

package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fake Bedrock server over loopback, with a client that signs requests by the book. */
class FakeBedrockServerTest {
    private static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
    private static final String MODEL_IN_PATH = "anthropic.claude-3-haiku-20240307-v1%3A0";
    private static final String BODY = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}";
    private static final String KEY = "AKIAFAKEEXAMPLE1";
    private static final String SECRET = "fake/secret+key";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeBedrockServer bedrock;

    @BeforeEach
    void start() {
        bedrock = FakeBedrockServer.start().acceptCredentials(KEY, SECRET);
    }

    @AfterEach
    void stop() {
        bedrock.close();
    }

    /** Signs like an AWS SDK: host, x-amz-date (and the session token) for us-east-1/bedrock. */
    private HttpResponse<byte[]> call(
            String operation, String accessKeyId, String secret, String token, String service, String body) {
        return call(operation, accessKeyId, secret, token, service, body, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <T> HttpResponse<T> call(
            String operation,
            String accessKeyId,
            String secret,
            String token,
            String service,
            String body,
            HttpResponse.BodyHandler<T> handler) {
        URI uri = URI.create(bedrock.baseUrl() + "/model/" + MODEL_IN_PATH + "/" + operation);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of(uri.getHost() + ":" + uri.getPort()));
        headers.put("x-amz-date", List.of("20261125T100000Z"));
        List<String> signed = new ArrayList<>(List.of("host", "x-amz-date"));
        if (token != null) {
            headers.put("x-amz-security-token", List.of(token));
            signed.add("x-amz-security-token");
        }
        String authorization = SigV4Verifier.authorization(
                "POST",
                uri.getRawPath(),
                null,
                headers,
                signed,
                body.getBytes(StandardCharsets.UTF_8),
                accessKeyId,
                secret,
                "us-east-1",
                service);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("X-Amz-Date", "20261125T100000Z")
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("X-Amz-Security-Token", token);
        }
        try {
            return http.send(request.build(), handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<byte[]> converse() {
        return call("converse", KEY, SECRET, null, "bedrock", BODY);
    }

    private static JsonNode json(HttpResponse<byte[]> response) {
        return Json.parse(new String(response.body(), StandardCharsets.UTF_8));
    }

    @Test
    void answersASignedConverseRequestAndRecordsItsCredentialAndModel() {
        bedrock.forKey(KEY).always(FakeResponse.ok("Hello!").withUsage(12, 3, 4, 0));

        HttpResponse<byte[]> response = converse();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-amzn-requestid")).isPresent();
        JsonNode body = json(response);
        assertThat(body.at("/output/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/output/message/content/0/text").asText()).isEqualTo("Hello!");
        assertThat(body.get("stopReason").asText()).isEqualTo("end_turn");
        assertThat(body.at("/usage/inputTokens").asInt()).isEqualTo(8);
        assertThat(body.at("/usage/cacheReadInputTokens").asInt()).isEqualTo(4);
        assertThat(body.at("/usage/outputTokens").asInt()).isEqualTo(3);
        assertThat(body.at("/usage/totalTokens").asInt()).isEqualTo(15);
        RecordedRequest recorded = bedrock.requests().get(0);
        assertThat(recorded.apiKey()).isEqualTo(KEY);
        assertThat(recorded.model()).isEqualTo(MODEL);
        assertThat(recorded.path()).isEqualTo("/model/" + MODEL_IN_PATH + "/converse");
        assertThat(recorded.stream()).isFalse();
        assertThat(recorded.attributes())
                .containsEntry("operation", "Converse")
                .containsEntry("region", "us-east-1")
                .containsEntry("service", "bedrock");
    }

    @Test
    void refusesAWrongSignatureAnUnknownKeyAndAnotherService() {
        bedrock.byDefault().always(FakeResponse.ok("never"));

        HttpResponse<byte[]> wrong = call("converse", KEY, SECRET + "x", null, "bedrock", BODY);
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.headers().firstValue("x-amzn-errortype"))
                .hasValue("InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.bedrock/");
        assertThat(json(wrong).get("message").asText())
                .startsWith("The request signature we calculated does not match the signature you provided.");

        HttpResponse<byte[]> unknown = call("converse", "AKIAUNKNOWN", SECRET, null, "bedrock", BODY);
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(unknown.headers().firstValue("x-amzn-errortype").orElseThrow())
                .startsWith("UnrecognizedClientException:");

        HttpResponse<byte[]> service = call("converse", KEY, SECRET, null, "bedrock-runtime", BODY);
        assertThat(service.statusCode()).isEqualTo(403);
        assertThat(json(service).get("message").asText()).contains("'bedrock'");
        assertThat(bedrock.requestCount(KEY)).isEqualTo(2);
    }

    @Test
    void temporaryCredentialsMustSendTheirSessionToken() {
        bedrock.acceptCredentials("ASIAFAKEEXAMPLE2", "temp-secret", "session-token-1");
        assertThat(call("converse", "ASIAFAKEEXAMPLE2", "temp-secret", "session-token-1", "bedrock", BODY)
                        .statusCode())
                .isEqualTo(200);
        assertThat(call("converse", "ASIAFAKEEXAMPLE2", "temp-secret", null, "bedrock", BODY)
                        .statusCode())
                .isEqualTo(403);
        assertThat(call("converse", "ASIAFAKEEXAMPLE2", "temp-secret", "other-token", "bedrock", BODY)
                        .statusCode())
                .isEqualTo(403);
    }

    @ParameterizedTest
    @CsvSource({
        "rateLimited, 429, ThrottlingException",
        "insufficientQuota, 400, ServiceQuotaExceededException",
        "invalidApiKey, 403, UnrecognizedClientException",
        "serverError, 500, InternalServerException",
        "overloaded, 503, ServiceUnavailableException"
    })
    void rendersTheCommonErrorsAsBedrockExceptions(String kind, int status, String exception) {
        FakeResponse response = switch (kind) {
            case "rateLimited" -> FakeResponse.rateLimited(Duration.ofSeconds(3));
            case "insufficientQuota" -> FakeResponse.insufficientQuota();
            case "invalidApiKey" -> FakeResponse.invalidApiKey();
            case "serverError" -> FakeResponse.serverError();
            default -> FakeResponse.overloaded();
        };
        bedrock.byDefault().always(response);
        HttpResponse<byte[]> answer = converse();
        assertThat(answer.statusCode()).isEqualTo(status);
        assertThat(answer.headers().firstValue("x-amzn-errortype").orElseThrow())
                .isEqualTo(exception + ":http://internal.amazon.com/coral/com.amazon.bedrock/");
        assertThat(json(answer).get("message").asText()).isNotBlank();
    }

    @Test
    void anApiErrorAndABedrockExceptionCarryTheNameGiven() {
        bedrock.byDefault()
                .next(
                        FakeResponse.error(400, "ValidationException", null, "Input is too long for requested model."),
                        BedrockResponses.exception(429, "ModelNotReadyException", "Model is not ready."));
        HttpResponse<byte[]> first = converse();
        assertThat(first.statusCode()).isEqualTo(400);
        assertThat(first.headers().firstValue("x-amzn-errortype").orElseThrow()).startsWith("ValidationException:");
        assertThat(json(first).get("message").asText()).isEqualTo("Input is too long for requested model.");
        HttpResponse<byte[]> second = converse();
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("x-amzn-errortype").orElseThrow())
                .startsWith("ModelNotReadyException:");
    }

    /** A minimal reader of the testkit's own frames (string headers only), checking both checksums. */
    private static List<Map<String, String>> frames(byte[] body) {
        List<Map<String, String>> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(body);
        while (in.hasRemaining()) {
            int start = in.position();
            int total = in.getInt();
            int headersLength = in.getInt();
            int preludeCrc = in.getInt();
            CRC32 crc = new CRC32();
            crc.update(body, start, 8);
            Map<String, String> frame = new LinkedHashMap<>();
            frame.put("prelude-crc-ok", Boolean.toString((int) crc.getValue() == preludeCrc));
            int headersEnd = in.position() + headersLength;
            while (in.position() < headersEnd) {
                byte[] name = new byte[in.get()];
                in.get(name);
                in.get(); // type 7
                byte[] value = new byte[in.getShort()];
                in.get(value);
                frame.put(new String(name, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
            }
            byte[] payload = new byte[start + total - 4 - headersEnd];
            in.get(payload);
            frame.put("payload", new String(payload, StandardCharsets.UTF_8));
            crc = new CRC32();
            crc.update(body, start, total - 4);
            frame.put("message-crc-ok", Boolean.toString((int) crc.getValue() == in.getInt()));
            out.add(frame);
        }
        return out;
    }

    private static List<String> types(List<Map<String, String>> frames) {
        List<String> types = new ArrayList<>();
        frames.forEach(f -> types.add(f.getOrDefault(":event-type", f.get(":exception-type"))));
        return types;
    }

    @Test
    void streamsConverseEventsInEventStreamFraming() {
        bedrock.byDefault().always(FakeResponse.ok("Hello there").withFinishReason("length"));

        HttpResponse<byte[]> response = call("converse-stream", KEY, SECRET, null, "bedrock", BODY);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/vnd.amazon.eventstream");
        List<Map<String, String>> frames = frames(response.body());
        assertThat(types(frames))
                .containsExactly(
                        "messageStart",
                        "contentBlockDelta",
                        "contentBlockDelta",
                        "contentBlockStop",
                        "messageStop",
                        "metadata");
        assertThat(frames).allSatisfy(f -> {
            assertThat(f).containsEntry("prelude-crc-ok", "true").containsEntry("message-crc-ok", "true");
            assertThat(f).containsEntry(":message-type", "event").containsEntry(":content-type", "application/json");
        });
        assertThat(Json.parse(frames.get(1).get("payload")).at("/delta/text").asText())
                .isEqualTo("Hello");
        assertThat(Json.parse(frames.get(2).get("payload")).at("/delta/text").asText())
                .isEqualTo(" there");
        assertThat(Json.parse(frames.get(4).get("payload")).get("stopReason").asText())
                .isEqualTo("max_tokens");
        assertThat(Json.parse(frames.get(5).get("payload"))
                        .at("/usage/outputTokens")
                        .asInt())
                .isEqualTo(FakeResponse.DEFAULT_COMPLETION_TOKENS);
        assertThat(bedrock.requests().get(0).stream()).isTrue();
    }

    @Test
    void rendersToolCallsAndReasoningAsConverseContentBlocks() {
        bedrock.byDefault()
                .always(FakeResponse.toolCall("tooluse_1", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall("tooluse_2", "get_time", "{}")
                        .withReasoning("Two tools.", "sig-1")
                        .withRedactedReasoning("AAEC"));

        JsonNode body = json(converse());

        // ContentBlock union members: reasoningContent, then toolUse blocks; no text block for a calls-only answer.
        assertThat(body.at("/output/message/content").toString())
                .isEqualTo("[{\"reasoningContent\":{\"reasoningText\":{\"text\":\"Two tools.\",\"signature\":"
                        + "\"sig-1\"}}},{\"reasoningContent\":{\"redactedContent\":\"AAEC\"}},"
                        + "{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"get_weather\",\"input\":"
                        + "{\"city\":\"Paris\"}}},{\"toolUse\":{\"toolUseId\":\"tooluse_2\",\"name\":\"get_time\","
                        + "\"input\":{}}}]");
        assertThat(body.get("stopReason").asText()).isEqualTo("tool_use");
    }

    @Test
    void streamsToolCallsAndReasoningAsNumberedContentBlocks() {
        bedrock.byDefault()
                .always(FakeResponse.ok("Ok.")
                        .withReasoning("Short.", "sig-1")
                        .withToolCallChunks("tooluse_1", "get_weather", "{\"city\":", "\"Paris\"}")
                        .withFinishReason("tool_calls"));

        List<Map<String, String>> frames = frames(
                call("converse-stream", KEY, SECRET, null, "bedrock", BODY).body());

        assertThat(types(frames))
                .containsExactly(
                        "messageStart",
                        "contentBlockDelta", // reasoning text
                        "contentBlockDelta", // reasoning signature
                        "contentBlockStop",
                        "contentBlockDelta", // text, block 1
                        "contentBlockStop",
                        "contentBlockStart", // tool use, block 2
                        "contentBlockDelta",
                        "contentBlockDelta",
                        "contentBlockStop",
                        "messageStop",
                        "metadata");
        List<JsonNode> payloads = new ArrayList<>();
        frames.forEach(f -> payloads.add(Json.parse(f.get("payload"))));
        assertThat(payloads.get(1).at("/delta/reasoningContent/text").asText()).isEqualTo("Short.");
        assertThat(payloads.get(2).at("/delta/reasoningContent/signature").asText())
                .isEqualTo("sig-1");
        assertThat(payloads.get(4).get("contentBlockIndex").asInt()).isEqualTo(1);
        assertThat(payloads.get(4).at("/delta/text").asText()).isEqualTo("Ok.");
        assertThat(payloads.get(6).get("contentBlockIndex").asInt()).isEqualTo(2);
        assertThat(payloads.get(6).at("/start/toolUse/toolUseId").asText()).isEqualTo("tooluse_1");
        assertThat(payloads.get(6).at("/start/toolUse/name").asText()).isEqualTo("get_weather");
        assertThat(payloads.get(7).at("/delta/toolUse/input").asText()).isEqualTo("{\"city\":");
        assertThat(payloads.get(8).at("/delta/toolUse/input").asText()).isEqualTo("\"Paris\"}");
        assertThat(payloads.get(9).get("contentBlockIndex").asInt()).isEqualTo(2);
        assertThat(payloads.get(10).get("stopReason").asText()).isEqualTo("tool_use");
    }

    @Test
    void recordsTheToolDefinitionsOfAToolConfig() {
        call(
                "converse",
                KEY,
                SECRET,
                null,
                "bedrock",
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}],\"toolConfig\":{\"tools\":"
                        + "[{\"toolSpec\":{\"name\":\"get_weather\",\"description\":\"Weather\",\"inputSchema\":"
                        + "{\"json\":{\"type\":\"object\"}},\"strict\":true}}]}}");
        RecordedTool tool = bedrock.requests().get(0).tools().get(0);
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool.description()).isEqualTo("Weather");
        assertThat(tool.parameters().toString()).isEqualTo("{\"type\":\"object\"}");
        assertThat(tool.strict()).isTrue();
    }

    @Test
    void streamFaultsTakeTheirBedrockForm() {
        bedrock.byDefault()
                .next(
                        FakeResponse.ok("a b").malformedEventAfterChunks(1),
                        FakeResponse.ok("a b").errorEventAfterChunks(1, "throttlingException", "Too many tokens"),
                        FakeResponse.ok("a b").missingEndMarker());

        List<Map<String, String>> corrupt = frames(
                call("converse-stream", KEY, SECRET, null, "bedrock", BODY).body());
        assertThat(corrupt.get(2)).containsEntry("message-crc-ok", "false");
        assertThat(corrupt)
                .filteredOn(f -> f.get("message-crc-ok").equals("false"))
                .hasSize(1);

        List<Map<String, String>> error = frames(
                call("converse-stream", KEY, SECRET, null, "bedrock", BODY).body());
        assertThat(types(error)).containsExactly("messageStart", "contentBlockDelta", "throttlingException");
        assertThat(error.get(2))
                .containsEntry(":message-type", "exception")
                .containsEntry("payload", "{\"message\":\"Too many tokens\"}");

        List<Map<String, String>> noEnd = frames(
                call("converse-stream", KEY, SECRET, null, "bedrock", BODY).body());
        assertThat(types(noEnd))
                .containsExactly("messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop");
    }

    @Test
    void keepAlivesAreContentBlockDeltasWithEmptyText() throws IOException {
        bedrock.byDefault().always(FakeResponse.ok("a b").keepAlivesAfterChunks(1, Duration.ofMillis(20)));

        HttpResponse<InputStream> response =
                call("converse-stream", KEY, SECRET, null, "bedrock", BODY, HttpResponse.BodyHandlers.ofInputStream());
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        try (InputStream in = response.body()) {
            for (int i = 0; i < 5; i++) { // messageStart, "a", three keep-alives
                byte[] prelude = in.readNBytes(4);
                received.write(prelude);
                received.write(in.readNBytes(ByteBuffer.wrap(prelude).getInt() - 4));
            }
        }

        List<Map<String, String>> frames = frames(received.toByteArray());
        assertThat(types(frames))
                .containsExactly(
                        "messageStart",
                        "contentBlockDelta",
                        "contentBlockDelta",
                        "contentBlockDelta",
                        "contentBlockDelta");
        assertThat(Json.parse(frames.get(1).get("payload")).at("/delta/text").asText())
                .isEqualTo("a");
        assertThat(frames.subList(2, 5)).allSatisfy(frame -> {
            assertThat(frame).containsEntry("message-crc-ok", "true");
            assertThat(Json.parse(frame.get("payload")).at("/delta/text").asText("missing"))
                    .isEmpty();
        });
    }

    @Test
    void sendsAGivenEventStreamAsItIs() {
        byte[] start = EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}");
        byte[] stop = EventStreamEncoder.event("messageStop", "{\"stopReason\":\"end_turn\"}");
        bedrock.byDefault().always(BedrockResponses.eventStream(start, stop));
        HttpResponse<byte[]> response = call("converse-stream", KEY, SECRET, null, "bedrock", BODY);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/vnd.amazon.eventstream");
        assertThat(types(frames(response.body()))).containsExactly("messageStart", "messageStop");
    }

    @Test
    void unscriptedRequestsGetAFakeReplyOrAValidationError() {
        assertThat(json(converse()).at("/output/message/content/0/text").asText())
                .isEqualTo("fake reply");
        HttpResponse<byte[]> empty = call("converse", KEY, SECRET, null, "bedrock", "{}");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.headers().firstValue("x-amzn-errortype").orElseThrow()).startsWith("ValidationException:");
    }
}

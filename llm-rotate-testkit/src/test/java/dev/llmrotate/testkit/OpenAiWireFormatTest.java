package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.TestClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The OpenAI success and error bodies and headers, field by field, over real loopback HTTP. */
class OpenAiWireFormatTest {

    private final FakeOpenAiServer server = FakeOpenAiServer.start();
    private final TestClient client = new TestClient();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void successBodyIsAChatCompletionObject() {
        server.forKey("k1").always(FakeResponse.ok("Hello there"));
        long before = Instant.now().getEpochSecond();

        HttpResponse<String> response = client.chat(server, "k1", "gpt-4o");

        long after = Instant.now().getEpochSecond();
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(fieldNames(body)).containsExactly("id", "object", "created", "model", "choices", "usage");
        assertThat(body.path("id").asText()).startsWith("chatcmpl-").hasSizeGreaterThan("chatcmpl-".length() + 16);
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("created").isIntegralNumber()).isTrue();
        assertThat(body.path("created").asLong()).isBetween(before, after);
        assertThat(body.path("model").asText()).isEqualTo("gpt-4o");

        assertThat(body.path("choices").size()).isEqualTo(1);
        JsonNode choice = body.path("choices").path(0);
        assertThat(fieldNames(choice)).containsExactly("index", "message", "logprobs", "finish_reason");
        assertThat(choice.path("index").asInt(-1)).isZero();
        assertThat(choice.path("logprobs").isNull()).isTrue();
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        JsonNode message = choice.path("message");
        assertThat(fieldNames(message)).containsExactly("role", "content", "refusal");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(message.path("content").asText()).isEqualTo("Hello there");
        assertThat(message.path("refusal").isNull()).isTrue();

        JsonNode usage = body.path("usage");
        assertThat(fieldNames(usage))
                .containsExactly(
                        "prompt_tokens",
                        "completion_tokens",
                        "total_tokens",
                        "prompt_tokens_details",
                        "completion_tokens_details");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(10);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(5);
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(15);
        assertThat(fieldNames(usage.path("prompt_tokens_details"))).containsExactly("cached_tokens");
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt(-1))
                .isZero();
        assertThat(fieldNames(usage.path("completion_tokens_details"))).containsExactly("reasoning_tokens");
        assertThat(usage.path("completion_tokens_details")
                        .path("reasoning_tokens")
                        .asInt(-1))
                .isZero();
    }

    @Test
    void usageAndFinishReasonAreConfigurable() {
        server.forKey("k1").always(FakeResponse.ok("cut", 1200, 300).withFinishReason("length"));
        server.forKey("k2").always(FakeResponse.ok("cached").withUsage(2000, 500, 1536, 448));

        JsonNode first = json(client.chat(server, "k1", "m"));
        JsonNode second = json(client.chat(server, "k2", "m"));

        assertThat(first.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(first.path("usage").path("prompt_tokens").asInt()).isEqualTo(1200);
        assertThat(first.path("usage").path("completion_tokens").asInt()).isEqualTo(300);
        assertThat(first.path("usage").path("total_tokens").asInt()).isEqualTo(1500);
        JsonNode usage = second.path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(2000);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(500);
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(2500);
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt())
                .isEqualTo(1536);
        assertThat(usage.path("completion_tokens_details")
                        .path("reasoning_tokens")
                        .asInt())
                .isEqualTo(448);
        assertThat(second.path("choices").path(0).path("finish_reason").asText())
                .isEqualTo("stop");
    }

    @Test
    void nullContentRendersAsJsonNull() {
        server.forKey("k1").always(FakeResponse.ok(null).withFinishReason("tool_calls"));

        JsonNode message =
                json(client.chat(server, "k1", "m")).path("choices").path(0).path("message");

        assertThat(message.has("content")).isTrue();
        assertThat(message.path("content").isNull()).isTrue();
    }

    @Test
    void everyCompletionHasItsOwnId() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ids.add(json(client.chat(server, "k1", "m")).path("id").asText());
        }
        assertThat(ids).hasSize(20);
    }

    @Test
    void everyResponseIsJsonWithExactContentLengthAndNoChunking() {
        server.forKey("ok").always(FakeResponse.ok("héllo ✓"));
        server.forKey("err").always(FakeResponse.serverError());
        server.forKey("raw").always(FakeResponse.raw(200, "{\"custom\":true}"));
        server.forKey("empty").always(FakeResponse.raw(502, ""));

        for (String key : List.of("ok", "err", "raw", "empty")) {
            HttpResponse<String> response = client.chat(server, key, "m");
            assertThat(response.headers().firstValue("content-type")).as(key).hasValue("application/json");
            assertThat(response.headers().firstValue("content-length"))
                    .as(key)
                    .hasValue(Integer.toString(response.body().getBytes(StandardCharsets.UTF_8).length));
            assertThat(response.headers().firstValue("transfer-encoding"))
                    .as(key)
                    .isEmpty();
        }
    }

    static List<Arguments> standardErrors() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(Arguments.of(
                "rateLimited",
                (Supplier<FakeResponse>) () -> FakeResponse.rateLimited(Duration.ofSeconds(7)),
                429,
                "requests",
                "rate_limit_exceeded"));
        cases.add(Arguments.of(
                "insufficientQuota",
                (Supplier<FakeResponse>) FakeResponse::insufficientQuota,
                429,
                "insufficient_quota",
                "insufficient_quota"));
        cases.add(Arguments.of(
                "invalidApiKey",
                (Supplier<FakeResponse>) FakeResponse::invalidApiKey,
                401,
                "invalid_request_error",
                "invalid_api_key"));
        cases.add(Arguments.of(
                "serverError", (Supplier<FakeResponse>) FakeResponse::serverError, 500, "server_error", null));
        cases.add(Arguments.of(
                "overloaded",
                (Supplier<FakeResponse>) FakeResponse::overloaded,
                503,
                "service_unavailable_error",
                "server_is_overloaded"));
        cases.add(Arguments.of(
                "error(...)",
                (Supplier<FakeResponse>)
                        () -> FakeResponse.error(400, "invalid_request_error", "context_length_exceeded", "too long"),
                400,
                "invalid_request_error",
                "context_length_exceeded"));
        cases.add(Arguments.of(
                "error(...) without code",
                (Supplier<FakeResponse>) () -> FakeResponse.error(403, "permission_error", null, "no access"),
                403,
                "permission_error",
                null));
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("standardErrors")
    void errorBodyIsAnOpenAiErrorObject(
            String name, Supplier<FakeResponse> factory, int status, String type, String code) {
        server.forKey("sk-test-1234567890abcd").always(factory.get());

        HttpResponse<String> response = client.chat(server, "sk-test-1234567890abcd", "gpt-4o");

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(response);
        assertThat(fieldNames(body)).containsExactly("error");
        JsonNode error = body.path("error");
        assertThat(fieldNames(error)).containsExactly("message", "type", "param", "code");
        assertThat(error.path("message").isTextual()).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("type").asText()).isEqualTo(type);
        assertThat(error.path("param").isNull()).isTrue();
        if (code == null) {
            assertThat(error.path("code").isNull()).isTrue();
        } else {
            assertThat(error.path("code").asText()).isEqualTo(code);
        }
    }

    @Test
    void customErrorKeepsTheMessageVerbatim() {
        server.forKey("k1").always(FakeResponse.error(400, "invalid_request_error", "x", "exact message"));

        assertThat(json(client.chat(server, "k1", "m"))
                        .path("error")
                        .path("message")
                        .asText())
                .isEqualTo("exact message");
    }

    @Test
    void rateLimitedSendsRetryAfterSecondsRoundedUpAndRemainingZero() {
        server.forKey("k1").always(FakeResponse.rateLimited(Duration.ofSeconds(7)));
        server.forKey("k2").always(FakeResponse.rateLimited(Duration.ofMillis(1500)));

        HttpResponse<String> seven = client.chat(server, "k1", "gpt-4o");
        HttpResponse<String> rounded = client.chat(server, "k2", "gpt-4o");

        assertThat(seven.headers().firstValue("retry-after")).hasValue("7");
        assertThat(seven.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        assertThat(json(seven).path("error").path("message").asText()).contains("gpt-4o");
        assertThat(rounded.headers().firstValue("retry-after")).hasValue("2");
    }

    @Test
    void invalidApiKeyMessageMasksTheKey() {
        server.forKey("sk-test-1234567890abcd").always(FakeResponse.invalidApiKey());

        String message = json(client.chat(server, "sk-test-1234567890abcd", "m"))
                .path("error")
                .path("message")
                .asText();

        assertThat(message)
                .startsWith("Incorrect API key provided: sk-")
                .contains("abcd")
                .doesNotContain("1234567890");
    }

    @Test
    void extraHeadersAreSentAndReplaceBuiltInOnes() {
        server.forKey("k1")
                .always(FakeResponse.ok("x").header("X-Request-Id", "req_fixed").header("openai-processing-ms", "42"));
        server.forKey("k2")
                .always(FakeResponse.rateLimited(Duration.ofSeconds(30)).header("Retry-After", "1"));
        server.forKey("k3")
                .always(FakeResponse.raw(502, "<html>bad gateway</html>").header("content-type", "text/html"));

        HttpResponse<String> first = client.chat(server, "k1", "m");
        HttpResponse<String> second = client.chat(server, "k2", "m");
        HttpResponse<String> third = client.chat(server, "k3", "m");

        assertThat(first.headers().allValues("x-request-id")).containsExactly("req_fixed");
        assertThat(first.headers().firstValue("openai-processing-ms")).hasValue("42");
        assertThat(second.headers().allValues("retry-after")).containsExactly("1");
        assertThat(third.statusCode()).isEqualTo(502);
        assertThat(third.headers().firstValue("content-type")).hasValue("text/html");
        assertThat(third.body()).isEqualTo("<html>bad gateway</html>");
    }

    @Test
    void everyRenderedResponseHasARequestId() {
        HttpResponse<String> ok = client.chat(server, "k1", "m");
        server.forKey("k2").always(FakeResponse.serverError());
        HttpResponse<String> error = client.chat(server, "k2", "m");

        assertThat(ok.headers().firstValue("x-request-id"))
                .hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        assertThat(error.headers().firstValue("x-request-id")).isPresent();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

package dev.llmrotate.internal.provider.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The OpenAI Chat Completions wire format, checked field by field against the fake server. */
class OpenAiAdapterLoopbackTest extends EngineTestSupport {

    private LlmRotate oneKey() {
        return engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"), Keys.openai("b"))
                .build());
    }

    @Test
    void theRequestBodyCarriesEveryField() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        ChatRequest request = ChatRequest.builder("gpt-4o-mini")
                .messages(
                        ChatMessage.system("Be brief."),
                        ChatMessage.user("Hi"),
                        ChatMessage.assistant("Hello!"),
                        ChatMessage.user(ContentPart.text("What is this?"), ContentPart.image(png, "image/png")))
                .maxTokens(64)
                .temperature(0.25)
                .topP(0.9)
                .extra("seed", 42)
                .extra("response_format", java.util.Map.of("type", "json_object"))
                .build();

        oneKey().chat(request);

        RecordedRequest sent = openai.requests().get(0);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/chat/completions");
        assertThat(sent.header("authorization")).isEqualTo("Bearer " + Keys.secret("a"));
        assertThat(sent.header("content-type")).isEqualTo("application/json");
        JsonNode body = sent.json();
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(64);
        assertThat(body.has("max_tokens")).isFalse();
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.25);
        assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.get("seed").asInt()).isEqualTo(42);
        assertThat(body.at("/response_format/type").asText()).isEqualTo("json_object");
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).get("content").asText()).isEqualTo("Be brief.");
        assertThat(messages.get(1).get("content").asText()).isEqualTo("Hi");
        assertThat(messages.get(2).get("role").asText()).isEqualTo("assistant");
        JsonNode parts = messages.get(3).get("content");
        assertThat(parts.get(0).get("type").asText()).isEqualTo("text");
        assertThat(parts.get(0).get("text").asText()).isEqualTo("What is this?");
        assertThat(parts.get(1).get("type").asText()).isEqualTo("image_url");
        assertThat(parts.get(1).at("/image_url/url").asText())
                .isEqualTo("data:image/png;base64," + Base64.getEncoder().encodeToString(png));
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void theAnswerIsNormalised() {
        openai.byDefault().always(FakeResponse.ok("Paris.").withUsage(120, 30, 100, 12));
        ChatResponse response = oneKey().chat("gpt-4o-mini", List.of(ChatMessage.user("Capital of France?")));
        assertThat(response.content()).isEqualTo("Paris.");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage().inputTokens()).isEqualTo(120);
        assertThat(response.usage().outputTokens()).isEqualTo(30);
        assertThat(response.usage().cachedInputTokens()).isEqualTo(100);
        assertThat(response.usage().reasoningTokens()).isEqualTo(12);
        assertThat(response.usage().totalTokens()).isEqualTo(150);
        assertThat(response.model()).isEqualTo("gpt-4o-mini");
        assertThat(response.providerResponseId()).startsWith("chatcmpl-");
        assertThat(response.provider()).isEqualTo("openai");
        assertThat(response.upstream()).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "stop,STOP",
        "length,LENGTH",
        "content_filter,CONTENT_FILTER",
        "tool_calls,TOOL_CALLS",
        "function_call,TOOL_CALLS",
        "something_new,OTHER"
    })
    void finishReasonsAreNormalised(String wire, FinishReason expected) {
        openai.byDefault().always(FakeResponse.ok("x").withFinishReason(wire));
        assertThat(oneKey().chat("gpt-4o-mini", List.of(ChatMessage.user("x"))).finishReason())
                .isEqualTo(expected);
    }

    @Test
    void aPartOpenAiChatCannotTakeIsRejectedBeforeAnyRequest() {
        ChatRequest request = ChatRequest.builder("gpt-4o-mini")
                .messages(ChatMessage.user(new ContentPart.FileRef("gs://bucket/doc.pdf", "application/pdf")))
                .build();
        LlmRotate lm = oneKey();
        assertThatThrownBy(() -> lm.chat(request)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(e.getMessage()).contains("FileRef");
        });
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void aSuccessStatusWithAnUnreadableBodyIsRetried() {
        openai.forKey(Keys.secret("a")).next(FakeResponse.raw(200, "<html>proxy page</html>"));
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        ChatResponse response = lm.chat("gpt-4o-mini", List.of(ChatMessage.user("x")));
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("transient_server_error");
    }

    @Test
    void retryAfterMsWinsOverRetryAfterSeconds() {
        openai.forKey(Keys.secret("a"))
                .always(FakeResponse.rateLimited(Duration.ofSeconds(5)).header("retry-after-ms", "95000"));
        LlmRotate lm = oneKey();
        lm.chat("gpt-4o-mini", List.of(ChatMessage.user("x")));
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(95));
    }

    @Test
    void retryAfterAsAnHttpDateIsRead() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                clock.instant().plusSeconds(75).atOffset(ZoneOffset.UTC));
        openai.forKey(Keys.secret("a"))
                .always(FakeResponse.error(429, "requests", "rate_limit_exceeded", "slow down")
                        .header("retry-after", date));
        LlmRotate lm = oneKey();
        lm.chat("gpt-4o-mini", List.of(ChatMessage.user("x")));
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(75));
    }

    @Test
    void withoutRetryAfterTheExhaustedLimitsResetIsUsed() {
        openai.forKey(Keys.secret("a"))
                .always(FakeResponse.error(429, "tokens", "rate_limit_exceeded", "TPM")
                        .header("x-ratelimit-remaining-requests", "120")
                        .header("x-ratelimit-reset-requests", "2s")
                        .header("x-ratelimit-remaining-tokens", "0")
                        .header("x-ratelimit-reset-tokens", "1m30s"));
        LlmRotate lm = oneKey();
        lm.chat("gpt-4o-mini", List.of(ChatMessage.user("x")));
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(90));
    }

    @ParameterizedTest(name = "{0} {1}/{2} -> {3}")
    @CsvSource({
        "429, requests, rate_limit_exceeded, RATE_LIMIT",
        "429, rate_limit_error, slow_down, RATE_LIMIT",
        "429, insufficient_quota, insufficient_quota, QUOTA_EXHAUSTED",
        "429, billing_error, credit_balance_exhausted, QUOTA_EXHAUSTED",
        "429, invalid_request_error, organization_spend_limit_exceeded, QUOTA_EXHAUSTED",
        "402, billing_error, '', QUOTA_EXHAUSTED",
        "401, invalid_request_error, invalid_api_key, INVALID_AUTH",
        "403, permission_error, '', PERMISSION_DENIED",
        "404, invalid_request_error, model_not_found, MODEL_UNAVAILABLE",
        "400, invalid_request_error, model_not_found, MODEL_UNAVAILABLE",
        "400, invalid_request_error, context_length_exceeded, CONTEXT_LENGTH_EXCEEDED",
        "400, invalid_request_error, content_policy_violation, CONTENT_FILTERED",
        "400, invalid_request_error, content_filter, CONTENT_FILTERED",
        "400, invalid_request_error, '', INVALID_REQUEST",
        "408, timeout, '', TIMEOUT",
        "409, conflict, '', TRANSIENT_SERVER_ERROR",
        "500, server_error, '', TRANSIENT_SERVER_ERROR",
        "503, service_unavailable_error, server_is_overloaded, TRANSIENT_SERVER_ERROR",
        "504, server_error, '', TRANSIENT_SERVER_ERROR",
        "418, teapot, '', UNKNOWN"
    })
    void errorsAreClassifiedFromStatusTypeAndCode(int status, String type, String code, ErrorType expected) {
        openai.byDefault().always(FakeResponse.error(status, type, code.isEmpty() ? null : code, "message"));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"))
                .defaults(d -> d.withMaxRetries(0))
                .build());
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", List.of(ChatMessage.user("x"))))
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(expected));
        assertThat(lm.health().key("a").lastErrorType()).isIn(expected.wireName(), null);
    }
}

package dev.llmrotate.internal.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorAction;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Anthropic Messages wire format without streaming, checked field by field against the fake server. */
class AnthropicAdapterLoopbackTest extends AnthropicTestSupport {

    @Test
    void theRequestCarriesTheHeadersAndEveryField() {
        ChatRequest request = ChatRequest.builder(MODEL)
                .messages(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"), ChatMessage.user("Again"))
                .maxTokens(64)
                .temperature(0.25)
                .topP(0.9)
                .extra("stop_sequences", List.of("END"))
                .extra("metadata", Map.of("user_id", "u-1"))
                .build();

        twoKeys().chat(request);

        RecordedRequest sent = anthropic.requests().get(0);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1/messages");
        assertThat(sent.header("x-api-key")).isEqualTo(secret("a"));
        assertThat(sent.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(sent.header("content-type")).isEqualTo("application/json");
        assertThat(sent.header("authorization")).isNull();
        JsonNode body = sent.json();
        assertThat(body.get("model").asText()).isEqualTo(MODEL);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(64);
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.25);
        assertThat(body.get("top_p").asDouble()).isEqualTo(0.9);
        assertThat(body.at("/stop_sequences/0").asText()).isEqualTo("END");
        assertThat(body.at("/metadata/user_id").asText()).isEqualTo("u-1");
        assertThat(body.has("system")).isFalse();
        assertThat(body.has("stream")).isFalse();
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(0).get("content").asText()).isEqualTo("Hi");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(1).get("content").asText()).isEqualTo("Hello!");
        assertThat(messages.get(2).get("content").asText()).isEqualTo("Again");
    }

    @Test
    void systemMessagesAreHoistedAndJoinedWithABlankLine() {
        ChatRequest request = ChatRequest.builder(MODEL)
                .messages(
                        ChatMessage.system("Be brief."),
                        ChatMessage.user("Hi"),
                        ChatMessage.system("Answer in French."),
                        ChatMessage.user("What is the capital of Italy?"))
                .build();

        twoKeys().chat(request);

        JsonNode body = anthropic.requests().get(0).json();
        assertThat(body.get("system").asText()).isEqualTo("Be brief.\n\nAnswer in French.");
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(2); // consecutive user turns are left for Anthropic to combine
        assertThat(messages.findValuesAsText("role")).containsExactly("user", "user");
        assertThat(messages.findValuesAsText("content")).doesNotContain("Be brief.", "Answer in French.");
    }

    @Test
    void maxTokensDefaultsTo4096BecauseAnthropicRequiresIt() {
        twoKeys().chat(MODEL, List.of(ChatMessage.user("Hi")));
        assertThat(anthropic.requests().get(0).json().get("max_tokens").asInt())
                .isEqualTo(AnthropicAdapter.DEFAULT_MAX_TOKENS)
                .isEqualTo(4096);
    }

    @Test
    void imagesAndPdfsAreBase64Blocks() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        byte[] pdf = {'%', 'P', 'D', 'F', '-', '1', '.', '7'};
        ChatRequest request = ChatRequest.builder(MODEL)
                .messages(ChatMessage.user(
                        ContentPart.text("What is in these?"),
                        ContentPart.image(png, "image/png"),
                        new ContentPart.PdfBytes(pdf, null)))
                .build();

        twoKeys().chat(request);

        JsonNode blocks = anthropic.requests().get(0).json().at("/messages/0/content");
        assertThat(blocks).hasSize(3);
        assertThat(blocks.get(0).get("type").asText()).isEqualTo("text");
        assertThat(blocks.get(0).get("text").asText()).isEqualTo("What is in these?");
        assertThat(blocks.get(1).get("type").asText()).isEqualTo("image");
        assertThat(blocks.get(1).at("/source/type").asText()).isEqualTo("base64");
        assertThat(blocks.get(1).at("/source/media_type").asText()).isEqualTo("image/png");
        assertThat(blocks.get(1).at("/source/data").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(png));
        assertThat(blocks.get(2).get("type").asText()).isEqualTo("document");
        assertThat(blocks.get(2).at("/source/type").asText()).isEqualTo("base64");
        assertThat(blocks.get(2).at("/source/media_type").asText()).isEqualTo("application/pdf");
        assertThat(blocks.get(2).at("/source/data").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(pdf));
    }

    @Test
    void anExtraFieldReplacesTheMappedOne() {
        ChatRequest request = ChatRequest.builder(MODEL)
                .messages(ChatMessage.system("plain"), ChatMessage.user("Hi"))
                .extra(
                        "system",
                        List.of(Map.of("type", "text", "text", "cached", "cache_control", Map.of("type", "ephemeral"))))
                .extra("stream", true) // the non-streaming call never asks for a stream
                .build();

        twoKeys().chat(request);

        JsonNode body = anthropic.requests().get(0).json();
        assertThat(body.at("/system/0/text").asText()).isEqualTo("cached");
        assertThat(body.at("/system/0/cache_control/type").asText()).isEqualTo("ephemeral");
        assertThat(body.has("stream")).isFalse();
    }

    @Test
    void partsAnthropicCannotTakeAreRejectedBeforeAnyRequest() {
        LlmRotate lm = twoKeys();
        List<ChatRequest> unsupported = List.of(
                ChatRequest.builder(MODEL)
                        .messages(ChatMessage.user(new ContentPart.FileRef("gs://bucket/doc.pdf", "application/pdf")))
                        .build(),
                ChatRequest.builder(MODEL)
                        .messages(
                                ChatMessage.user("Hi"),
                                new ChatMessage("assistant", List.of(ContentPart.image(new byte[] {1}, "image/png"))))
                        .build(),
                ChatRequest.builder(MODEL)
                        .messages(ChatMessage.user(new ContentPart.PdfBytes(new byte[] {1}, "text/plain")))
                        .build(),
                ChatRequest.builder(MODEL)
                        .messages(ChatMessage.system("Only a system prompt"))
                        .build());
        for (ChatRequest request : unsupported) {
            assertThatThrownBy(() -> lm.chat(request))
                    .isInstanceOfSatisfying(
                            LlmRotateException.class,
                            e -> assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST));
        }
        assertThatThrownBy(() -> lm.chat(unsupported.get(0))).hasMessageContaining("FileRef");
        assertThat(anthropic.requestCount()).isZero();
    }

    @Test
    void theAnswerIsNormalised() {
        anthropic.byDefault().always(FakeResponse.ok("Paris."));
        ChatResponse response = twoKeys().chat(MODEL, List.of(ChatMessage.user("Capital of France?")));
        assertThat(response.content()).isEqualTo("Paris.");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage())
                .isEqualTo(Usage.of(FakeResponse.DEFAULT_PROMPT_TOKENS, FakeResponse.DEFAULT_COMPLETION_TOKENS));
        assertThat(response.model()).isEqualTo(MODEL);
        assertThat(response.providerResponseId()).startsWith("msg_");
        assertThat(response.provider()).isEqualTo("anthropic");
        assertThat(response.keyId()).isEqualTo("a");
    }

    @Test
    void textBlocksAreJoinedAndCacheTokensCountAsInput() {
        anthropic.byDefault().always(FakeResponse.raw(200, """
                        {"id":"msg_01XYZ","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
                         "content":[{"type":"thinking","thinking":"hmm","signature":"sig"},
                                    {"type":"text","text":"Rome "},
                                    {"type":"tool_use","id":"toolu_1","name":"lookup","input":{}},
                                    {"type":"text","text":"is the capital."}],
                         "stop_reason":"end_turn","stop_sequence":null,
                         "usage":{"input_tokens":21,"cache_creation_input_tokens":300,
                                  "cache_read_input_tokens":1000,"output_tokens":17}}
                        """));
        ChatResponse response = twoKeys().chat(MODEL, List.of(ChatMessage.user("Capital of Italy?")));
        assertThat(response.content()).isEqualTo("Rome is the capital.");
        assertThat(response.usage()).isEqualTo(new Usage(1321, 17, 1000, 0));
        assertThat(response.model()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(response.providerResponseId()).isEqualTo("msg_01XYZ");
    }

    @ParameterizedTest
    @CsvSource({
        "end_turn, STOP",
        "stop_sequence, STOP",
        "max_tokens, LENGTH",
        "tool_use, TOOL_CALLS",
        "refusal, CONTENT_FILTER",
        "pause_turn, OTHER"
    })
    void stopReasonsAreNormalised(String wire, FinishReason expected) {
        anthropic.byDefault().always(FakeResponse.ok("x").withFinishReason(wire));
        assertThat(twoKeys().chat(MODEL, List.of(ChatMessage.user("x"))).finishReason())
                .isEqualTo(expected);
    }

    @Test
    void aSuccessStatusWithAnUnreadableBodyIsRetried() {
        anthropic.forKey(secret("a")).next(FakeResponse.raw(200, "<html>proxy page</html>"));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, key("a")).build());
        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("x")));
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("transient_server_error");
    }

    @ParameterizedTest(name = "{0} {1} [{2}] -> {4}")
    @CsvSource({
        // status, error.type, details.error_code, message, expected
        "429, rate_limit_error, '', Number of request tokens has exceeded your per-minute rate limit, RATE_LIMIT",
        "429, rate_limit_error, enforced_spend_limit_reached, 'You have reached your API usage limits: your"
                + " organization has crossed its monthly API usage threshold', QUOTA_EXHAUSTED",
        "429, rate_limit_error, '', 'You have reached your specified workspace API usage limits.', QUOTA_EXHAUSTED",
        "400, invalid_request_error, '', 'You have reached your specified API usage limits. You will regain access on"
                + " 2026-12-01 at 00:00 UTC.', QUOTA_EXHAUSTED",
        "402, billing_error, '', Your credit balance is too low to access the Anthropic API., QUOTA_EXHAUSTED",
        "401, authentication_error, '', invalid x-api-key, INVALID_AUTH",
        "403, permission_error, '', Your API key does not have permission to use the specified resource.,"
                + " PERMISSION_DENIED",
        "404, not_found_error, '', 'model: claude-nonexistent', MODEL_UNAVAILABLE",
        "413, request_too_large, '', Request exceeds the maximum allowed number of bytes., INVALID_REQUEST",
        "400, invalid_request_error, '', 'prompt is too long: 208656 tokens > 200000 maximum', CONTEXT_LENGTH_EXCEEDED",
        "400, invalid_request_error, '', 'input length and `max_tokens` exceed context limit: 199759 + 8192 > 200000,"
                + " decrease input length or `max_tokens` and try again', CONTEXT_LENGTH_EXCEEDED",
        "400, invalid_request_error, '', 'messages: roles must alternate between \"user\" and \"assistant\"',"
                + " INVALID_REQUEST",
        "409, conflict_error, '', conflict, TRANSIENT_SERVER_ERROR",
        "500, api_error, '', Internal server error, TRANSIENT_SERVER_ERROR",
        "504, timeout_error, '', Request timed out, TIMEOUT",
        "529, overloaded_error, '', Overloaded, TRANSIENT_SERVER_ERROR"
    })
    void errorsAreClassified(int status, String type, String code, String message, ErrorType expected) {
        anthropic.byDefault().always(FakeResponse.error(status, type, code.isEmpty() ? null : code, message));
        LlmRotate lm = oneKeyNoRetries();
        assertThatThrownBy(() -> lm.chat(MODEL, List.of(ChatMessage.user("x"))))
                .isInstanceOfSatisfying(LlmRotateException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(expected);
                    if (expected.action() != ErrorAction.ROTATE) {
                        // A rotating error ends in NoAvailableKeyException once the only key is used up.
                        assertThat(e.httpStatus()).isEqualTo(status);
                    }
                });
        String recorded = lm.health().key("a").lastErrorType();
        if (expected.action() == ErrorAction.FAIL_FAST || expected.action() == ErrorAction.NEXT_MODEL) {
            assertThat(recorded).isNull(); // a request-level error says nothing about the key
        } else if (expected != ErrorType.MODEL_UNAVAILABLE) {
            assertThat(recorded).isEqualTo(expected.wireName());
        }
    }

    @Test
    void aRateLimitRotatesToTheNextKeyAndCoolsTheFirstForItsRetryAfter() {
        anthropic.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(90)));
        LlmRotate lm = twoKeys();

        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("x")));

        assertThat(response.keyId()).isEqualTo("b");
        assertThat(response.rotations()).isEqualTo(1);
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(90));
        assertThat(lm.health().key("b").state()).isEqualTo(KeyState.ACTIVE);
        // The next call goes straight to b while a cools down.
        assertThat(lm.chat(MODEL, List.of(ChatMessage.user("y"))).keyId()).isEqualTo("b");
        assertThat(anthropic.requestCount(secret("a"))).isEqualTo(1);
    }

    @Test
    void withoutRetryAfterTheExhaustedLimitsResetTimeIsTheCooldown() {
        String in120s = clock.instant().plusSeconds(120).toString();
        String in5s = clock.instant().plusSeconds(5).toString();
        anthropic
                .forKey(secret("a"))
                .always(FakeResponse.error(429, "rate_limit_error", null, "output tokens per minute")
                        .header("anthropic-ratelimit-requests-remaining", "40")
                        .header("anthropic-ratelimit-requests-reset", in5s)
                        .header("anthropic-ratelimit-output-tokens-remaining", "0")
                        .header("anthropic-ratelimit-output-tokens-reset", in120s));
        LlmRotate lm = twoKeys();
        assertThat(lm.chat(MODEL, List.of(ChatMessage.user("x"))).keyId()).isEqualTo("b");
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(120));
    }

    @Test
    void anOverloadedKeyIsRetriedOnTheOtherKey() {
        // health_aware: after a's 529 the other key has fewer failures, so the backoff retry goes there.
        anthropic.byDefault().next(FakeResponse.error(529, "overloaded_error", null, "Overloaded"));
        LlmRotate lm = engine(
                config(SelectionStrategyType.HEALTH_AWARE, key("a"), key("b")).build());

        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("x")));

        List<RecordedRequest> sent = anthropic.requests();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).apiKey()).isNotEqualTo(sent.get(0).apiKey());
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(response.rotations()).isZero(); // a backoff retry, not a key-level rotation
        String overloaded = sent.get(0).apiKey().equals(secret("a")) ? "a" : "b";
        assertThat(response.keyId()).isNotEqualTo(overloaded);
        assertThat(lm.health().key(overloaded).state()).isEqualTo(KeyState.ACTIVE); // transient: no rest
        assertThat(lm.health().key(overloaded).consecutiveFailures()).isEqualTo(1);
        assertThat(lm.health().key(overloaded).lastErrorType()).isEqualTo("transient_server_error");
    }

    @Test
    void anOverloadedProviderFailsWithTheTransientErrorOnceRetriesRunOut() {
        anthropic.byDefault().always(FakeResponse.error(529, "overloaded_error", null, "Overloaded"));
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.chat(MODEL, List.of(ChatMessage.user("x"))))
                .isInstanceOfSatisfying(LlmRotateException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR);
                    assertThat(e.httpStatus()).isEqualTo(529);
                });
        assertThat(anthropic.requestCount()).isEqualTo(3); // the first attempt and max_retries (2)
    }

    @Test
    void anInvalidKeyIsQuarantinedAndTheCallRotates() {
        anthropic.forKey(secret("a")).always(FakeResponse.invalidApiKey());
        LlmRotate lm = twoKeys();
        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("x")));
        assertThat(response.keyId()).isEqualTo("b");
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("invalid_auth");
    }

    @Test
    void aSpendCapQuarantinesTheKeyForTheQuotaQuarantine() {
        anthropic
                .forKey(secret("a"))
                .always(FakeResponse.error(
                        429,
                        "rate_limit_error",
                        "enforced_spend_limit_reached",
                        "You have reached your API usage limits."));
        LlmRotate lm = twoKeys();
        assertThat(lm.chat(MODEL, List.of(ChatMessage.user("x"))).keyId()).isEqualTo("b");
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(3600));
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("quota_exhausted");
    }
}

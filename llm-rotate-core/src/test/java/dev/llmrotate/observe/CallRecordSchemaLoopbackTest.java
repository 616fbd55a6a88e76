package dev.llmrotate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.ChatStream;
import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.KeyLease;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Record version 2: the list of attempts, usage that was not reported, and the model of a stream that broke, read back
 * from the usage log's JSON field by field.
 */
class CallRecordSchemaLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final ChatRequest STREAM_HI =
            ChatRequest.builder("gpt-4o-mini").user("hi").build();
    /** An OpenAI chat completion without a {@code usage} object, as some compatible servers send it. */
    private static final String REPLY_WITHOUT_USAGE = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
            + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"hello\"},\"finish_reason\":\"stop\"}]}";

    private UsageLogCapture usage;

    @BeforeEach
    void captureUsageLog() {
        usage = new UsageLogCapture();
    }

    @AfterEach
    void release() {
        usage.close();
    }

    private LlmRotate twoKeys() {
        return engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.openai("b"))
                .build());
    }

    @Test
    void aOneAttemptSuccessListsThatAttempt() {
        openai.byDefault().always(FakeResponse.ok("hello").withUsage(1000, 200, 400, 50));
        twoKeys().chat("gpt-4o-mini", HI);

        JsonNode r = usage.only();
        assertThat(r.get("record_version").asInt()).isEqualTo(2);
        assertThat(r.get("usage_reported").asBoolean()).isTrue();
        assertThat(r.get("cost_status").asText()).isEqualTo("estimated");
        assertThat(r.get("attempts").asInt()).isEqualTo(1);
        assertThat(r.get("attempts_truncated").asBoolean()).isFalse();
        assertThat(r.get("recoveries")).isEmpty();
        assertThat(r.get("attempt_details")).hasSize(1);
        JsonNode a = r.get("attempt_details").get(0);
        assertThat(a.get("provider").asText()).isEqualTo("openai");
        assertThat(a.get("upstream").isNull()).isTrue();
        assertThat(a.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(a.get("key_id").asText()).isEqualTo("a");
        assertThat(a.get("key_mask").asText()).isEqualTo("sk-…cdef");
        assertThat(a.get("outcome").asText()).isEqualTo("success");
        assertThat(a.get("error_type").isNull()).isTrue();
        assertThat(a.get("http_status").isNull()).isTrue();
        assertThat(a.get("retry_after_ms").isNull()).isTrue();
        assertThat(a.get("started_ms").asDouble()).isGreaterThanOrEqualTo(0);
        // A real HTTP exchange over loopback takes some time, and fits within the call.
        assertThat(a.get("duration_ms").asDouble()).isPositive();
        assertThat(a.get("started_ms").asDouble() + a.get("duration_ms").asDouble())
                .isLessThanOrEqualTo(r.get("latency_ms").asDouble() + 0.002);
    }

    /** Tool calls are counted and named in the record, plain and streamed; their arguments never appear. */
    @Test
    void toolCallsAreCountedAndNamedWithoutTheirArguments() {
        String secretArgument = "{\"city\":\"Canary-Argument-Paris\"}";
        openai.byDefault()
                .always(FakeResponse.toolCall("call_1", "get_weather", secretArgument)
                        .withToolCall("call_2", "get_time", "{\"tz\":\"Canary-Argument-CET\"}")
                        .withToolCall("call_3", "get_weather", secretArgument));
        LlmRotate lm = twoKeys();
        lm.chat("gpt-4o-mini", HI);
        JsonNode plain = usage.only();
        assertThat(plain.get("tool_calls").asInt()).isEqualTo(3);
        assertThat(plain.get("tool_names")).extracting(JsonNode::asText).containsExactly("get_weather", "get_time");
        assertThat(plain.toString()).doesNotContain("Canary-Argument");

        usage.clear();
        try (ChatStream stream = lm.chatStream(STREAM_HI)) {
            assertThat(stream.collect().toolCalls()).hasSize(3);
        }
        JsonNode streamed = usage.only();
        assertThat(streamed.get("operation").asText()).isEqualTo("chat_stream");
        assertThat(streamed.get("tool_calls").asInt()).isEqualTo(3);
        assertThat(streamed.get("tool_names")).extracting(JsonNode::asText).containsExactly("get_weather", "get_time");
        assertThat(streamed.toString()).doesNotContain("Canary-Argument");

        usage.clear();
        openai.byDefault().always(FakeResponse.ok("no tools"));
        lm.chat("gpt-4o-mini", HI);
        JsonNode none = usage.only();
        assertThat(none.get("tool_calls").asInt()).isZero();
        assertThat(none.get("tool_names")).isEmpty();
    }

    /** The caller a request names is its record's; a malformed one is refused when the request is built. */
    @Test
    void theRecordNamesTheCaller() {
        openai.byDefault().always(FakeResponse.ok("hello"));
        LlmRotate lm = twoKeys();
        lm.chat(ChatRequest.builder("gpt-4o-mini")
                .user("hi")
                .caller("tenant:acme")
                .build());
        assertThat(usage.only().get("caller").asText()).isEqualTo("tenant:acme");
        usage.clear();
        lm.chat("gpt-4o-mini", HI);
        assertThat(usage.only().get("caller").isNull()).isTrue();
        assertThatThrownBy(() -> ChatRequest.builder("gpt-4o-mini")
                        .user("hi")
                        .caller("a b")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("caller must be 1 to 64 letters, digits, '.', '_', ':', '@' or '-', got 'a b'");
        assertThatThrownBy(() -> ChatRequest.builder("gpt-4o-mini")
                        .user("hi")
                        .caller("x".repeat(65))
                        .build())
                .hasMessageEndingWith("got a value of 65 characters");
    }

    /** An answer and a stream carry the call id their record has. */
    @Test
    void theAnswerCarriesItsRecordsCallId() {
        openai.byDefault().always(FakeResponse.ok("hello"));
        LlmRotate lm = twoKeys();
        ChatResponse answer = lm.chat("gpt-4o-mini", HI);
        assertThat(answer.callId())
                .isNotBlank()
                .isEqualTo(usage.only().get("call_id").asText());
        usage.clear();
        try (ChatStream stream = lm.chatStream(STREAM_HI)) {
            ChatResponse streamed = stream.collect();
            assertThat(stream.callId()).isEqualTo(streamed.callId()).isNotEqualTo(answer.callId());
            assertThat(streamed.callId()).isEqualTo(usage.only().get("call_id").asText());
        }
    }

    @Test
    void aRateLimitThenASuccessOnAnotherKeyListsBothAttempts() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        twoKeys().chat("gpt-4o-mini", HI);

        JsonNode r = usage.only();
        assertThat(r.get("outcome").asText()).isEqualTo("success");
        assertThat(r.get("key_id").asText()).isEqualTo("b");
        assertThat(r.get("attempts").asInt()).isEqualTo(2);
        assertThat(r.get("rotations").asInt()).isEqualTo(1);
        assertThat(r.get("attempts_truncated").asBoolean()).isFalse();
        JsonNode details = r.get("attempt_details");
        assertThat(details).hasSize(2);

        JsonNode first = details.get(0);
        assertThat(first.get("key_id").asText()).isEqualTo("a");
        assertThat(first.get("key_mask").asText()).isEqualTo("sk-…cdef");
        assertThat(first.get("outcome").asText()).isEqualTo("error");
        assertThat(first.get("error_type").asText()).isEqualTo("rate_limit");
        assertThat(first.get("http_status").asInt()).isEqualTo(429);
        assertThat(first.get("retry_after_ms").asLong()).isEqualTo(20_000);
        assertThat(first.get("duration_ms").asDouble()).isPositive();

        JsonNode second = details.get(1);
        assertThat(second.get("provider").asText()).isEqualTo("openai");
        assertThat(second.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(second.get("key_id").asText()).isEqualTo("b");
        assertThat(second.get("outcome").asText()).isEqualTo("success");
        assertThat(second.get("error_type").isNull()).isTrue();
        assertThat(second.get("http_status").isNull()).isTrue();
        assertThat(second.get("retry_after_ms").isNull()).isTrue();
        // The second attempt began after the first one ended.
        assertThat(second.get("started_ms").asDouble())
                .isGreaterThanOrEqualTo(first.get("started_ms").asDouble()
                        + first.get("duration_ms").asDouble()
                        - 0.002);
    }

    @Test
    void moreThanSixteenAttemptsListTheFirstSixteenAndSaySo() {
        List<KeySpec> keys = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            String id = String.format("k%02d", i);
            keys.add(Keys.key(id, "openai", "gpt-4o-mini").priority(100 - i).build());
            if (i < 17) {
                openai.forKey(secret(id)).always(FakeResponse.rateLimited(Duration.ofSeconds(5)));
            }
        }
        engine(config(SelectionStrategyType.PRIORITY, keys.toArray(KeySpec[]::new))
                        .build())
                .chat("gpt-4o-mini", HI);

        JsonNode r = usage.only();
        assertThat(r.get("outcome").asText()).isEqualTo("success");
        assertThat(r.get("key_id").asText()).isEqualTo("k17");
        assertThat(r.get("attempts").asInt()).isEqualTo(18);
        assertThat(r.get("rotations").asInt()).isEqualTo(17);
        assertThat(r.get("attempts_truncated").asBoolean()).isTrue();
        JsonNode details = r.get("attempt_details");
        assertThat(details).hasSize(CallRecord.MAX_ATTEMPT_DETAILS);
        for (int i = 0; i < CallRecord.MAX_ATTEMPT_DETAILS; i++) {
            JsonNode a = details.get(i);
            assertThat(a.get("key_id").asText()).isEqualTo(String.format("k%02d", i));
            assertThat(a.get("outcome").asText()).isEqualTo("error");
            assertThat(a.get("error_type").asText()).isEqualTo("rate_limit");
            assertThat(a.get("http_status").asInt()).isEqualTo(429);
            assertThat(a.get("retry_after_ms").asLong()).isEqualTo(5_000);
        }
    }

    @Test
    void aStreamsAttemptEndsWithItsFirstChunk() {
        openai.byDefault().always(FakeResponse.ok("Hello big world").withChunkDelay(Duration.ofMillis(30)));
        ChatResponse response;
        try (ChatStream stream = twoKeys().chatStream(STREAM_HI)) {
            response = stream.collect();
        }
        assertThat(response.content()).isEqualTo("Hello big world");
        assertThat(response.usage().reported()).isTrue();

        JsonNode r = usage.only();
        assertThat(r.get("operation").asText()).isEqualTo("chat_stream");
        assertThat(r.get("outcome").asText()).isEqualTo("success");
        assertThat(r.get("usage_reported").asBoolean()).isTrue();
        assertThat(r.get("output_tokens").asLong()).isEqualTo(5);
        assertThat(r.get("cost_status").asText()).isEqualTo("estimated");
        JsonNode details = r.get("attempt_details");
        assertThat(details).hasSize(1);
        JsonNode a = details.get(0);
        assertThat(a.get("outcome").asText()).isEqualTo("success");
        assertThat(a.get("key_id").asText()).isEqualTo("a");
        double firstChunk = r.get("time_to_first_chunk_ms").asDouble();
        assertThat(a.get("started_ms").asDouble() + a.get("duration_ms").asDouble())
                .isCloseTo(firstChunk, within(0.002));
        // The call went on after its attempt had ended: the later chunks were read after the first. (How much later
        // depends on how the chunks were batched in transit, so only the order is asserted.)
        assertThat(r.get("latency_ms").asDouble()).isGreaterThan(firstChunk);
    }

    @Test
    void anInterruptedStreamKeepsTheModelThatWasAnswering() {
        openai.byDefault().always(FakeResponse.ok("Hello big world").cutAfterChunks(1));
        try (ChatStream stream = twoKeys().chatStream(STREAM_HI)) {
            assertThatThrownBy(() -> {
                        while (stream.hasNext()) {
                            stream.next();
                        }
                    })
                    .isInstanceOf(LlmRotateException.class);
        }
        JsonNode r = usage.only();
        assertThat(r.get("outcome").asText()).isEqualTo("interrupted");
        assertThat(r.get("error_type").asText()).isEqualTo("stream_interrupted");
        assertThat(r.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(r.get("usage_reported").asBoolean()).isFalse();
        assertThat(r.get("total_tokens").asLong()).isZero();
        assertThat(r.get("cost_status").asText()).isEqualTo("no_usage_reported");
        assertThat(r.get("attempt_details")).hasSize(1);
        assertThat(r.get("attempt_details").get(0).get("outcome").asText()).isEqualTo("success");
    }

    @Test
    void aCancelledStreamKeepsTheModelThatWasAnswering() {
        openai.byDefault().always(FakeResponse.ok("Hello big world"));
        try (ChatStream stream = twoKeys().chatStream(STREAM_HI)) {
            assertThat(stream.next().delta()).isEqualTo("Hello");
        }
        JsonNode r = usage.only();
        assertThat(r.get("outcome").asText()).isEqualTo("cancelled");
        assertThat(r.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(r.get("usage_reported").asBoolean()).isFalse();
        assertThat(r.get("cost_status").asText()).isEqualTo("no_usage_reported");
    }

    @Test
    void usageNotReportedIsNotAReportedZero() {
        openai.forKey(secret("a")).always(FakeResponse.raw(200, REPLY_WITHOUT_USAGE));
        openai.forKey(secret("b")).always(FakeResponse.ok("hello", 0, 0));
        LlmRotate unreported =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        LlmRotate zero =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("b")).build());

        ChatResponse notReported = unreported.chat("gpt-4o-mini", HI);
        ChatResponse reportedZero = zero.chat("gpt-4o-mini", HI);

        assertThat(notReported.content()).isEqualTo("hello");
        assertThat(notReported.usage()).isEqualTo(Usage.UNREPORTED);
        assertThat(notReported.usage().reported()).isFalse();
        assertThat(notReported.usage().totalTokens()).isZero();
        assertThat(reportedZero.usage()).isEqualTo(Usage.NONE);
        assertThat(reportedZero.usage().reported()).isTrue();

        List<JsonNode> all = usage.records();
        assertThat(all).hasSize(2);
        JsonNode none = all.get(0);
        assertThat(none.get("outcome").asText()).isEqualTo("success");
        assertThat(none.get("usage_reported").asBoolean()).isFalse();
        assertThat(none.get("input_tokens").asLong()).isZero();
        assertThat(none.get("output_tokens").asLong()).isZero();
        assertThat(none.get("total_tokens").asLong()).isZero();
        assertThat(none.get("estimated_cost_usd").asDouble()).isZero();
        assertThat(none.get("cost_status").asText()).isEqualTo("no_usage_reported");
        JsonNode reported = all.get(1);
        assertThat(reported.get("outcome").asText()).isEqualTo("success");
        assertThat(reported.get("usage_reported").asBoolean()).isTrue();
        assertThat(reported.get("total_tokens").asLong()).isZero();
        assertThat(reported.get("estimated_cost_usd").asDouble()).isZero();
        assertThat(reported.get("cost_status").asText()).isEqualTo("no_usage");
    }

    @Test
    void aStreamWithoutAUsageChunkEndsWithUsageNotReported() {
        String chunk = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello\"},\"finish_reason\":null}]}";
        String last = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
        openai.byDefault()
                .always(FakeResponse.raw(200, "data: " + chunk + "\n\ndata: " + last + "\n\ndata: [DONE]\n\n")
                        .header("content-type", "text/event-stream"));
        StreamChunk end = null;
        try (ChatStream stream = twoKeys().chatStream(STREAM_HI)) {
            for (StreamChunk c : stream) {
                end = c;
            }
        }
        assertThat(end).isNotNull();
        assertThat(end.isFinal()).isTrue();
        assertThat(end.usage()).isEqualTo(Usage.UNREPORTED);

        JsonNode r = usage.only();
        assertThat(r.get("outcome").asText()).isEqualTo("success");
        assertThat(r.get("usage_reported").asBoolean()).isFalse();
        assertThat(r.get("cost_status").asText()).isEqualTo("no_usage_reported");
    }

    @Test
    void aFailedCallListsItsFailedAttemptAndReportsNoUsage() {
        openai.byDefault().always(FakeResponse.error(400, "invalid_request_error", null, "messages must not be empty"));
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(LlmRotateException.class);
        JsonNode r = usage.only();
        assertThat(r.get("outcome").asText()).isEqualTo("error");
        assertThat(r.get("model").isNull()).isTrue();
        assertThat(r.get("usage_reported").asBoolean()).isFalse();
        assertThat(r.get("cost_status").asText()).isEqualTo("no_usage");
        assertThat(r.get("attempt_details")).hasSize(1);
        JsonNode a = r.get("attempt_details").get(0);
        assertThat(a.get("outcome").asText()).isEqualTo("error");
        assertThat(a.get("error_type").asText()).isEqualTo("invalid_request");
        assertThat(a.get("http_status").asInt()).isEqualTo(400);
        assertThat(a.get("retry_after_ms").isNull()).isTrue();
    }

    @Test
    void aLeaseIsOneAttemptAndItsUsageIsReportedOrNot() {
        LlmRotate lm = twoKeys();
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            lease.reportSuccess(Usage.of(100, 10));
        }
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            lease.reportSuccess();
        }
        lm.acquire("openai", "gpt-4o-mini").close();

        List<JsonNode> all = usage.records();
        assertThat(all).hasSize(3);
        JsonNode reported = all.get(0);
        assertThat(reported.get("usage_reported").asBoolean()).isTrue();
        assertThat(reported.get("cost_status").asText()).isEqualTo("estimated");
        assertThat(reported.get("attempt_details")).hasSize(1);
        assertThat(reported.get("attempt_details").get(0).get("outcome").asText())
                .isEqualTo("success");
        assertThat(reported.get("attempt_details").get(0).get("key_id").asText())
                .isEqualTo("a");
        JsonNode unreported = all.get(1);
        assertThat(unreported.get("outcome").asText()).isEqualTo("success");
        assertThat(unreported.get("usage_reported").asBoolean()).isFalse();
        assertThat(unreported.get("cost_status").asText()).isEqualTo("no_usage_reported");
        JsonNode closed = all.get(2);
        assertThat(closed.get("outcome").asText()).isEqualTo("cancelled");
        assertThat(closed.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(closed.get("cost_status").asText()).isEqualTo("no_usage_reported");
        assertThat(closed.get("attempt_details").get(0).get("outcome").asText()).isEqualTo("cancelled");
    }

    @Test
    void aCallThatNeverAttemptedHasAnEmptyList() {
        // The key's secret cannot be resolved: no request is ever sent.
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("missing-a")).build());
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);
        JsonNode r = usage.only();
        assertThat(r.get("outcome").asText()).isEqualTo("no_available_key");
        assertThat(r.get("attempts").asInt()).isZero();
        assertThat(r.get("attempt_details")).isEmpty();
        assertThat(r.get("attempts_truncated").asBoolean()).isFalse();
        assertThat(r.get("recoveries")).isEmpty();
        assertThat(r.get("usage_reported").asBoolean()).isFalse();
    }
}

package dev.llmrotate.internal.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.ChatStream;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Anthropic streaming over loopback: the round trip, then every stream fault, what the caller gets and what the
 * key's health says afterwards. Faults before the first chunk are retried (the caller has seen nothing); faults after
 * it surface as {@code stream_interrupted}.
 */
class AnthropicStreamingLoopbackTest extends AnthropicTestSupport {

    private static ChatRequest request() {
        return ChatRequest.builder(MODEL).user("Count to three").build();
    }

    /** Reads the stream to its end, collecting the text of every chunk until it ends or throws. */
    private static List<String> readAll(ChatStream stream, List<String> into) {
        for (StreamChunk chunk : stream) {
            into.add(chunk.delta());
        }
        return into;
    }

    @Test
    void aStreamArrivesChunkByChunkWithTheFinalChunkLast() {
        anthropic.byDefault().always(FakeResponse.ok("one two three").withChunks("one", " two", " three"));
        LlmRotate lm = twoKeys();

        List<StreamChunk> chunks = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.provider()).isEqualTo("anthropic");
            assertThat(stream.keyId()).isEqualTo("a");
            stream.forEach(chunks::add);
        }

        assertThat(chunks).extracting(StreamChunk::delta).containsExactly("one", " two", " three", "");
        assertThat(chunks.subList(0, 3)).allSatisfy(c -> assertThat(c.isFinal()).isFalse());
        StreamChunk last = chunks.get(3);
        assertThat(last.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(last.usage())
                .isEqualTo(Usage.of(FakeResponse.DEFAULT_PROMPT_TOKENS, FakeResponse.DEFAULT_COMPLETION_TOKENS));
        assertThat(anthropic.requests().get(0).json().get("stream").asBoolean()).isTrue();
        assertThat(anthropic.requests().get(0).header("accept")).isEqualTo("text/event-stream");
        assertThat(lm.health().key("a").lastSuccessAt()).isEqualTo(clock.instant());
    }

    @Test
    void collectGivesTheWholeAnswerWithModelAndId() {
        anthropic.byDefault().always(FakeResponse.ok("Hello big world").withFinishReason("max_tokens"));
        ChatResponse response;
        try (ChatStream stream = twoKeys().chatStream(request())) {
            response = stream.collect();
        }
        assertThat(response.content()).isEqualTo("Hello big world");
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.model()).isEqualTo(MODEL);
        assertThat(response.providerResponseId()).startsWith("msg_");
    }

    @Test
    void pingsAndUnknownEventsAreSkippedThinkingIsReasoningAndUsageIsCumulative() {
        String sse = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_S1","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5-20251001","stop_reason":null,"usage":{"input_tokens":7,"cache_creation_input_tokens":100,"cache_read_input_tokens":900,"output_tokens":1}}}

                event: ping
                data: {"type": "ping"}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me see"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: content_block_start
                data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

                : a comment line

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hi"}}

                event: something_new
                data: {"type":"something_new","detail":1}

                event: content_block_delta
                data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" there"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":1}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}

                event: message_delta
                data: {"type":"message_delta","delta":{},"usage":{"input_tokens":7,"cache_read_input_tokens":900,"output_tokens":12}}

                event: message_stop
                data: {"type":"message_stop"}

                """;
        anthropic.byDefault().always(FakeResponse.raw(200, sse).header("content-type", "text/event-stream"));
        List<StreamChunk> chunks = new ArrayList<>();
        try (ChatStream stream = twoKeys().chatStream(request())) {
            stream.forEach(chunks::add);
            assertThat(stream.model()).isEqualTo("claude-haiku-4-5-20251001");
        }
        assertThat(chunks).extracting(StreamChunk::delta).containsExactly("", "", "Hi", " there", "");
        assertThat(chunks.get(0).reasoningDelta()).isEqualTo("Let me see");
        // The thinking block, whole, as it stopped (this one never got a signature_delta).
        assertThat(chunks.get(1).reasoning())
                .containsExactly(new ContentPart.Reasoning("Let me see", null, "anthropic"));
        assertThat(chunks.get(4).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(chunks.get(4).usage()).isEqualTo(new Usage(1007, 12, 900, 0));
    }

    @Test
    void aStreamCutAfterChunksSurfacesAsInterruptedAndCountsAgainstTheKey() {
        anthropic.byDefault().always(FakeResponse.ok("one two three four").cutAfterChunks(2));
        LlmRotate lm = twoKeys();
        List<String> seen = new ArrayList<>();

        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(() -> readAll(stream, seen)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
                assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                assertThat(e.provider()).isEqualTo("anthropic");
                assertThat(e.getMessage()).contains("interrupted after").doesNotContain(secret("a"));
            });
        }

        // Every chunk that arrived before the cut reaches the caller, then the interruption.
        assertThat(seen).containsExactly("one", " two");
        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.lastErrorType()).isEqualTo("stream_interrupted");
        assertThat(a.consecutiveFailures()).isEqualTo(1);
        assertThat(a.state()).isEqualTo(KeyState.ACTIVE); // one broken stream does not rest the key
        assertThat(anthropic.requestCount()).isEqualTo(1); // never restarted
    }

    @Test
    void aStreamCutBeforeItsFirstChunkIsRetried() {
        anthropic.byDefault().next(FakeResponse.ok("lost").cutAfterChunks(0)).always(FakeResponse.ok("fine"));
        LlmRotate lm = twoKeys();
        ChatResponse response;
        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.attempts()).isEqualTo(2);
            response = stream.collect();
        }
        assertThat(response.content()).isEqualTo("fine");
        assertThat(anthropic.requestCount()).isEqualTo(2);
    }

    @Test
    void aStallAfterTheFirstChunkTimesOutAsInterrupted() {
        anthropic.byDefault().always(FakeResponse.ok("one two three").stallAfterChunks(1));
        LlmRotate lm = twoKeys();
        List<String> seen = new ArrayList<>();
        long start = System.nanoTime();

        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(() -> readAll(stream, seen)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
                assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                assertThat(e.getMessage()).contains("timeout");
            });
        }

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(seen).containsExactly("one");
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("stream_interrupted");
    }

    @Test
    void aStreamThatStallsBeforeItsFirstChunkTimesOutAndIsRetried() {
        anthropic.byDefault().next(FakeResponse.ok("never").stallAfterChunks(0)).always(FakeResponse.ok("second try"));
        LlmRotate lm = twoKeys();
        ChatResponse response;
        try (ChatStream stream = lm.chatStream(request())) {
            response = stream.collect();
        }
        assertThat(response.content()).isEqualTo("second try");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(anthropic.requests().get(0).apiKey()).isEqualTo(secret("a"));
        HealthReport.KeyReport first = lm.health().key("a");
        // The retry went back to a (priority) and succeeded, which clears its record; the timeout was seen though.
        assertThat(first.state()).isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void aSlowFirstChunkWithinTheFirstChunkTimeoutIsFine() {
        anthropic.byDefault().always(FakeResponse.ok("slow but sure").firstChunkDelay(Duration.ofMillis(300)));
        try (ChatStream stream = twoKeys().chatStream(request())) {
            assertThat(stream.timeToFirstChunk()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(stream.attempts()).isEqualTo(1);
            assertThat(stream.collect().content()).isEqualTo("slow but sure");
        }
    }

    @Test
    void aFirstChunkSlowerThanTheFirstChunkTimeoutIsATimeoutAndTheNextAttemptAnswers() {
        anthropic
                .byDefault()
                .next(FakeResponse.ok("too late").firstChunkDelay(Duration.ofSeconds(4)))
                .always(FakeResponse.ok("in time"));
        LlmRotate lm = twoKeys();
        long start = System.nanoTime();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.attempts()).isEqualTo(2);
            assertThat(stream.collect().content()).isEqualTo("in time");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void aMalformedEventAfterTheFirstChunkIsInterrupted() {
        anthropic.byDefault().always(FakeResponse.ok("one two three").malformedEventAfterChunks(1));
        LlmRotate lm = twoKeys();
        List<String> seen = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(() -> readAll(stream, seen)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
                assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                assertThat(e.getMessage()).contains("malformed");
            });
        }
        assertThat(seen).containsExactly("one");
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("stream_interrupted");
    }

    @Test
    void aStreamWithoutMessageStopIsCompleteOnceMessageDeltaGaveTheStopReason() {
        anthropic.byDefault().always(FakeResponse.ok("all of it").missingEndMarker());
        LlmRotate lm = twoKeys();
        ChatResponse response;
        try (ChatStream stream = lm.chatStream(request())) {
            response = stream.collect();
        }
        assertThat(response.content()).isEqualTo("all of it");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage().outputTokens()).isEqualTo(FakeResponse.DEFAULT_COMPLETION_TOKENS);
        assertThat(lm.health().key("a").lastErrorType()).isNull();
    }

    @Test
    void aStreamEndingBeforeMessageDeltaIsInterrupted() {
        String sse = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_S2","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","stop_reason":null,"usage":{"input_tokens":7,"output_tokens":1}}}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Half"}}

                """;
        anthropic.byDefault().always(FakeResponse.raw(200, sse).header("content-type", "text/event-stream"));
        LlmRotate lm = twoKeys();
        List<String> seen = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(() -> readAll(stream, seen)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
                assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                assertThat(e.getMessage()).contains("message_stop");
            });
        }
        assertThat(seen).containsExactly("Half");
    }

    @Test
    void anOverloadedErrorEventMidStreamIsInterruptedNamingTheCause() {
        anthropic.byDefault().always(FakeResponse.ok("one two three").errorEventAfterChunks(2, "overloaded_error"));
        LlmRotate lm = twoKeys();
        List<String> seen = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(() -> readAll(stream, seen)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
                assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                assertThat(e.getMessage()).contains("transient_server_error").contains("overloaded_error: Overloaded");
            });
        }
        assertThat(seen).containsExactly("one", " two");
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("stream_interrupted");
        assertThat(anthropic.requestCount()).isEqualTo(1);
    }

    @Test
    void anOverloadedErrorEventBeforeTheFirstChunkIsRetried() {
        anthropic
                .byDefault()
                .next(FakeResponse.ok("x").errorEventAfterChunks(0, "overloaded_error"))
                .always(FakeResponse.ok("recovered"));
        LlmRotate lm = twoKeys();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.attempts()).isEqualTo(2);
            assertThat(stream.collect().content()).isEqualTo("recovered");
        }
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void aRateLimitErrorEventBeforeTheFirstChunkCoolsTheKeyAndRotates() {
        anthropic.forKey(secret("a")).always(FakeResponse.ok("x").errorEventAfterChunks(0, "rate_limit_error"));
        LlmRotate lm = twoKeys();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.keyId()).isEqualTo("b");
            assertThat(stream.rotations()).isEqualTo(1);
            stream.collect();
        }
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("rate_limit");
    }

    @Test
    void aRateLimitAnsweredToAStreamRequestRotatesBeforeAnyChunk() {
        anthropic.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        LlmRotate lm = twoKeys();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.keyId()).isEqualTo("b");
            assertThat(stream.collect().content()).isNotEmpty();
        }
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.COOLDOWN);
        // Its Retry-After, not Anthropic's 60 s default cooldown.
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(30));
    }

    @Test
    void anOverloaded529AnsweredToAStreamRequestIsRetried() {
        anthropic
                .byDefault()
                .next(FakeResponse.error(529, "overloaded_error", null, "Overloaded"))
                .always(FakeResponse.ok("after the overload"));
        try (ChatStream stream = twoKeys().chatStream(request())) {
            assertThat(stream.attempts()).isEqualTo(2);
            assertThat(stream.collect().content()).isEqualTo("after the overload");
        }
    }
}

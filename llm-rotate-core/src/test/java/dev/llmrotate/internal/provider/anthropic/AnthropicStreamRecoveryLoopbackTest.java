package dev.llmrotate.internal.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.ChatStream;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.config.StreamRecovery;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Stream recovery on Anthropic, which continues a trailing assistant message: a stream cut after its first chunks
 * goes on in the same {@link ChatStream}, by prefill, or by replay where the model refuses a prefill.
 */
class AnthropicStreamRecoveryLoopbackTest extends AnthropicTestSupport {
    private static final String PREFILL_REFUSED =
            "This model does not support assistant message prefill. The conversation must end with a user message.";

    private static boolean endsWithAssistant(RecordedRequest request) {
        JsonNode messages = request.json().path("messages");
        return "assistant"
                .equals(messages.path(messages.size() - 1).path("role").asText());
    }

    private static String lastMessage(RecordedRequest request) {
        JsonNode messages = request.json().path("messages");
        return messages.path(messages.size() - 1).toString();
    }

    private LlmRotate engine(StreamRecovery mode) {
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, key("a"), key("b"))
                .provider("anthropic", s -> s.withStreamRecovery(mode))
                .build());
        lm.eventBuffer(10);
        return lm;
    }

    /** The one record of the last call. */
    private static CallRecord lastRecord(LlmRotate lm) {
        return lm.recentCalls(1).get(0);
    }

    private static ChatRequest request() {
        return ChatRequest.builder(MODEL).user("Say hello").maxTokens(50).build();
    }

    @Test
    void aCutStreamIsContinuedByAPrefillInTheSameStream() {
        anthropic
                .byDefault()
                .respond(request -> endsWithAssistant(request)
                        ? FakeResponse.ok("ld!").withChunks("ld", "!")
                        : FakeResponse.ok("Hello world!")
                                .withChunks("Hello", " wor", "ld!")
                                .cutAfterChunks(2));
        LlmRotate lm = engine(StreamRecovery.PREFILL);

        ChatResponse whole;
        try (ChatStream stream = lm.chatStream(request())) {
            whole = stream.collect();
        }

        assertThat(whole.content()).isEqualTo("Hello world!");
        assertThat(anthropic.requests()).hasSize(2);
        RecordedRequest continuation = anthropic.requests().get(1);
        assertThat(endsWithAssistant(continuation)).isTrue();
        assertThat(lastMessage(continuation)).contains("Hello wor");
        // The user's message is still there, before the prefill.
        assertThat(continuation.json().path("messages").toString()).contains("Say hello");
        // The broken attempt counts against its key for the model.
        assertThat(lm.health().key("a").models().get(MODEL).lastErrorType()).isEqualTo("stream_interrupted");
        assertThat(whole.attempts()).isEqualTo(2);

        // One record for the call: a success after two attempts, with the recovery in it.
        assertThat(lm.recentCalls(10)).hasSize(1);
        CallRecord record = lastRecord(lm);
        assertThat(record.outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(record.attempts()).isEqualTo(2);
        assertThat(record.recoveries())
                .containsExactly(
                        new CallRecord.Recovery(CallRecord.Recovery.PREFILL, CallRecord.Recovery.RECOVERED, 9, 1));
        assertThat(record.attemptDetails())
                .extracting(CallRecord.Attempt::outcome)
                .containsExactly("success", "success");
    }

    @Test
    void aRefusedPrefillFallsBackToReplayUnderAutoAndIsNotTriedAgainForThatModel() {
        AtomicInteger plain = new AtomicInteger();
        anthropic.byDefault().respond(request -> {
            if (endsWithAssistant(request)) {
                return FakeResponse.error(400, "invalid_request_error", null, PREFILL_REFUSED);
            }
            // Odd plain requests break after two chunks; even ones (the replays) answer whole.
            return plain.incrementAndGet() % 2 == 1
                    ? FakeResponse.ok("Hello world!")
                            .withChunks("Hello", " wor", "ld!")
                            .cutAfterChunks(2)
                    : FakeResponse.ok("Hello world!").withChunks("Hello", " wor", "ld!");
        });
        LlmRotate lm = engine(StreamRecovery.AUTO);

        StringBuilder seen = new StringBuilder();
        try (ChatStream stream = lm.chatStream(request())) {
            stream.forEach(chunk -> seen.append(chunk.delta()));
        }
        assertThat(seen).hasToString("Hello world!");
        // Original, refused prefill, replay.
        assertThat(anthropic.requests()).hasSize(3);
        assertThat(lastRecord(lm).recoveries())
                .extracting(CallRecord.Recovery::mode, CallRecord.Recovery::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(CallRecord.Recovery.PREFILL, CallRecord.Recovery.REFUSED),
                        org.assertj.core.groups.Tuple.tuple(CallRecord.Recovery.REPLAY, CallRecord.Recovery.RECOVERED));
        // A refused prefill says nothing about the key: only the break counts.
        assertThat(lm.health().key("a").models().get(MODEL).consecutiveFailures())
                .isLessThanOrEqualTo(1);

        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.collect().content()).isEqualTo("Hello world!");
        }
        // The second recovery replays at once: no prefill is sent for this model again.
        assertThat(anthropic.requests()).hasSize(5);
        assertThat(anthropic.requests().subList(3, 5))
                .noneMatch(AnthropicStreamRecoveryLoopbackTest::endsWithAssistant);
    }

    @Test
    void aReplayThatAnswersDifferentlyEndsTheStreamAsInterrupted() {
        AtomicInteger calls = new AtomicInteger();
        anthropic
                .byDefault()
                .respond(request -> calls.incrementAndGet() == 1
                        ? FakeResponse.ok("Hello world!")
                                .withChunks("Hello", " wor", "ld!")
                                .cutAfterChunks(2)
                        : FakeResponse.ok("Goodbye now").withChunks("Good", "bye now"));
        LlmRotate lm = engine(StreamRecovery.REPLAY);

        StringBuilder seen = new StringBuilder();
        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(() -> stream.forEach(chunk -> seen.append(chunk.delta())))
                    .isInstanceOfSatisfying(
                            LlmRotateException.class,
                            e -> assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED));
        }
        // Nothing of the other answer reached the caller.
        assertThat(seen).hasToString("Hello wor");
        assertThat(anthropic.requests()).hasSize(2);
        CallRecord record = lastRecord(lm);
        assertThat(record.outcome()).isEqualTo(CallRecord.INTERRUPTED);
        assertThat(record.model()).isEqualTo(MODEL);
        assertThat(record.recoveries())
                .extracting(CallRecord.Recovery::outcome)
                .containsExactly(CallRecord.Recovery.MISMATCH);
    }

    @Test
    void aPerCallSettingOverridesTheProviders() {
        anthropic
                .byDefault()
                .respond(request -> endsWithAssistant(request)
                        ? FakeResponse.ok("ld!").withChunks("ld!")
                        : FakeResponse.ok("Hello world!")
                                .withChunks("Hello", " wor", "ld!")
                                .cutAfterChunks(2));
        LlmRotate lm = engine(StreamRecovery.OFF);

        try (ChatStream stream = lm.chatStream(ChatRequest.builder(MODEL)
                .user("Say hello")
                .streamRecovery(StreamRecovery.PREFILL)
                .build())) {
            assertThat(stream.collect().content()).isEqualTo("Hello world!");
        }
        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(stream::collect)
                    .isInstanceOfSatisfying(
                            LlmRotateException.class,
                            e -> assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED));
        }
        assertThat(anthropic.requests()).hasSize(3);
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/** Streaming over real loopback SSE: round trips, the Flow.Publisher form, and every stream fault. */
class StreamingLoopbackTest extends EngineTestSupport {
    private static final ChatRequest HI =
            ChatRequest.builder("gpt-4o-mini").user("hi").build();
    private final ListAppender<ILoggingEvent> usage = new ListAppender<>();
    private final Logger usageLogger = (Logger) LoggerFactory.getLogger(LogNames.USAGE);
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void captureRecords() {
        usage.start();
        usageLogger.addAppender(usage);
        usageLogger.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        usageLogger.detachAppender(usage);
    }

    private JsonNode onlyRecord() throws Exception {
        assertThat(usage.list).hasSize(1);
        return json.readTree(usage.list.get(0).getFormattedMessage());
    }

    private LlmRotate twoKeys() {
        return engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.openai("b"))
                .provider(
                        "openai",
                        s -> s.withFirstChunkTimeout(Duration.ofMillis(400))
                                .withStreamIdleTimeout(Duration.ofMillis(400)))
                .build());
    }

    @Test
    void aStreamDeliversEveryChunkAndEndsWithFinishReasonAndUsage() throws Exception {
        openai.byDefault().always(FakeResponse.ok("Hello world!").withChunks("Hel", "lo ", "world", "!"));
        LlmRotate lm = twoKeys();
        List<StreamChunk> chunks = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(HI)) {
            assertThat(stream.provider()).isEqualTo("openai");
            assertThat(stream.keyId()).isEqualTo("a");
            assertThat(stream.keyMask()).isEqualTo("sk-…cdef");
            assertThat(stream.model()).isEqualTo("gpt-4o-mini");
            assertThat(stream.attempts()).isEqualTo(1);
            stream.forEach(chunks::add);
        }
        assertThat(chunks.stream().map(StreamChunk::delta).collect(Collectors.joining()))
                .isEqualTo("Hello world!");
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(c.isFinal()).isFalse());
        StreamChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(last.usage().inputTokens()).isEqualTo(10);
        assertThat(last.usage().outputTokens()).isEqualTo(5);

        JsonNode body = openai.requests().get(0).json();
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(openai.requests().get(0).header("accept")).isEqualTo("text/event-stream");

        JsonNode record = onlyRecord();
        assertThat(record.get("operation").asText()).isEqualTo("chat_stream");
        assertThat(record.get("outcome").asText()).isEqualTo("success");
        assertThat(record.get("output_tokens").asLong()).isEqualTo(5);
        assertThat(record.get("time_to_first_chunk_ms").asDouble()).isPositive();
        assertThat(lm.usageSummary().overall().successes()).isEqualTo(1);
    }

    @Test
    void collectGathersTheWholeAnswer() {
        openai.byDefault().always(FakeResponse.ok("one two three"));
        try (ChatStream stream = twoKeys().chatStream(HI)) {
            ChatResponse response = stream.collect();
            assertThat(response.content()).isEqualTo("one two three");
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.usage().totalTokens()).isEqualTo(15);
        }
    }

    @Test
    void theStreamFormIsLazyAndClosesTheCall() {
        openai.byDefault().always(FakeResponse.ok("a b c d"));
        LlmRotate lm = twoKeys();
        try (Stream<StreamChunk> chunks = lm.chatStream(HI).stream()) {
            assertThat(chunks.map(StreamChunk::delta).collect(Collectors.joining()))
                    .isEqualTo("a b c d");
        }
        assertThat(lm.usageSummary().overall().successes()).isEqualTo(1);
    }

    @Test
    void thePublisherDeliversOnDemandAndCompletes() throws Exception {
        openai.byDefault().always(FakeResponse.ok("x").withChunks("1", "2", "3"));
        Flow.Publisher<StreamChunk> publisher = twoKeys().chatStreamPublisher(HI);
        List<String> seen = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        publisher.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(StreamChunk item) {
                seen.add(item.delta() + (item.isFinal() ? "|" + item.finishReason() : ""));
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("1", "2", "3", "|STOP");
    }

    @Test
    void thePublisherReportsAFailedCallAsAnError() throws Exception {
        openai.byDefault().always(FakeResponse.error(400, "invalid_request_error", null, "bad"));
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        twoKeys().chatStreamPublisher(HI).subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(StreamChunk item) {}

            @Override
            public void onError(Throwable t) {
                failure.complete(t);
            }

            @Override
            public void onComplete() {
                failure.complete(null);
            }
        });
        assertThat(failure.get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST));
    }

    @Test
    void closingEarlyReleasesTheStreamAndIsRecordedAsCancelled() throws Exception {
        openai.forKey(secret("a"))
                .next(FakeResponse.ok("x").withChunks("1", "2", "3", "4").withChunkDelay(Duration.ofMillis(50)));
        LlmRotate lm = twoKeys();
        try (ChatStream stream = lm.chatStream(HI)) {
            assertThat(stream.next().delta()).isEqualTo("1");
        }
        JsonNode record = onlyRecord();
        assertThat(record.get("outcome").asText()).isEqualTo("cancelled");
        assertThat(lm.health().key("a").consecutiveFailures()).isZero();
        // The connection was given back: the next stream works.
        try (ChatStream again = lm.chatStream(HI)) {
            assertThat(again.collect().content()).isEqualTo("fake reply");
        }
    }

    /** What the caller gets for each stream fault. */
    enum Expect {
        /** The whole answer, from the first attempt. */
        COMPLETE,
        /** The whole answer, after a retry or rotation that happened before the first chunk. */
        COMPLETE_AFTER_RETRY,
        /** Some chunks, then stream_interrupted. */
        INTERRUPTED
    }

    static Stream<Arguments> faults() {
        FakeResponse answer = FakeResponse.ok("x").withChunks("alpha ", "beta ", "gamma");
        return Stream.of(
                Arguments.of(
                        "slow first chunk",
                        answer.firstChunkDelay(Duration.ofSeconds(3)),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "timeout"),
                Arguments.of(
                        "reset before headers",
                        FakeResponse.connectionDrop(),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "connection_error"),
                Arguments.of(
                        "cut before the first chunk",
                        answer.cutAfterChunks(0),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "connection_error"),
                Arguments.of(
                        "429 before the stream",
                        FakeResponse.rateLimited(Duration.ofSeconds(5)),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "rate_limit"),
                Arguments.of(
                        "cut after 2 chunks", answer.cutAfterChunks(2), Expect.INTERRUPTED, 2, "stream_interrupted"),
                Arguments.of(
                        "stall after 1 chunk", answer.stallAfterChunks(1), Expect.INTERRUPTED, 1, "stream_interrupted"),
                Arguments.of(
                        "malformed event after 1 chunk",
                        answer.malformedEventAfterChunks(1),
                        Expect.INTERRUPTED,
                        1,
                        "stream_interrupted"),
                Arguments.of(
                        "error event after 2 chunks",
                        answer.errorEventAfterChunks(2, "server_error"),
                        Expect.INTERRUPTED,
                        2,
                        "stream_interrupted"),
                Arguments.of(
                        "missing [DONE] after the finish reason", answer.missingEndMarker(), Expect.COMPLETE, 3, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void faultMatrix(String name, FakeResponse fault, Expect expect, int chunksBefore, String keyError)
            throws Exception {
        openai.forKey(secret("a")).next(fault);
        openai.byDefault().always(FakeResponse.ok("x").withChunks("alpha ", "beta ", "gamma"));
        LlmRotate lm = twoKeys();
        List<String> received = new ArrayList<>();
        LlmRotateException failure = null;
        try (ChatStream stream = lm.chatStream(HI)) {
            for (StreamChunk chunk : stream) {
                received.add(chunk.delta());
            }
        } catch (LlmRotateException e) {
            failure = e;
        }
        switch (expect) {
            case COMPLETE, COMPLETE_AFTER_RETRY -> {
                assertThat(failure).isNull();
                assertThat(String.join("", received)).isEqualTo("alpha beta gamma");
                assertThat(onlyRecord().get("attempts").asInt()).isEqualTo(expect == Expect.COMPLETE ? 1 : 2);
                assertThat(onlyRecord().get("outcome").asText()).isEqualTo("success");
            }
            case INTERRUPTED -> {
                assertThat(failure).isNotNull();
                assertThat(failure.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                assertThat(failure.maskedKey()).isEqualTo("a (sk-…cdef)");
                assertThat(received).hasSize(chunksBefore);
                assertThat(onlyRecord().get("outcome").asText()).isEqualTo("interrupted");
                assertThat(onlyRecord().get("error_type").asText()).isEqualTo("stream_interrupted");
            }
        }
        // Key a's health after the fault.
        var a = lm.health().key("a");
        if (keyError == null) {
            assertThat(a.consecutiveFailures()).isZero();
        } else if (keyError.equals("rate_limit")) {
            assertThat(a.state()).isEqualTo(KeyState.COOLDOWN);
        } else {
            assertThat(a.lastErrorType()).isEqualTo(keyError);
            assertThat(a.recentFailures()).isEqualTo(1);
        }
    }
}

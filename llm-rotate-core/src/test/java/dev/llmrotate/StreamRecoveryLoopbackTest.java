package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.config.StreamRecovery;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Stream recovery on an OpenAI-format provider, which does not continue a prefill: replay only. */
class StreamRecoveryLoopbackTest extends EngineTestSupport {

    private LlmRotate engine(StreamRecovery mode) {
        return engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"), Keys.openai("b"))
                .provider("openai", s -> s.withStreamRecovery(mode).withStreamIdleTimeout(Duration.ofMillis(300)))
                .build());
    }

    private static ChatRequest request() {
        return ChatRequest.builder("gpt-4o-mini").user("Count to five").build();
    }

    @Test
    void autoReplaysAndPassesOnOnlyWhatFollowsTheDeliveredText() {
        long start = System.nanoTime();
        AtomicInteger calls = new AtomicInteger();
        openai.byDefault()
                .respond(request -> calls.incrementAndGet() == 1
                        ? FakeResponse.ok("one two three four five")
                                .withChunks("one", " two", " three", " four", " five")
                                .stallAfterChunks(3)
                        : FakeResponse.ok("one two three four five").withChunks("one two", " thr", "ee four", " five"));
        LlmRotate lm = engine(StreamRecovery.AUTO);

        StringBuilder seen = new StringBuilder();
        int chunks = 0;
        try (ChatStream stream = lm.chatStream(request())) {
            for (var chunk : stream) {
                seen.append(chunk.delta());
                chunks++;
            }
        }
        assertThat(seen).hasToString("one two three four five");
        assertThat(chunks).isGreaterThanOrEqualTo(5);
        // OpenAI does not continue a prefill: the recovery replayed the request as it was.
        assertThat(openai.requests()).hasSize(2);
        assertThat(openai.requests().get(1).json().path("messages")).hasSize(1);
        // One idle timeout (300 ms) for the stall, then the replay: no other wait.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void theContinuationPrefersAnotherKeyThanTheOneThatBrokeEvenUnderPriority() {
        // Key a breaks every stream after two chunks; a replay on a again would break the same way.
        openai.forKey(secret("a"))
                .always(FakeResponse.ok("one two three")
                        .withChunks("one", " two", " three")
                        .cutAfterChunks(2));
        openai.forKey(secret("b")).always(FakeResponse.ok("one two three").withChunks("one", " two", " three"));
        LlmRotate lm = engine(StreamRecovery.REPLAY);

        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.collect().content()).isEqualTo("one two three");
        }
        assertThat(openai.requestCount(secret("a"))).isEqualTo(1);
        assertThat(openai.requestCount(secret("b"))).isEqualTo(1);
    }

    @Test
    void withOneKeyTheContinuationUsesTheKeyThatBroke() {
        AtomicInteger calls = new AtomicInteger();
        openai.byDefault()
                .respond(request -> calls.incrementAndGet() == 1
                        ? FakeResponse.ok("one two three")
                                .withChunks("one", " two", " three")
                                .cutAfterChunks(2)
                        : FakeResponse.ok("one two three").withChunks("one", " two", " three"));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"))
                .provider("openai", s -> s.withStreamRecovery(StreamRecovery.REPLAY))
                .build());

        try (ChatStream stream = lm.chatStream(request())) {
            assertThat(stream.collect().content()).isEqualTo("one two three");
        }
        assertThat(openai.requestCount(secret("a"))).isEqualTo(2);
    }

    @Test
    void prefillAloneCannotRecoverOnAProviderThatDoesNotContinueOne() {
        openai.byDefault()
                .always(FakeResponse.ok("one two three")
                        .withChunks("one", " two", " three")
                        .cutAfterChunks(1));
        LlmRotate lm = engine(StreamRecovery.PREFILL);

        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(stream::collect)
                    .isInstanceOfSatisfying(
                            LlmRotateException.class,
                            e -> assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED));
        }
        assertThat(openai.requests()).hasSize(1);
    }

    @Test
    void offIsTheDefault() {
        openai.byDefault()
                .always(FakeResponse.ok("one two three")
                        .withChunks("one", " two", " three")
                        .cutAfterChunks(1));
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        try (ChatStream stream = lm.chatStream(request())) {
            assertThatThrownBy(stream::collect).isInstanceOf(LlmRotateException.class);
        }
        assertThat(openai.requests()).hasSize(1);
    }
}

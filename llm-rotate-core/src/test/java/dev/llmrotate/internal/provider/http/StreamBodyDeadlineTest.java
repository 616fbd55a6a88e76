package dev.llmrotate.internal.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.bedrock.EventStreamDecoder;
import dev.llmrotate.internal.provider.sse.SseReader;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.testkit.EventStreamEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/**
 * The one place stream reads wait: past its deadline a read takes nothing more, even when data is already waiting.
 * A loopback server cannot keep data waiting at every read deterministically, so these bodies are fed in memory by a
 * subscription that hands over the next buffer the moment one is asked for: a server flooding keep-alives faster than
 * they are read.
 */
class StreamBodyDeadlineTest {
    private static final Duration DEADLINE = Duration.ofMillis(100);
    /** Without the deadline these reads would never end; the test gives up on them after this. */
    private static final Duration HANG = Duration.ofSeconds(5);

    /** A body whose every request for more is answered at once with {@code unit}, for ever. */
    private static JdkStreamBody flooded(byte[] unit) {
        JdkStreamBody body = new JdkStreamBody();
        body.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                body.onNext(List.of(ByteBuffer.wrap(unit)));
            }

            @Override
            public void cancel() {}
        });
        return body;
    }

    private static void assertTimesOutAtTheDeadline(Runnable read) {
        long start = System.nanoTime();
        assertTimeoutPreemptively(
                HANG,
                () -> assertThatThrownBy(read::run)
                        .isInstanceOfSatisfying(
                                ProviderException.class,
                                e -> assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT)));
        // Some callers set their deadline just before this starts timing: a few ms of it may have passed already.
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(DEADLINE.minusMillis(20), Duration.ofSeconds(2));
    }

    @Test
    void anSseReaderGivesUpAtItsDeadlineWhileCommentsKeepArriving() {
        SseReader events = new SseReader(flooded(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8)));

        assertTimesOutAtTheDeadline(() -> events.next(ProviderStream.deadlineAfter(DEADLINE)));
    }

    @Test
    void readingEventStreamMessagesGivesUpAtTheDeadlineWhileMessagesKeepArriving() {
        byte[] emptyDelta = EventStreamEncoder.event("contentBlockDelta", "{\"delta\":{\"text\":\"\"}}");
        EventStreamDecoder decoder = new EventStreamDecoder(flooded(emptyDelta)::readFully);
        long deadline = ProviderStream.deadlineAfter(DEADLINE);

        assertTimesOutAtTheDeadline(() -> {
            while (true) { // what a reader does with messages that carry no content
                decoder.next(deadline);
            }
        });
    }

    @Test
    void bytesAlreadyReceivedAreStillReadAfterTheDeadline() {
        JdkStreamBody body = flooded("data: one\n\ndata: two\n\n".getBytes(StandardCharsets.UTF_8));
        assertThat(body.readLine(ProviderStream.deadlineAfter(DEADLINE))).isEqualTo("data: one");
        long passed = System.nanoTime() - 1;

        assertThat(body.readLine(passed)).isEmpty();
        assertThat(body.readLine(passed)).isEqualTo("data: two");
        assertThat(body.readLine(passed)).isEmpty();
        assertThatThrownBy(() -> body.readLine(passed))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT));
    }

    @Test
    void aLineWithoutEndIsRefusedOnceItPassesTheLimitInsteadOfGrowingForEver() {
        byte[] noNewline = new byte[64 * 1024];
        java.util.Arrays.fill(noNewline, (byte) 'x');
        JdkStreamBody body = flooded(noNewline);
        assertTimeoutPreemptively(
                HANG,
                () -> assertThatThrownBy(() -> body.readLine(System.nanoTime() + HANG.toNanos()))
                        .isInstanceOfSatisfying(ProviderException.class, e -> {
                            assertThat(e.type()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                            assertThat(e.getMessage())
                                    .contains("longer than "
                                            + dev.llmrotate.spi.HttpLimits.DEFAULT_MAX_STREAM_LINE_BYTES);
                        }));
    }

    @Test
    void anEventWhoseDataLinesNeverEndIsRefusedOnceItPassesTheLimit() {
        String line = "data: " + "y".repeat(1024 * 1024) + "\n";
        SseReader events = new SseReader(flooded(line.getBytes(StandardCharsets.UTF_8)));
        assertTimeoutPreemptively(
                HANG,
                () -> assertThatThrownBy(() -> events.next(System.nanoTime() + HANG.toNanos()))
                        .isInstanceOfSatisfying(ProviderException.class, e -> {
                            assertThat(e.type()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                            assertThat(e.getMessage()).contains("longer than " + SseReader.MAX_EVENT_CHARS);
                        }));
    }
}

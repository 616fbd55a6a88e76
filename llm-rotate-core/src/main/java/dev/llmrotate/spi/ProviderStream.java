package dev.llmrotate.spi;

import dev.llmrotate.error.ErrorType;
import java.time.Duration;

/**
 * An open provider stream, read by one thread. The adapter hides its wire format: SSE events, Bedrock's binary
 * event-stream, end markers.
 *
 * <p>Deadlines are absolute {@link System#nanoTime()} values, compared as {@code System.nanoTime() - deadline >= 0}
 * (so they survive the wrap-around of the counter); {@link #deadlineAfter(Duration)} makes one.
 */
public interface ProviderStream extends AutoCloseable {

    /** Durations longer than this (about 73 years) count as this long, so that a deadline never overflows. */
    long MAX_WAIT_NANOS = Long.MAX_VALUE / 4;

    /**
     * The next piece that carries content, or the final piece; null once the stream has ended cleanly after its
     * final piece. Content is text, reasoning or tool-call deltas;
     * everything else a provider sends meanwhile (SSE comments, empty or role-only chunks, content-less candidates,
     * pings, start and stop events) is read and skipped but never extends {@code deadlineNanos}: however many such
     * bytes arrive, a piece is returned or an exception thrown by then.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value: the latest moment the piece may be waited for
     * @return the piece, or null after the final piece
     * @throws ProviderException {@link ErrorType#TIMEOUT} when the deadline passes before content or the final piece;
     *     {@link ErrorType#STREAM_INTERRUPTED} for a cut connection, a malformed event or an incomplete answer; or a
     *     classified error the provider sent as an event
     */
    StreamPiece next(long deadlineNanos);

    /** Releases the connection; safe to call more than once and from another thread. */
    @Override
    void close();

    /**
     * The deadline {@code timeout} from now, as {@link #next(long)} takes it.
     *
     * @param timeout how long from now; a negative one is now, a huge one {@link #MAX_WAIT_NANOS}
     * @return the deadline, a {@link System#nanoTime()} value
     */
    static long deadlineAfter(Duration timeout) {
        return System.nanoTime() + cappedNanos(timeout);
    }

    /**
     * {@code timeout} in nanoseconds, at most {@link #MAX_WAIT_NANOS}, never negative.
     *
     * @param timeout the duration
     * @return the nanoseconds, 0 to {@link #MAX_WAIT_NANOS}
     */
    static long cappedNanos(Duration timeout) {
        if (timeout.isNegative()) {
            return 0;
        }
        return timeout.getSeconds() >= MAX_WAIT_NANOS / 1_000_000_000L ? MAX_WAIT_NANOS : timeout.toNanos();
    }

    /**
     * Whether {@code deadlineNanos} has passed.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value
     * @return true at and after the deadline
     */
    static boolean passed(long deadlineNanos) {
        return System.nanoTime() - deadlineNanos >= 0;
    }

    /**
     * The earlier of two deadlines, compared so that the counter's wrap-around does not matter.
     *
     * @param deadlineNanos a {@link System#nanoTime()} value
     * @param otherNanos another one
     * @return the one that passes first
     */
    static long earlier(long deadlineNanos, long otherNanos) {
        return otherNanos - deadlineNanos < 0 ? otherNanos : deadlineNanos;
    }
}

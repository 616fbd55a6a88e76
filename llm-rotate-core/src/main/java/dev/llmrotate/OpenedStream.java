package dev.llmrotate;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamPiece;
import java.time.Duration;

/**
 * A provider stream that has produced its first piece. Opening counts as the attempt: anything that goes wrong
 * until the first piece is in hand can still be retried or rotated, because nothing has reached the caller yet.
 */
record OpenedStream(ProviderStream stream, StreamPiece first) {

    /**
     * The attempt of a streamed call: open the stream and wait for its first piece with content. The first-chunk
     * deadline runs from sending the request: {@code first_chunk_timeout_seconds}, capped by the call's deadline.
     * {@code request_timeout_seconds} ({@link Attempt#timeout()}) bounds only the wait for the status and headers,
     * which the first-chunk deadline bounds too (content cannot come after it).
     */
    static OpenedStream open(ProviderAdapter adapter, Attempt attempt) {
        long sent = System.nanoTime();
        Duration firstChunkTimeout = attempt.settings().firstChunkTimeout();
        long firstChunkDeadline = sent + ProviderStream.cappedNanos(firstChunkTimeout);
        long deadline = ProviderStream.earlier(firstChunkDeadline, attempt.deadlineNanos());
        if (deadline - sent <= 0) {
            throw new ProviderException(ErrorType.TIMEOUT, null, null, "no time left before the call deadline");
        }
        Duration untilDeadline = Duration.ofNanos(deadline - sent);
        boolean headersCapped = untilDeadline.compareTo(attempt.timeout()) < 0;
        ProviderStream stream;
        try {
            stream = adapter.openStream(headersCapped ? attempt.withTimeout(untilDeadline) : attempt);
        } catch (ProviderException e) {
            if (headersCapped
                    && e.type() == ErrorType.TIMEOUT
                    && deadline == firstChunkDeadline
                    && ProviderStream.passed(deadline)) {
                throw noContent(firstChunkTimeout, ": not even the response headers");
            }
            throw e;
        }
        try {
            StreamPiece first;
            try {
                first = stream.next(deadline);
            } catch (ProviderException e) {
                if (e.type() != ErrorType.TIMEOUT || !ProviderStream.passed(deadline)) {
                    throw e; // a failure of its own, or a timeout the provider reported
                }
                throw deadline == firstChunkDeadline
                        ? noContent(firstChunkTimeout, "")
                        : new ProviderException(ErrorType.TIMEOUT, null, null, "no content before the call deadline");
            }
            if (first == null) {
                throw new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "stream ended before any data");
            }
            return new OpenedStream(stream, first);
        } catch (ProviderException e) {
            stream.close();
            if (e.type() == ErrorType.STREAM_INTERRUPTED) {
                // Nothing reached the caller yet: a break now is an ordinary connection failure, worth a retry.
                throw new ProviderException(
                        ErrorType.CONNECTION_ERROR,
                        e.httpStatus(),
                        e.retryAfter(),
                        "before the first chunk: " + e.getMessage());
            }
            throw e;
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    private static ProviderException noContent(Duration firstChunkTimeout, String detail) {
        return new ProviderException(
                ErrorType.TIMEOUT,
                null,
                null,
                "no content arrived within first_chunk_timeout_seconds (" + firstChunkTimeout.toMillis()
                        + " ms) of sending the request" + detail);
    }
}

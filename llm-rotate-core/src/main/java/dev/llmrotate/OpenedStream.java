package dev.llmrotate;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.provider.Attempt;
import dev.llmrotate.provider.ProviderAdapter;
import dev.llmrotate.provider.ProviderException;
import dev.llmrotate.provider.ProviderStream;
import dev.llmrotate.provider.StreamPiece;
import java.time.Duration;

/**
 * A provider stream that has produced its first piece. Opening counts as the attempt: anything that goes wrong
 * until the first piece is in hand can still be retried or rotated, because nothing has reached the caller yet.
 */
record OpenedStream(ProviderStream stream, StreamPiece first) {

    /** The attempt of a streamed call: open the stream and wait for its first piece. */
    static OpenedStream open(ProviderAdapter adapter, Attempt attempt) {
        ProviderStream stream = adapter.openStream(attempt);
        try {
            Duration firstChunkTimeout = attempt.settings().firstChunkTimeout();
            StreamPiece first = stream.next(
                    firstChunkTimeout.compareTo(attempt.timeout()) < 0 ? firstChunkTimeout : attempt.timeout());
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
}

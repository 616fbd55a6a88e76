package dev.llmrotate.provider;

import java.time.Duration;

/**
 * An open provider stream, read by one thread. The adapter hides its wire format: SSE events, Bedrock's binary
 * event-stream, end markers.
 */
public interface ProviderStream extends AutoCloseable {

    /**
     * The next piece, waiting at most {@code timeout} for it; null once the stream has ended cleanly after its final
     * piece. Throws {@link ProviderException}: {@code timeout} when nothing arrived in time, {@code
     * stream_interrupted} for a cut connection, a malformed event or an incomplete answer, or a classified error the
     * provider sent as an event.
     */
    StreamPiece next(Duration timeout);

    /** Releases the connection; safe to call more than once and from another thread. */
    @Override
    void close();
}

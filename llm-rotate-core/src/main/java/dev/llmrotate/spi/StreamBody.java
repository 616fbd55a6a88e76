package dev.llmrotate.spi;

import dev.llmrotate.error.ErrorType;

/**
 * A streamed response body read against absolute deadlines, by one thread; {@link #close()} may come from any thread.
 *
 * <p>Every read takes a deadline, a {@link System#nanoTime()} value (see {@link ProviderStream}), not a timeout: a
 * caller reading many lines or events for one result passes the same deadline to each read, so bytes that arrive
 * meanwhile (keep-alive comments included) do not extend it. Once the deadline has passed a read still returns bytes
 * already received, but waits for nothing more: it throws {@link ErrorType#TIMEOUT}, however much data is arriving,
 * so a server sending fast cannot hold a reader past its deadline either. When the connection breaks, every byte
 * received before is delivered first, then {@link ErrorType#STREAM_INTERRUPTED}. Bytes are delivered as they arrive
 * (no buffering until some amount is in).
 */
public interface StreamBody extends AutoCloseable {
    /**
     * The next line (UTF-8, without its line break and a {@code \r} before it), or null at the end of the body.
     *
     * @param deadlineNanos when to give up waiting, a {@link System#nanoTime()} value
     * @return the line, or null at the end of the body
     * @throws ProviderException {@link ErrorType#TIMEOUT} when the deadline passes first; {@link
     *     ErrorType#STREAM_INTERRUPTED} when the connection breaks or is {@link #close() closed}, when the reading
     *     thread is interrupted (its flag set again) or for a line longer than {@link #maxLineBytes()}
     */
    String readLine(long deadlineNanos);

    /**
     * Reads up to {@code length} bytes, fewer only at the end of the body; returns how many were read.
     *
     * @param buffer where the bytes go
     * @param offset the index in {@code buffer} of the first byte
     * @param length how many bytes to read
     * @param deadlineNanos when to give up waiting, a {@link System#nanoTime()} value
     * @return the bytes read: {@code length}, fewer only at the end of the body
     * @throws ProviderException as {@link #readLine} does
     */
    int readFully(byte[] buffer, int offset, int length, long deadlineNanos);

    /**
     * The longest line {@link #readLine} returns; an SSE event may carry at most twice that.
     *
     * @return the limit in bytes, {@link HttpLimits#maxStreamLineBytes()} of the client
     */
    int maxLineBytes();

    /** Releases the connection (not reused: the body was not read to its end) and wakes a reader waiting for data. */
    @Override
    void close();
}

package dev.llmrotate.netty;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.StreamBody;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A streamed body fed by the event loop, read by one thread against absolute deadlines ({@link StreamBody}): chunks
 * are queued as they arrive, then the end, a failure, or the reader's close. When the reader falls behind by more
 * than {@link #PAUSE_BYTES} the connection stops reading until it has caught up to {@link #RESUME_BYTES}.
 */
final class NettyStreamBody implements StreamBody {
    private static final Object END = new Object();
    private static final Object CLOSED = new Object();
    private static final int PAUSE_BYTES = 1024 * 1024;
    private static final int RESUME_BYTES = 256 * 1024;
    private static final byte[] NONE = new byte[0];

    /** Chunks (byte[]) as they arrive, then END, a Throwable, or CLOSED. */
    private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();

    private final AtomicLong queuedBytes = new AtomicLong();
    private final int maxLineBytes;
    private final StreamCall call;
    private volatile Channel paused;
    private byte[] chunk = NONE;
    private int index;
    private Object terminal;
    private byte[] line = new byte[256];

    NettyStreamBody(int maxLineBytes, StreamCall call) {
        this.maxLineBytes = maxLineBytes;
        this.call = call;
    }

    /** On the event loop. */
    void arrived(byte[] bytes, Channel channel) {
        arrived.add(bytes);
        if (queuedBytes.addAndGet(bytes.length) > PAUSE_BYTES && channel != null && paused == null) {
            paused = channel;
            channel.config().setAutoRead(false);
        }
    }

    void ended() {
        arrived.add(END);
    }

    void broke(Throwable cause) {
        arrived.add(cause);
    }

    @Override
    public int maxLineBytes() {
        return maxLineBytes;
    }

    @Override
    public String readLine(long deadlineNanos) {
        int length = 0;
        while (true) {
            if (!available(deadlineNanos)) {
                return length == 0 ? null : decode(length);
            }
            // Copy up to the line break in one go: lines are found without a call per byte.
            int start = index;
            int end = start;
            byte[] c = chunk;
            while (end < c.length && c[end] != '\n') {
                end++;
            }
            int n = end - start;
            if (length + n > maxLineBytes) {
                // A line this long is no provider's event: refuse it rather than grow without bound.
                throw new ProviderException(
                        ErrorType.STREAM_INTERRUPTED, null, null, "stream line longer than " + maxLineBytes + " bytes");
            }
            if (length + n > line.length) {
                line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(length + n, line.length * 2)));
            }
            System.arraycopy(c, start, line, length, n);
            length += n;
            if (end < c.length) {
                index = end + 1;
                return decode(length);
            }
            index = end;
        }
    }

    @Override
    public int readFully(byte[] buffer, int offset, int length, long deadlineNanos) {
        int total = 0;
        while (total < length && available(deadlineNanos)) {
            int n = Math.min(chunk.length - index, length - total);
            System.arraycopy(chunk, index, buffer, offset + total, n);
            index += n;
            total += n;
        }
        return total;
    }

    /** True with bytes left in {@link #chunk}, waiting until {@code deadline} for some; false at the end. */
    private boolean available(long deadline) {
        while (index >= chunk.length) {
            if (terminal != null) {
                return finished(terminal);
            }
            Object next = poll(deadline);
            if (next instanceof byte[] bytes) {
                chunk = bytes;
                index = 0;
                consumed(bytes.length);
            } else {
                terminal = next;
            }
        }
        return true;
    }

    private void consumed(int n) {
        Channel channel = paused;
        if (queuedBytes.addAndGet(-n) < RESUME_BYTES && channel != null) {
            paused = null;
            channel.config().setAutoRead(true);
        }
    }

    private Object poll(long deadline) {
        try {
            long left = deadline - System.nanoTime();
            // Past the deadline nothing more is taken, even if it is waiting: see StreamBody.
            Object next = left > 0 ? arrived.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                throw new ProviderException(ErrorType.TIMEOUT, null, null, "deadline passed waiting for stream data");
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "interrupted while reading");
        }
    }

    private boolean finished(Object end) {
        if (end == END) {
            return false;
        }
        if (end == CLOSED) {
            throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "stream closed");
        }
        throw new ProviderException(
                ErrorType.STREAM_INTERRUPTED, null, null, "stream broke: " + Call.detail((Throwable) end));
    }

    private String decode(int length) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return new String(line, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        call.abandoned();
        arrived.add(CLOSED);
    }
}

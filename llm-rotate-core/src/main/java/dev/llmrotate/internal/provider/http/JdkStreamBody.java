package dev.llmrotate.internal.provider.http;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamBody;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A streamed response body read against absolute deadlines ({@link StreamBody}), fed by the JDK client as a body
 * subscriber.
 *
 * <p>Two things the JDK's own {@code ofInputStream()} gets wrong for streams: a read cannot be bounded in time (the
 * client stops timing once headers arrive), and when the connection breaks it reports the failure at once, dropping
 * bytes that had already arrived. Here every byte received is delivered first, then the failure; a broken connection
 * is {@link ErrorType#STREAM_INTERRUPTED}.
 *
 * <p>Every read takes a deadline, a {@link System#nanoTime()} value (see {@link ProviderStream}), not a timeout: a
 * caller reading many lines or events for one result passes the same deadline to each read, so bytes that arrive
 * meanwhile do not extend it. Once the deadline has passed a read still returns the bytes already handed over by the
 * client, but takes nothing more: it throws {@link ErrorType#TIMEOUT}, however much data is waiting, so a server
 * sending fast cannot hold a reader past its deadline either. Read by one thread; {@link #close()} may come from any
 * thread.
 */
public final class JdkStreamBody implements HttpResponse.BodySubscriber<JdkStreamBody>, StreamBody {
    private static final Object END = new Object();
    private static final Object CLOSED = new Object();

    /** Lists of buffers as they arrive, then END, a Throwable, or CLOSED. */
    private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();

    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private List<ByteBuffer> buffers = List.of();
    private int bufferIndex;
    private Object terminal;
    private byte[] line = new byte[256];

    /** The longest line {@link #readLine} returns for this body. */
    private final int maxLineBytes;

    JdkStreamBody() {
        this(HttpLimits.DEFAULT_MAX_STREAM_LINE_BYTES);
    }

    JdkStreamBody(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public int maxLineBytes() {
        return maxLineBytes;
    }

    @Override
    public CompletionStage<JdkStreamBody> getBody() {
        return CompletableFuture.completedFuture(this); // available as soon as the headers are
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        arrived.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        arrived.add(throwable);
    }

    @Override
    public void onComplete() {
        arrived.add(END);
    }

    @Override
    public String readLine(long deadlineNanos) {
        int length = 0;
        while (true) {
            int b = read(deadlineNanos);
            if (b < 0) {
                return length == 0 ? null : decode(length);
            }
            if (b == '\n') {
                return decode(length);
            }
            if (length == line.length) {
                if (length >= maxLineBytes) {
                    // A line this long is no provider's event: refuse it rather than grow without bound.
                    throw new ProviderException(
                            ErrorType.STREAM_INTERRUPTED,
                            null,
                            null,
                            "stream line longer than " + maxLineBytes + " bytes");
                }
                line = Arrays.copyOf(line, Math.min(length * 2, maxLineBytes));
            }
            line[length++] = (byte) b;
        }
    }

    @Override
    public int readFully(byte[] buffer, int offset, int length, long deadlineNanos) {
        int total = 0;
        while (total < length) {
            ByteBuffer current = currentBuffer(deadlineNanos);
            if (current == null) {
                break;
            }
            int n = Math.min(current.remaining(), length - total);
            current.get(buffer, offset + total, n);
            total += n;
        }
        return total;
    }

    private int read(long deadline) {
        ByteBuffer current = currentBuffer(deadline);
        return current == null ? -1 : current.get() & 0xff;
    }

    /** A buffer with bytes left, waiting until {@code deadline} for one; null at the end of the body. */
    private ByteBuffer currentBuffer(long deadline) {
        while (true) {
            while (bufferIndex < buffers.size()) {
                ByteBuffer buffer = buffers.get(bufferIndex);
                if (buffer.hasRemaining()) {
                    return buffer;
                }
                bufferIndex++;
            }
            if (terminal != null) {
                return finished(terminal);
            }
            Object next = poll(deadline);
            if (next instanceof List<?> list) {
                @SuppressWarnings("unchecked")
                List<ByteBuffer> received = (List<ByteBuffer>) list;
                buffers = received;
                bufferIndex = 0;
                subscription.request(1);
            } else {
                terminal = next;
            }
        }
    }

    private Object poll(long deadline) {
        try {
            long left = deadline - System.nanoTime();
            // Past the deadline nothing more is taken, even if it is waiting: see the class comment.
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

    private ByteBuffer finished(Object end) {
        if (end == END) {
            return null;
        }
        if (end == CLOSED) {
            throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "stream closed");
        }
        Throwable cause = (Throwable) end;
        String detail = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        throw new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "stream broke: " + detail);
    }

    private String decode(int length) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return new String(line, 0, end, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        arrived.add(CLOSED);
    }
}

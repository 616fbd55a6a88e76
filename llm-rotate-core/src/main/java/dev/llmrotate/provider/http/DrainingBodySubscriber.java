package dev.llmrotate.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A response body as an {@link InputStream} that hands out every byte received before a failure, then the failure.
 * The JDK's {@code BodyHandlers.ofInputStream()} throws as soon as the connection fails, dropping data already
 * received but not yet read: a stream cut right after its last events would lose them, and whether a reader sees
 * them would depend on thread timing. Here data, end and failure are queued in arrival order, and data is read from
 * the connection as it comes (streamed LLM answers are small). Read by one thread; {@link InputStream#close()} may
 * come from another and wakes a blocked read.
 */
final class DrainingBodySubscriber implements HttpResponse.BodySubscriber<InputStream> {
    private static final Object END = new Object();
    private static final Object CLOSED = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Body body = new Body();
    private volatile Flow.Subscription subscription;

    static HttpResponse.BodyHandler<InputStream> handler() {
        return info -> new DrainingBodySubscriber();
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(body);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (body.closed) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        queue.add(buffers);
    }

    @Override
    public void onError(Throwable failure) {
        queue.add(failure);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    private final class Body extends InputStream {
        private volatile boolean closed;
        private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
        private ByteBuffer current;
        private Object terminal;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (!advance()) {
                return -1;
            }
            int n = Math.min(length, current.remaining());
            current.get(into, offset, n);
            return n;
        }

        /** True once a buffer with data is current; false at the end; throws for a failure or after close. */
        @SuppressWarnings("unchecked")
        private boolean advance() throws IOException {
            if (closed) {
                throw new IOException("closed");
            }
            while (current == null || !current.hasRemaining()) {
                if (buffers.hasNext()) {
                    current = buffers.next();
                    continue;
                }
                if (terminal == null) {
                    Object next;
                    try {
                        next = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading the response body");
                    }
                    if (next instanceof List<?> list) {
                        buffers = ((List<ByteBuffer>) list).iterator();
                        continue;
                    }
                    terminal = next;
                }
                if (terminal == END) {
                    return false;
                }
                if (terminal == CLOSED) {
                    throw new IOException("closed");
                }
                Throwable failure = (Throwable) terminal;
                throw failure instanceof IOException io
                        ? new IOException(io.getMessage(), io)
                        : new IOException(failure);
            }
            return true;
        }

        @Override
        public int available() {
            return current == null ? 0 : current.remaining();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(CLOSED);
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}

package dev.llmrotate.bench.serverstack;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * Cuts the upstream body into complete SSE events and hands them to a {@link StreamSink} as they arrive, asking the
 * upstream for more only once the client took the last write (backpressure, bounded buffer).
 */
final class SseRelay implements Flow.Subscriber<List<ByteBuffer>> {
    private static final int MAX_PENDING = 1 << 20;

    private final StreamSink sink;
    private Flow.Subscription subscription;
    private byte[] pending = new byte[4096];
    private int pendingLength;

    SseRelay(StreamSink sink) {
        this.sink = sink;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            append(buffer);
        }
        if (pendingLength > MAX_PENDING) {
            subscription.cancel();
            sink.fail(new IOException("upstream SSE event longer than " + MAX_PENDING + " bytes"));
            return;
        }
        int end = endOfLastEvent();
        if (end < 0) {
            subscription.request(1);
            return;
        }
        byte[] events = Arrays.copyOf(pending, end);
        System.arraycopy(pending, end, pending, 0, pendingLength - end);
        pendingLength -= end;
        sink.events(events, error -> {
            if (error == null) {
                subscription.request(1);
            } else {
                subscription.cancel();
                sink.fail(error);
            }
        });
    }

    @Override
    public void onError(Throwable error) {
        sink.fail(error);
    }

    @Override
    public void onComplete() {
        if (pendingLength == 0) {
            sink.end();
            return;
        }
        sink.events(Arrays.copyOf(pending, pendingLength), error -> {
            if (error == null) {
                sink.end();
            } else {
                sink.fail(error);
            }
        });
    }

    private void append(ByteBuffer buffer) {
        int n = buffer.remaining();
        if (pendingLength + n > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + n));
        }
        buffer.get(pending, pendingLength, n);
        pendingLength += n;
    }

    /** Index just past the last blank line ("\n\n" or "\r\n\r\n"), or -1 when no event is complete yet. */
    private int endOfLastEvent() {
        for (int i = pendingLength - 1; i >= 1; i--) {
            if (pending[i] == '\n' && (pending[i - 1] == '\n' || isCrlfCrlf(i))) {
                return i + 1;
            }
        }
        return -1;
    }

    private boolean isCrlfCrlf(int lastIndex) {
        return lastIndex >= 3
                && pending[lastIndex - 1] == '\r'
                && pending[lastIndex - 2] == '\n'
                && pending[lastIndex - 3] == '\r';
    }
}

package dev.llmrotate.internal.provider.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;

/** Stream bodies filled from memory, for benchmarks of the parsing that follows the network. */
public final class StreamBodies {
    private StreamBodies() {}

    /** A body that has already received {@code buffers} (read through duplicates, so they can be reused) and the end. */
    public static JdkStreamBody received(List<ByteBuffer> buffers) {
        JdkStreamBody body = new JdkStreamBody();
        body.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
        });
        for (ByteBuffer buffer : buffers) {
            body.onNext(List.of(buffer.duplicate()));
        }
        body.onComplete();
        return body;
    }
}

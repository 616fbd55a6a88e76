package dev.llmrotate.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The body stream hands out what arrived before a failure, in order, and a close wakes a blocked read. */
class DrainingBodySubscriberTest {

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static final class Subscription implements Flow.Subscription {
        final AtomicBoolean cancelled = new AtomicBoolean();
        long requested;

        @Override
        public void request(long n) {
            requested = n;
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    @Test
    void dataReceivedBeforeAFailureIsReadBeforeTheFailure() throws Exception {
        DrainingBodySubscriber subscriber = new DrainingBodySubscriber();
        Subscription subscription = new Subscription();
        subscriber.onSubscribe(subscription);
        subscriber.onNext(List.of(bytes("first "), bytes("second")));
        subscriber.onError(new IOException("connection reset"));
        InputStream in = subscriber.getBody().toCompletableFuture().get();

        byte[] buffer = new byte[64];
        int n = in.readNBytes(buffer, 0, 12);
        assertThat(new String(buffer, 0, n, StandardCharsets.UTF_8)).isEqualTo("first second");
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("connection reset");
        assertThat(subscription.requested).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theEndIsReportedAfterTheData() throws Exception {
        DrainingBodySubscriber subscriber = new DrainingBodySubscriber();
        subscriber.onSubscribe(new Subscription());
        subscriber.onNext(List.of(bytes("all")));
        subscriber.onComplete();
        InputStream in = subscriber.getBody().toCompletableFuture().get();
        assertThat(in.readAllBytes()).isEqualTo("all".getBytes(StandardCharsets.UTF_8));
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void closingFromAnotherThreadWakesABlockedReadAndCancels() throws Exception {
        DrainingBodySubscriber subscriber = new DrainingBodySubscriber();
        Subscription subscription = new Subscription();
        subscriber.onSubscribe(subscription);
        InputStream in = subscriber.getBody().toCompletableFuture().get();
        CompletableFuture<Throwable> reader = CompletableFuture.supplyAsync(() -> {
            try {
                in.read();
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        Thread.sleep(50);
        in.close();
        assertThat(reader.get(Duration.ofSeconds(2).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                .isInstanceOf(IOException.class)
                .hasMessage("closed");
        assertThat(subscription.cancelled).isTrue();
    }
}

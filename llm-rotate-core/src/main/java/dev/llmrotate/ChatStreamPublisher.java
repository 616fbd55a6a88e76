package dev.llmrotate;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.StreamChunk;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link LlmRotate#chatStream} as a {@link Flow.Publisher}: one subscriber; the call starts at the first request
 * for data and runs on an executor; chunks are delivered only as demanded; cancelling closes the stream.
 */
final class ChatStreamPublisher implements Flow.Publisher<StreamChunk> {
    private final LlmRotate lm;
    private final ChatRequest request;
    private final Executor executor;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    ChatStreamPublisher(LlmRotate lm, ChatRequest request, Executor executor) {
        this.lm = lm;
        this.request = request;
        this.executor = executor;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super StreamChunk> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            subscriber.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            subscriber.onError(new IllegalStateException("a chat stream publisher takes one subscriber"));
            return;
        }
        subscriber.onSubscribe(new Delivery(subscriber));
    }

    private final class Delivery implements Flow.Subscription, Runnable {
        private final Flow.Subscriber<? super StreamChunk> subscriber;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition demanded = lock.newCondition();
        private long demand;
        private boolean started;
        private volatile boolean cancelled;
        private volatile ChatStream stream;

        Delivery(Flow.Subscriber<? super StreamChunk> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("request(n) needs n > 0, got " + n));
                return;
            }
            boolean start;
            lock.lock();
            try {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                start = !started;
                started = true;
                demanded.signalAll();
            } finally {
                lock.unlock();
            }
            if (start) {
                executor.execute(this);
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
            ChatStream open = stream;
            if (open != null) {
                open.close();
            }
            lock.lock();
            try {
                demanded.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void run() {
            try (ChatStream chunks = lm.chatStream(request)) {
                stream = chunks;
                while (!cancelled && chunks.hasNext()) {
                    if (!awaitDemand()) {
                        return;
                    }
                    subscriber.onNext(chunks.next());
                }
                if (!cancelled) {
                    subscriber.onComplete();
                }
            } catch (RuntimeException e) {
                if (!cancelled) {
                    subscriber.onError(e);
                }
            }
        }

        /** Waits until the subscriber wants one more chunk; false when it cancelled. */
        private boolean awaitDemand() {
            lock.lock();
            try {
                while (demand == 0 && !cancelled) {
                    demanded.awaitUninterruptibly();
                }
                if (cancelled) {
                    return false;
                }
                if (demand != Long.MAX_VALUE) {
                    demand--;
                }
                return true;
            } finally {
                lock.unlock();
            }
        }
    }
}

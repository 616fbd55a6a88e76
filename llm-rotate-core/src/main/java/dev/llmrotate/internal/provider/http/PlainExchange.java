package dev.llmrotate.internal.provider.http;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * One plain (not streamed) exchange: the body handler that reads the response whole, within a size limit and by a
 * deadline, and hands it to a reader on the HTTP client thread that received its end.
 *
 * <p>The JDK client stops timing an exchange once the headers are in, so from then on the body is watched against the
 * attempt's deadline ({@link Timeouts}); once that passes, the body is abandoned and its connection closed. A 2xx body longer than the limit fails the attempt as {@link ErrorType#TRANSIENT_SERVER_ERROR} (a malformed
 * answer, like one that is not JSON); an error body longer than its limit is cut there and classified by its status
 * and what was read.
 *
 * <p>The reader (parsing a reply, classifying an error answer) runs before the waiting caller is woken, while the
 * response is still hot in the client thread's caches; a caller blocked in {@code HttpClient.send} gets the reader's
 * outcome as the response body ({@link #outcome}). An asynchronous exchange completes {@link #future()} from there
 * too, before the JDK completes its own future (which {@code sendAsync} hands to another pool): no thread hop is on
 * the path of a reply.
 *
 * @param <T> what the reader makes of the response
 */
final class PlainExchange<T> implements HttpResponse.BodyHandler<Object> {
    private final long deadlineNanos;
    private final Duration timeout;
    private final int maxBodyBytes;
    private final int maxErrorBodyBytes;
    private final Function<HttpResult, T> reader;
    private final CompletableFuture<T> future;
    private volatile Body body;
    /** Set once the whole body is in: from then on, failing the caller's future must not abort the exchange. */
    private volatile boolean bodyRead;

    /** A reader's exception, carried to the caller of a blocking exchange as the body (the exchange itself went well). */
    private record ReaderFailure(RuntimeException error) {}

    private PlainExchange(
            long deadlineNanos,
            Duration timeout,
            int maxBodyBytes,
            int maxErrorBodyBytes,
            Function<HttpResult, T> reader,
            CompletableFuture<T> future) {
        this.deadlineNanos = deadlineNanos;
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
        this.maxErrorBodyBytes = maxErrorBodyBytes;
        this.reader = reader;
        this.future = future;
    }

    /** An exchange whose caller waits in {@code HttpClient.send} and takes the reader's {@link #outcome}. */
    static <T> PlainExchange<T> blocking(
            long deadlineNanos,
            Duration timeout,
            int maxBodyBytes,
            int maxErrorBodyBytes,
            Function<HttpResult, T> reader) {
        return new PlainExchange<>(deadlineNanos, timeout, maxBodyBytes, maxErrorBodyBytes, reader, null);
    }

    /** An exchange that completes {@link #future()} with what {@code reader} makes of the response. */
    static <T> PlainExchange<T> async(
            long deadlineNanos,
            Duration timeout,
            int maxBodyBytes,
            int maxErrorBodyBytes,
            Function<HttpResult, T> reader) {
        return new PlainExchange<>(
                deadlineNanos, timeout, maxBodyBytes, maxErrorBodyBytes, reader, new CompletableFuture<>());
    }

    /** The caller's future (async exchanges only). */
    CompletableFuture<T> future() {
        return future;
    }

    /** The reader's value from the body of a blocking exchange's response; the reader's exception is thrown as is. */
    @SuppressWarnings("unchecked")
    T outcome(Object responseBody) {
        if (responseBody instanceof ReaderFailure failure) {
            throw failure.error();
        }
        return (T) responseBody;
    }

    /**
     * Ties the caller's future to the JDK's: a failure before the headers (connect, headers timeout) fails the
     * caller's future, and the caller's future ending early (cancelled, failed) aborts the exchange.
     */
    void attach(CompletableFuture<?> sent) {
        sent.whenComplete((response, error) -> {
            if (error != null) {
                future.completeExceptionally(classify(error));
            }
        });
        future.whenComplete((value, error) -> {
            if (error != null && !bodyRead) {
                sent.cancel(true); // JDK 16+: aborts the exchange, whatever phase it is in
                abort();
            }
        });
    }

    @Override
    public HttpResponse.BodySubscriber<Object> apply(HttpResponse.ResponseInfo info) {
        Body b = new Body(info.statusCode(), info.headers());
        body = b;
        if (future != null && future.isDone()) {
            b.abort();
        }
        return b;
    }

    /** Abandons the body, if one is being read: closes its connection and stops watching its deadline. */
    void abort() {
        Body b = body;
        if (b != null) {
            b.abort();
        }
    }

    /** The classified failure of a blocking exchange whose {@code send} threw {@code thrown}. */
    ProviderException failure(Throwable thrown) {
        Body b = body;
        ProviderException own = b == null ? null : b.failure();
        return own != null ? own : classify(thrown);
    }

    private ProviderException classify(Throwable thrown) {
        Throwable cause = thrown;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ProviderException own) {
            return own;
        }
        Body b = body;
        ProviderException own = b == null ? null : b.failure();
        return own != null ? own : JdkHttpClient.classify(cause, timeout);
    }

    /** Runs the reader: its value, or its exception wrapped, for a blocking caller; completes an async future. */
    private Object read(HttpResult response) {
        bodyRead = true;
        T value;
        try {
            value = reader.apply(response);
        } catch (RuntimeException e) {
            if (future != null) {
                future.completeExceptionally(e);
            }
            return new ReaderFailure(e);
        }
        if (future != null) {
            future.complete(value);
        }
        return value;
    }

    private void failed(ProviderException failure) {
        if (future != null) {
            future.completeExceptionally(failure);
        }
    }

    /** The body: bytes gathered up to the limit, by the deadline. */
    private final class Body implements HttpResponse.BodySubscriber<Object>, Timeouts.Watched {
        private static final int INITIAL_CAPACITY = 2048;

        private final int status;
        private final HttpHeaders headers;
        private final boolean success;
        private final int limit;
        private final CompletableFuture<Object> result = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private byte[] bytes;
        private int length;

        Body(int status, HttpHeaders headers) {
            this.status = status;
            this.headers = headers;
            this.success = status >= 200 && status < 300;
            this.limit = success ? maxBodyBytes : maxErrorBodyBytes;
            long declared = declaredLength(headers);
            this.bytes = new byte[(int) Math.min(limit, declared >= 0 ? declared : INITIAL_CAPACITY)];
            if (success && declared > limit) {
                fail(tooLarge());
            } else {
                Timeouts.watch(this);
            }
        }

        private static long declaredLength(HttpHeaders headers) {
            try {
                return headers.firstValueAsLong("content-length").orElse(-1);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public CompletionStage<Object> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (result.isDone()) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                int n = item.remaining();
                if (n > limit - length) {
                    if (success) {
                        fail(tooLarge());
                        return;
                    }
                    item.get(capacity(limit), length, limit - length);
                    length = limit;
                    finish(); // an error body is cut at its limit: its start is what classifies it
                    return;
                }
                item.get(capacity(length + n), length, n);
                length += n;
            }
        }

        @Override
        public void onError(Throwable error) {
            String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
            fail(new ProviderException(
                    ErrorType.CONNECTION_ERROR, null, null, "connection failed while reading the body: " + detail));
        }

        @Override
        public void onComplete() {
            finish();
        }

        private byte[] capacity(int needed) {
            if (needed > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(needed, 2L * bytes.length)));
            }
            return bytes;
        }

        private void finish() {
            if (result.isDone()) {
                return;
            }
            HttpResult response = new HttpResult(status, headers, new String(bytes, 0, length, StandardCharsets.UTF_8));
            bytes = null;
            boolean cut = length == limit && !success;
            result.complete(read(response));
            if (cut) {
                cancelSubscription(); // after completing: the cancellation may come back at once as an error
            }
            stopTimer();
        }

        @Override
        public long deadlineNanos() {
            return deadlineNanos;
        }

        @Override
        public void expire() {
            fail(new ProviderException(ErrorType.TIMEOUT, null, null, "no complete response within " + timeout));
        }

        private ProviderException tooLarge() {
            return new ProviderException(
                    ErrorType.TRANSIENT_SERVER_ERROR,
                    status,
                    null,
                    "response body longer than the limit of " + limit + " bytes");
        }

        private void fail(ProviderException failure) {
            if (result.isDone()) {
                return;
            }
            // Settle the outcome before cancelling: a JDK may report the cancellation at once, on this thread, as an
            // error of the body (JDK 25 does), which must not replace the failure that caused it.
            failed(failure);
            result.completeExceptionally(failure);
            cancelSubscription();
            stopTimer();
        }

        void abort() {
            cancelSubscription();
            result.cancel(false);
            stopTimer();
        }

        /** The failure this body ended with, or null. */
        ProviderException failure() {
            if (!result.isCompletedExceptionally() || result.isCancelled()) {
                return null;
            }
            try {
                result.getNow(null);
                return null;
            } catch (CompletionException e) {
                return e.getCause() instanceof ProviderException own ? own : null;
            }
        }

        private void cancelSubscription() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        private void stopTimer() {
            Timeouts.unwatch(this);
        }
    }
}

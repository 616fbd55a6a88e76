package dev.llmrotate.spi;

import dev.llmrotate.error.ErrorType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The HTTP client the built-in adapters send with, made by an {@link HttpClientProvider}; thread-safe. Every
 * implementation keeps these contracts, which the adapters and the engine rely on:
 *
 * <ul>
 *   <li><b>Deadlines.</b> {@link HttpPost#timeout()} bounds a plain exchange from the request to the last byte of
 *       the body: bytes arriving without completing it do not extend it. Past it the exchange fails as {@link
 *       ErrorType#TIMEOUT} and its connection is closed. For a stream it bounds the wait for the status and headers
 *       (and an error answer's body); the 2xx body is then bounded by each read's deadline ({@link StreamBody}).
 *   <li><b>Bounded bodies.</b> A 2xx body longer than {@link HttpLimits#maxBodyBytes()} fails as {@link
 *       ErrorType#TRANSIENT_SERVER_ERROR} with its status; an error body is read up to {@link
 *       HttpLimits#maxErrorBodyBytes()}, the rest dropped with its connection, and handed to the reader as cut.
 *   <li><b>Failures</b> before the response is complete are thrown (or fail the future) as a {@link
 *       ProviderException}: {@link ErrorType#TIMEOUT} for the deadline, {@link ErrorType#CONNECTION_ERROR} for a
 *       refused, timed-out, reset or closed connection (and a TLS failure). Redirects are not followed.
 *   <li><b>Readers.</b> {@code reader} makes the caller's value of the complete response (parsing a reply,
 *       classifying an error answer); it runs on the thread that completed the response, before the caller is woken.
 *       What it throws reaches the caller as it is.
 *   <li><b>Cancellation.</b> Interrupting a thread blocked in {@link #post} or {@link #openStream} aborts the
 *       exchange (its connection is closed) and throws {@link CallCancelledException} with the interrupt flag set
 *       again. Cancelling (or otherwise completing) the future of {@link #postAsync} before the response is complete
 *       aborts the exchange.
 * </ul>
 */
public interface ProviderHttpClient extends AutoCloseable {
    /**
     * Sends {@code request} and returns what {@code reader} makes of the complete response, waiting on the calling
     * thread. The default waits for {@link #postAsync}; a client may do better (wake the caller directly). The
     * built-in adapters call it from {@link ProviderAdapter#send}, on the thread running the call.
     *
     * @param <T> what the reader makes of the response
     * @param request the exchange to make
     * @param reader turns the complete response into the result
     * @return what {@code reader} returned
     * @throws ProviderException a classified failure, or what the reader threw
     * @throws CallCancelledException when the calling thread is interrupted (the exchange is aborted)
     */
    default <T> T post(HttpPost request, Function<HttpResult, T> reader) {
        CompletableFuture<T> future = postAsync(request, reader);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallCancelledException(
                    "interrupted while waiting for " + request.uri().getHost());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new ProviderException(ErrorType.UNKNOWN, null, null, "request failed: " + e.getCause());
        }
    }

    /**
     * Sends {@code request} without blocking: the future completes with what {@code reader} makes of the complete
     * response, or exceptionally with a classified {@link ProviderException} (or what the reader threw). Never throws.
     * Its dependent stages may run on the client's I/O thread: they must not block. The built-in adapters call it
     * from {@link ProviderAdapter#sendAsync}.
     *
     * @param <T> what the reader makes of the response
     * @param request the exchange to make
     * @param reader turns the complete response into the result
     * @return the result to come
     */
    <T> CompletableFuture<T> postAsync(HttpPost request, Function<HttpResult, T> reader);

    /**
     * Sends {@code request} asking for a stream and returns once the status and headers have arrived (within {@link
     * HttpPost#timeout()}): a 2xx answer with its body open for incremental reading, or any other answer read whole
     * (up to the error body limit, by the same deadline). The built-in adapters call it from {@link
     * ProviderAdapter#openStream}, on the thread that starts or reads the stream.
     *
     * @param request the exchange to make
     * @return the status and headers, with the open body or the whole error answer
     * @throws ProviderException a classified failure before the headers
     * @throws CallCancelledException when the calling thread is interrupted (the exchange is aborted)
     */
    StreamingResponse openStream(HttpPost request);

    /**
     * Releases what the client holds (connections, threads it owns); exchanges in flight may fail. {@code
     * LlmRotate.close()} calls it once, after the calls in flight have ended.
     */
    @Override
    void close();
}

package dev.llmrotate.spi;

import dev.llmrotate.chat.ChatRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Speaks one provider's wire format. An adapter sends one attempt and classifies its outcome; it never retries,
 * rotates or touches key health (the engine does). Implementations must be thread-safe.
 */
public interface ProviderAdapter {

    /**
     * The provider id this adapter serves, e.g. {@code openai}. The builder registers the adapter under it, and keys
     * whose {@code provider} is this id are sent through it; it must not change.
     *
     * @return the provider id
     */
    String provider();

    /**
     * Rejects a request this provider cannot take (an unsupported content part) before any attempt is made. The
     * engine calls it for each planned route on the thread that starts the call; a route whose adapter refuses is
     * skipped (another route of the fallback chain may serve), and when none is left the call fails with {@code
     * invalid_request} whose message gives each refusal. The default accepts every request.
     *
     * @param request the caller's request
     * @throws IllegalArgumentException naming what is not supported
     */
    default void checkSupported(ChatRequest request) {}

    /**
     * Sends one attempt and returns the normalised reply, or throws a classified {@link ProviderException}. Must
     * return or throw within {@link Attempt#timeout()}. The built-in adapters throw {@link CallCancelledException}
     * (interrupt flag set again) when the calling thread is interrupted while the attempt waits. The engine calls it
     * for each attempt of {@code chat} and {@code generateContent}, on the caller's thread.
     *
     * @param attempt the request, key, secret, settings and time bounds of this attempt
     * @return the reply, never null
     * @throws ProviderException classified as the engine needs to decide (retry, rotate, fall back or fail)
     */
    ProviderReply send(Attempt attempt);

    /**
     * Sends one attempt without waiting for it: the future completes with the normalised reply, or exceptionally with
     * the same classified {@link ProviderException} {@link #send} would throw (the future's own exception, not
     * wrapped), within {@link Attempt#timeout()}. Cancelling the future gives up the attempt and releases its
     * connection. Implementations do not throw: every failure goes through the future.
     *
     * <p>The built-in adapters send with the HTTP client's asynchronous API and block no thread: the request is built
     * on the calling thread and the reply parsed on the HTTP client thread that received it, which also completes the
     * future (a failure may complete it from another internal thread, such as the one watching body deadlines).
     * Dependent stages that block or take long belong on an executor of their own ({@code thenApplyAsync(fn,
     * executor)} and the like), not on those threads.
     *
     * <p>This default is for adapters that can only send blocking: it runs {@link #send} on {@code executor}, and
     * cancelling the future interrupts that thread. It completes when {@code send} returns or throws, which by
     * {@code send}'s contract is within the attempt's timeout.
     *
     * @param attempt the attempt
     * @param executor where the default implementation runs {@link #send} (the engine passes the executor of the
     *     asynchronous call); adapters that send asynchronously do not use it
     * @return the reply to come
     */
    default CompletableFuture<ProviderReply> sendAsync(Attempt attempt, Executor executor) {
        return BlockingSend.start(() -> send(attempt), executor);
    }

    /**
     * Whether the provider continues a trailing assistant message (a prefill) rather than answering it as a new turn;
     * stream recovery uses a prefill only where this is true. False unless an adapter knows better.
     *
     * @return true when a prefill is continued
     */
    default boolean continuesPrefill() {
        return false;
    }

    /**
     * Opens a stream for one attempt: returns once the provider accepted the request (a 2xx status), or throws a
     * classified {@link ProviderException} for an error answered before the stream started. Must return or throw
     * within {@link Attempt#timeout()}. Adapters that cannot stream keep this default, which fails with {@code
     * invalid_request}. The engine calls it for each attempt of {@code chatStream} and {@code generateContentStream}
     * (and of a stream recovery), on the thread that starts or reads the stream.
     *
     * @param attempt the request, key, secret, settings and time bounds of this attempt
     * @return the open stream; the engine reads it from one thread and closes it
     * @throws ProviderException for an error answered before the stream started
     */
    default ProviderStream openStream(Attempt attempt) {
        throw new ProviderException(
                dev.llmrotate.error.ErrorType.INVALID_REQUEST,
                null,
                null,
                provider() + " does not support streaming in this build");
    }
}

package dev.llmrotate.provider;

import dev.llmrotate.chat.ChatRequest;

/**
 * Speaks one provider's wire format. An adapter sends one attempt and classifies its outcome; it never retries,
 * rotates or touches key health (the engine does). Implementations must be thread-safe.
 */
public interface ProviderAdapter {

    /** The provider id this adapter serves, e.g. {@code openai}. */
    String provider();

    /**
     * Rejects a request this provider cannot take (an unsupported content part) before any attempt is made.
     *
     * @throws IllegalArgumentException naming what is not supported
     */
    default void checkSupported(ChatRequest request) {}

    /**
     * Sends one attempt and returns the normalised reply, or throws a classified {@link ProviderException}. Must
     * return or throw within {@link Attempt#timeout()}.
     */
    ProviderReply send(Attempt attempt);

    /**
     * Sends one attempt without blocking the caller; the future completes with the reply or fails with a classified
     * {@link ProviderException}, within {@link Attempt#timeout()}. Cancelling it aborts the exchange. This default
     * runs {@link #send} on the common pool, for adapters that have no asynchronous client.
     */
    default java.util.concurrent.CompletableFuture<ProviderReply> sendAsync(Attempt attempt) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> send(attempt));
    }

    /**
     * Whether the provider continues a trailing assistant message (a prefill) rather than answering it as a new turn;
     * stream recovery uses a prefill only where this is true. False unless an adapter knows better.
     */
    default boolean continuesPrefill() {
        return false;
    }

    /**
     * Opens a stream for one attempt: returns once the provider accepted the request (a 2xx status), or throws a
     * classified {@link ProviderException} for an error answered before the stream started. Must return or throw
     * within {@link Attempt#timeout()}. Adapters that cannot stream keep this default.
     */
    default ProviderStream openStream(Attempt attempt) {
        throw new ProviderException(
                dev.llmrotate.error.ErrorType.INVALID_REQUEST,
                null,
                null,
                provider() + " does not support streaming in this build");
    }
}

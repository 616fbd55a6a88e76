package dev.llmrotate.spi;

/**
 * The caller gave up on an attempt: its thread was interrupted while the attempt waited for the provider. The
 * exchange has been aborted (its connection closed) and the thread's interrupt flag is set again. This says nothing
 * about the key or the provider, so it carries no {@link dev.llmrotate.error.ErrorType}: the engine ends the call as
 * cancelled and leaves the key's health as it was.
 *
 * <p>Thrown by {@link ProviderAdapter#send} and {@link ProviderAdapter#openStream} of the built-in adapters.
 * Cancelling the future of {@link ProviderAdapter#sendAsync} is the asynchronous counterpart: that future ends with a
 * {@link java.util.concurrent.CancellationException}, as any cancelled future does.
 */
public final class CallCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * The attempt was abandoned; without a stack trace, as this is an expected end.
     *
     * @param message what was waiting when the thread was interrupted
     */
    public CallCancelledException(String message) {
        super(message, null, false, false);
    }
}

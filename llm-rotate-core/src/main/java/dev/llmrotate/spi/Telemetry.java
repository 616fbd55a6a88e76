package dev.llmrotate.spi;

import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.observe.CallRecord;

/**
 * Hooks the engine calls for every attempt, rotation and finished call. The engine calls them unconditionally;
 * without the {@code llm-rotate-otel} module they are {@link #NOOP} and cost a virtual call. Implementations must be
 * thread-safe and must not throw.
 */
public interface Telemetry {

    /**
     * Ends one attempt; obtained from {@link #attemptStarted}. The engine calls one of its methods, once, on the
     * thread that sees the attempt end (for an asynchronous call, possibly another than the one that started it). An
     * attempt the caller cancels (an interrupt, a cancelled {@code chatAsync} future) ends with
     * {@code failed(UNKNOWN, null)}, as one whose adapter broke: nothing is known of the provider's answer.
     */
    interface Attempt {
        /**
         * The attempt answered (for streams: the stream started).
         *
         * @param responseModel the model that answered, as the provider names it, else the model sent
         * @param usage the reply's usage; null for a stream, whose usage comes at its end ({@link #callEnded})
         * @param finishReason the reply's finish reason; null for a stream
         */
        void succeeded(String responseModel, Usage usage, FinishReason finishReason);

        /**
         * The attempt failed with {@code type}. An attempt abandoned because the caller's thread was interrupted ends
         * as {@link ErrorType#UNKNOWN} without a status.
         *
         * @param type the failure's classification
         * @param httpStatus the failed exchange's HTTP status, or null
         */
        void failed(ErrorType type, Integer httpStatus);

        /** Does nothing. */
        Attempt NOOP = new Attempt() {
            @Override
            public void succeeded(String responseModel, Usage usage, FinishReason finishReason) {}

            @Override
            public void failed(ErrorType type, Integer httpStatus) {}
        };
    }

    /**
     * An attempt starts.
     *
     * @param operation {@code chat}, {@code chat_stream}, ...
     * @param provider the provider tried
     * @param requestedModel the model the caller asked for
     * @param model the model id sent to this provider
     * @param keyId the key used
     * @param attemptNumber 1 for the first attempt of the call
     * @param afterRotation true when the previous attempt failed at key level and this one uses another key
     * @return the handle that ends the attempt, never null ({@link Attempt#NOOP} to ignore it)
     */
    Attempt attemptStarted(
            String operation,
            String provider,
            String requestedModel,
            String model,
            String keyId,
            int attemptNumber,
            boolean afterRotation);

    /**
     * The call moves away from {@code keyId} after a key-level failure of {@code cause}.
     *
     * @param provider the key's provider
     * @param keyId the key left
     * @param cause the failure's classification ({@code rate_limit}, {@code invalid_auth}, ...)
     */
    void keyRotated(String provider, String keyId, ErrorType cause);

    /**
     * A call ended (one per call, with its record), on the thread that ends it: after the usage counters, the usage
     * log and the event buffer, before the call listeners.
     *
     * @param record the finished call
     */
    void callEnded(CallRecord record);

    /** Does nothing. */
    Telemetry NOOP = new Telemetry() {
        @Override
        public Attempt attemptStarted(
                String operation,
                String provider,
                String requestedModel,
                String model,
                String keyId,
                int attemptNumber,
                boolean afterRotation) {
            return Attempt.NOOP;
        }

        @Override
        public void keyRotated(String provider, String keyId, ErrorType cause) {}

        @Override
        public void callEnded(CallRecord record) {}
    };
}

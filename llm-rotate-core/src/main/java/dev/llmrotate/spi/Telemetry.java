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

    /** Ends one attempt; obtained from {@link #attemptStarted}. */
    interface Attempt {
        /** The attempt answered (for streams: the stream started). */
        void succeeded(String responseModel, Usage usage, FinishReason finishReason);

        /** The attempt failed with {@code type}. */
        void failed(ErrorType type, Integer httpStatus);

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
     */
    Attempt attemptStarted(
            String operation,
            String provider,
            String requestedModel,
            String model,
            String keyId,
            int attemptNumber,
            boolean afterRotation);

    /** The call moves away from {@code keyId} after a key-level failure of {@code cause}. */
    void keyRotated(String provider, String keyId, ErrorType cause);

    /** A call ended (one per call, with its record). */
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

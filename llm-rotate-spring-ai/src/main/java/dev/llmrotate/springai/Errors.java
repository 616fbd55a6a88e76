package dev.llmrotate.springai;

import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.error.UnknownModelException;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;

/**
 * Our exceptions as Spring AI's, so that its retry template (which retries {@link TransientAiException}) and users'
 * catch blocks tell a failure that a later call may not have from one that a retry cannot fix ({@link
 * NonTransientAiException}). The engine has already rotated keys, retried and walked the fallback chain by the time a
 * call fails, so the mapping says what is left: come back later (rate limit, timeout, server fault) or fix the
 * request, the keys or the configuration. Every mapped exception keeps ours as its cause ({@link
 * LlmRotateException#errorType()}, {@link NoAvailableKeyException#earliestRetryAt()}, ...) and its message (which
 * shows key masks, never secrets).
 */
final class Errors {
    private Errors() {}

    /** The Spring AI exception for a failure of a call; anything else (a refused request included) as it is. */
    static RuntimeException map(RuntimeException e) {
        if (e instanceof NoAvailableKeyException none && none.errorType() == null) {
            // No attempt failed in this call: every key was resting already. Resting keys come back by themselves;
            // keys that never do are disabled, which only auth failures cause.
            return none.earliestRetryAt() != null
                    ? new TransientAiException(e.getMessage(), e)
                    : new NonTransientAiException(e.getMessage(), e);
        }
        if (e instanceof UnknownModelException || e instanceof ConfigurationException) {
            return new NonTransientAiException(e.getMessage(), e);
        }
        if (e instanceof LlmRotateException failure) {
            // Also a NoAvailableKeyException after failed attempts: what the last one failed with.
            return transientType(failure.errorType())
                    ? new TransientAiException(e.getMessage(), e)
                    : new NonTransientAiException(e.getMessage(), e);
        }
        return e;
    }

    /** Whether a later call may succeed; an interrupted call (no type) and an unclassified failure may. */
    private static boolean transientType(ErrorType type) {
        if (type == null) {
            return true;
        }
        return switch (type) {
            case RATE_LIMIT,
                    QUOTA_EXHAUSTED,
                    TIMEOUT,
                    TRANSIENT_SERVER_ERROR,
                    INVALID_RESPONSE,
                    CONNECTION_ERROR,
                    STREAM_INTERRUPTED,
                    UNKNOWN -> true;
            case INVALID_AUTH,
                    PERMISSION_DENIED,
                    MODEL_UNAVAILABLE,
                    BROKER_ROUTE_UNAVAILABLE,
                    CONTENT_FILTERED,
                    CONTEXT_LENGTH_EXCEEDED,
                    INVALID_REQUEST -> false;
        };
    }
}

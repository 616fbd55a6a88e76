package dev.llmrotate.langchain4j;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.error.UnknownModelException;

/**
 * Our exceptions as LangChain4j's, so that its code (retry utilities, AI Services, users' catch blocks) tells a
 * retriable failure ({@link RetriableException}) from one that a retry cannot fix ({@code NonRetriableException}).
 * The engine has already rotated keys, retried and walked the fallback chain by the time a call fails, so the
 * mapping says what is left: come back later (rate limit, timeout, server fault) or fix the request or the keys.
 * Every mapped exception keeps ours as its cause ({@link LlmRotateException#errorType()}, {@link
 * NoAvailableKeyException#earliestRetryAt()}, ...), and its message (which shows key masks, never secrets).
 */
final class Errors {
    private Errors() {}

    /** The LangChain4j exception for a failure of a call; anything not ours is returned as it is. */
    static RuntimeException map(RuntimeException e) {
        if (e instanceof LangChain4jException) {
            return e;
        }
        if (e instanceof NoAvailableKeyException none && none.errorType() == null) {
            // No attempt failed in this call: every key was resting already. Resting keys come back by themselves,
            // so a later call can succeed; keys that never do are disabled, which only auth failures cause.
            return none.earliestRetryAt() != null
                    ? new RateLimitException(e.getMessage(), e)
                    : new AuthenticationException(e.getMessage(), e);
        }
        if (e instanceof UnknownModelException) {
            return new ModelNotFoundException(e.getMessage(), e);
        }
        if (e instanceof LlmRotateException failure) {
            // Also a NoAvailableKeyException after failed attempts: what the last one failed with (a 429 storm is a
            // rate limit, keys that all failed auth an authentication failure).
            return map(failure.errorType(), failure);
        }
        if (e instanceof ConfigurationException || e instanceof IllegalArgumentException) {
            // Misuse (an unknown pinned provider) or a request our model refuses (two tools of one name, a tool
            // result without its call): the request must change, a retry would fail the same way.
            return new InvalidRequestException(e.getMessage(), e);
        }
        return e;
    }

    private static RuntimeException map(ErrorType type, LlmRotateException e) {
        if (type == null) { // the call was interrupted
            return new LangChain4jException(e.getMessage(), e);
        }
        String message = e.getMessage();
        return switch (type) {
            case RATE_LIMIT, QUOTA_EXHAUSTED -> new RateLimitException(message, e);
            case INVALID_AUTH, PERMISSION_DENIED -> new AuthenticationException(message, e);
            case TIMEOUT -> new TimeoutException(message, e);
            case TRANSIENT_SERVER_ERROR, INVALID_RESPONSE -> new InternalServerException(message, e);
            case CONNECTION_ERROR, STREAM_INTERRUPTED -> new RetriableException(message, e);
            case MODEL_UNAVAILABLE, BROKER_ROUTE_UNAVAILABLE -> new ModelNotFoundException(message, e);
            case CONTENT_FILTERED -> new ContentFilteredException(message, e);
            case CONTEXT_LENGTH_EXCEEDED, INVALID_REQUEST -> new InvalidRequestException(message, e);
            case UNKNOWN -> new LangChain4jException(message, e);
        };
    }
}

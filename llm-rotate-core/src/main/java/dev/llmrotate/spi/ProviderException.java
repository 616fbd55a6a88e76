package dev.llmrotate.spi;

import dev.llmrotate.error.ErrorType;
import java.time.Duration;

/**
 * An attempt failed, already classified by the adapter. The message comes from the provider and is scrubbed of
 * the key's secret by the engine before it can reach a caller or a log.
 */
public final class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failure's classification. */
    private final ErrorType type;

    /** The failed exchange's HTTP status, or null. */
    private final Integer httpStatus;

    private final transient Duration retryAfter;

    /**
     * A classified failure. It carries no stack trace (adapters throw it on expected provider answers; the type and
     * message say what happened).
     *
     * @param type what went wrong, which decides what the engine does (retry, rotate, fall back or fail); not null
     * @param httpStatus the HTTP status, or null when there was none (timeouts, connection failures)
     * @param retryAfter how long the provider asked to wait (Retry-After or its equivalent), or null
     * @param message what the provider said, may contain its text; the engine scrubs the secret from it
     */
    public ProviderException(ErrorType type, Integer httpStatus, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.type = type;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    /**
     * The failure's classification.
     *
     * @return the error type
     */
    public ErrorType type() {
        return type;
    }

    /**
     * The HTTP status of the failed exchange.
     *
     * @return the status, or null (timeouts, connection failures)
     */
    public Integer httpStatus() {
        return httpStatus;
    }

    /**
     * The provider's hint for when to try again.
     *
     * @return the wait, or null when the provider gave none
     */
    public Duration retryAfter() {
        return retryAfter;
    }
}

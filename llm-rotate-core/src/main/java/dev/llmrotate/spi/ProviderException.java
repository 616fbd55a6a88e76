package dev.llmrotate.spi;

import dev.llmrotate.error.ErrorType;
import java.time.Duration;

/**
 * An attempt failed, already classified by the adapter. The message comes from the provider and is scrubbed of
 * the key's secret by the engine before it can reach a caller or a log.
 */
public final class ProviderException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorType type;
    private final Integer httpStatus;
    private final transient Duration retryAfter;

    public ProviderException(ErrorType type, Integer httpStatus, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.type = type;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public ErrorType type() {
        return type;
    }

    /** The HTTP status, or null (timeouts, connection failures). */
    public Integer httpStatus() {
        return httpStatus;
    }

    /** The provider's hint for when to try again, or null. */
    public Duration retryAfter() {
        return retryAfter;
    }
}

package dev.llmrotate.error;

/**
 * A call failed at run time. Carries the provider, the {@link ErrorType} and the masked key that last failed; never
 * the secret. Maps to HTTP 502 when llm-rotate sits behind a service.
 */
public class LlmRotateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String provider;
    private final ErrorType errorType;
    private final String maskedKey;
    private final Integer httpStatus;

    public LlmRotateException(String message, String provider, ErrorType errorType, String maskedKey) {
        this(message, provider, errorType, maskedKey, null);
    }

    public LlmRotateException(
            String message, String provider, ErrorType errorType, String maskedKey, Integer httpStatus) {
        super(message);
        this.provider = provider;
        this.errorType = errorType;
        this.maskedKey = maskedKey;
        this.httpStatus = httpStatus;
    }

    /** The provider of the last failed attempt, or null when no attempt was made. */
    public String provider() {
        return provider;
    }

    /** What kind of failure ended the call. */
    public ErrorType errorType() {
        return errorType;
    }

    /** The key of the last failed attempt as {@code key_id (sk-…9f2a)}, or null. */
    public String maskedKey() {
        return maskedKey;
    }

    /** The HTTP status of the last failed attempt, or null when there was none (timeouts, resets). */
    public Integer httpStatus() {
        return httpStatus;
    }
}

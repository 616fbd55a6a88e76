package dev.llmrotate.error;

/**
 * A call failed at run time. Carries the provider, the {@link ErrorType} and the masked key that last failed; never
 * the secret. Maps to HTTP 502 when llm-rotate sits behind a service.
 */
public class LlmRotateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The provider of the last failed attempt, or null. */
    private final String provider;
    /** What kind of failure ended the call. */
    private final ErrorType errorType;
    /** The key of the last failed attempt as {@code key_id (sk-…9f2a)}, or null. */
    private final String maskedKey;
    /** The HTTP status of the last failed attempt, or null. */
    private final Integer httpStatus;

    /**
     * A failure without an HTTP status.
     *
     * @param message what went wrong (never a secret)
     * @param provider the provider of the last failed attempt, or null when no attempt was made
     * @param errorType what kind of failure ended the call
     * @param maskedKey the key of the last failed attempt as {@code key_id (sk-…9f2a)}, or null
     */
    public LlmRotateException(String message, String provider, ErrorType errorType, String maskedKey) {
        this(message, provider, errorType, maskedKey, null);
    }

    /**
     * A failure, with the HTTP status of the last failed attempt.
     *
     * @param message what went wrong (never a secret)
     * @param provider the provider of the last failed attempt, or null when no attempt was made
     * @param errorType what kind of failure ended the call
     * @param maskedKey the key of the last failed attempt as {@code key_id (sk-…9f2a)}, or null
     * @param httpStatus the HTTP status of the last failed attempt, or null when there was none
     */
    public LlmRotateException(
            String message, String provider, ErrorType errorType, String maskedKey, Integer httpStatus) {
        super(message);
        this.provider = provider;
        this.errorType = errorType;
        this.maskedKey = maskedKey;
        this.httpStatus = httpStatus;
    }

    /**
     * The provider of the last failed attempt, or null when no attempt was made.
     *
     * @return the provider's name, or null
     */
    public String provider() {
        return provider;
    }

    /**
     * What kind of failure ended the call.
     *
     * @return the error type
     */
    public ErrorType errorType() {
        return errorType;
    }

    /**
     * The key of the last failed attempt as {@code key_id (sk-…9f2a)}, or null.
     *
     * @return the key's id and masked secret, or null
     */
    public String maskedKey() {
        return maskedKey;
    }

    /**
     * The HTTP status of the last failed attempt, or null when there was none (timeouts, resets).
     *
     * @return the status code, or null
     */
    public Integer httpStatus() {
        return httpStatus;
    }
}

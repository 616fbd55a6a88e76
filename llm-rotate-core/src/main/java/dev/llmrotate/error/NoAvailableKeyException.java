package dev.llmrotate.error;

import dev.llmrotate.health.HealthReport;
import java.time.Instant;

/**
 * Every eligible key of the native provider and of its fallback chain is unavailable (resting, disabled, over
 * budget or failed during this call). Maps to HTTP 503; back off until {@link #earliestRetryAt()}.
 */
public class NoAvailableKeyException extends LlmRotateException {
    private static final long serialVersionUID = 1L;

    /** The requested model, or null. */
    private final String model;

    private final transient HealthReport healthReport;
    /** When a key is next expected to be available, or null. */
    private final Instant earliestRetryAt;

    /**
     * The call gave up: no key could serve.
     *
     * @param message what went wrong (never a secret)
     * @param model the requested model, or null for a lease of any model
     * @param healthReport key health when the call gave up
     * @param earliestRetryAt when a key is next expected to be available, or null when none will come back by itself
     * @param provider the provider of the last failed attempt, or null when no attempt was made
     * @param lastErrorType the type of the last failure, or null when no attempt was made
     * @param maskedKey the key of the last failed attempt as {@code key_id (sk-…9f2a)}, or null
     */
    public NoAvailableKeyException(
            String message,
            String model,
            HealthReport healthReport,
            Instant earliestRetryAt,
            String provider,
            ErrorType lastErrorType,
            String maskedKey) {
        super(message, provider, lastErrorType, maskedKey);
        this.model = model;
        this.healthReport = healthReport;
        this.earliestRetryAt = earliestRetryAt;
    }

    /**
     * The requested model.
     *
     * @return the model id, or null when a key lease asked for any model
     */
    public String model() {
        return model;
    }

    /**
     * Key health when the call gave up. Not serialized: null after the exception is deserialized.
     *
     * @return the health report
     */
    public HealthReport healthReport() {
        return healthReport;
    }

    /**
     * When a key is next expected to be available, or null when none will come back by itself (all disabled).
     *
     * @return the earliest retry time, or null
     */
    public Instant earliestRetryAt() {
        return earliestRetryAt;
    }
}

package dev.llmrotate.error;

import dev.llmrotate.health.HealthReport;
import java.time.Instant;

/**
 * Every eligible key of the native provider and of its fallback chain is unavailable (resting, disabled, over
 * budget or failed during this call). Maps to HTTP 503; back off until {@link #earliestRetryAt()}.
 */
public class NoAvailableKeyException extends LlmRotateException {
    private static final long serialVersionUID = 1L;

    private final String model;
    private final transient HealthReport healthReport;
    private final Instant earliestRetryAt;

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

    /** The requested model. */
    public String model() {
        return model;
    }

    /** Key health when the call gave up. */
    public HealthReport healthReport() {
        return healthReport;
    }

    /** When a key is next expected to be available, or null when none will come back by itself (all disabled). */
    public Instant earliestRetryAt() {
        return earliestRetryAt;
    }
}

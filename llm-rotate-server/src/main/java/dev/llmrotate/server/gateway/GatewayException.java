package dev.llmrotate.server.gateway;

/** An answer other than 200: its status, the OpenAI error it carries and, for a 503 or 429, a Retry-After. */
final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final transient OpenAiError error;
    private final long retryAfterSeconds;

    GatewayException(int status, OpenAiError error) {
        this(status, error, -1);
    }

    GatewayException(int status, OpenAiError error, long retryAfterSeconds) {
        super(error.message(), null, false, false);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    OpenAiError error() {
        return error;
    }

    /** Seconds for a Retry-After header, or -1 for none. */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

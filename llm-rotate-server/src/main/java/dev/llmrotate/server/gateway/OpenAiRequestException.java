package dev.llmrotate.server.gateway;

/**
 * A chat completions request the gateway refuses before calling anyone (malformed JSON, a wrong type, a missing or
 * unsupported field): answered with status 400 and {@link #error()} as the body. The message names the field path
 * and the problem, and quotes a request value only when it is short and printable.
 */
public final class OpenAiRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient OpenAiError error;

    OpenAiRequestException(String param, String message) {
        super(message, null, false, false);
        this.error = OpenAiError.invalidRequest(param, message);
    }

    /**
     * The OpenAI error to answer with.
     *
     * @return an {@code invalid_request_error} with the field path as {@code param}
     */
    public OpenAiError error() {
        return error;
    }

    /**
     * The HTTP status to answer with.
     *
     * @return 400
     */
    public int status() {
        return 400;
    }
}

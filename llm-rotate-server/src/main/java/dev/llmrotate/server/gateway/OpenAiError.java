package dev.llmrotate.server.gateway;

import java.util.Objects;

/**
 * An error in the OpenAI form, {@code {"error": {"message", "type", "param", "code"}}}
 * (https://platform.openai.com/docs/guides/error-codes).
 *
 * @param message what went wrong, for people; never a secret
 * @param type the error class, e.g. {@code invalid_request_error}
 * @param param the request field at fault as a path ({@code messages[2].content}), or null
 * @param code a machine-readable code ({@code model_not_found}), or null
 */
public record OpenAiError(String message, String type, String param, String code) {
    /**
     * Checks the error.
     *
     * @param message what went wrong, for people, not null; never a secret
     * @param type the error class, not null
     * @param param the request field at fault, or null
     * @param code a machine-readable code, or null
     * @throws NullPointerException when {@code message} or {@code type} is null
     */
    public OpenAiError {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(type, "type");
    }

    /**
     * An {@code invalid_request_error} about a request field, without a code.
     *
     * @param param the field's path, or null
     * @param message what is wrong with it
     * @return the error
     */
    public static OpenAiError invalidRequest(String param, String message) {
        return new OpenAiError(message, OpenAiErrors.INVALID_REQUEST, param, null);
    }
}

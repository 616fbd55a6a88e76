package dev.llmrotate.server.http;

import java.util.List;

/**
 * A request the router refuses, with everything its JSON error body says:
 * {@code {"error":{"type":...,"parameter":...,"message":...,"allowed":...}}}. Thrown by the endpoint code and turned
 * into a response by {@link ControlRouter}; never carries a secret (messages quote request values only when they are
 * short and printable, see {@link #quote}).
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Longest request value an error message quotes; a longer one is described, not shown. */
    static final int MAX_QUOTED = 64;

    /** The HTTP status to answer with. */
    private final int status;
    /** The error type of the body. */
    private final String type;
    /** The query parameter at fault, or null. */
    private final String parameter;

    private final transient List<String> allowed;

    private ApiException(int status, String type, String parameter, String message, List<String> allowed) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.parameter = parameter;
        this.allowed = allowed == null ? null : List.copyOf(allowed);
    }

    /**
     * 400 {@code invalid_parameter}: a query parameter is unknown, malformed, repeated or out of range.
     *
     * @param parameter the parameter at fault, or null
     * @param message what is wrong, quoting request values only through {@link #quote}
     * @param allowed what the parameter accepts (values or a description), or null; copied
     * @return the exception, to throw
     */
    public static ApiException invalidParameter(String parameter, String message, List<String> allowed) {
        return new ApiException(400, "invalid_parameter", parameter, message, allowed);
    }

    /**
     * 404 {@code not_found}.
     *
     * @param message what was not found, quoting request values only through {@link #quote}
     * @return the exception, to throw
     */
    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", null, message, null);
    }

    /**
     * The HTTP status to answer with.
     *
     * @return 400 or 404
     */
    public int status() {
        return status;
    }

    /**
     * The error type of the body.
     *
     * @return {@code invalid_parameter} or {@code not_found}
     */
    public String type() {
        return type;
    }

    /**
     * The parameter at fault.
     *
     * @return the query parameter's name, or null
     */
    public String parameter() {
        return parameter;
    }

    /**
     * What the parameter accepts.
     *
     * @return unmodifiable values or a description, or null
     */
    public List<String> allowed() {
        return allowed;
    }

    /**
     * A request value fit to quote in a message: in single quotes when it is short printable ASCII, else a
     * description of it (a value could be anything a client sent, a pasted secret included, and messages reach logs).
     *
     * @param value a value from the request, not null
     * @return {@code 'value'}, or a description of its length or characters when it is longer than 64 characters or
     *     not printable ASCII
     */
    public static String quote(String value) {
        if (value.length() > MAX_QUOTED) {
            return "(a value of " + value.length() + " characters, not shown)";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "(a value with unprintable or non-ASCII characters, not shown)";
            }
        }
        return "'" + value + "'";
    }
}

package dev.llmrotate.error;

import java.util.Locale;

/**
 * Every way an attempt can fail, with what the engine does about it. The wire names ({@link #wireName()}) are the
 * original llm-rotate's {@code error_type} strings and appear in records and reports.
 */
public enum ErrorType {
    /** Too many requests or tokens for now: the key cools down, the call rotates to another key. */
    RATE_LIMIT(ErrorAction.ROTATE, true),
    /** Billing or quota exhausted: the key is quarantined for longer than a rate limit, the call rotates. */
    QUOTA_EXHAUSTED(ErrorAction.ROTATE, true),
    /** The key is invalid or revoked: quarantined, then disabled if it fails again after quarantine. */
    INVALID_AUTH(ErrorAction.ROTATE, true),
    /** The key may not use this model or resource: quarantined like {@link #INVALID_AUTH}. */
    PERMISSION_DENIED(ErrorAction.ROTATE, true),
    /** No answer (or no first chunk) within the attempt's time: the call fails over to the next route. */
    TIMEOUT(ErrorAction.FAIL_OVER, false),
    /** 5xx or overloaded: retried with backoff. */
    TRANSIENT_SERVER_ERROR(ErrorAction.RETRY_WITH_BACKOFF, false),
    /** Connection refused, reset or closed: retried with backoff. */
    CONNECTION_ERROR(ErrorAction.RETRY_WITH_BACKOFF, false),
    /** The model is unknown or not deployed for this key: the call tries the next key, then the next provider. */
    MODEL_UNAVAILABLE(ErrorAction.ROTATE, false),
    /**
     * The provider answered 2xx with a reply that has no content, no tool call and no finish reason: the attempt
     * failed; the call rotates to another key and the failure counts against the (key, model).
     */
    INVALID_RESPONSE(ErrorAction.ROTATE, false),
    /** A broker (OpenRouter) has no route for the request: the call goes on to the next fallback target. */
    BROKER_ROUTE_UNAVAILABLE(ErrorAction.NEXT_ROUTE, false),
    /** A stream broke after data reached the caller: surfaced, never restarted silently. */
    STREAM_INTERRUPTED(ErrorAction.SURFACE, false),
    /** The prompt is longer than the model's context window: a fallback with another model is tried, else fails. */
    CONTEXT_LENGTH_EXCEEDED(ErrorAction.NEXT_MODEL, false),
    /** The provider's content filter refused the request: fails fast. */
    CONTENT_FILTERED(ErrorAction.FAIL_FAST, false),
    /** The request is malformed for the provider: fails fast. */
    INVALID_REQUEST(ErrorAction.FAIL_FAST, false),
    /** A failure the engine cannot classify: fails fast rather than guessing. */
    UNKNOWN(ErrorAction.FAIL_FAST, false);

    private final ErrorAction action;
    private final boolean keyAtFault;
    private final String wireName;

    ErrorType(ErrorAction action, boolean keyAtFault) {
        this.action = action;
        this.keyAtFault = keyAtFault;
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    /**
     * What the engine does after this failure.
     *
     * @return the action
     */
    public ErrorAction action() {
        return action;
    }

    /**
     * True when the failure says something about the key itself (it changes that key's health state).
     *
     * @return whether the key is at fault
     */
    public boolean keyAtFault() {
        return keyAtFault;
    }

    /**
     * True for failures that concern the whole key (auth, permission, quota or billing) and so rest it for every
     * model; the other failures that change health (rate limits, an unavailable model, 5xx, timeouts, connection
     * errors, interrupted streams) rest only the (key, model) they happened on.
     *
     * @return whether the failure rests the whole key
     */
    public boolean keyWide() {
        return this == INVALID_AUTH || this == PERMISSION_DENIED || this == QUOTA_EXHAUSTED;
    }

    /**
     * The snake_case name used in records, reports and configuration, e.g. {@code rate_limit}.
     *
     * @return the lower-case constant name
     */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name such as {@code rate_limit}; throws {@link IllegalArgumentException} naming the value.
     *
     * @param name a wire name, exactly as {@link #wireName()} returns it (case matters)
     * @return the error type
     */
    public static ErrorType fromWireName(String name) {
        for (ErrorType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown error type '" + name + "'");
    }
}

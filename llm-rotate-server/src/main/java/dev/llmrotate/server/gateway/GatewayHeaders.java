package dev.llmrotate.server.gateway;

/** The headers the gateway reads and writes beside the OpenAI ones. */
public final class GatewayHeaders {
    private GatewayHeaders() {}

    /** Request: pins the call to one configured provider (no fallback chain). Answer: the provider that served. */
    public static final String PROVIDER = "x-llm-rotate-provider";

    /** The call's id, as its usage record's {@code call_id}. */
    public static final String REQUEST_ID = "x-request-id";

    /** The id of the key that served the call (never its secret or mask). */
    public static final String KEY = "x-llm-rotate-key";

    /** How many attempts the call made. */
    public static final String ATTEMPTS = "x-llm-rotate-attempts";

    /** Whether a fallback route served the call. */
    public static final String FALLBACK = "x-llm-rotate-fallback";
}

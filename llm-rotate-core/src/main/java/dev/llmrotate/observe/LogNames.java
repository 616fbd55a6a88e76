package dev.llmrotate.observe;

/**
 * The names of the SLF4J loggers llm-rotate writes to, one per thing an operator configures. Every log line of
 * llm-rotate and its modules goes to one of these; no logger is named after a class. The README's operations
 * section lists every line each can print, with its level.
 */
public final class LogNames {
    /** One JSON {@link CallRecord} per call, at INFO. */
    public static final String USAGE = "llm_rotate.observability.usage";

    /** Key and model state changes: quarantined, disabled, resting (WARN), back (INFO), cooling down (DEBUG). */
    public static final String HEALTH = "llm_rotate.health";

    /** Configuration warnings, such as a {@code literal://} secret reference (WARN). */
    public static final String CONFIG = "llm_rotate.config";

    /** A key whose secret cannot be resolved or is malformed, set aside (WARN). */
    public static final String SECRETS = "llm_rotate.secrets";

    /** State store faults: a usage record not stored, a shared store unreachable or back (WARN, INFO, DEBUG). */
    public static final String STORE = "llm_rotate.store";

    /** Start and shutdown: closing with calls still in flight (WARN). */
    public static final String LIFECYCLE = "llm_rotate.lifecycle";

    /** Telemetry hooks that fail; the call goes on (WARN once, then DEBUG). */
    public static final String TELEMETRY = "llm_rotate.telemetry";

    private LogNames() {}
}

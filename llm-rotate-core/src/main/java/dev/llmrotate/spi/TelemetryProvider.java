package dev.llmrotate.spi;

/**
 * Found with {@link java.util.ServiceLoader} when no telemetry is set on the builder: a module on the class path
 * that provides one (such as {@code llm-rotate-otel}) switches telemetry on just by being there.
 */
public interface TelemetryProvider {
    /**
     * The telemetry to use; called once per {@code build()} that finds this provider first.
     *
     * @return the hooks, not null
     */
    Telemetry create();
}

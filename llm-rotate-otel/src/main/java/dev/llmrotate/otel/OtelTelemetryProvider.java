package dev.llmrotate.otel;

import dev.llmrotate.observe.LogNames;
import dev.llmrotate.spi.Telemetry;
import dev.llmrotate.spi.TelemetryProvider;
import org.slf4j.LoggerFactory;

/**
 * Registered in {@code META-INF/services}: with this module on the class path, an {@code LlmRotate} built without
 * {@code .telemetry(...)} reports through {@link io.opentelemetry.api.GlobalOpenTelemetry} (see
 * {@link OtelTelemetry#global()}).
 */
public final class OtelTelemetryProvider implements TelemetryProvider {
    @Override
    public Telemetry create() {
        try {
            return OtelTelemetry.global();
        } catch (RuntimeException | LinkageError e) {
            // No usable OpenTelemetry API on the class path: calls go on without telemetry.
            LoggerFactory.getLogger(LogNames.TELEMETRY)
                    .warn("llm-rotate OpenTelemetry telemetry is off: the OpenTelemetry API cannot be used", e);
            return Telemetry.NOOP;
        }
    }
}

/** OpenTelemetry spans and metrics for llm-rotate: a {@code TelemetryProvider} found by {@code ServiceLoader}. */
module dev.llmrotate.otel {
    requires dev.llmrotate.core;
    requires io.opentelemetry.api;
    requires io.opentelemetry.context;
    requires org.slf4j;

    exports dev.llmrotate.otel;

    provides dev.llmrotate.spi.TelemetryProvider with
            dev.llmrotate.otel.OtelTelemetryProvider;
}

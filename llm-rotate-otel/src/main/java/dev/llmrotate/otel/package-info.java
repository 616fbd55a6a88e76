/**
 * OpenTelemetry spans and metrics for llm-rotate. With this module on the class path, an {@code LlmRotate} built
 * without {@code .telemetry(...)} reports through {@code GlobalOpenTelemetry} as soon as the application (or the Java
 * agent) sets it, found by {@link dev.llmrotate.otel.OtelTelemetryProvider}; {@link
 * dev.llmrotate.otel.OtelTelemetry#create} binds an explicit {@code OpenTelemetry} instead. Each attempt is an
 * {@code llm_rotate.attempt} span, calls feed the GenAI client histograms, and counters track attempts, errors and
 * key rotations; {@link dev.llmrotate.otel.AttributeNames} names every span and attribute. Only the OpenTelemetry API
 * is needed at run time: the SDK and exporters are the application's choice.
 */
package dev.llmrotate.otel;

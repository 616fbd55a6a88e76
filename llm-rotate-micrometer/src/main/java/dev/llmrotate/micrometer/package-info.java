/**
 * llm-rotate's metrics on a Micrometer {@code MeterRegistry}, for applications on Spring Boot, Quarkus, Micronaut or
 * plain Micrometer: {@link dev.llmrotate.micrometer.MicrometerTelemetry} records the GenAI client histograms and
 * llm-rotate's counters of calls, attempts, errors, rotations, fallbacks, tokens and cost as the telemetry of an
 * {@code LlmRotate}, and, once bound to it, gauges of every configured key's health. Names, units and tags are those
 * of the control server's Prometheus endpoint, so that dashboards work with either.
 */
package dev.llmrotate.micrometer;

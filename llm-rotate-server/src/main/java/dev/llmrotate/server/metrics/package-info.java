/**
 * Prometheus metrics of an {@code LlmRotate}: {@link dev.llmrotate.server.metrics.PrometheusMetrics} writes them in
 * the text exposition format or OpenMetrics, for the control server's {@code /metrics} endpoint or an application's
 * own.
 */
package dev.llmrotate.server.metrics;

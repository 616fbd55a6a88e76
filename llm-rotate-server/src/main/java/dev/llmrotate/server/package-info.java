/**
 * The control server: read-only JSON endpoints over an {@code LlmRotate} (embedded) or over a shared state store
 * (standalone), Prometheus metrics, and the {@code llm-rotate-server} command line.
 */
package dev.llmrotate.server;

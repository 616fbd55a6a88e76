/**
 * Extension points, for code that plugs into llm-rotate rather than calls it.
 *
 * <ul>
 *   <li><b>Providers</b>: a {@link dev.llmrotate.spi.ProviderAdapter} speaks one provider's wire format. It is given
 *       an {@link dev.llmrotate.spi.Attempt} (request, key, resolved secret, settings, timeout, deadline) and returns a
 *       {@link dev.llmrotate.spi.ProviderReply} or a {@link dev.llmrotate.spi.ProviderStream} of
 *       {@link dev.llmrotate.spi.StreamPiece}s, or throws a {@link dev.llmrotate.spi.ProviderException} with the
 *       error classified. It never retries or rotates: the engine does. Register one with
 *       {@code LlmRotate.builder().adapter(...)}.
 *   <li><b>State</b>: a {@link dev.llmrotate.spi.StateStore} keeps key health ({@link dev.llmrotate.spi.KeyHealth} per
 *       {@link dev.llmrotate.spi.HealthScope}), rate budgets, round-robin positions and usage. The default is
 *       {@link dev.llmrotate.spi.InMemoryStateStore}; a shared store (the {@code llm-rotate-redis} module) is found by
 *       its {@link dev.llmrotate.spi.StateStoreFactory} through {@link java.util.ServiceLoader} when the configuration
 *       names its type. {@link dev.llmrotate.spi.LatencyHistogram} and {@link dev.llmrotate.spi.StoreUrl} are the
 *       building blocks such a store shares with the built-in one.
 *   <li><b>Telemetry</b>: a {@link dev.llmrotate.spi.Telemetry} hears of attempts, rotations and finished calls; a
 *       {@link dev.llmrotate.spi.TelemetryProvider} on the class path (the {@code llm-rotate-otel} module) is used when
 *       none is set on the builder.
 * </ul>
 *
 * <p>Implementations must be thread-safe, and must never put a secret in an exception message, a log line or
 * {@code toString()}.
 */
package dev.llmrotate.spi;

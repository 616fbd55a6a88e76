/**
 * llm-rotate for Java: key rotation, retries, fallback and observability for LLM calls.
 *
 * <p><b>What to use</b> (exported API): {@link dev.llmrotate.LlmRotate} and its builder, the request and reply types
 * in {@code dev.llmrotate.chat}, the configuration in {@code dev.llmrotate.config}, the exceptions in
 * {@code dev.llmrotate.error}, the health report in {@code dev.llmrotate.health} and the usage records and summaries
 * in {@code dev.llmrotate.observe}.
 *
 * <p><b>What to implement</b> (exported SPI, {@code dev.llmrotate.spi}): a {@code ProviderAdapter} for a provider we
 * do not ship, a {@code StateStore} (with its {@code StateStoreFactory}) for shared state, a {@code Telemetry} (with
 * its {@code TelemetryProvider}) for another tracing system, a {@code ProviderHttpClient} (with its {@code
 * HttpClientProvider}, set on the builder) for another HTTP client under the built-in adapters.
 *
 * <p><b>What not to touch</b>: the {@code dev.llmrotate.internal} packages (adapters, HTTP transport, selection,
 * routing, the health state machine). They are not exported and change without notice.
 */
module dev.llmrotate.core {
    // Transitive: the HTTP client SPI (dev.llmrotate.spi) carries java.net.http.HttpHeaders.
    requires transitive java.net.http;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires org.slf4j;

    exports dev.llmrotate;
    exports dev.llmrotate.chat;
    exports dev.llmrotate.config;
    exports dev.llmrotate.error;
    exports dev.llmrotate.health;
    exports dev.llmrotate.observe;
    exports dev.llmrotate.spi;

    // Reports and records are written by Jackson, which reads their record components reflectively.
    opens dev.llmrotate.health to
            com.fasterxml.jackson.databind;
    opens dev.llmrotate.observe to
            com.fasterxml.jackson.databind;

    uses dev.llmrotate.spi.StateStoreFactory;
    uses dev.llmrotate.spi.TelemetryProvider;
}

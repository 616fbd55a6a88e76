package dev.llmrotate.spi;

/**
 * Makes the HTTP client the built-in provider adapters send with, set on the builder with {@code
 * LlmRotateBuilder.httpClient(provider)}. Default: the JDK's {@code java.net.http.HttpClient}, which needs no other
 * library. Another one (such as the Netty client of {@code llm-rotate-netty}) changes how bytes move, never what the
 * adapters send or how failures are classified: a client must keep every contract of {@link ProviderHttpClient}.
 *
 * <p>Not discovered with {@link java.util.ServiceLoader}: the client decides the threads, timing and failure behaviour
 * of every call, so which one is in use is chosen in code, where it can be seen, not by what is on the class path.
 */
@FunctionalInterface
public interface HttpClientProvider {
    /**
     * A new client with these limits on what providers may send back; the instance built with it closes it.
     *
     * @param limits the body and stream-line limits set on the builder ({@code replyLimits}), or the defaults
     * @return a new client, not null, for this instance only (called once, by {@code build()})
     */
    ProviderHttpClient create(HttpLimits limits);
}

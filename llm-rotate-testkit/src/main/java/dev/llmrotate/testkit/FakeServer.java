package dev.llmrotate.testkit;

import java.net.URI;
import java.util.List;

/**
 * The scripting, recording and lifecycle API every fake server shares. Package-private: use it through {@link
 * FakeOpenAiServer}, {@link FakeAnthropicServer}, {@link FakeGeminiServer} or {@link FakeBedrockServer}.
 */
abstract class FakeServer implements AutoCloseable {

    final FakeHttpServer server;

    FakeServer(FakeHttpServer server) {
        this.server = server;
    }

    /**
     * The base URL to configure a client with.
     *
     * @return {@code http://127.0.0.1:PORT} followed by the provider's base path, without a trailing slash
     */
    public URI baseUrl() {
        return server.baseUrl();
    }

    /**
     * The script for requests with this API key (any model). The same key always returns the same script.
     *
     * @param apiKey the request's credential as {@link RecordedRequest#apiKey()} reports it, not blank
     * @return the script, to configure with {@link Script#always}, {@link Script#next} or {@link Script#respond}
     */
    public Script forKey(String apiKey) {
        return server.scripts().forKey(apiKey);
    }

    /**
     * The script for requests for this model (any key, or none). The same model always returns the same script.
     *
     * @param model the requested model, not blank
     * @return the script, to configure with {@link Script#always}, {@link Script#next} or {@link Script#respond}
     */
    public Script forModel(String model) {
        return server.scripts().forModel(model);
    }

    /**
     * The script for requests with this API key and this model. Takes precedence over {@link #forKey} and {@link
     * #forModel}. The same pair always returns the same script.
     *
     * @param apiKey the request's credential, not blank
     * @param model the requested model, not blank
     * @return the script, to configure with {@link Script#always}, {@link Script#next} or {@link Script#respond}
     */
    public Script forKeyAndModel(String apiKey, String model) {
        return server.scripts().forKeyAndModel(apiKey, model);
    }

    /**
     * The script for requests no more specific script answers. Until something is scripted on it, such requests get
     * the server's unscripted answer: a default completion if they carry a credential, an authentication error if
     * they do not.
     *
     * @return the default script, to configure with {@link Script#always}, {@link Script#next} or {@link
     *     Script#respond}
     */
    public Script byDefault() {
        return server.scripts().byDefault();
    }

    /**
     * Forgets every script and recorded request, as if the server had just started. Scripts obtained earlier stay
     * usable: they are emptied, not detached. Meant to be called between tests, not while requests are in flight.
     */
    public void reset() {
        server.reset();
    }

    /**
     * Every request received so far, including ones answered with errors or network faults.
     *
     * @return an unmodifiable snapshot, in the order the requests arrived
     */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /**
     * How many requests were received so far.
     *
     * @return the number of recorded requests
     */
    public int requestCount() {
        return server.requestCount();
    }

    /**
     * How many requests were received so far with this API key.
     *
     * @param apiKey a credential as {@link RecordedRequest#apiKey()} reports it, or {@code null} to count requests
     *     that carried none
     * @return the number of recorded requests with that key
     */
    public int requestCount(String apiKey) {
        return server.requestCount(apiKey);
    }

    /**
     * Stops the server: stops accepting connections, drops every open connection (including held ones and streams in
     * progress) and waits for the worker threads to end. Idempotent.
     */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + server.baseUrl() + "]";
    }
}

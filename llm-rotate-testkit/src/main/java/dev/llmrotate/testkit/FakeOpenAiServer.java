package dev.llmrotate.testkit;

import java.net.URI;
import java.util.List;

/**
 * A fake OpenAI Chat Completions server on 127.0.0.1 for tests: point a client at {@link #baseUrl()}, script how it
 * answers per API key and model, and inspect the requests it received.
 *
 * <pre>{@code
 * try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
 *     server.forKey("sk-a").always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
 *     server.forKey("sk-b").next(FakeResponse.serverError()).always(FakeResponse.ok("hello"));
 *     // ... call server.baseUrl() + "/chat/completions" with "Authorization: Bearer sk-a" ...
 *     assertThat(server.requestCount("sk-a")).isEqualTo(1);
 * }
 * }</pre>
 *
 * <h2>Endpoint</h2>
 *
 * {@code POST {baseUrl}/chat/completions}. The request's API key is its {@code Authorization: Bearer} token and its
 * model is the {@code model} field of its JSON body. Other paths and methods are answered {@code 404} with an OpenAI
 * error ({@code Invalid URL (GET /v1/models)}), whatever the scripts say.
 *
 * <h2>Matching</h2>
 *
 * Each request is offered to the scripts from the most to the least specific, and the first that has an answer
 * answers it: {@link #forKeyAndModel}, then {@link #forKey}, then {@link #forModel}, then {@link #byDefault}. A script
 * has no answer when nothing was scripted on it or its one-shot responses are used up with no standing behaviour (see
 * {@link Script}).
 *
 * <p>When no script answers: a request without an API key gets {@code 401} with code {@code invalid_api_key}, a body
 * that is not a JSON object or names no model gets {@code 400} ({@code invalid_request_error}), and anything else gets
 * {@code FakeResponse.ok("fake reply")}, a completion that echoes the requested model.
 *
 * <h2>Threads and shutdown</h2>
 *
 * <p>All methods are thread-safe. Every request is handled on its own worker thread, so any number of requests can
 * be in flight or held open ({@link FakeResponse#noResponse()}, {@link FakeResponse#stallAfterHeaders()}, {@link
 * FakeResponse#delay}) at once. {@link #close()} drops every open connection at once, so clients waiting on held
 * requests fail with an {@link java.io.IOException} instead of hanging, and returns when the worker threads have
 * ended (in milliseconds, not seconds).
 *
 * <p>Starting a server sets the system property {@code sun.net.httpserver.nodelay} to {@code true} unless it is already
 * set, so that the JDK server sends responses without Nagle delays (about 40 ms per request on a kept-alive
 * connection otherwise). The JDK reads it when the first {@code HttpServer} of the JVM is created.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    private final FakeHttpServer server;

    private FakeOpenAiServer(FakeHttpServer server) {
        this.server = server;
    }

    /**
     * Starts a server on 127.0.0.1 on a free port.
     *
     * @return the running server; close it when done
     * @throws java.io.UncheckedIOException if no port can be bound
     */
    public static FakeOpenAiServer start() {
        return new FakeOpenAiServer(FakeHttpServer.start(OpenAiWireFormat.INSTANCE));
    }

    /**
     * The base URL to configure an OpenAI client with.
     *
     * @return {@code http://127.0.0.1:PORT/v1}, without a trailing slash
     */
    public URI baseUrl() {
        return server.baseUrl();
    }

    /**
     * The chat completions endpoint, for clients that take a full URL.
     *
     * @return {@code http://127.0.0.1:PORT/v1/chat/completions}
     */
    public URI chatCompletionsUrl() {
        return URI.create(server.baseUrl() + "/chat/completions");
    }

    /**
     * The script for requests with this API key (any model). The same key always returns the same script.
     *
     * @param apiKey the bearer token, not blank
     * @return the script, to configure with {@link Script#always}, {@link Script#next} or {@link Script#respond}
     */
    public Script forKey(String apiKey) {
        return server.scripts().forKey(apiKey);
    }

    /**
     * The script for requests for this model (any key, or none). The same model always returns the same script.
     *
     * @param model the body's {@code model}, not blank
     * @return the script, to configure with {@link Script#always}, {@link Script#next} or {@link Script#respond}
     */
    public Script forModel(String model) {
        return server.scripts().forModel(model);
    }

    /**
     * The script for requests with this API key and this model. Takes precedence over {@link #forKey} and {@link
     * #forModel}. The same pair always returns the same script.
     *
     * @param apiKey the bearer token, not blank
     * @param model the body's {@code model}, not blank
     * @return the script, to configure with {@link Script#always}, {@link Script#next} or {@link Script#respond}
     */
    public Script forKeyAndModel(String apiKey, String model) {
        return server.scripts().forKeyAndModel(apiKey, model);
    }

    /**
     * The script for requests no more specific script answers. Until something is scripted on it, such requests get
     * {@code FakeResponse.ok("fake reply")} if they carry an API key and {@code 401 invalid_api_key} if they do not.
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
     * @param apiKey a bearer token, or {@code null} to count requests that carried none
     * @return the number of recorded requests with that key
     */
    public int requestCount(String apiKey) {
        return server.requestCount(apiKey);
    }

    /**
     * Stops the server: stops accepting connections, drops every open connection (including held ones) and waits for
     * the worker threads to end. Idempotent.
     */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "FakeOpenAiServer[" + server.baseUrl() + "]";
    }
}

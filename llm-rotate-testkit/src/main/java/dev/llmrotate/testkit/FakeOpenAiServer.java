package dev.llmrotate.testkit;

import java.net.URI;

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
 * <h2>Streaming</h2>
 *
 * A request with {@code "stream": true} gets a completion as server-sent events ({@code Content-Type:
 * text/event-stream}, chunked): {@code data: {chat.completion.chunk}} events, the first with {@code
 * delta.role = "assistant"}, then one per content delta ({@code delta.content}), then one with an empty delta and the
 * {@code finish_reason}; with {@code "stream_options":{"include_usage":true}} every chunk has {@code "usage":null}
 * and one more chunk with {@code "choices":[]} and the {@code usage} follows; then {@code data: [DONE]}. All chunks
 * share one id and {@code created}. See {@link FakeResponse} for stream faults.
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
public final class FakeOpenAiServer extends FakeServer {

    private FakeOpenAiServer(FakeHttpServer server) {
        super(server);
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
    @Override
    public URI baseUrl() {
        return server.baseUrl();
    }

    /**
     * The endpoint to configure an Azure OpenAI client with ({@code auth_config.azure_endpoint}): the same server
     * answers {@code POST /openai/deployments/{deployment}/chat/completions?api-version=…} with the key in the
     * {@code api-key} header, recording {@code deployment} and {@code api_version} as request attributes; the model
     * is the body's {@code model}, else the deployment name.
     *
     * @return {@code http://127.0.0.1:PORT}, without a trailing slash
     */
    public URI azureEndpoint() {
        String base = server.baseUrl().toString();
        return URI.create(base.substring(0, base.length() - "/v1".length()));
    }

    /**
     * The chat completions endpoint, for clients that take a full URL.
     *
     * @return {@code http://127.0.0.1:PORT/v1/chat/completions}
     */
    public URI chatCompletionsUrl() {
        return URI.create(server.baseUrl() + "/chat/completions");
    }
}

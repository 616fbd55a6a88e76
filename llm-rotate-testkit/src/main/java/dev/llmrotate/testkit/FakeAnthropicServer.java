package dev.llmrotate.testkit;

import java.net.URI;

/**
 * A fake Anthropic Messages API server on 127.0.0.1 for tests: point a client at {@link #baseUrl()}, script how it
 * answers per API key and model, and inspect the requests it received. Scripting, recording, network faults and
 * shutdown work exactly as in {@link FakeOpenAiServer}; only the wire format differs.
 *
 * <pre>{@code
 * try (FakeAnthropicServer anthropic = FakeAnthropicServer.start()) {
 *     anthropic.forKey("sk-ant-a").always(FakeResponse.overloaded());      // 529 overloaded_error
 *     anthropic.forKey("sk-ant-b").always(FakeResponse.ok("hello"));
 *     // ... POST anthropic.messagesUrl() with "x-api-key: sk-ant-a" and "anthropic-version: 2023-06-01" ...
 * }
 * }</pre>
 *
 * <h2>Endpoint</h2>
 *
 * {@code POST {baseUrl}/messages}. The request's API key is its {@code x-api-key} header and its model is the {@code
 * model} field of its JSON body; its {@code anthropic-version} header is recorded (also as the attribute {@code
 * anthropicVersion}). A request without {@code anthropic-version} is answered {@code 400 invalid_request_error}
 * before any script is consulted, as the real API does. Other paths get {@code 404 not_found_error}.
 *
 * <p>When no script answers: no {@code x-api-key} gets {@code 401 authentication_error}, a body that is not JSON or
 * names no model gets {@code 400 invalid_request_error}, anything else gets {@code FakeResponse.ok("fake reply")}.
 *
 * <h2>Rendering</h2>
 *
 * A completion is a {@code message} object: {@code {"id":"msg_…","type":"message","role":"assistant","model":…,
 * "content":[{"type":"text","text":…}],"stop_reason":…,"stop_sequence":null,"usage":{"input_tokens":…,
 * "cache_creation_input_tokens":0,"cache_read_input_tokens":…,"output_tokens":…}}}. Finish reasons are mapped to
 * stop reasons ({@code stop} → {@code end_turn}, {@code length} → {@code max_tokens}, {@code tool_calls} → {@code
 * tool_use}, {@code content_filter} → {@code refusal}; other values, e.g. {@code stop_sequence}, pass through).
 * {@code input_tokens} is the prompt tokens minus the cached ones, which are reported as {@code
 * cache_read_input_tokens}.
 *
 * <p>Errors are {@code {"type":"error","error":{"type":…,"message":…},"request_id":"req_…"}} with a {@code
 * request-id} header: {@link FakeResponse#rateLimited} → {@code 429 rate_limit_error} with {@code retry-after};
 * {@link FakeResponse#insufficientQuota} → {@code 402 billing_error} (the status Anthropic's error reference gives
 * for billing problems; some accounts have seen the credit-balance message as a {@code 400 invalid_request_error}
 * instead, which {@link FakeResponse#error} can produce); {@link FakeResponse#invalidApiKey} → {@code 401
 * authentication_error}; {@link FakeResponse#serverError} → {@code 500 api_error}; {@link FakeResponse#overloaded} →
 * {@code 529 overloaded_error}. Other documented errors ({@code 403 permission_error}, {@code 404 not_found_error},
 * {@code 413 request_too_large}, ...) via {@code FakeResponse.error(status, type, code, message)}, whose non-null
 * {@code code} becomes {@code error.details.error_code}.
 *
 * <h2>Streaming</h2>
 *
 * A request with {@code "stream": true} gets named server-sent events: {@code message_start} (the message with
 * empty content and the input usage), {@code content_block_start}, {@code ping}, one {@code content_block_delta}
 * ({@code {"type":"text_delta","text":…}}) per content delta, {@code content_block_stop}, {@code message_delta}
 * ({@code delta.stop_reason}, {@code usage.output_tokens}) and {@code message_stop}, the end marker. {@link
 * FakeResponse#errorEventAfterChunks} sends an {@code event: error} with {@code {"type":"error","error":{"type":…,
 * "message":…}}}, e.g. {@code overloaded_error}, and ends the stream.
 */
public final class FakeAnthropicServer extends FakeServer {

    private FakeAnthropicServer(FakeHttpServer server) {
        super(server);
    }

    /**
     * Starts a server on 127.0.0.1 on a free port.
     *
     * @return the running server; close it when done
     * @throws java.io.UncheckedIOException if no port can be bound
     */
    public static FakeAnthropicServer start() {
        return new FakeAnthropicServer(FakeHttpServer.start(AnthropicWireFormat.INSTANCE));
    }

    /**
     * The base URL to configure an Anthropic client with.
     *
     * @return {@code http://127.0.0.1:PORT/v1}, without a trailing slash
     */
    @Override
    public URI baseUrl() {
        return server.baseUrl();
    }

    /**
     * The messages endpoint, for clients that take a full URL.
     *
     * @return {@code http://127.0.0.1:PORT/v1/messages}
     */
    public URI messagesUrl() {
        return URI.create(server.baseUrl() + "/messages");
    }
}

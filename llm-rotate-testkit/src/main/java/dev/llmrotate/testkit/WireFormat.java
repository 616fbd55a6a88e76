package dev.llmrotate.testkit;

import java.util.List;
import java.util.Map;

/**
 * The provider-specific half of a fake server: which requests are endpoints, where a request carries its credential
 * and model, and how responses are rendered. Everything else (scripts, recording, network faults, delays, shutdown)
 * is shared in {@link FakeHttpServer}.
 */
interface WireFormat {

    /** A short name for thread names, e.g. {@code openai}. */
    String name();

    /** The path of the base URL clients are configured with, e.g. {@code /v1}. */
    String basePath();

    /** Whether scripts answer this request; other requests get {@link #notFound}. */
    boolean isEndpoint(String method, String path);

    /** The credential the request carries, or {@code null}. Header names are lower-case. */
    String apiKey(Map<String, List<String>> headers, String path);

    /** The model the request asks for, or {@code null}. */
    String model(String path, String body);

    /** The answer to an endpoint request no script answers, e.g. a default completion or a missing-key error. */
    FakeResponse unscripted(RecordedRequest request);

    /** The answer to a request that is not for an endpoint. */
    FakeResponse notFound(RecordedRequest request);

    /**
     * Renders a response body that is not {@link FakeResponse.Raw raw} (raw bodies are sent as they are).
     *
     * @param body a {@link FakeResponse.Completion}, {@link FakeResponse.ApiError} or {@link
     *     FakeResponse.StandardError}
     */
    Rendered render(FakeResponse.Body body, RecordedRequest request);

    /**
     * The bytes of one response. {@code Content-Type: application/json} is added unless {@code headers} has one; the
     * script's own headers are applied last.
     *
     * @param headers lower-case names
     */
    record Rendered(int status, Map<String, String> headers, byte[] body) {}
}

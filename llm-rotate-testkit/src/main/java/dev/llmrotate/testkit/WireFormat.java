package dev.llmrotate.testkit;

import java.util.List;
import java.util.Map;

/**
 * The provider-specific half of a fake server: which requests are endpoints, where a request carries its credential
 * and model, whether it asks for a stream, and how responses and streams are rendered. Everything else (scripts,
 * recording, network and stream faults, delays, shutdown) is shared in {@link FakeHttpServer}.
 */
interface WireFormat {

    /** A short name for thread names and error messages, e.g. {@code openai}. */
    String name();

    /** The path of the base URL clients are configured with, e.g. {@code /v1}; empty for the server's root. */
    String basePath();

    /**
     * What the format reads from a request.
     *
     * @param headers lower-case names
     */
    Parsed parse(String method, String path, String query, Map<String, List<String>> headers, String body);

    /**
     * The answer to a request the server handles itself, outside scripts and not recorded (e.g. an OAuth token
     * endpoint), or {@code null} for ordinary requests.
     */
    default FakeResponse intercept(RecordedRequest request) {
        return null;
    }

    /**
     * The answer to an endpoint request that is wrong before any script can apply (e.g. a missing required protocol
     * header), or {@code null} to consult the scripts.
     */
    default FakeResponse preflight(RecordedRequest request) {
        return null;
    }

    /** The answer to an endpoint request no script answers, e.g. a default completion or a missing-key error. */
    FakeResponse unscripted(RecordedRequest request);

    /** The answer to a request that is not for an endpoint. */
    FakeResponse notFound(RecordedRequest request);

    /**
     * Renders a response body that is not {@link FakeResponse.Raw raw} (raw bodies are sent as they are) as a
     * non-streamed response.
     *
     * @param body a {@link FakeResponse.Completion}, {@link FakeResponse.ApiError} or {@link
     *     FakeResponse.StandardError}
     */
    Rendered render(FakeResponse.Body body, RecordedRequest request);

    /** The events of one streamed completion, for a request that asked for a stream. */
    StreamEncoder streamEncoder(FakeResponse.Completion completion, RecordedRequest request);

    /**
     * What a format reads from a request.
     *
     * @param endpoint whether scripts answer it (others get {@link #notFound})
     * @param apiKey the credential (or the identity behind it), or {@code null}
     * @param model the requested model, or {@code null}
     * @param stream whether it asks for a streamed answer
     * @param attributes format-specific facts, see {@link RecordedRequest#attributes()}
     */
    record Parsed(boolean endpoint, String apiKey, String model, boolean stream, Map<String, String> attributes) {}

    /**
     * The bytes of one response. {@code Content-Type: application/json} is added unless {@code headers} has one; the
     * script's own headers are applied last.
     *
     * @param headers lower-case names
     */
    record Rendered(int status, Map<String, String> headers, byte[] body) {}

    /**
     * Renders the events of one streamed completion. Each method returns complete events, framing included (e.g.
     * {@code data: …\n\n}); the server sends them in this order: {@link #opening}, one {@link #delta} per content
     * chunk (with any faults between them), {@link #closing}, then {@link #endMarker}. Instances serve one request.
     */
    interface StreamEncoder {

        /** Response headers (lower-case names), including {@code content-type}. */
        Map<String, String> headers();

        /** Events before the first content chunk. */
        List<byte[]> opening();

        /** The event carrying one content delta. */
        byte[] delta(String text);

        /**
         * The {@code n}-th keep-alive (from 0) of {@link FakeResponse#keepAlivesAfterChunks}: bytes that carry no
         * content, such as an SSE comment, a ping or an event with empty text. Formats may vary it with {@code n}.
         */
        byte[] keepAlive(int n);

        /** An event in the format's framing whose data is not valid JSON. */
        byte[] malformed();

        /** A mid-stream error event. */
        byte[] error(String type, String message);

        /** Events after the last content chunk that carry the finish reason and usage, before the end marker. */
        List<byte[]> closing();

        /** The event that marks the end of the stream. */
        byte[] endMarker();
    }
}

package dev.llmrotate.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The router's answer: a status, headers and a body. A server binding writes the headers as they are, a
 * {@code content-length} of {@code body.length}, and the body unless {@link #omitBody()} (the answer to a
 * {@code HEAD}, which carries the length the {@code GET} would have).
 *
 * @param status the HTTP status
 * @param headers header names in lower case, in the order to send them
 * @param body the body (empty for none)
 * @param omitBody true for an answer to HEAD: send the headers and the length, not the body
 */
public record ControlResponse(int status, Map<String, String> headers, byte[] body, boolean omitBody) {
    /** The content type of every JSON answer. */
    public static final String JSON = "application/json; charset=utf-8";

    public ControlResponse {
        Objects.requireNonNull(body, "body");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A JSON answer. */
    public static ControlResponse json(int status, byte[] body) {
        return new ControlResponse(status, Map.of("content-type", JSON), body, false);
    }

    /** An answer of another content type (e.g. Prometheus text). */
    public static ControlResponse of(int status, String contentType, byte[] body) {
        return new ControlResponse(status, Map.of("content-type", contentType), body, false);
    }

    /** This answer with one more header (replacing one of the same name). */
    public ControlResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ControlResponse(status, more, body, omitBody);
    }

    /** This answer as the answer to a HEAD: same status, headers and length, no body on the wire. */
    public ControlResponse withoutBody() {
        return new ControlResponse(status, headers, body, true);
    }

    /** The body as UTF-8 text (tests, logs of errors). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ControlResponse[" + status + ", " + headers + ", " + body.length + " bytes" + (omitBody ? ", HEAD" : "")
                + "]";
    }
}

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

    /**
     * Checks the answer; copies the headers, keeping their order.
     *
     * @param status the HTTP status
     * @param headers header names in lower case, in the order to send them
     * @param body the body, empty for none
     * @param omitBody true for an answer to HEAD
     * @throws NullPointerException when {@code headers} or {@code body} is null
     */
    public ControlResponse {
        Objects.requireNonNull(body, "body");
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /**
     * A JSON answer.
     *
     * @param status the HTTP status
     * @param body UTF-8 JSON
     * @return the answer, with content type {@value #JSON}
     */
    public static ControlResponse json(int status, byte[] body) {
        return new ControlResponse(status, Map.of("content-type", JSON), body, false);
    }

    /**
     * An answer of another content type (e.g. Prometheus text).
     *
     * @param status the HTTP status
     * @param contentType the {@code content-type} header's value
     * @param body the body
     * @return the answer
     */
    public static ControlResponse of(int status, String contentType, byte[] body) {
        return new ControlResponse(status, Map.of("content-type", contentType), body, false);
    }

    /**
     * This answer with one more header.
     *
     * @param name the header's name, lower case
     * @param value its value
     * @return a copy with the header added last, or replacing the value of one of the same name
     */
    public ControlResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ControlResponse(status, more, body, omitBody);
    }

    /**
     * This answer as the answer to a HEAD.
     *
     * @return a copy with the same status, headers and length, and no body on the wire
     */
    public ControlResponse withoutBody() {
        return new ControlResponse(status, headers, body, true);
    }

    /**
     * The body as text (tests, logs of errors).
     *
     * @return the body decoded as UTF-8
     */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ControlResponse[" + status + ", " + headers + ", " + body.length + " bytes" + (omitBody ? ", HEAD" : "")
                + "]";
    }
}

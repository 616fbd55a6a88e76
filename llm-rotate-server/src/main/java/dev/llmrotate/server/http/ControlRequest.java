package dev.llmrotate.server.http;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request as the {@link ControlRouter} sees it, whatever server received it.
 *
 * @param method the method, upper case as sent ({@code GET}, {@code HEAD}, ...)
 * @param target the request target as sent: the raw, still percent-encoded path and query ({@code /keys/a%3Ab?x=1})
 * @param headers the request headers, names in lower case; the first value of a repeated header
 */
public record ControlRequest(String method, String target, Map<String, String> headers) {

    /**
     * Checks the request; copies the headers.
     *
     * @param method the method, upper case as sent
     * @param target the raw path and query as sent
     * @param headers the headers, names in lower case
     * @throws NullPointerException when an argument is null
     */
    public ControlRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        headers = Map.copyOf(headers);
    }

    /**
     * A request without headers (tests and probes).
     *
     * @param method the method, upper case
     * @param target the raw path and query
     * @return the request
     */
    public static ControlRequest of(String method, String target) {
        return new ControlRequest(method, target, Map.of());
    }

    /**
     * The value of a header.
     *
     * @param name the header's name, in any case
     * @return its first value, or null when the request has none
     */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The raw path.
     *
     * @return the target up to its {@code ?}, still percent-encoded
     */
    public String rawPath() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /**
     * The raw query.
     *
     * @return the target after its {@code ?}, still percent-encoded, or the empty string
     */
    public String rawQuery() {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }
}

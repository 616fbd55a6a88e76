package dev.llmrotate.server.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query parameters of one request, decoded ({@code application/x-www-form-urlencoded}: {@code +} is a space,
 * {@code %XX} UTF-8) and checked: every accessor throws {@link ApiException#invalidParameter} naming the parameter and
 * what it accepts. A parameter given twice, a name the endpoint does not know and more than {@value #MAX_PARAMETERS}
 * parameters are refused too, so that a typo ({@code windw=1h}) never silently means "no filter".
 */
public final class QueryParams {
    /** Most parameters one request may carry. */
    public static final int MAX_PARAMETERS = 32;

    /** Longest free-text value ({@code model}, {@code key_id}, ...) accepted. */
    public static final int MAX_TEXT_LENGTH = 256;

    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    /** No parameters. */
    public static final QueryParams NONE = new QueryParams(Map.of());

    /**
     * Parses a raw query; empty pairs ({@code a=1&&b=2}) are ignored.
     *
     * @param rawQuery the query after {@code ?}, still percent-encoded ({@code a=1&b=x%20y}), or null or empty for none
     * @return the decoded parameters
     * @throws ApiException for a parameter given twice, more than {@value #MAX_PARAMETERS} parameters, or a name or
     *     value that is not valid percent-encoded UTF-8
     */
    public static QueryParams parse(String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new QueryParams(values);
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), null);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            if (values.containsKey(name)) {
                throw ApiException.invalidParameter(
                        name, "parameter " + ApiException.quote(name) + " is given more than once", null);
            }
            if (values.size() == MAX_PARAMETERS) {
                throw ApiException.invalidParameter(null, "more than " + MAX_PARAMETERS + " query parameters", null);
            }
            values.put(name, value);
        }
        return new QueryParams(values);
    }

    /**
     * Refuses any parameter not in {@code accepted}, listing the accepted names.
     *
     * @param accepted the names the endpoint takes
     * @return these parameters
     * @throws ApiException naming the first unknown parameter
     */
    public QueryParams acceptOnly(Set<String> accepted) {
        for (String name : values.keySet()) {
            if (!accepted.contains(name)) {
                List<String> allowed = new ArrayList<>(new TreeSet<>(accepted));
                throw ApiException.invalidParameter(
                        name,
                        "unknown parameter " + ApiException.quote(name)
                                + (accepted.isEmpty() ? "; this endpoint takes none" : ""),
                        allowed);
            }
        }
        return this;
    }

    /**
     * Whether the parameter is present.
     *
     * @param name the parameter's name
     * @return true when the request has it, even with an empty value
     */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /**
     * The parameter's value.
     *
     * @param name the parameter's name
     * @return the decoded value, or null when absent
     * @throws ApiException for an empty value ({@code ?model=})
     */
    public String get(String name) {
        String value = values.get(name);
        if (value != null && value.isEmpty()) {
            throw ApiException.invalidParameter(name, "parameter '" + name + "' is empty", null);
        }
        return value;
    }

    /**
     * A free-text filter value (a model or key id).
     *
     * @param name the parameter's name
     * @return the value, at most {@value #MAX_TEXT_LENGTH} characters, or null when absent
     * @throws ApiException for an empty or longer value
     */
    public String text(String name) {
        String value = get(name);
        if (value != null && value.length() > MAX_TEXT_LENGTH) {
            throw ApiException.invalidParameter(
                    name, "'" + name + "' is longer than " + MAX_TEXT_LENGTH + " characters", null);
        }
        return value;
    }

    /**
     * One of a list of values, compared without case.
     *
     * @param name the parameter's name
     * @param allowed the values it may take
     * @param fallback what to return when it is absent; may be null
     * @return the value as spelled in {@code allowed}, or {@code fallback}
     * @throws ApiException for an empty value or one not in {@code allowed}, listing them
     */
    public String choice(String name, List<String> allowed, String fallback) {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        for (String option : allowed) {
            if (option.equalsIgnoreCase(value)) {
                return option;
            }
        }
        throw ApiException.invalidParameter(
                name,
                "'" + name + "' must be one of " + String.join(", ", allowed) + ", got " + ApiException.quote(value),
                allowed);
    }

    /**
     * A whole number in a range.
     *
     * @param name the parameter's name
     * @param min the smallest value accepted (the value has digits only, no sign)
     * @param max the largest value accepted
     * @param fallback what to return when it is absent
     * @return the number, from {@code min} to {@code max}, or {@code fallback}
     * @throws ApiException for an empty value, one that is not a whole number, or one out of range
     */
    public int intInRange(String name, int min, int max, int fallback) {
        String value = get(name);
        if (value == null) {
            return fallback;
        }
        List<String> allowed = List.of("an integer from " + min + " to " + max);
        if (value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.invalidParameter(
                    name, "'" + name + "' must be a whole number, got " + ApiException.quote(value), allowed);
        }
        long n = Long.parseLong(value);
        if (n < min || n > max) {
            throw ApiException.invalidParameter(
                    name, "'" + name + "' must be from " + min + " to " + max + ", got " + n, allowed);
        }
        return (int) n;
    }

    /** Strict percent-decoding: a malformed escape or invalid UTF-8 is a 400 naming the parameter. */
    private static String decode(String raw, String parameter) {
        if (raw.indexOf('%') < 0 && raw.indexOf('+') < 0) {
            return raw;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '+') {
                bytes.put((byte) ' ');
            } else if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw malformed(parameter);
                }
                bytes.put((byte) (hi * 16 + lo));
                i += 2;
            } else if (c > 0x7f) {
                throw malformed(parameter);
            } else {
                bytes.put((byte) c);
            }
        }
        bytes.flip();
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed(parameter);
        }
    }

    private static ApiException malformed(String parameter) {
        return ApiException.invalidParameter(
                parameter,
                (parameter == null ? "a parameter name" : "parameter " + ApiException.quote(parameter))
                        + " is not valid percent-encoded UTF-8",
                null);
    }

    @Override
    public String toString() {
        return "QueryParams" + values.keySet();
    }
}

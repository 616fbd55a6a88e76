package dev.llmrotate.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a raw request path into decoded segments and matches them against route templates. Anything that looks
 * like path traversal or smuggling is no path at all (the router answers 404): a dot segment ({@code .},
 * {@code ..}, also percent-encoded, also between encoded slashes), an empty segment ({@code //}), a backslash (raw or
 * encoded), a control character, malformed percent-encoding or UTF-8. An encoded slash inside a segment is kept, since
 * a key id may contain one ({@code /keys/team%2Fprod}).
 */
final class PathSegments {
    /** More segments than any endpoint has, with room for growth; a deeper path is no endpoint. */
    private static final int MAX_SEGMENTS = 8;

    private PathSegments() {}

    /** The decoded segments of {@code rawPath} ({@code /} has none), or null when it is not an acceptable path. */
    static List<String> split(String rawPath) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return null;
        }
        List<String> segments = new ArrayList<>();
        if (rawPath.length() == 1) {
            return segments;
        }
        for (String raw : rawPath.substring(1).split("/", -1)) {
            String segment = decode(raw);
            if (segment == null || segments.size() == MAX_SEGMENTS) {
                return null;
            }
            segments.add(segment);
        }
        return segments;
    }

    /** The values of the template's {@code {name}} segments, or null when the segments do not fit the template. */
    static Map<String, String> match(String template, List<String> segments) {
        List<String> parts =
                template.equals("/") ? List.of() : List.of(template.substring(1).split("/"));
        if (parts.size() != segments.size()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part.startsWith("{") && part.endsWith("}")) {
                values.put(part.substring(1, part.length() - 1), segments.get(i));
            } else if (!part.equals(segments.get(i))) {
                return null;
            }
        }
        return values;
    }

    private static String decode(String raw) {
        if (raw.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c <= 0x20 || c >= 0x7f || c == '\\') {
                return null;
            } else {
                bytes.write(c);
            }
        }
        String segment;
        try {
            segment = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '\\' || c < 0x20 || c == 0x7f) {
                return null;
            }
        }
        // An encoded slash may belong to a key id (team/prod); dot or empty parts around one are traversal.
        if (segment.equals(".") || segment.equals("..")) {
            return null;
        }
        if (segment.indexOf('/') >= 0) {
            for (String part : segment.split("/", -1)) {
                if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                    return null;
                }
            }
        }
        return segment;
    }
}

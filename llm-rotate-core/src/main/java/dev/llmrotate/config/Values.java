package dev.llmrotate.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed reads of plain values (as Jackson produces them, or as a caller puts them in a registry map). A value of the
 * wrong type records a problem that starts with its path and the read returns null; nothing throws.
 */
final class Values {
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    /** Paths whose values may be secrets: never echoed, only their type is told. */
    private static final Pattern SECRET_PATH =
            Pattern.compile("(?:^|\\.)(?:secret_ref|auth_config|metadata)(?:$|[.\\[])|^state_store\\.url$");
    /** How a name that looks like a secret appears in a path. */
    static final String HIDDEN_NAME = "<hidden>";
    /** Longer strings are not echoed: a value that long in the wrong place is more likely a secret than a typo. */
    private static final int LONGEST_ECHOED = 64;
    /** A run of letters and digits this long, of mixed kinds, reads as a random token (a key) rather than a word. */
    private static final int RANDOM_RUN = 16;

    private static final Pattern WITH_UNIT = Pattern.compile("([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))\\s*(ms|s|m|h)");
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    static final String DURATION_FORMS =
            "seconds as a number (30, 0.25) or a duration such as \"250ms\", \"30s\", \"5m\", \"1h\" or \"PT30S\"";

    private final List<String> problems;

    /**
     * True for a tree whose scalars may all be text, as Spring's environment or a properties file give them: then
     * {@code "3"} reads as a number, {@code "true"} as a boolean, a number as a string, and {@code "a,b"} as a list.
     */
    private final boolean textScalars;

    Values(List<String> problems) {
        this(problems, false);
    }

    Values(List<String> problems, boolean textScalars) {
        this.textScalars = textScalars;
        this.problems = problems;
    }

    void problem(String path, String message) {
        problems.add(path + ": " + message);
    }

    /** How many problems have been recorded so far; compare before and after reading a part. */
    int problemCount() {
        return problems.size();
    }

    /** {@code path.field}; a user-given name that looks like a secret shows as {@value #HIDDEN_NAME}. */
    static String child(String path, String field) {
        String shown = looksSecret(field) ? HIDDEN_NAME : field;
        return path.isEmpty() ? shown : path + "." + shown;
    }

    /**
     * The path of a map entry named by the user (a model id): {@code path.name} for a plain name, else {@code
     * path["name"]} with quotes, backslashes and control characters escaped, so that the dots, slashes and colons of
     * ids such as {@code anthropic/claude-haiku-4.5} or {@code amazon.nova-lite-v1:0} do not read as path steps.
     */
    static String member(String path, String name) {
        if (looksSecret(name)) {
            return child(path, HIDDEN_NAME);
        }
        if (PLAIN_NAME.matcher(name).matches()) {
            return child(path, name);
        }
        StringBuilder out = new StringBuilder(path).append("[\"");
        for (char c : name.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> out.append(isControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append("\"]").toString();
    }

    /** U+0000 to U+001F and U+007F: never part of a key id or model id (health scopes join them with U+001F). */
    static boolean isControl(char c) {
        return c < 0x20 || c == 0x7f;
    }

    static boolean hasControlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (isControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reports every field of {@code map} that is not in {@code known}, suggesting the closest known name. A name that
     * looks like a secret or a secret reference is not echoed.
     */
    void unknownFields(Map<String, Object> map, String path, Collection<String> known) {
        for (String field : map.keySet()) {
            if (known.contains(field)) {
                continue;
            }
            if (looksSecret(field)) {
                problem(
                        child(path, HIDDEN_NAME),
                        "unknown field; its name looks like a secret or a secret reference and is not shown (a value"
                                + " written where a field name belongs?)");
            } else {
                problem(child(path, field), "unknown field" + Suggestions.didYouMean(field, known));
            }
        }
    }

    /**
     * Whether {@code text} may be a secret and must not be echoed: a secret reference ({@code literal://},
     * {@code env://}, {@code file://}), a key of a known shape ({@code sk-…}, {@code AIza…}, a PEM private key), a
     * string over {@value #LONGEST_ECHOED} characters, or one with a run of {@value #RANDOM_RUN} letters and digits of
     * mixed kinds (upper and lower case, or letters and digits), as random tokens have and words and model ids do not.
     */
    static boolean looksSecret(String text) {
        String t = text.strip();
        if (t.length() > LONGEST_ECHOED) {
            return true;
        }
        for (String prefix : new String[] {"literal://", "env://", "file://"}) {
            if (t.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return true;
            }
        }
        if ((t.startsWith("sk-") && t.length() >= 20) || t.startsWith("AIza") || t.contains("PRIVATE KEY")) {
            return true;
        }
        int run = 0;
        int kinds = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            int kind = c >= 'a' && c <= 'z' ? 1 : c >= 'A' && c <= 'Z' ? 2 : c >= '0' && c <= '9' ? 4 : 0;
            if (kind == 0) {
                run = 0;
                kinds = 0;
                continue;
            }
            run++;
            kinds |= kind;
            if (run >= RANDOM_RUN && Integer.bitCount(kinds) >= 2) {
                return true;
            }
        }
        return false;
    }

    /** A map with string field names, in the given order; {@code expected} describes it for the message. */
    Map<String, Object> map(Object value, String path, String expected) {
        if (!(value instanceof Map<?, ?> raw)) {
            problem(path, "expected " + expected + ", got " + describe(value, path));
            return null;
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (e.getKey() instanceof String name) {
                copy.put(name, e.getValue());
            } else {
                problem(path, "field names must be strings, got " + describe(e.getKey(), path));
                ok = false;
            }
        }
        return ok ? copy : null;
    }

    /** A list (or any collection or array); {@code expected} describes it for the message. */
    List<Object> list(Object value, String path, String expected) {
        if (textScalars && value instanceof String text) {
            List<Object> items = new ArrayList<>();
            for (String item : text.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.strip());
                }
            }
            return items;
        }
        if (value instanceof Collection<?> c) {
            return new ArrayList<>(c);
        }
        if (value instanceof Object[] array) {
            return new ArrayList<>(List.of(array));
        }
        problem(path, "expected " + expected + ", got " + describe(value, path));
        return null;
    }

    String string(Object value, String path) {
        if (value instanceof String s) {
            return s;
        }
        if (textScalars && (value instanceof Number || value instanceof Boolean)) {
            return String.valueOf(value);
        }
        problem(path, "expected a string, got " + describe(value, path));
        return null;
    }

    /** A list of strings; every element of the wrong type is reported with its index. */
    List<String> strings(Object value, String path) {
        List<Object> raw = list(value, path, "a list of strings");
        if (raw == null) {
            return null;
        }
        List<String> result = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < raw.size(); i++) {
            String s = string(raw.get(i), path + "[" + i + "]");
            ok &= s != null;
            result.add(s);
        }
        return ok ? result : null;
    }

    Integer integer(Object value, String path) {
        BigInteger n = wholeNumber(numeric(value));
        if (n == null) {
            problem(path, "expected an integer, got " + describe(value, path));
            return null;
        }
        if (n.bitLength() > 31) {
            problem(
                    path,
                    "expected an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE + ", got " + n);
            return null;
        }
        return n.intValue();
    }

    Long longInteger(Object value, String path) {
        BigInteger n = wholeNumber(numeric(value));
        if (n == null) {
            problem(path, "expected an integer, got " + describe(value, path));
            return null;
        }
        if (n.bitLength() > 63) {
            problem(path, "expected an integer between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE + ", got " + n);
            return null;
        }
        return n.longValue();
    }

    /** Any finite number. */
    Double number(Object value, String path) {
        BigDecimal d = decimal(numeric(value));
        if (d == null) {
            problem(path, "expected a number, got " + describe(value, path));
            return null;
        }
        return d.doubleValue();
    }

    Boolean bool(Object value, String path) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (textScalars && value instanceof String text) {
            String word = text.strip();
            if (word.equalsIgnoreCase("true") || word.equalsIgnoreCase("false")) {
                return Boolean.valueOf(word);
            }
        }
        problem(path, "expected true or false, got " + describe(value, path));
        return null;
    }

    /**
     * A duration given as seconds (a number, possibly with a fraction), as a string with a unit ({@code 250ms},
     * {@code 30s}, {@code 5m}, {@code 1h}), as an ISO-8601 duration ({@code PT30S}) or, from a Java map, as a
     * {@link Duration}. Negative and zero values are returned as read; the validator decides what is allowed.
     */
    Duration duration(Object value, String path) {
        if (value instanceof Duration d) {
            return d;
        }
        BigDecimal seconds = value instanceof String s ? secondsOf(s.strip()) : decimal(value);
        if (seconds == null && textScalars) {
            seconds = decimal(numeric(value)); // a bare number of seconds written as text
        }
        if (seconds == null && value instanceof String s && isIso(s.strip())) {
            try {
                return Duration.parse(s.strip());
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        if (seconds == null) {
            problem(path, "expected " + DURATION_FORMS + ", got " + describe(value, path));
            return null;
        }
        BigDecimal[] wholeAndNanos =
                seconds.movePointRight(9).setScale(0, RoundingMode.HALF_UP).divideAndRemainder(NANOS_PER_SECOND);
        try {
            return Duration.ofSeconds(wholeAndNanos[0].longValueExact(), wholeAndNanos[1].longValueExact());
        } catch (ArithmeticException e) {
            problem(path, "duration is out of range, got " + describe(value, path));
            return null;
        }
    }

    private static boolean isIso(String s) {
        return s.startsWith("P") || s.startsWith("p") || s.startsWith("-P") || s.startsWith("-p");
    }

    /** Seconds of a string with a unit, or null if it has another form. */
    private static BigDecimal secondsOf(String text) {
        Matcher m = WITH_UNIT.matcher(text);
        if (!m.matches()) {
            return null;
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> amount.movePointLeft(3);
            case "s" -> amount;
            case "m" -> amount.multiply(BigDecimal.valueOf(60));
            default -> amount.multiply(BigDecimal.valueOf(3600));
        };
    }

    /** The exact value of a finite number, or null for anything else (strings included). */
    /** {@code value}, or the number a text scalar spells when this tree's scalars may be text. */
    private Object numeric(Object value) {
        if (textScalars && value instanceof String text) {
            try {
                return new BigDecimal(text.strip());
            } catch (NumberFormatException e) {
                return value;
            }
        }
        return value;
    }

    private static BigDecimal decimal(Object value) {
        if (value instanceof BigDecimal d) {
            return d;
        }
        if (value instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            return Double.isFinite(d) ? new BigDecimal(Double.toString(d)) : null;
        }
        if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return BigDecimal.valueOf(((Number) value).longValue());
        }
        return null;
    }

    /** A number without a fraction (3 and 3.0 alike), or null. */
    private static BigInteger wholeNumber(Object value) {
        BigDecimal d = decimal(value);
        if (d == null) {
            return null;
        }
        try {
            return d.toBigIntegerExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** {@code 'name'}, or a note in its place when the name {@linkplain #looksSecret looks like a secret}. */
    static String quoted(String name) {
        return looksSecret(name) ? "(a name that looks like a secret, not shown)" : "'" + name + "'";
    }

    /**
     * How the value at {@code path} is shown in a message: only its kind ({@code a string}, {@code a list}, ...) at a
     * path that may hold a secret ({@code secret_ref}, {@code auth_config.*}, {@code metadata.*},
     * {@code state_store.url}), else as {@link #describe(Object)} shows it.
     */
    static String describe(Object value, String path) {
        return SECRET_PATH.matcher(path).find() ? kind(value) : describe(value);
    }

    /** The kind of a value without the value: {@code null}, {@code a string}, {@code a number}, {@code a list}, .... */
    static String kind(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return describe(value);
    }

    /**
     * How a value is shown in a message: strings quoted and shortened (one that {@linkplain #looksSecret looks like a
     * secret} only as its kind), numbers and booleans as they are, containers by their kind.
     */
    static String describe(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return looksSecret(s) ? "a string that looks like a secret (not shown)" : quote(s);
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        if (value instanceof Collection<?> || value instanceof Object[]) {
            return "a list";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return "a " + value.getClass().getSimpleName();
    }

    private static String quote(String s) {
        String shown = s.length() > 60 ? s.substring(0, 57) + "…" : s;
        StringBuilder out = new StringBuilder("\"");
        for (char c : shown.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(isControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }
}

package dev.llmrotate.server.http;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The time frame a request asks for, from its {@code window} or {@code since}/{@code until} parameters, resolved
 * against an injected clock: {@code [from, until)}.
 *
 * <ul>
 *   <li>{@code window=15m|1h|6h|24h|7d}: the last window up to now, or up to {@code until} when that is given too;
 *   <li>{@code since}, {@code until}: ISO-8601 with a zone ({@code 2026-11-25T10:00:00Z},
 *       {@code 2026-11-25T11:00:00+01:00}) or epoch milliseconds ({@code 1795600800000}); either may be left out
 *       ({@code since} alone runs to now, {@code until} alone from the beginning);
 *   <li>{@code window} and {@code since} together are refused (which would win?), and so is a frame that ends before
 *       it starts or spans more than the endpoint keeps.
 * </ul>
 *
 * @param from the first instant in the frame, or null for "from the beginning"
 * @param until the end of the frame: exclusive when the request gave it, else now (and now is in the frame: a call
 *     that ended this instant counts)
 * @param window the window parameter it came from ({@code 1h}), or null
 * @param untilNow true when {@code until} is now because the request gave none
 */
public record TimeFrame(
        Instant from,
        Instant until,
        String window,
        @com.fasterxml.jackson.annotation.JsonIgnore boolean untilNow) {
    /** The {@code window} values, in order. */
    public static final Map<String, Duration> WINDOWS = ordered(
            "15m", Duration.ofMinutes(15),
            "1h", Duration.ofHours(1),
            "6h", Duration.ofHours(6),
            "24h", Duration.ofHours(24),
            "7d", Duration.ofDays(7));

    /** The {@code bucket} values of a time series. */
    public static final Map<String, Duration> BUCKETS =
            ordered("1m", Duration.ofMinutes(1), "5m", Duration.ofMinutes(5), "1h", Duration.ofHours(1));

    /** The time-frame parameter names, to add to an endpoint's accepted parameters. */
    public static final Set<String> PARAMETERS = Set.of("window", "since", "until");

    private static final List<String> INSTANT_FORMS =
            List.of("ISO-8601 with a zone, e.g. 2026-11-25T10:00:00Z", "epoch milliseconds, e.g. 1795600800000");

    /**
     * The frame of the request's parameters, or null when it gives none of them (the endpoint's default: everything
     * it has).
     *
     * @param params the request's query parameters
     * @param clock the clock "now" is read from
     * @param maxSpan the longest frame the endpoint can answer (its retention), or null for no limit; a frame open at
     *     its start is not checked
     * @return the frame, or null
     * @throws ApiException for a malformed time or window, {@code window} with {@code since}, an empty frame or one
     *     longer than {@code maxSpan}, naming the parameter
     */
    public static TimeFrame parse(QueryParams params, Clock clock, Duration maxSpan) {
        String window = params.choice("window", List.copyOf(WINDOWS.keySet()), null);
        Instant since = instant(params, "since");
        Instant until = instant(params, "until");
        if (window == null && since == null && until == null) {
            return null;
        }
        if (window != null && since != null) {
            throw ApiException.invalidParameter(
                    "since",
                    "give either 'window' or 'since', not both (a window ends at 'until' or now)",
                    List.of("window", "since"));
        }
        Instant end = until != null ? until : clock.instant();
        Instant start = window != null ? end.minus(WINDOWS.get(window)) : since;
        if (start != null && !start.isBefore(end)) {
            throw ApiException.invalidParameter(
                    until != null ? "until" : "since",
                    "the frame is empty: 'since' (" + start + ") must be before 'until' (" + end + ")",
                    null);
        }
        if (maxSpan != null && start != null && Duration.between(start, end).compareTo(maxSpan) > 0) {
            throw ApiException.invalidParameter(
                    since != null ? "since" : "window",
                    "the frame spans " + human(Duration.between(start, end)) + "; this endpoint keeps at most "
                            + human(maxSpan),
                    null);
        }
        return new TimeFrame(start, end, window, until == null);
    }

    /**
     * The {@code bucket} parameter of a time series.
     *
     * @param params the request's query parameters
     * @param fallback what to return when it is absent
     * @return one of the {@link #BUCKETS}, or {@code fallback}
     * @throws ApiException for a value that is not a bucket name
     */
    public static Duration bucket(QueryParams params, Duration fallback) {
        String name = params.choice("bucket", List.copyOf(BUCKETS.keySet()), null);
        return name == null ? fallback : BUCKETS.get(name);
    }

    /**
     * A bucket that gives a readable series for a frame of this span.
     *
     * @param span the frame's length
     * @return 1 minute up to 6 h, 5 minutes up to 24 h, else 1 hour
     */
    public static Duration defaultBucket(Duration span) {
        if (span.compareTo(Duration.ofHours(6)) <= 0) {
            return BUCKETS.get("1m");
        }
        return span.compareTo(Duration.ofHours(24)) <= 0 ? BUCKETS.get("5m") : BUCKETS.get("1h");
    }

    /**
     * Whether an instant lies in the frame.
     *
     * @param t the instant, not null
     * @return true when {@code t} is at or after {@code from} and before {@code until} (at or before it when the frame
     *     runs to now)
     */
    public boolean contains(Instant t) {
        return (from == null || !t.isBefore(from)) && (untilNow ? !t.isAfter(until) : t.isBefore(until));
    }

    private static Instant instant(QueryParams params, String name) {
        String value = params.get(name);
        if (value == null) {
            return null;
        }
        try {
            if (value.chars().allMatch(c -> c >= '0' && c <= '9') && value.length() <= 15) {
                return Instant.ofEpochMilli(Long.parseLong(value));
            }
            return OffsetDateTime.parse(value.toUpperCase(java.util.Locale.ROOT))
                    .toInstant();
        } catch (DateTimeParseException | ArithmeticException e) {
            String hint = value.contains("T") && !value.matches(".*([+-]\\d\\d:?\\d\\d|[Zz])$")
                    ? " (a time needs its zone: Z or an offset such as +01:00)"
                    : "";
            throw ApiException.invalidParameter(
                    name, "'" + name + "' is not a time: " + ApiException.quote(value) + hint, INSTANT_FORMS);
        } catch (DateTimeException e) {
            throw ApiException.invalidParameter(
                    name, "'" + name + "' is out of range: " + ApiException.quote(value), INSTANT_FORMS);
        }
    }

    private static String human(Duration d) {
        if (d.toHours() >= 48) {
            long days = d.toDays();
            return d.minusDays(days).isZero()
                    ? days + " days"
                    : String.format(java.util.Locale.ROOT, "%.1f days", d.toMinutes() / 1440.0);
        }
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    /** An unmodifiable map of name, duration pairs in the order given. */
    private static Map<String, Duration> ordered(Object... pairs) {
        Map<String, Duration> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Duration) pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}

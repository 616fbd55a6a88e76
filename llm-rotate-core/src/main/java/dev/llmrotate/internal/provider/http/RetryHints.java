package dev.llmrotate.internal.provider.http;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads providers' "when to try again" hints from response headers. */
public final class RetryHints {
    private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|us|µs|ns|h|m|s)");

    private RetryHints() {}

    /**
     * The delay asked for by {@code retry-after-ms}, {@code x-ms-retry-after-ms} (milliseconds) or
     * {@code retry-after} (seconds or an HTTP date), in that order; null when none is present or parseable.
     */
    public static Duration retryAfter(HttpHeaders headers, Instant now) {
        for (String name : new String[] {"retry-after-ms", "x-ms-retry-after-ms"}) {
            Optional<String> ms = headers.firstValue(name);
            if (ms.isPresent()) {
                Duration d = millis(ms.get());
                if (d != null) {
                    return d;
                }
            }
        }
        return headers.firstValue("retry-after").map(v -> seconds(v, now)).orElse(null);
    }

    private static Duration millis(String value) {
        try {
            double ms = Double.parseDouble(value.trim());
            return ms >= 0 && Double.isFinite(ms) ? Duration.ofNanos((long) (ms * 1_000_000)) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Duration seconds(String value, Instant now) {
        String v = value.trim();
        try {
            double s = Double.parseDouble(v);
            return s >= 0 && Double.isFinite(s) ? Duration.ofNanos((long) (s * 1_000_000_000L)) : null;
        } catch (NumberFormatException notANumber) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration d = Duration.between(now, at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /** Parses a Go-style duration as OpenAI sends in {@code x-ratelimit-reset-*}: {@code 1s}, {@code 6m0s}, {@code 12ms}. */
    public static Duration goDuration(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        Matcher m = GO_DURATION_PART.matcher(v);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            end = m.end();
            double amount = Double.parseDouble(m.group(1));
            double unitNanos = switch (m.group(2)) {
                case "h" -> 3.6e12;
                case "m" -> 6e10;
                case "s" -> 1e9;
                case "ms" -> 1e6;
                case "us", "µs" -> 1e3;
                default -> 1;
            };
            nanos += (long) (amount * unitNanos);
        }
        return end == v.length() && end > 0 ? Duration.ofNanos(nanos) : null;
    }
}

package dev.llmrotate.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Time-frame parameters resolved against an injected clock, and what is refused. */
class TimeFrameTest {
    private final MutableClock clock = MutableClock.atEpochDay(); // 2026-11-25T10:00:00Z

    private TimeFrame parse(String query) {
        return TimeFrame.parse(QueryParams.parse(query), clock, Duration.ofDays(30));
    }

    @Test
    void noParametersIsNoFrame() {
        assertThat(parse("")).isNull();
        assertThat(parse("other=1")).isNull();
    }

    @ParameterizedTest
    @CsvSource({"15m,PT15M", "1h,PT1H", "6h,PT6H", "24h,PT24H", "7d,PT168H"})
    void aWindowEndsNow(String window, Duration span) {
        TimeFrame frame = parse("window=" + window);
        assertThat(frame.until()).isEqualTo(clock.instant());
        assertThat(frame.from()).isEqualTo(clock.instant().minus(span));
        assertThat(frame.window()).isEqualTo(window);
        assertThat(frame.untilNow()).isTrue();
    }

    @Test
    void theClockMovesTheWindow() {
        clock.advance(Duration.ofHours(3));
        assertThat(parse("window=1h").from()).isEqualTo(Instant.parse("2026-11-25T12:00:00Z"));
    }

    @Test
    void aWindowEndsAtUntilWhenGiven() {
        TimeFrame frame = parse("window=1h&until=2026-11-25T08:00:00Z");
        assertThat(frame.from()).isEqualTo(Instant.parse("2026-11-25T07:00:00Z"));
        assertThat(frame.untilNow()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "2026-11-25T09:00:00Z,2026-11-25T09:00:00Z",
        "2026-11-25t09:00:00z,2026-11-25T09:00:00Z",
        "2026-11-25T10:00:00%2B01:00,2026-11-25T09:00:00Z",
        "2026-11-25T04:00:00-05:00,2026-11-25T09:00:00Z",
        "2026-11-25T09:00:00.250Z,2026-11-25T09:00:00.250Z",
        "1795597200000,2026-11-25T09:00:00Z"
    })
    void sinceIsIsoWithAZoneOrEpochMillis(String since, Instant expected) {
        TimeFrame frame = parse("since=" + since);
        assertThat(frame.from()).isEqualTo(expected);
        assertThat(frame.until()).isEqualTo(clock.instant());
        assertThat(frame.window()).isNull();
    }

    @Test
    void untilAloneRunsFromTheBeginningAndIsExclusive() {
        TimeFrame frame = parse("until=2026-11-25T09:00:00Z");
        assertThat(frame.from()).isNull();
        assertThat(frame.contains(Instant.parse("2020-01-01T00:00:00Z"))).isTrue();
        assertThat(frame.contains(Instant.parse("2026-11-25T09:00:00Z"))).isFalse();
    }

    @Test
    void aFrameUpToNowHoldsNow() {
        assertThat(parse("window=15m").contains(clock.instant())).isTrue();
        assertThat(parse("window=15m").contains(clock.instant().minus(Duration.ofMinutes(15))))
                .isTrue();
        assertThat(parse("window=15m").contains(clock.instant().minus(Duration.ofMinutes(16))))
                .isFalse();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "window=2h|window|must be one of 15m, 1h, 6h, 24h, 7d",
                "since=monday|since|is not a time",
                "since=2026-11-25T09:00:00|since|needs its zone",
                "until=2026-13-01T00:00:00Z|until|is not a time",
                "since=2026-11-25T10:00:00Z&until=2026-11-25T10:00:00Z|until|the frame is empty",
                "since=2026-11-25T11:00:00Z|since|the frame is empty",
                "window=1h&since=2026-11-25T09:00:00Z|since|either 'window' or 'since'",
                "since=2026-09-01T00:00:00Z|since|keeps at most 30 days",
                "since=|since|is empty",
                "since=1&since=2|since|more than once"
            })
    void refusedWithTheParameterNamed(String query, String parameter, String message) {
        assertThatThrownBy(() -> parse(query))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.parameter()).isEqualTo(parameter);
                })
                .hasMessageContaining(message);
    }

    @Test
    void bucketsAndTheirDefaults() {
        assertThat(TimeFrame.bucket(QueryParams.parse("bucket=5m"), null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(TimeFrame.bucket(QueryParams.NONE, Duration.ofHours(1))).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> TimeFrame.bucket(QueryParams.parse("bucket=10m"), null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.allowed()).containsExactly("1m", "5m", "1h"));
        assertThat(TimeFrame.defaultBucket(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(1));
        assertThat(TimeFrame.defaultBucket(Duration.ofHours(24))).isEqualTo(Duration.ofMinutes(5));
        assertThat(TimeFrame.defaultBucket(Duration.ofDays(7))).isEqualTo(Duration.ofHours(1));
    }
}

package dev.llmrotate.internal.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.internal.route.Backoff;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryHintsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> multi = new java.util.HashMap<>();
        values.forEach((k, v) -> multi.put(k, List.of(v)));
        return HttpHeaders.of(multi, (a, b) -> true);
    }

    @ParameterizedTest
    @CsvSource({"1s,1000", "6m0s,360000", "12ms,12", "1m30s,90000", "1.5s,1500", "2h,7200000", "250us,0"})
    void goDurationsAsOpenAiSendsThem(String text, long millis) {
        assertThat(RetryHints.goDuration(text).toMillis()).isEqualTo(millis);
    }

    @Test
    void malformedGoDurationsAreIgnored() {
        assertThat(RetryHints.goDuration("soon")).isNull();
        assertThat(RetryHints.goDuration("5 s")).isNull();
        assertThat(RetryHints.goDuration("")).isNull();
    }

    @Test
    void retryAfterForms() {
        assertThat(RetryHints.retryAfter(headers(Map.of("retry-after", "7")), NOW))
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(RetryHints.retryAfter(headers(Map.of("retry-after", "0.5")), NOW))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(RetryHints.retryAfter(headers(Map.of("retry-after-ms", "1500", "retry-after", "9")), NOW))
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(RetryHints.retryAfter(headers(Map.of("x-ms-retry-after-ms", "250")), NOW))
                .isEqualTo(Duration.ofMillis(250));
        assertThat(RetryHints.retryAfter(headers(Map.of("retry-after", "Wed, 25 Nov 2026 10:01:00 GMT")), NOW))
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(RetryHints.retryAfter(headers(Map.of("retry-after", "Wed, 25 Nov 2026 09:00:00 GMT")), NOW))
                .isEqualTo(Duration.ZERO);
        assertThat(RetryHints.retryAfter(headers(Map.of("retry-after", "later")), NOW))
                .isNull();
        assertThat(RetryHints.retryAfter(headers(Map.of("retry-after", "-3")), NOW))
                .isNull();
        assertThat(RetryHints.retryAfter(headers(Map.of()), NOW)).isNull();
    }

    @Test
    void backoffIsExponentialWithFullJitterAndCapped() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), new Random(1));
        long[] ceilings = {500, 1000, 2000, 4000, 8000, 8000, 8000};
        for (int retry = 1; retry <= ceilings.length; retry++) {
            long max = 0;
            long min = Long.MAX_VALUE;
            for (int i = 0; i < 2000; i++) {
                long ms = backoff.delay(retry).toMillis();
                max = Math.max(max, ms);
                min = Math.min(min, ms);
            }
            assertThat(max)
                    .as("retry %d", retry)
                    .isLessThan(ceilings[retry - 1])
                    .isGreaterThan(ceilings[retry - 1] * 9 / 10);
            assertThat(min).as("retry %d", retry).isLessThan(ceilings[retry - 1] / 10);
        }
        assertThat(backoff.delay(1_000)).isLessThan(Duration.ofSeconds(8));
    }
}

package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.Keys;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.ProviderCatalog;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Deadlines as {@link System#nanoTime()} values: made from durations without overflow, compared across wrap-around. */
class ProviderStreamDeadlineTest {

    @Test
    void aDeadlineFromAHugeOrNegativeDurationNeitherOverflowsNorLiesInThePast() {
        assertThat(ProviderStream.cappedNanos(Duration.ofDays(365L * 10_000))).isEqualTo(ProviderStream.MAX_WAIT_NANOS);
        assertThat(ProviderStream.cappedNanos(Duration.ofSeconds(Long.MAX_VALUE)))
                .isEqualTo(ProviderStream.MAX_WAIT_NANOS);
        assertThat(ProviderStream.cappedNanos(Duration.ofMillis(-5))).isZero();
        assertThat(ProviderStream.cappedNanos(Duration.ofMillis(250))).isEqualTo(250_000_000L);
        assertThat(ProviderStream.passed(ProviderStream.deadlineAfter(Duration.ofSeconds(Long.MAX_VALUE))))
                .isFalse();
        assertThat(ProviderStream.passed(ProviderStream.deadlineAfter(Duration.ZERO)))
                .isTrue();
    }

    @Test
    void theEarlierOfTwoDeadlinesIsFoundAcrossTheWrapAroundOfTheCounter() {
        long beforeWrap = Long.MAX_VALUE - 5;
        long afterWrap = Long.MIN_VALUE + 5; // 11 ns later
        assertThat(ProviderStream.earlier(beforeWrap, afterWrap)).isEqualTo(beforeWrap);
        assertThat(ProviderStream.earlier(afterWrap, beforeWrap)).isEqualTo(beforeWrap);
        assertThat(ProviderStream.earlier(10, 20)).isEqualTo(10);
    }

    @Test
    void anAttemptWithoutACallDeadlineEndsItsCallWhenItsTimeoutIsUp() {
        long before = System.nanoTime();
        Attempt attempt = new Attempt(
                ChatRequest.builder("gpt-4o-mini").user("hi").build(),
                Keys.openai("a"),
                "sk-secret",
                ProviderCatalog.defaults("openai"),
                null,
                Duration.ofSeconds(3));
        long after = System.nanoTime();

        assertThat(attempt.deadlineNanos() - before)
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(attempt.deadlineNanos() - after)
                .isLessThanOrEqualTo(Duration.ofSeconds(3).toNanos());
        Attempt shorter = attempt.withTimeout(Duration.ofMillis(100));
        assertThat(shorter.timeout()).isEqualTo(Duration.ofMillis(100));
        assertThat(shorter.deadlineNanos()).isEqualTo(attempt.deadlineNanos());
        assertThat(shorter.toString()).doesNotContain("sk-secret");
    }
}

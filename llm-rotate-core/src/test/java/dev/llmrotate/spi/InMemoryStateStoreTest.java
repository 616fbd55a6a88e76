package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.observe.UsageFilter;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The in-memory store against the whole StateStore contract, and how it lets old buckets go. */
class InMemoryStateStoreTest extends StateStoreContract {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    @Override
    protected StateStore newStore() {
        return new InMemoryStateStore();
    }

    private InMemoryStateStore memory() {
        return (InMemoryStateStore) store;
    }

    private void callAt(Instant at, String keyId) {
        store.recordCall(recordAt(at, "openai", "m", keyId, null, 100, null), "m", 0);
    }

    private long calls(Instant from, Duration length, Duration resolution) {
        return store.usageBuckets(from, from.plus(length), resolution, UsageFilter.ALL, false).stream()
                .mapToLong(b -> b.counts().calls())
                .sum();
    }

    @Test
    void minutesOlderThanTheMinutesKeptFoldIntoTheirHour() {
        callAt(T0.plusSeconds(30), "a");
        callAt(T0.plus(UsageBucket.MINUTES_KEPT), "a");
        assertThat(calls(T0, UsageBucket.MINUTE, UsageBucket.MINUTE)).isEqualTo(1);
        assertThat(memory().bucketCount()).isEqualTo(2);

        callAt(T0.plus(UsageBucket.MINUTES_KEPT).plusSeconds(60), "a");
        assertThat(calls(T0, UsageBucket.MINUTE, UsageBucket.MINUTE)).isZero();
        assertThat(calls(T0, UsageBucket.HOUR, UsageBucket.HOUR)).isEqualTo(1);
        assertThat(memory().bucketCount()).isEqualTo(3); // two minutes and the folded hour
    }

    @Test
    void aLateRecordOlderThanTheMinutesKeptCountsInItsHour() {
        callAt(T0.plus(Duration.ofDays(2)), "a");
        callAt(T0.plusSeconds(90), "a");
        assertThat(calls(T0, UsageBucket.MINUTE.multipliedBy(2), UsageBucket.MINUTE))
                .isZero();
        assertThat(calls(T0, UsageBucket.HOUR, UsageBucket.HOUR)).isEqualTo(1);
    }

    @Test
    void bucketsOfSlicesNoLongerCalledGoOnceTheyAreTooOld() {
        callAt(T0, "idle");
        callAt(T0.plusSeconds(60), "busy");
        assertThat(memory().bucketCount()).isEqualTo(2);

        // Time moves on with the busy key's calls only; every hour, every slice lets go of what is too old.
        Instant later = T0.plus(UsageBucket.HOURS_KEPT).plus(Duration.ofHours(1));
        callAt(later, "busy");
        assertThat(memory().bucketCount()).isEqualTo(1);
        assertThat(calls(T0, UsageBucket.HOUR, UsageBucket.HOUR)).isZero();
        // Counters since start stay.
        assertThat(store.usageSummary().byKey().get("idle").calls()).isEqualTo(1);
        assertThat(store.usageSummary().overall().calls()).isEqualTo(3);
    }

    @Test
    void aSliceCalledEveryMinuteHoldsADayOfMinutesAndAMonthOfHours() {
        Instant at = T0;
        Instant end = T0.plus(Duration.ofDays(40));
        while (at.isBefore(end)) {
            callAt(at, "a");
            at = at.plus(Duration.ofMinutes(1));
        }
        // The latest call is at 9:59: minutes kept from 9:59 25 hours earlier (1501), whose hour's other 59 minutes
        // are folded into it; hours kept back to 31 days before the latest hour (744 - 25 + 1).
        assertThat(memory().bucketCount()).isEqualTo(1501 + 720);
        assertThat(store.usageSummary().overall().calls()).isEqualTo(40L * 24 * 60);
    }
}

package dev.llmrotate.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.internal.health.HealthPolicy;
import dev.llmrotate.spi.KeyHealth;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A success on a clean ACTIVE key changes nothing (so stores skip the write) while its last success is at most a
 * second old, and refreshes {@code lastSuccessAt} once it is older: the boundary, also across whole seconds.
 */
class HealthSuccessWriteTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private static KeyHealth cleanSince(Instant lastSuccess) {
        return HealthPolicy.onSuccess(
                new KeyHealth(KeyState.ACTIVE, null, 0, 0, null, 0, null, null, null, 0, null, 0), lastSuccess);
    }

    @ParameterizedTest(name = "last success {0} ns before now: unchanged = {1}")
    @CsvSource({
        "0, true",
        "999999999, true",
        "1000000000, true",
        "1000000001, false",
        "1999999999, false",
        "5000000000, false"
    })
    void aSuccessRewritesOnlyARecordOlderThanASecond(long agoNanos, boolean unchanged) {
        // At several points within a second, so that the comparison also crosses whole seconds.
        for (Instant now : new Instant[] {T0.plusMillis(300), T0.plusNanos(999_999_999L), T0.plusSeconds(7)}) {
            KeyHealth before = cleanSince(now.minusNanos(agoNanos));
            KeyHealth after = HealthPolicy.onSuccess(before, now);
            assertThat(after == before).as("unchanged at %s", now).isEqualTo(unchanged);
            assertThat(after.lastSuccessAt()).isEqualTo(unchanged ? now.minusNanos(agoNanos) : now);
            assertThat(after.state()).isEqualTo(KeyState.ACTIVE);
        }
    }
}

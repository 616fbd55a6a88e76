package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.spi.KeyHealth;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The health record format: version 2 round-trips every field, version 1 (the previous release's) is still read. */
class RedisHealthCodecTest {
    private static final Instant AT = Instant.parse("2026-11-25T10:00:00.123456789Z");

    @Test
    void everyFieldRoundTripsExactly() {
        KeyHealth full = new KeyHealth(
                KeyState.PROBATION,
                AT.plusSeconds(30),
                3,
                7,
                AT.minusSeconds(300),
                1,
                ErrorType.TIMEOUT,
                AT,
                AT.minusSeconds(3600),
                Long.MAX_VALUE,
                AT.plusNanos(1),
                5);
        assertThat(HealthCodec.decode(HealthCodec.encode(full))).isEqualTo(full);
        assertThat(HealthCodec.decode(HealthCodec.encode(KeyHealth.INITIAL))).isEqualTo(KeyHealth.INITIAL);
        Instant beforeEpoch = Instant.parse("1960-01-01T00:00:00.5Z");
        KeyHealth old = new KeyHealth(KeyState.ACTIVE, null, 0, 0, null, 0, null, null, beforeEpoch, 0, null, 0);
        assertThat(HealthCodec.decode(HealthCodec.encode(old))).isEqualTo(old);
    }

    @Test
    void theRecordIsVersionTwoAndEndsWithOutageRests() {
        KeyHealth h = new KeyHealth(
                KeyState.COOLDOWN,
                Instant.ofEpochSecond(100),
                2,
                2,
                Instant.ofEpochSecond(10),
                0,
                ErrorType.TRANSIENT_SERVER_ERROR,
                Instant.ofEpochSecond(90),
                null,
                0,
                null,
                3);
        assertThat(HealthCodec.encode(h))
                .isEqualTo("2,COOLDOWN,100000000000,2,2,10000000000,0,TRANSIENT_SERVER_ERROR,90000000000,,0,,3")
                .doesNotContain("|");
    }

    @Test
    void aVersionOneRecordOfThePreviousReleaseIsReadWithNoOutageRests() {
        // As the release before outageRests wrote it: twelve fields, version 1.
        String v1 = "1,QUARANTINE,100000000000,4,6,10000000000,1,INVALID_AUTH,90000000000,50000000000,77,95000000000";
        assertThat(HealthCodec.decode(v1))
                .isEqualTo(new KeyHealth(
                        KeyState.QUARANTINE,
                        Instant.ofEpochSecond(100),
                        4,
                        6,
                        Instant.ofEpochSecond(10),
                        1,
                        ErrorType.INVALID_AUTH,
                        Instant.ofEpochSecond(90),
                        Instant.ofEpochSecond(50),
                        77,
                        Instant.ofEpochSecond(95),
                        0));
        assertThat(HealthCodec.decode("1,ACTIVE,,0,0,,0,,,,0,")).isEqualTo(KeyHealth.INITIAL);
    }

    @Test
    void recordsOfAnotherShapeAreRejected() {
        assertThatThrownBy(() -> HealthCodec.decode("1,ACTIVE,,0,0,,0,,,,0,,0"))
                .as("version 1 with thirteen fields")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a version-2 or version-1 key health record");
        assertThatThrownBy(() -> HealthCodec.decode("2,ACTIVE,,0,0,,0,,,,0,"))
                .as("version 2 with twelve fields")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HealthCodec.decode("3,ACTIVE,,0,0,,0,,,,0,,0,"))
                .as("a later version")
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.llmrotate.redis;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.spi.KeyHealth;
import java.time.Instant;

/**
 * {@link KeyHealth} as one compact string, stored in Redis and sent on the health channel:
 * {@code 2,STATE,until,consecutiveFailures,recentFailures,recentWindowStart,authStrikes,LAST_ERROR,lastFailureAt,
 * lastSuccessAt,trialHolder,trialExpiresAt,outageRests} with instants as epoch nanoseconds (exact round trip) and an
 * empty field for null. The leading field is the format's version. The text never contains {@code |}.
 *
 * <p>Version 1, written by releases before {@code outageRests}, is the same without the last field; it is still read
 * (with {@code outageRests} 0), so that processes of both releases can share a Redis during a rolling upgrade. A
 * process of the older release does not read version 2 and takes such a record for a clean one.
 */
final class HealthCodec {
    private static final String VERSION = "2";
    private static final int FIELDS = 13;
    private static final String VERSION_1 = "1";
    private static final int FIELDS_1 = 12;

    private HealthCodec() {}

    static String encode(KeyHealth h) {
        StringBuilder out = new StringBuilder(96);
        out.append(VERSION).append(',').append(h.state().name()).append(',');
        instant(out, h.until()).append(',');
        out.append(h.consecutiveFailures())
                .append(',')
                .append(h.recentFailures())
                .append(',');
        instant(out, h.recentWindowStart()).append(',');
        out.append(h.authStrikes()).append(',');
        out.append(h.lastErrorType() == null ? "" : h.lastErrorType().name()).append(',');
        instant(out, h.lastFailureAt()).append(',');
        instant(out, h.lastSuccessAt()).append(',');
        out.append(h.trialHolder()).append(',');
        instant(out, h.trialExpiresAt()).append(',');
        out.append(h.outageRests());
        return out.toString();
    }

    /**
     * The health a stored text of version 2 or 1 describes; throws {@link IllegalArgumentException} for text of
     * another format.
     */
    static KeyHealth decode(String text) {
        String[] f = text.split(",", -1);
        boolean current = f.length == FIELDS && f[0].equals(VERSION);
        if (!current && !(f.length == FIELDS_1 && f[0].equals(VERSION_1))) {
            throw new IllegalArgumentException(
                    "not a version-" + VERSION + " or version-" + VERSION_1 + " key health record");
        }
        return new KeyHealth(
                KeyState.valueOf(f[1]),
                instant(f[2]),
                Integer.parseInt(f[3]),
                Integer.parseInt(f[4]),
                instant(f[5]),
                Integer.parseInt(f[6]),
                f[7].isEmpty() ? null : ErrorType.valueOf(f[7]),
                instant(f[8]),
                instant(f[9]),
                Long.parseLong(f[10]),
                instant(f[11]),
                current ? Integer.parseInt(f[12]) : 0);
    }

    private static StringBuilder instant(StringBuilder out, Instant at) {
        if (at != null) {
            out.append(Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano()));
        }
        return out;
    }

    private static Instant instant(String field) {
        if (field.isEmpty()) {
            return null;
        }
        long nanos = Long.parseLong(field);
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}

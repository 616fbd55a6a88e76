package dev.llmrotate.redis;

import dev.llmrotate.health.KeyState;
import dev.llmrotate.health.KeyStateChange;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@link KeyStateChange} as one entry of its scope's history list: {@code 1|at|FROM|TO|cause|retryAfter|until}
 * with instants as epoch nanoseconds, the Retry-After in nanoseconds and an empty field for null. The key and model
 * are the list's (its scope). The leading field is the format's version.
 */
final class StateChangeCodec {
    private static final String VERSION = "1";

    private StateChangeCodec() {}

    static String encode(KeyStateChange c) {
        StringBuilder out = new StringBuilder(64).append(VERSION).append('|');
        nanos(out, c.at()).append('|');
        out.append(c.from().name()).append('|').append(c.to().name()).append('|');
        out.append(c.cause() == null ? "" : c.cause()).append('|');
        if (c.retryAfter() != null) {
            out.append(c.retryAfter().toNanos());
        }
        out.append('|');
        return nanos(out, c.until()).toString();
    }

    /**
     * The change an entry of the history of ({@code keyId}, {@code model}) describes.
     *
     * @throws IllegalArgumentException for an entry in another format
     */
    static KeyStateChange decode(String keyId, String model, String text) {
        String[] f = text.split("\\|", -1);
        if (f.length != 7 || !f[0].equals(VERSION)) {
            throw new IllegalArgumentException("not a version-" + VERSION + " state change");
        }
        return new KeyStateChange(
                instant(f[1]),
                keyId,
                model,
                KeyState.valueOf(f[2]),
                KeyState.valueOf(f[3]),
                f[4].isEmpty() ? null : f[4],
                f[5].isEmpty() ? null : Duration.ofNanos(Long.parseLong(f[5])),
                instant(f[6]));
    }

    private static StringBuilder nanos(StringBuilder out, Instant at) {
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

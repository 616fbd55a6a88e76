package dev.llmrotate.internal.provider.cloud;

import java.time.Duration;
import java.time.Instant;

/**
 * A credential and when to replace it: {@code refreshAt} is {@link #REFRESH_MARGIN} before it expires (half its
 * remaining life when that is shorter than twice the margin), or {@link #RECHECK} after it was fetched for a
 * credential that does not expire (static keys in files or variables, which may be edited).
 *
 * @param value the credential
 * @param refreshAt when to fetch a new one
 * @param expiresAt when it stops working, or null when it does not expire
 */
public record Expiring<T>(T value, Instant refreshAt, Instant expiresAt) {
    /** How long before expiry a credential is replaced, as Google's and AWS's libraries do. */
    public static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);

    /** How often a credential without expiry is looked up again. */
    public static final Duration RECHECK = Duration.ofMinutes(5);

    /** A credential fetched at {@code now} that expires at {@code expiresAt} (null: never). */
    public static <T> Expiring<T> of(T value, Instant now, Instant expiresAt) {
        if (expiresAt == null) {
            return new Expiring<>(value, now.plus(RECHECK), null);
        }
        Duration left = Duration.between(now, expiresAt);
        Duration margin = left.compareTo(REFRESH_MARGIN.multipliedBy(2)) < 0 ? left.dividedBy(2) : REFRESH_MARGIN;
        return new Expiring<>(value, expiresAt.minus(margin.isNegative() ? Duration.ZERO : margin), expiresAt);
    }

    /** Whether it can still be used at {@code now} (refresh due or not). */
    public boolean usableAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }
}

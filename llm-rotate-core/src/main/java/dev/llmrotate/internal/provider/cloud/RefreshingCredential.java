package dev.llmrotate.internal.provider.cloud;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.ProviderException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * One credential, fetched when first needed and again when its refresh is due (by the engine's clock). One fetch at a
 * time: callers that find it due while another fetches wait for that fetch (within their own timeout) and take its
 * result. When a refresh fails while the old credential has not yet expired, the old one is used and the refresh is
 * tried again by the next caller, as the vendors' libraries do. Thread-safe.
 */
public final class RefreshingCredential<T> {
    private final Clock clock;
    private final ReentrantLock fetching = new ReentrantLock();
    private volatile Expiring<T> current;

    public RefreshingCredential(Clock clock) {
        this.clock = clock;
    }

    /** The credential if one is cached and its refresh is not due, else null. */
    public T fresh() {
        Expiring<T> held = current;
        return held != null && clock.instant().isBefore(held.refreshAt()) ? held.value() : null;
    }

    /**
     * The credential, fetched with {@code fetch} (given the time left) when none is fresh; waits at most
     * {@code timeout} for another caller's fetch.
     *
     * @throws ProviderException what the fetch threw, or {@code timeout}
     * @throws CallCancelledException when interrupted while waiting
     */
    public T get(Function<Duration, Expiring<T>> fetch, Duration timeout) {
        T cached = fresh();
        if (cached != null) {
            return cached;
        }
        long start = System.nanoTime();
        try {
            if (!fetching.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ProviderException(ErrorType.TIMEOUT, null, null, "no credentials within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallCancelledException("interrupted waiting for credentials");
        }
        try {
            cached = fresh(); // another caller may have fetched it meanwhile
            if (cached != null) {
                return cached;
            }
            Duration left = timeout.minusNanos(System.nanoTime() - start);
            if (left.isNegative() || left.isZero()) {
                throw new ProviderException(ErrorType.TIMEOUT, null, null, "no credentials within " + timeout);
            }
            Expiring<T> old = current;
            try {
                Expiring<T> fetched = fetch.apply(left);
                current = fetched;
                return fetched.value();
            } catch (ProviderException e) {
                Instant now = clock.instant();
                if (old != null && old.expiresAt() != null && old.usableAt(now)) {
                    return old.value(); // still valid: the next caller tries the refresh again
                }
                throw e;
            }
        } finally {
            fetching.unlock();
        }
    }

    /** Forgets the credential (the service refused it), so that the next call fetches another. */
    public void invalidate() {
        current = null;
    }
}

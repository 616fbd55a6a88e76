package dev.llmrotate.spi;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Where key health, budgets and usage counters live. Every mutation is one atomic operation, so that one store can
 * be shared by many threads (in memory) or many processes (Redis). Implementations must be thread-safe; reads on
 * the selection path ({@link #health}, {@link #tokensInLastMinute}) must not block.
 */
public interface StateStore extends AutoCloseable {

    /** The stored health of a key; {@link KeyHealth#INITIAL} for a key never seen. */
    KeyHealth health(String keyId);

    /**
     * Atomically replaces a key's health with {@code transition.apply(current)} and returns the new value. The
     * transition is a pure function and may be applied more than once under contention.
     */
    KeyHealth updateHealth(String keyId, UnaryOperator<KeyHealth> transition);

    /** Forgets health and budgets of every key not in {@code keyIds} (after a reload). */
    void retainKeys(Set<String> keyIds);

    /**
     * Admits one request for the key if fewer than {@code limitPerMinute} were admitted in the 60 s before
     * {@code nowMillis}; atomic, so that concurrent callers never exceed the limit together.
     */
    boolean tryAcquireRequest(String keyId, int limitPerMinute, long nowMillis);

    /** When the key's request budget admits the next request (nowMillis if it does now). */
    long nextRequestSlot(String keyId, int limitPerMinute, long nowMillis);

    /**
     * Requests admitted for the key in the 60 s before {@code nowMillis} under a limit of {@code limitPerMinute}, for
     * health reports (what is left of the rpm budget); -1 when the store cannot tell, which is what this default
     * answers. Never admits anything.
     */
    default int requestsInLastMinute(String keyId, int limitPerMinute, long nowMillis) {
        return -1;
    }

    /** Adds tokens actually used by a call to the key's sliding minute. */
    void addTokens(String keyId, long tokens, long nowMillis);

    /** Tokens used by the key in the minute before {@code nowMillis} (one-second resolution). */
    long tokensInLastMinute(String keyId, long nowMillis);

    /** The next value of a round-robin cursor (starts at 0). */
    long nextRoundRobin(String scope);

    /** Adds one finished call to the usage counters (calls, outcomes, tokens, cost, latency). */
    void recordCall(CallRecord record);

    /** The usage counters now. */
    UsageSummary usageSummary();

    /** Releases connections and threads; the in-memory store has none. */
    @Override
    default void close() {}
}

package dev.llmrotate.spi;

import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsageSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Where key health, budgets and usage counters live. Every mutation is one atomic operation, so that one store can
 * be shared by many threads (in memory) or many processes (Redis). Implementations must be thread-safe; reads on
 * the selection path ({@link #health}, {@link #tokensInLastMinute}) must not block.
 *
 * <p>Usage over time and key history were added after the first release, as default methods, so that a store written
 * against it still compiles and works: it keeps no buckets ({@link #usageBuckets} returns none, so time frames show
 * zero usage), no history ({@link #stateChanges} returns none), no key masks and no recent calls. A store that
 * keeps them implements {@link #recordCall(CallRecord, String, int)}, {@link #usageBuckets}, {@link #callerBuckets},
 * {@link #recordStateChange}, {@link #stateChanges}, {@link #publishKeyMask} and {@link #keyMasks} (a shared store
 * also {@link #recentCalls}), and passes {@code StateStoreContract} (core's test-jar) for them too.
 *
 * <p>Usage per caller ({@link CallRecord#caller()}: the gateway's key ids, or whatever an application names) is
 * counted apart from the provider, model and key slices, in one slice per caller with its own counters since start
 * and buckets ({@link UsageSummary#byCaller()}, {@link #callerBuckets}). Callers come from requests, so a store counts
 * at most {@value #MAX_CALLERS} of them apart, the first ones it sees (a shared store: the first ones the whole fleet
 * sees, since its counters were created), and every further one under {@value #OTHER_CALLER}. Calls that name no
 * caller count in no caller's slice.
 */
public interface StateStore extends AutoCloseable {
    /** The most state changes a store keeps per health scope (a key, or a key and model). */
    int HISTORY_PER_SCOPE = 100;

    /**
     * The most distinct callers a store counts apart; further callers share {@value #OTHER_CALLER}. The same bound as
     * the control server's {@code llm_rotate_caller_*} metrics.
     */
    int MAX_CALLERS = 100;

    /**
     * The caller every call of a caller beyond the first {@value #MAX_CALLERS} counts under (a caller that names
     * itself so counts there too).
     */
    String OTHER_CALLER = "_other";

    /**
     * The stored health of a health scope. The engine calls it on the selection path of every call, on the calling
     * thread, and for health reports; it must not block.
     *
     * @param scope a health scope: a key id, or a key and model joined by {@link HealthScope#of}
     * @return the health, {@link KeyHealth#INITIAL} for a scope never seen; never null
     */
    KeyHealth health(String scope);

    /**
     * Atomically replaces a scope's health with {@code transition.apply(current)} and returns the new value. The
     * transition is a pure function and may be applied more than once under contention. The engine calls it after
     * each attempt (success, failure, a trial claimed or released) and on {@code resetKey}, on the thread that ends
     * the attempt.
     *
     * @param scope a health scope: a key id, or a key and model joined by {@link HealthScope#of}
     * @param transition computes the new health from the current one ({@link KeyHealth#INITIAL} when none is stored)
     * @return the health stored by this update
     */
    KeyHealth updateHealth(String scope, UnaryOperator<KeyHealth> transition);

    /**
     * Forgets health and budgets of every scope not in {@code scopes}. The engine calls it on {@code reloadConfig}
     * (an observer never does: the state is the workers').
     *
     * @param scopes the health scopes to keep: every active key's id and each of its (key, model) scopes
     */
    void retainKeys(Set<String> scopes);

    /**
     * Admits one request for the key if fewer than {@code limitPerMinute} were admitted in the 60 s before
     * {@code nowMillis}; atomic, so that concurrent callers never exceed the limit together. The engine calls it when
     * it picks a key with {@code rate_limit_rpm}, on the thread running the call, before the request is sent.
     *
     * @param keyId the key
     * @param limitPerMinute the key's {@code rate_limit_rpm}, at least 1
     * @param nowMillis the engine clock's time, in epoch milliseconds
     * @return true when the request was admitted (and counted), false when the budget is spent
     */
    boolean tryAcquireRequest(String keyId, int limitPerMinute, long nowMillis);

    /**
     * When the key's request budget admits the next request, without admitting it. The engine calls it on the
     * selection path (must not block) and to tell when a key comes back.
     *
     * @param keyId the key
     * @param limitPerMinute the key's {@code rate_limit_rpm}, at least 1
     * @param nowMillis the engine clock's time, in epoch milliseconds
     * @return the time in epoch milliseconds; {@code nowMillis} (or earlier) when a request is admitted now
     */
    long nextRequestSlot(String keyId, int limitPerMinute, long nowMillis);

    /**
     * Requests admitted for the key in the 60 s before {@code nowMillis} under a limit of {@code limitPerMinute}, for
     * health reports (what is left of the rpm budget); -1 when the store cannot tell, which is what this default
     * answers. Never admits anything.
     *
     * @param keyId the key
     * @param limitPerMinute the key's {@code rate_limit_rpm}
     * @param nowMillis the engine clock's time, in epoch milliseconds
     * @return the requests admitted, or -1 when unknown
     */
    default int requestsInLastMinute(String keyId, int limitPerMinute, long nowMillis) {
        return -1;
    }

    /**
     * Adds tokens actually used by a call to the key's sliding minute. The engine calls it when a call with a key
     * that has {@code rate_limit_tpm} gets its answer (a stream: its final chunk).
     *
     * @param keyId the key
     * @param tokens input plus output tokens of the call, 0 or more
     * @param nowMillis the engine clock's time, in epoch milliseconds
     */
    void addTokens(String keyId, long tokens, long nowMillis);

    /**
     * Tokens used by the key in the minute before {@code nowMillis} (one-second resolution). The engine calls it on
     * the selection path for keys with {@code rate_limit_tpm}; it must not block.
     *
     * @param keyId the key
     * @param nowMillis the engine clock's time, in epoch milliseconds
     * @return the tokens added with {@link #addTokens} in that minute
     */
    long tokensInLastMinute(String keyId, long nowMillis);

    /**
     * The next value of a round-robin cursor (starts at 0). The {@code round_robin} strategy calls it when it picks
     * among two or more keys; a shared store shares the cursor, so that processes take turns together.
     *
     * @param scope names the route (provider and model) the cursor belongs to
     * @return the cursor's value before this call: 0, 1, 2, ...
     */
    long nextRoundRobin(String scope);

    /**
     * Adds one finished call to the usage counters (calls, outcomes, tokens, cost, latency). The engine calls the
     * three-argument form; this one is what its default falls back to.
     *
     * @param record the finished call
     */
    void recordCall(CallRecord record);

    /**
     * Adds one finished call to the usage counters and to the usage buckets of its slice: its provider, its key and
     * {@code model}, the configured model id the call used (the engine passes a model some key lists, or {@value
     * CallRecord#UNKNOWN_MODEL}; never a provider's or caller's free text, so slices are bounded by the
     * configuration). The call counts in the minute and hour buckets that hold {@link CallRecord#timestamp()}.
     * Buckets are kept as {@link UsageBucket} says; older ones are dropped as later calls arrive (the timestamps
     * drive it, no background thread is needed). A call whose record names a caller also counts in that caller's
     * slice (or {@value #OTHER_CALLER}'s, see the class doc). With {@code recentCapacity} above 0 (the engine's event
     * buffer is on), a shared store also keeps the record among the most recent {@code recentCapacity} ({@link
     * #recentCalls}).
     *
     * <p>The engine calls it once per call, on the thread that ends the call, before the usage log, telemetry and the
     * call listeners; an exception it throws is logged on {@code llm_rotate.store} and does not reach the caller.
     * The default counts the call with {@link #recordCall(CallRecord)} only.
     *
     * @param record the finished call
     * @param model the configured model the call counts under
     * @param recentCapacity the event buffer's capacity, 0 when it is off
     */
    default void recordCall(CallRecord record, String model, int recentCapacity) {
        recordCall(record);
    }

    /**
     * The usage counters now, for {@code LlmRotate.usageSummary()}.
     *
     * @return a snapshot the caller may keep
     */
    UsageSummary usageSummary();

    /**
     * The usage buckets of resolution {@code resolution} ({@link UsageBucket#MINUTE} or {@link UsageBucket#HOUR})
     * whose start lies in {@code [from, until)} (both whole multiples of the resolution), of the slices that {@code
     * filter} passes, in no particular order; buckets without calls may be left out. With {@code bySlice} false the
     * store may sum the slices of each bucket into one (provider, model and key null). Hour buckets count every call
     * of their hour, also while minute buckets of that hour are still kept. The caller owns the counts.
     *
     * <p>The default keeps no buckets and returns none.
     *
     * @param from the first bucket start to include
     * @param until the bucket start to stop before
     * @param resolution {@link UsageBucket#MINUTE} or {@link UsageBucket#HOUR}
     * @param filter which slices count
     * @param bySlice false to allow one summed bucket per start
     * @return the buckets, in no particular order
     * @throws IllegalArgumentException for a resolution other than a minute or an hour
     */
    default List<UsageBucket> usageBuckets(
            Instant from, Instant until, Duration resolution, UsageFilter filter, boolean bySlice) {
        return List.of();
    }

    /**
     * The usage buckets of callers, as {@link #usageBuckets} reads those of slices: resolution {@code resolution},
     * start in {@code [from, until)}, of {@code caller} only, or of every caller counted apart and {@value
     * #OTHER_CALLER} when null; each with its {@link UsageBucket#caller()} set and provider, model and key null.
     * Calls that named no caller are in none. The caller owns the counts.
     *
     * <p>The default keeps no buckets and returns none.
     *
     * @param from the first bucket start to include
     * @param until the bucket start to stop before
     * @param resolution {@link UsageBucket#MINUTE} or {@link UsageBucket#HOUR}
     * @param caller one caller, or null for all of them
     * @return the buckets, in no particular order
     * @throws IllegalArgumentException for a resolution other than a minute or an hour
     */
    default List<UsageBucket> callerBuckets(Instant from, Instant until, Duration resolution, String caller) {
        return List.of();
    }

    /**
     * Keeps a change of a health scope's state in the scope's history ({@code keyId}, or the key and model: see
     * {@link HealthScope}), at most {@link #HISTORY_PER_SCOPE} per scope (the oldest is dropped first). The engine
     * calls it after an update changed a scope's state. The default keeps none.
     *
     * @param change the change, its scope given by {@link KeyStateChange#keyId()} and {@link KeyStateChange#model()}
     */
    default void recordStateChange(KeyStateChange change) {}

    /**
     * Up to {@code limit} state changes of the given health scopes whose time lies in {@code [from, until)}, newest
     * first, for {@code LlmRotate.keyHistory}. The default keeps none and returns none.
     *
     * @param scopes the health scopes, as {@link HealthScope} names them
     * @param from the start of the frame, inclusive
     * @param until the end of the frame, exclusive
     * @param limit the most changes to return, at least 1
     * @return the changes, newest first
     */
    default List<KeyStateChange> stateChanges(Collection<String> scopes, Instant from, Instant until, int limit) {
        return List.of();
    }

    /**
     * Up to {@code limit} of the most recent records kept by {@link #recordCall(CallRecord, String, int)} with a
     * positive capacity, newest first: what a shared store offers a process that makes no calls of its own ({@code
     * LlmRotate.observe}). The default, and the in-memory store (whose process has its own event buffer), keep none.
     *
     * @param limit the most records to return
     * @return the records, newest first
     */
    default List<CallRecord> recentCalls(int limit) {
        return List.of();
    }

    /**
     * Publishes the mask of a key's secret ({@code sk-…9f2a}, never the secret), so that a process that never
     * resolves the secret (an observer) can show it; the engine calls it whenever it computes a new mask. An
     * exception it throws is logged and ignored. The default keeps none.
     *
     * @param keyId the key
     * @param mask the mask of its secret
     */
    default void publishKeyMask(String keyId, String mask) {}

    /**
     * The masks published per key id ({@link #publishKeyMask}), read by an observer for its health report; the
     * default keeps none.
     *
     * @return key id to mask
     */
    default Map<String, String> keyMasks() {
        return Map.of();
    }

    /**
     * Releases connections and threads; the in-memory store has none. {@code LlmRotate.close()} calls it once, after
     * the calls in flight ended or the shutdown grace period ran out; it must not throw.
     */
    @Override
    default void close() {}
}

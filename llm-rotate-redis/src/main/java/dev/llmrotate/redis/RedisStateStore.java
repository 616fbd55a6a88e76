package dev.llmrotate.redis;

import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.HealthScope;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.spi.KeyHealth;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.StoreUrl;
import dev.llmrotate.spi.UsageBucket;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} in Redis, shared by every process that uses the same Redis and prefix: key health, cooldowns,
 * rpm and tpm budgets, round-robin cursors, usage counters since start and in time buckets (minutes for a day, hours
 * for 30 days; per slice and per caller), key state history, the masks of the keys' secrets, and the recent calls of workers with the event
 * buffer on. A process that serves no calls reads all of it through {@code LlmRotate.observe}.
 *
 * <pre>{@code
 * RedisStateStore store = RedisStateStore.builder().url("redis://redis.internal:6379").prefix("llm-rotate").build();
 * LlmRotate lm = LlmRotate.builder().config(config).stateStore(store).build();   // lm.close() closes the store
 * }</pre>
 *
 * <p>How a call uses it:
 *
 * <ul>
 *   <li>{@link #health} reads a local view of every health scope (a key, or a key and model: see
 *       {@code HealthScope}), kept fresh by a pub/sub channel (other processes see a change within milliseconds), by
 *       a reload every few seconds and after every reconnect: selection never waits for Redis.
 *   <li>{@link #updateHealth} is a compare-and-set on the scope's version in one Lua script, retried with the
 *       current value when another process wrote first; a transition that changes nothing in the local view is not
 *       sent.
 *   <li>{@link #tryAcquireRequest} (keys with {@code rate_limit_rpm}), {@link #addTokens} (keys with
 *       {@code rate_limit_tpm}) and {@link #nextRoundRobin} (the round-robin strategy) are one script each; the
 *       budget checks of selection ({@link #nextRequestSlot}, {@link #tokensInLastMinute}) read what the last
 *       script told, refreshed in the background once it is a second old.
 *   <li>{@link #recordCall} is one script, sent without waiting for the reply: the counters since start, the call's
 *       minute and hour buckets (of its slice, of every slice and of its caller, if it names one: the script counts
 *       it under {@code _other} once the fleet counts {@value StateStore#MAX_CALLERS} callers apart), its record for the recent-calls stream when the
 *       event buffer is on, and the state changes and key masks waiting to be sent (a change rides in the script of
 *       the call that caused it; one that no call takes within 50 ms, such as an operator's reset, is sent alone).
 * </ul>
 *
 * So a successful call on a key without budgets costs one round trip, and it does not wait for it.
 *
 * <p>Reads for time frames ({@link #usageBuckets}) send a script per 200 bucket hashes, all before awaiting the first
 * reply; a series of every call reads one hash per bucket, anything per slice the buckets of the slices written in
 * the frame (a registry keeps each slice's latest minute).
 *
 * <p>When Redis is down or slow (no reply within the command timeout, 300 ms by default) the store logs one WARN
 * and serves from local state: the local view, local budget windows, and usage increments kept (summed per counter,
 * so bounded) until Redis is back. Then health changed meanwhile is written back, the kept increments are sent, the
 * view is reloaded, and one INFO is logged. No Redis exception reaches the caller. During an outage each process
 * enforces rpm and tpm budgets on its own.
 *
 * <p>Keys, their layout and lifetimes are listed in {@code RedisKeys}; usage counters have no TTL (they count since
 * they were created; delete {@code {prefix}:usage:*} to reset them).
 */
public final class RedisStateStore implements StateStore {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.STORE);
    private static final long HEALTH_TTL_MILLIS = Duration.ofDays(7).toMillis();
    private static final long MAX_HEALTH_TTL_MILLIS = Duration.ofDays(400).toMillis();
    private static final String WINDOW_TTL_MILLIS =
            Long.toString(Duration.ofMinutes(2).toMillis());
    private static final String CURSOR_TTL_MILLIS =
            Long.toString(Duration.ofDays(1).toMillis());
    private static final long BUDGET_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(300);
    private static final int MAX_PENDING_SLICES = 10_000;
    /** Usage sends in flight at most; calls beyond it are summed into the next send (fewer round trips). */
    private static final int MAX_USAGE_IN_FLIGHT = 16;

    private static final long WATERMARK_TTL_MILLIS = Duration.ofDays(1).toMillis();
    /** How long what a send writes lives: a bucket a little longer than it is kept, history and records 31 days. */
    private static final UsageCounters.Lifetimes LIFETIMES = new UsageCounters.Lifetimes(
            WATERMARK_TTL_MILLIS,
            UsageBucket.MINUTES_KEPT.plusMinutes(10).toMillis(),
            UsageBucket.HOURS_KEPT.plusHours(1).toMillis(),
            UsageBucket.HOURS_KEPT.toMillis(),
            UsageBucket.HOURS_KEPT.toMillis());
    /** How long a state change or mask waits for a call's script to ride in before it is sent on its own. */
    static final long RIDE_ALONG_MILLIS = 50;
    /** Hashes or lists one read script reads at most. */
    private static final int READ_CHUNK = 200;

    private final RedisKeys keys;
    private final RedisLink link;
    private final Duration timeout;
    private final HealthView view = new HealthView();
    private final BudgetCache budgets = new BudgetCache();
    private final UsageCounters usage = new UsageCounters(MAX_PENDING_SLICES);
    private final InMemoryStateStore local = new InMemoryStateStore();
    private final String instanceId = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    private final AtomicLong admissions = new AtomicLong();
    private final AtomicInteger usageInFlight = new AtomicInteger();
    private final AtomicLong usageSends = new AtomicLong();
    private final AtomicBoolean sendScheduled = new AtomicBoolean();
    /** Masks this process published, sent again when Redis turns out to have lost its data. */
    private final Map<String, String> published = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile Map<String, String> lastMasks = Map.of();
    private volatile String epoch;

    private RedisStateStore(Builder b, RedisURI uri, String maskedUrl) {
        this.keys = new RedisKeys(b.prefix);
        this.timeout = b.commandTimeout;
        this.link = new RedisLink(
                uri, maskedUrl, keys.channel, b.commandTimeout, b.connectTimeout, b.retryInterval, b.refreshInterval);
    }

    /**
     * A builder; only the URL is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the store a configuration's {@code state_store} block describes (type {@code redis}).
     *
     * @param settings the configuration's {@code state_store} block
     * @return the store, connecting or serving from local state until Redis answers
     */
    public static RedisStateStore of(StateStoreSettings settings) {
        return builder().url(settings.url()).prefix(settings.prefix()).build();
    }

    // ---- health -------------------------------------------------------------------------------------------------
    // Health is kept per scope: a key id (key-wide faults) or a key id and model joined by HealthScope.SEPARATOR
    // (model-scoped faults). In Redis a scope is named by RedisKeys.nameOf; the view is keyed by the scope itself.

    @Override
    public KeyHealth health(String keyId) {
        return view.health(keyId);
    }

    @Override
    public KeyHealth updateHealth(String keyId, UnaryOperator<KeyHealth> transition) {
        HealthView.Entry current = view.entry(keyId);
        KeyHealth next = transition.apply(current.health());
        if (next.equals(current.health())) {
            return current.health();
        }
        if (!link.available()) {
            return view.updateLocally(keyId, transition);
        }
        try {
            while (true) {
                List<Object> reply = link.await(writeHealth(keyId, current.version(), next, false));
                if (number(reply.get(0)) == 1) {
                    view.written(keyId, number(reply.get(1)), next);
                    return next;
                }
                // Another process wrote first: apply the transition to what it wrote.
                current = new HealthView.Entry(number(reply.get(1)), decode(reply.get(2)), false);
                view.replace(keyId, current.version(), current.health());
                next = transition.apply(current.health());
                if (next.equals(current.health())) {
                    return next;
                }
            }
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return view.updateLocally(keyId, transition);
        }
    }

    private CompletableFuture<List<Object>> writeHealth(String scope, long expected, KeyHealth next, boolean force) {
        String name = RedisKeys.nameOf(scope);
        return link.eval(
                Script.HEALTH_CAS,
                ScriptOutputType.MULTI,
                new String[] {keys.health + name, keys.seq, keys.keyIds},
                Long.toString(expected),
                HealthCodec.encode(next),
                Long.toString(healthTtlMillis(next)),
                keys.channel,
                name,
                force ? "1" : "0");
    }

    /** Seven days, counted from the end of the key's rest if it has one. */
    private static long healthTtlMillis(KeyHealth h) {
        long rest = h.until() == null ? 0 : h.until().toEpochMilli() - System.currentTimeMillis();
        return Math.min(MAX_HEALTH_TTL_MILLIS, HEALTH_TTL_MILLIS + Math.max(0, rest));
    }

    private static KeyHealth decode(Object text) {
        if (text == null || text.toString().isEmpty()) {
            return KeyHealth.INITIAL;
        }
        try {
            return HealthCodec.decode(text.toString());
        } catch (RuntimeException e) {
            LOG.debug("ignoring a key health record in an unknown format", e);
            return KeyHealth.INITIAL;
        }
    }

    /** A message on the health channel: {@code h|version|text|name} or {@code d|version||name}. */
    private void onMessage(String message) {
        try {
            int a = message.indexOf('|');
            int b = message.indexOf('|', a + 1);
            int c = message.indexOf('|', b + 1);
            long version = Long.parseLong(message.substring(a + 1, b));
            String scope = RedisKeys.scopeOf(message.substring(c + 1));
            if (scope == null) {
                LOG.debug("ignoring a message on the health channel for a name this release does not make");
            } else if (message.startsWith("h|")) {
                view.offer(scope, version, HealthCodec.decode(message.substring(b + 1, c)));
            } else if (message.startsWith("d|")) {
                view.deleted(scope, version);
                budgets.remove(scope);
            }
        } catch (RuntimeException e) {
            LOG.debug("ignoring a malformed message on the health channel", e);
        }
    }

    /**
     * Forgets the health of every scope and the budgets of every key not in {@code keyIds}, here and, through Redis,
     * in every process: pass the key ids and the scope of every configured (key, model) pair, or their model-scoped
     * health is lost.
     */
    @Override
    public void retainKeys(Set<String> keyIds) {
        local.retainKeys(keyIds);
        view.retain(keyIds);
        budgets.retain(keyIds);
        if (!link.available()) {
            return;
        }
        String[] args = new String[5 + keyIds.size()];
        args[0] = keys.health;
        args[1] = keys.rpm;
        args[2] = keys.tpm;
        args[3] = keys.channel;
        args[4] = keys.history;
        int i = 5;
        for (String id : keyIds) {
            args[i++] = RedisKeys.nameOf(id);
        }
        published.keySet().retainAll(keyIds);
        try {
            link.await(link.eval(
                    Script.RETAIN, ScriptOutputType.INTEGER, new String[] {keys.keyIds, keys.seq, keys.masks}, args));
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
        }
    }

    // ---- budgets ------------------------------------------------------------------------------------------------

    @Override
    public boolean tryAcquireRequest(String keyId, int limitPerMinute, long nowMillis) {
        if (!link.available()) {
            return local.tryAcquireRequest(keyId, limitPerMinute, nowMillis);
        }
        try {
            List<Object> reply = link.await(requestWindow(keyId, limitPerMinute, nowMillis, true));
            budgets.offer(keyId, slotOf(reply, limitPerMinute));
            return number(reply.get(0)) == 1;
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return local.tryAcquireRequest(keyId, limitPerMinute, nowMillis);
        }
    }

    @Override
    public long nextRequestSlot(String keyId, int limitPerMinute, long nowMillis) {
        if (!link.available()) {
            return local.nextRequestSlot(keyId, limitPerMinute, nowMillis);
        }
        BudgetCache.Slot slot = budgets.slot(keyId);
        if (slot == null || slot.limit() != limitPerMinute) {
            try {
                slot = slotOf(link.await(requestWindow(keyId, limitPerMinute, nowMillis, false)), limitPerMinute);
                budgets.offer(keyId, slot);
            } catch (RedisLink.Unavailable e) {
                link.markDown(e);
                return local.nextRequestSlot(keyId, limitPerMinute, nowMillis);
            }
        } else if (System.nanoTime() - slot.fetchedNanos() > BUDGET_REFRESH_NANOS
                && budgets.startRefresh("rpm:" + keyId)) {
            requestWindow(keyId, limitPerMinute, nowMillis, false).whenComplete((reply, error) -> {
                budgets.refreshed("rpm:" + keyId);
                if (error != null) {
                    link.markDown(error);
                } else {
                    budgets.offer(keyId, slotOf(reply, limitPerMinute));
                }
            });
        }
        return Math.max(slot.nextSlot(), nowMillis);
    }

    /**
     * Counts the key's admissions in the minute before {@code nowMillis} with a plain {@code ZCOUNT} (a read: an
     * observer writes nothing), one round trip per key with an rpm budget in a health report.
     */
    @Override
    public int requestsInLastMinute(String keyId, int limitPerMinute, long nowMillis) {
        if (!link.available()) {
            return local.requestsInLastMinute(keyId, limitPerMinute, nowMillis);
        }
        try {
            long admitted = link.await(link.commands()
                    .zcount(
                            keys.rpm + RedisKeys.nameOf(keyId),
                            Range.from(
                                    Range.Boundary.excluding(nowMillis - 60_000), Range.Boundary.including(nowMillis)))
                    .toCompletableFuture());
            return (int) Math.min(admitted, Integer.MAX_VALUE);
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return local.requestsInLastMinute(keyId, limitPerMinute, nowMillis);
        }
    }

    private CompletableFuture<List<Object>> requestWindow(String keyId, int limit, long nowMillis, boolean admit) {
        return link.eval(
                Script.RPM,
                ScriptOutputType.MULTI,
                new String[] {keys.rpm + RedisKeys.nameOf(keyId), keys.seq, keys.keyIds},
                Long.toString(nowMillis),
                Integer.toString(limit),
                instanceId + ":" + admissions.incrementAndGet(),
                WINDOW_TTL_MILLIS,
                RedisKeys.nameOf(keyId),
                admit ? "1" : "0");
    }

    private static BudgetCache.Slot slotOf(List<Object> reply, int limit) {
        return new BudgetCache.Slot(number(reply.get(2)), limit, number(reply.get(1)), System.nanoTime());
    }

    @Override
    public void addTokens(String keyId, long tokens, long nowMillis) {
        if (!link.available()) {
            local.addTokens(keyId, tokens, nowMillis);
            return;
        }
        try {
            budgets.offer(keyId, tokensOf(link.await(tokenWindow(keyId, nowMillis, Long.toString(tokens)))));
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            local.addTokens(keyId, tokens, nowMillis);
        }
    }

    @Override
    public long tokensInLastMinute(String keyId, long nowMillis) {
        if (!link.available()) {
            return local.tokensInLastMinute(keyId, nowMillis);
        }
        BudgetCache.Tokens known = budgets.tokens(keyId);
        if (known == null) {
            try {
                known = tokensOf(link.await(tokenWindow(keyId, nowMillis, "")));
                budgets.offer(keyId, known);
            } catch (RedisLink.Unavailable e) {
                link.markDown(e);
                return local.tokensInLastMinute(keyId, nowMillis);
            }
        } else if (System.nanoTime() - known.fetchedNanos() > BUDGET_REFRESH_NANOS
                && budgets.startRefresh("tpm:" + keyId)) {
            tokenWindow(keyId, nowMillis, "").whenComplete((reply, error) -> {
                budgets.refreshed("tpm:" + keyId);
                if (error != null) {
                    link.markDown(error);
                } else {
                    budgets.offer(keyId, tokensOf(reply));
                }
            });
        }
        return known.sum(nowMillis);
    }

    private CompletableFuture<List<Object>> tokenWindow(String keyId, long nowMillis, String tokens) {
        return link.eval(
                Script.TPM,
                ScriptOutputType.MULTI,
                new String[] {keys.tpm + RedisKeys.nameOf(keyId), keys.seq, keys.keyIds},
                Long.toString(Math.floorDiv(nowMillis, 1000)),
                tokens,
                WINDOW_TTL_MILLIS,
                RedisKeys.nameOf(keyId));
    }

    private static BudgetCache.Tokens tokensOf(List<Object> reply) {
        int n = (reply.size() - 1) / 2;
        long[] seconds = new long[n];
        long[] tokens = new long[n];
        for (int i = 0; i < n; i++) {
            seconds[i] = number(reply.get(1 + 2 * i));
            tokens[i] = number(reply.get(2 + 2 * i));
        }
        return new BudgetCache.Tokens(number(reply.get(0)), seconds, tokens, System.nanoTime());
    }

    @Override
    public long nextRoundRobin(String scope) {
        if (!link.available()) {
            return local.nextRoundRobin(scope);
        }
        try {
            Long value = link.await(link.eval(
                    Script.ROUND_ROBIN,
                    ScriptOutputType.INTEGER,
                    new String[] {keys.roundRobin + scope},
                    CURSOR_TTL_MILLIS));
            return value - 1;
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return local.nextRoundRobin(scope);
        }
    }

    // ---- usage, history, recent calls, masks ---------------------------------------------------------------------

    @Override
    public void recordCall(CallRecord record) {
        recordCall(record, record.model() != null ? record.model() : record.requestedModel(), 0);
    }

    /**
     * Counts the call: counters since start, its minute and hour buckets, and, with {@code recentCapacity} above 0,
     * its record in the recent-calls stream; state changes and masks waiting to be sent go along. One script, sent
     * without waiting for the reply.
     */
    @Override
    public void recordCall(CallRecord record, String model, int recentCapacity) {
        UsageCounters.Delta delta = UsageCounters.of(record, model, recentCapacity);
        if (!link.available()) {
            usage.keep(delta);
            return;
        }
        if (usage.hasPending() || usageInFlight.get() >= MAX_USAGE_IN_FLIGHT) {
            // Changes wait to ride along, or Redis is behind: sum this call into the next send.
            usage.keep(delta);
            if (usageInFlight.get() < MAX_USAGE_IN_FLIGHT) {
                sendKeptUsage();
            }
            return;
        }
        usageInFlight.incrementAndGet();
        sendUsage(delta).whenComplete(this::usageSent);
    }

    /**
     * Keeps a state change in its scope's history list in Redis. It rides in the next call's script; when no call
     * ends within {@value #RIDE_ALONG_MILLIS} ms (a reset, a call still waiting), it is sent on its own.
     */
    @Override
    public void recordStateChange(KeyStateChange change) {
        String scope = change.model() == null ? change.keyId() : HealthScope.of(change.keyId(), change.model());
        usage.keep(UsageCounters.ofChange(RedisKeys.nameOf(scope), StateChangeCodec.encode(change)));
        sendSoon();
    }

    /** Publishes a key's mask, for observers; sent like a state change. */
    @Override
    public void publishKeyMask(String keyId, String mask) {
        published.put(keyId, mask);
        usage.keep(UsageCounters.ofMask(RedisKeys.nameOf(keyId), mask));
        sendSoon();
    }

    /** What is kept and not yet sent goes with the next call, or in {@value #RIDE_ALONG_MILLIS} ms. */
    private void sendSoon() {
        if (sendScheduled.compareAndSet(false, true)) {
            link.schedule(
                    () -> {
                        sendScheduled.set(false);
                        sendKeptUsage();
                    },
                    RIDE_ALONG_MILLIS);
        }
    }

    /** The masks workers published, read from Redis; the last ones read while it cannot be reached. */
    @Override
    public Map<String, String> keyMasks() {
        if (link.available()) {
            try {
                Map<String, String> read = new HashMap<>();
                link.await(link.commands().hgetall(keys.masks).toCompletableFuture())
                        .forEach((name, mask) -> {
                            String keyId = RedisKeys.scopeOf(name);
                            if (keyId != null && !HealthScope.isModelScope(keyId)) {
                                read.put(keyId, mask);
                            }
                        });
                lastMasks = Map.copyOf(read);
            } catch (RedisLink.Unavailable e) {
                link.markDown(e);
            }
        }
        return lastMasks;
    }

    /**
     * The usage buckets of every process sharing this Redis. A series of every call merged per bucket reads one hash
     * per bucket; anything else reads the buckets of each slice written since {@code from} that the filter passes (a
     * script per 200 hashes, all sent before the first reply is awaited). While Redis cannot be reached: none.
     */
    @Override
    public List<UsageBucket> usageBuckets(
            Instant from, Instant until, Duration resolution, UsageFilter filter, boolean bySlice) {
        BucketFrame frame = new BucketFrame(from, until, resolution);
        if (!link.available()) {
            return List.of();
        }
        try {
            List<String[]> slices = new ArrayList<>();
            if (!bySlice && filter.equals(UsageFilter.ALL)) {
                slices.add(new String[] {RedisKeys.ALL_SLICES, null, null, null, null});
            } else {
                for (String slice : slicesWrittenSince(frame.fromMinute())) {
                    String[] parts = RedisKeys.partsOf(slice);
                    if (parts != null && filter.matches(parts[0], parts[1], parts[2])) {
                        slices.add(new String[] {slice, parts[0], parts[1], parts[2], null});
                    }
                }
            }
            return readBuckets(slices, frame);
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return List.of();
        }
    }

    /**
     * The callers' buckets of every process sharing this Redis: those of {@code caller}, or of each caller written
     * since {@code from} (the registry keeps a caller's latest minute too), read as {@link #usageBuckets} reads
     * slices. While Redis cannot be reached: none.
     */
    @Override
    public List<UsageBucket> callerBuckets(Instant from, Instant until, Duration resolution, String caller) {
        BucketFrame frame = new BucketFrame(from, until, resolution);
        if (!link.available()) {
            return List.of();
        }
        try {
            List<String[]> slices = new ArrayList<>();
            if (caller != null) {
                slices.add(new String[] {RedisKeys.CALLER + RedisKeys.callerName(caller), null, null, null, caller});
            } else {
                for (String slice : slicesWrittenSince(frame.fromMinute())) {
                    String name = slice.startsWith(RedisKeys.CALLER)
                            ? RedisKeys.callerOf(slice.substring(RedisKeys.CALLER.length()))
                            : null;
                    if (name != null) {
                        slices.add(new String[] {slice, null, null, null, name});
                    }
                }
            }
            return readBuckets(slices, frame);
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return List.of();
        }
    }

    /** A frame of buckets of one resolution: {@code [first, end)} in minutes or hours since the epoch. */
    private record BucketFrame(String tier, long unit, long first, long end) {
        BucketFrame(Instant from, Instant until, Duration resolution) {
            this(
                    tierOf(resolution),
                    resolution.getSeconds(),
                    Math.floorDiv(from.getEpochSecond(), resolution.getSeconds()),
                    Math.floorDiv(until.getEpochSecond() + resolution.getSeconds() - 1, resolution.getSeconds()));
        }

        private static String tierOf(Duration resolution) {
            if (resolution.equals(UsageBucket.MINUTE)) {
                return "m:";
            }
            if (resolution.equals(UsageBucket.HOUR)) {
                return "h:";
            }
            throw new IllegalArgumentException("resolution must be a minute or an hour, got " + resolution);
        }

        long fromMinute() {
            return first * (unit / 60);
        }
    }

    /** The slices and callers of the registry whose latest minute is {@code fromMinute} or later (one command). */
    private List<String> slicesWrittenSince(long fromMinute) throws RedisLink.Unavailable {
        return link.await(link.commands()
                .zrangebyscore(
                        keys.bucketSlices, Range.from(Range.Boundary.including(fromMinute), Range.Boundary.unbounded()))
                .toCompletableFuture());
    }

    /**
     * Reads the buckets of the frame of each slice ({name in Redis, provider, model, key, caller}); the buckets with
     * calls.
     */
    private List<UsageBucket> readBuckets(List<String[]> slices, BucketFrame frame) throws RedisLink.Unavailable {
        List<String> names = new ArrayList<>();
        for (String[] slice : slices) {
            for (long start = frame.first(); start < frame.end(); start++) {
                names.add(keys.buckets + frame.tier() + start + ":" + slice[0]);
            }
        }
        List<List<Object>> hashes = readMany(Script.READ_HASHES, names);
        List<UsageBucket> out = new ArrayList<>();
        int i = 0;
        for (String[] slice : slices) {
            for (long start = frame.first(); start < frame.end(); start++) {
                List<?> flat = (List<?>) hashes.get(i++);
                if (!flat.isEmpty()) {
                    out.add(new UsageBucket(
                            Instant.ofEpochSecond(start * frame.unit()),
                            slice[1],
                            slice[2],
                            slice[3],
                            slice[4],
                            UsageCounters.bucketCounts(flat)));
                }
            }
        }
        return out;
    }

    /**
     * Runs a read-many script over {@code names} in chunks, all chunks sent before the first reply is awaited (this
     * process's kept writes go first, so it reads them); the replies in order.
     */
    private List<List<Object>> readMany(Script script, List<String> names) throws RedisLink.Unavailable {
        List<CompletableFuture<List<Object>>> chunks = new ArrayList<>();
        synchronized (usageSends) {
            sendKeptUsage();
            for (int at = 0; at < names.size(); at += READ_CHUNK) {
                String[] chunk = names.subList(at, Math.min(names.size(), at + READ_CHUNK))
                        .toArray(String[]::new);
                chunks.add(link.eval(script, ScriptOutputType.MULTI, chunk));
            }
        }
        List<List<Object>> out = new ArrayList<>(names.size());
        for (List<Object> reply : link.awaitAll(chunks)) {
            for (Object item : reply) {
                out.add(item instanceof List<?> list ? List.copyOf(list) : List.of());
            }
        }
        return out;
    }

    /** The state changes of the scopes, from their history lists (one script); none while Redis cannot be reached. */
    @Override
    public List<KeyStateChange> stateChanges(Collection<String> scopes, Instant from, Instant until, int limit) {
        if (!link.available() || scopes.isEmpty()) {
            return List.of();
        }
        List<String> ordered = new ArrayList<>(scopes);
        List<String> names = new ArrayList<>();
        ordered.forEach(scope -> names.add(keys.history + RedisKeys.nameOf(scope)));
        List<List<Object>> lists;
        try {
            lists = readMany(Script.READ_LISTS, names);
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return List.of();
        }
        List<KeyStateChange> out = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            String scope = ordered.get(i);
            for (Object entry : lists.get(i)) { // newest first, as pushed
                try {
                    KeyStateChange change = StateChangeCodec.decode(
                            HealthScope.keyIdOf(scope), HealthScope.modelOf(scope), String.valueOf(entry));
                    if (!change.at().isBefore(from) && change.at().isBefore(until)) {
                        out.add(change);
                    }
                } catch (RuntimeException e) {
                    LOG.debug("ignoring a state change in an unknown format", e);
                }
            }
        }
        out.sort(java.util.Comparator.comparing(KeyStateChange::at).reversed());
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /**
     * The most recent records workers with the event buffer on appended to the shared stream (one command), newest
     * first by the time the calls ended; none while Redis cannot be reached.
     */
    @Override
    public List<CallRecord> recentCalls(int limit) {
        if (limit <= 0 || !link.available()) {
            return List.of();
        }
        List<StreamMessage<String, String>> messages;
        try {
            CompletableFuture<List<StreamMessage<String, String>>> read;
            synchronized (usageSends) {
                sendKeptUsage();
                read = link.commands()
                        .xrevrange(keys.events, Range.create("-", "+"), Limit.from(limit))
                        .toCompletableFuture();
            }
            messages = link.await(read);
        } catch (RedisLink.Unavailable e) {
            link.markDown(e);
            return List.of();
        }
        List<CallRecord> out = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> message : messages) {
            String json = message.getBody().get("r");
            try {
                out.add(CallRecord.fromJson(json));
            } catch (RuntimeException e) {
                LOG.debug("ignoring a recent call record in an unknown format", e);
            }
        }
        // The stream is in the order sends reached Redis: several processes (and calls summed into one send) arrive a
        // few milliseconds out of the order the calls ended in.
        out.sort(java.util.Comparator.comparing(CallRecord::timestamp).reversed());
        return out;
    }

    private void usageSent(Long reply, Throwable error) {
        usageInFlight.decrementAndGet();
        if (error == null) {
            sendKeptUsage();
        }
    }

    /** Sends the increments summed while sends were in flight, as one send. */
    private void sendKeptUsage() {
        if (!link.available() || !usage.hasPending()) {
            return;
        }
        synchronized (usageSends) { // taken and sent in one step, see usageSummary()
            UsageCounters.Delta kept = usage.takePending();
            if (kept.isEmpty()) {
                return;
            }
            usageInFlight.incrementAndGet();
            sendUsage(kept).whenComplete(this::usageSent);
        }
    }

    /**
     * Sends usage increments without waiting. Sends are numbered in the order they leave on the connection, which is
     * the order Redis runs them; a send that fails or times out is kept with its number until Redis says (by this
     * store's watermark) whether it ran, so that counters are neither lost nor counted twice.
     */
    private CompletableFuture<Long> sendUsage(UsageCounters.Delta delta) {
        long number;
        CompletableFuture<Long> sent;
        synchronized (usageSends) {
            number = usageSends.incrementAndGet();
            sent = link.eval(
                    Script.RECORD,
                    ScriptOutputType.INTEGER,
                    UsageCounters.keysOf(delta, keys, keys.usageSent + instanceId),
                    UsageCounters.argsOf(delta, number, LIFETIMES, keys));
        }
        return sent.whenComplete((reply, error) -> {
            if (error != null) {
                usage.keepUnconfirmed(number, delta);
                link.markDown(error);
            }
        });
    }

    /**
     * The shared counters, read from Redis (one round trip). While Redis cannot be reached: the counters last read
     * plus this process's increments not sent yet.
     */
    @Override
    public UsageSummary usageSummary() {
        Map<String, Map<String, String>> shared = usage.lastShared();
        if (link.available()) {
            CompletableFuture<List<Object>> read;
            synchronized (usageSends) {
                // Kept increments leave before the read on the same connection, so Redis counts them first.
                sendKeptUsage();
                read = link.eval(Script.USAGE_ALL, ScriptOutputType.MULTI, new String[] {keys.usageSlices}, keys.usage);
            }
            try {
                shared = UsageCounters.parse(link.await(read));
                usage.rememberShared(shared);
            } catch (RedisLink.Unavailable e) {
                link.markDown(e);
            }
        }
        return usage.summary(shared);
    }

    // ---- catching up --------------------------------------------------------------------------------------------

    /**
     * Brings Redis and this process up to date after a (re)connect: scripts loaded, health changed locally written
     * back (local wins), kept usage increments sent, then every stored health loaded. False when Redis failed.
     */
    private boolean catchUp() {
        try {
            link.loadScripts();
            for (var dirty : view.dirty().entrySet()) {
                HealthView.Entry entry = dirty.getValue();
                List<Object> reply = link.await(writeHealth(dirty.getKey(), entry.version(), entry.health(), true));
                view.sent(dirty.getKey(), entry, number(reply.get(1)));
            }
            String watermark =
                    link.await(link.commands().get(keys.usageSent + instanceId).toCompletableFuture());
            usage.settle(watermark == null ? 0 : Long.parseLong(watermark));
            UsageCounters.Delta kept = usage.takePending();
            if (!kept.isEmpty()) {
                link.await(sendUsage(kept));
            }
            long dropped = usage.takeDroppedCalls();
            if (dropped > 0) {
                LOG.warn(
                        "usage of {} calls was dropped while Redis was unreachable (too many distinct slices)",
                        dropped);
            }
            long droppedBuckets = usage.takeDroppedBuckets();
            if (droppedBuckets > 0) {
                LOG.warn(
                        "the time buckets of {} calls were dropped while Redis was unreachable (too many buckets);"
                                + " their counters since start are kept",
                        droppedBuckets);
            }
            budgets.clear();
            applyHealth(link.await(loadHealth()));
            return true;
        } catch (RedisLink.Unavailable | RedisException e) {
            LOG.debug("catching up with Redis failed", e);
            return false;
        }
    }

    /** The periodic reload: heals whatever messages were missed. */
    private void refresh() {
        loadHealth().whenComplete((reply, error) -> {
            if (error != null) {
                link.markDown(error);
            } else {
                applyHealth(reply);
            }
        });
    }

    private CompletableFuture<List<Object>> loadHealth() {
        return link.eval(
                Script.HEALTH_ALL,
                ScriptOutputType.MULTI,
                new String[] {keys.keyIds, keys.seq, keys.epoch},
                keys.health,
                instanceId + "-" + System.currentTimeMillis(),
                keys.rpm,
                keys.tpm);
    }

    private void applyHealth(List<Object> reply) {
        String storedEpoch = String.valueOf(reply.get(0));
        long seq = number(reply.get(1));
        Map<String, HealthView.Entry> stored = new HashMap<>();
        for (int i = 2; i + 2 < reply.size(); i += 3) {
            String scope = RedisKeys.scopeOf(String.valueOf(reply.get(i)));
            if (scope != null) { // else a name this release does not make: left alone until retainKeys deletes it
                stored.put(scope, new HealthView.Entry(number(reply.get(i + 1)), decode(reply.get(i + 2)), false));
            }
        }
        boolean lostData = !storedEpoch.equals(epoch);
        if (lostData && epoch != null) {
            LOG.info(
                    "Redis at {} holds a new data set (restarted without persistence?); reloading shared state",
                    link.maskedUrl());
            budgets.clear();
            usage.forgetShared();
            published.forEach((keyId, mask) -> usage.keep(UsageCounters.ofMask(RedisKeys.nameOf(keyId), mask)));
            sendSoon();
        }
        epoch = storedEpoch;
        view.sync(stored, seq, lostData);
    }

    // ---- observability and lifecycle ----------------------------------------------------------------------------

    /**
     * Whether Redis is in use now (false while the store serves from local state).
     *
     * @return whether commands go to Redis now
     */
    public boolean isRedisAvailable() {
        return link.available();
    }

    /**
     * Commands this store has sent to Redis so far, each one round trip: calls, probes, reloads and catch-ups. The
     * difference over a run divided by the calls made is the cost per call.
     *
     * @return the number of commands sent
     */
    public long redisCommandCount() {
        return link.commandCount();
    }

    /** Waits (up to twice the command timeout) until usage recorded so far has reached Redis, if it is up. */
    public void flush() {
        long deadline = System.nanoTime() + timeout.toNanos() * 2;
        while (System.nanoTime() < deadline && link.available()) {
            sendKeptUsage();
            if (usageInFlight.get() == 0 && !usage.hasPending()) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Sends what is still in flight or kept (briefly, if Redis answers) and closes the connections. */
    @Override
    public void close() {
        flush();
        if (usage.hasUnsent() && !(link.available() && catchUp())) {
            LOG.warn("closing with usage of this process not sent to Redis at {}", link.maskedUrl());
        }
        link.close();
    }

    @Override
    public String toString() {
        return "RedisStateStore[" + link.maskedUrl() + ", prefix " + keys.root + "]";
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }

    /** Builds a {@link RedisStateStore}; only the URL is required. */
    public static final class Builder {
        private String url;
        private String prefix = StateStoreSettings.DEFAULT_PREFIX;
        private Duration commandTimeout;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration retryInterval = Duration.ofMillis(500);
        private Duration refreshInterval = Duration.ofSeconds(5);

        private Builder() {}

        /**
         * The Redis URL ({@code redis://[:password@]host[:port][/db]}, {@code rediss://}, {@code redis-sentinel://},
         * {@code redis-socket://}), or an {@code env://NAME} / {@code file:///path} reference holding one. A password
         * with any of {@code # ? @ / : %} must be percent-encoded ({@code %23 %3F %40 %2F %3A %25}); written raw, the
         * URL is refused at {@link #build()} with a message that does not show it.
         *
         * @param value the URL or a reference to it
         * @return this
         */
        public Builder url(String value) {
            this.url = Objects.requireNonNull(value, "url");
            return this;
        }

        /**
         * The name space of the keys (default {@code llm-rotate}); processes share state only within one prefix.
         *
         * @param value the key prefix
         * @return this
         */
        public Builder prefix(String value) {
            this.prefix = Objects.requireNonNull(value, "prefix");
            return this;
        }

        /**
         * How long a command may take before Redis counts as unreachable; default: the URL's {@code timeout}
         * parameter ({@code redis://host:6379?timeout=1s}, which also works from a configuration file), else 300 ms.
         *
         * @param value a positive duration
         * @return this
         */
        public Builder commandTimeout(Duration value) {
            this.commandTimeout = positive(value, "commandTimeout");
            return this;
        }

        /**
         * How long connecting may take (default 2 s).
         *
         * @param value a positive duration
         * @return this
         */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /**
         * How often an unreachable Redis is tried again (default 500 ms).
         *
         * @param value a positive duration
         * @return this
         */
        public Builder retryInterval(Duration value) {
            this.retryInterval = positive(value, "retryInterval");
            return this;
        }

        /**
         * How often the health view is reloaded in full, to heal missed messages (default 5 s).
         *
         * @param value a positive duration
         * @return this
         */
        public Builder refreshInterval(Duration value) {
            this.refreshInterval = positive(value, "refreshInterval");
            return this;
        }

        /**
         * Connects and loads the shared health. An unreachable Redis is not an error: the store starts on local
         * state and connects when it can.
         *
         * @return the store
         * @throws ConfigurationException for a missing or malformed URL, a bad prefix, or credentials Redis refuses
         */
        public RedisStateStore build() {
            if (url == null) {
                throw new ConfigurationException("RedisStateStore.builder() needs a url(...)");
            }
            if (prefix.isBlank() || prefix.chars().anyMatch(c -> c == '{' || c == '}' || Character.isWhitespace(c))) {
                throw new ConfigurationException(
                        "state_store.prefix: must be non-empty without spaces or braces, got '" + prefix + "'");
            }
            String resolved = resolve(url).strip();
            StoreUrl parsed;
            try {
                // java.net.URI, not Lettuce's lenient reading: a raw # ? @ / : in a password must not become a host
                // name (and a DNS lookup), a path or a fragment, nor show in a mask.
                parsed = StoreUrl.parse(resolved);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("state_store.url: " + e.getMessage());
            }
            String masked = parsed.masked();
            RedisURI uri;
            try {
                uri = RedisURI.create(resolved);
            } catch (RuntimeException e) {
                throw new ConfigurationException("state_store.url: " + masked + " is not a valid Redis URL ("
                        + describe(parsed, e.getMessage()) + ")");
            }
            applyParsed(parsed, uri);
            if (commandTimeout == null) {
                commandTimeout = resolved.contains("timeout=") ? uri.getTimeout() : DEFAULT_TIMEOUT;
            }
            uri.setTimeout(commandTimeout);
            RedisStateStore store = new RedisStateStore(this, uri, masked);
            try {
                store.link.start(new RedisLink.Listener() {
                    @Override
                    public void onMessage(String message) {
                        store.onMessage(message);
                    }

                    @Override
                    public boolean catchUp() {
                        return store.catchUp();
                    }

                    @Override
                    public void refresh() {
                        store.refresh();
                    }
                });
            } catch (RedisException e) {
                throw new ConfigurationException("state_store: Redis at " + masked + " refused the credentials ("
                        + describe(parsed, RedisLink.describe(e)) + ")");
            }
            return store;
        }

        private static String resolve(String url) {
            if (url.startsWith("env://") || url.startsWith("file://")) {
                try {
                    return SecretRef.parse(url).resolve();
                } catch (ConfigurationException e) {
                    throw new ConfigurationException("state_store.url: " + e.getMessage());
                }
            }
            return url;
        }

        /**
         * What {@link StoreUrl} read is what is used: for {@code redis://} and {@code rediss://} its host and port,
         * and for every scheme its decoded credentials.
         */
        private static void applyParsed(StoreUrl parsed, RedisURI uri) {
            boolean plain =
                    parsed.scheme().equalsIgnoreCase("redis") || parsed.scheme().equalsIgnoreCase("rediss");
            if (plain) {
                String host = parsed.host();
                uri.setHost(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
                if (parsed.port() >= 0) {
                    uri.setPort(parsed.port());
                }
            }
            if (parsed.password() != null) {
                if (parsed.username() != null) {
                    uri.setAuthentication(parsed.username(), parsed.password().toCharArray());
                } else {
                    uri.setAuthentication(parsed.password().toCharArray());
                }
            }
        }

        /** A library's message without the URL's password, whatever it put in it. */
        private static String describe(StoreUrl parsed, String message) {
            return message == null ? "no detail" : parsed.scrub(message);
        }

        private static Duration positive(Duration value, String name) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new ConfigurationException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}

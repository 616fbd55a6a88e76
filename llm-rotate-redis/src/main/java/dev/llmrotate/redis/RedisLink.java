package dev.llmrotate.redis;

import dev.llmrotate.observe.LogNames;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to Redis and whether the store may use them. Commands are sent asynchronously with a short
 * timeout; the first failure marks Redis unreachable (one WARN) and the store serves from local state until a
 * background probe finds Redis again and the store has caught it up (one INFO). A reconnect is always followed by
 * such a catch-up, so a Redis that restarted empty is noticed.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.STORE);

    /** What the store does when Redis talks to it or comes back. */
    interface Listener {
        /** A message on the health channel. */
        void onMessage(String message);

        /** Redis answers again: bring it and this process up to date; false to try again later. */
        boolean catchUp();

        /** Periodically while Redis is reachable: reload what messages may have missed. */
        void refresh();
    }

    /** Redis did not answer in time or failed: the caller falls back to local state. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(Throwable cause) {
            super(cause);
        }
    }

    private final RedisURI uri;
    private final String maskedUrl;
    private final String channel;
    private final Duration timeout;
    private final Duration retryInterval;
    private final Duration refreshInterval;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService scheduler;
    private final LongAdder commands = new LongAdder();
    private final AtomicBoolean available = new AtomicBoolean();
    private final AtomicBoolean downLogged = new AtomicBoolean();
    private Listener listener;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean closed;
    private long lastRefreshNanos = System.nanoTime();

    RedisLink(
            RedisURI uri,
            String maskedUrl,
            String channel,
            Duration timeout,
            Duration connectTimeout,
            Duration retryInterval,
            Duration refreshInterval) {
        this.uri = uri;
        this.maskedUrl = maskedUrl;
        this.channel = channel;
        this.timeout = timeout;
        this.retryInterval = retryInterval;
        this.refreshInterval = refreshInterval;
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(
                        Duration.ofMillis(20), maxOf(retryInterval, Duration.ofMillis(100)), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(connectTimeout)
                        .keepAlive(true)
                        .build())
                .build());
        client.addListener(new CommandListener() {
            @Override
            public void commandStarted(CommandStartedEvent event) {
                commands.increment();
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (!closed) {
                    markDown(new RedisException("connection to " + RedisLink.this.maskedUrl + " lost"));
                }
            }
        });
        this.scheduler = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "llm-rotate-redis");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects and lets the listener load its state. Throws the connection failure when Redis refuses the
     * credentials (the caller turns it into a configuration error); any other failure leaves the link down with a
     * background probe running.
     */
    void start(Listener storeListener) {
        this.listener = storeListener;
        try {
            connect();
        } catch (RedisException e) {
            if (isAuthFailure(e)) {
                close();
                throw e;
            }
            markDown(e);
        }
        if (connection != null && listener.catchUp()) {
            available.set(true);
        } else {
            markDown(new RedisException("the first load from " + maskedUrl + " failed"));
        }
        long period = Math.max(10, retryInterval.toMillis());
        scheduler.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    private void connect() {
        if (connection == null) {
            connection = client.connect(uri);
        }
        if (pubsub == null) {
            StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub(uri);
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String message) {
                    listener.onMessage(message);
                }
            });
            try {
                subscriber.async().subscribe(channel).get(timeout.toMillis() * 4, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                subscriber.close();
                throw new RedisException("interrupted while subscribing", e);
            } catch (ExecutionException | TimeoutException e) {
                subscriber.close();
                throw new RedisException("cannot subscribe to " + channel, e);
            }
            pubsub = subscriber;
        }
    }

    /** The probe and the periodic refresh, on the link's own thread. */
    private void tick() {
        if (closed) {
            return;
        }
        try {
            if (!available.get()) {
                recover();
            } else if (System.nanoTime() - lastRefreshNanos >= refreshInterval.toNanos()) {
                lastRefreshNanos = System.nanoTime();
                listener.refresh();
            }
        } catch (RuntimeException e) {
            LOG.debug("Redis state store probe failed", e);
        }
    }

    private void recover() {
        try {
            connect();
            await(commands().ping().toCompletableFuture());
        } catch (RedisException | Unavailable e) {
            return; // still down
        }
        if (listener.catchUp() && available.compareAndSet(false, true)) {
            lastRefreshNanos = System.nanoTime();
            downLogged.set(false);
            LOG.info("Redis state store at {} is reachable again; shared state is in use again", maskedUrl);
            // What callers changed locally while the catch-up ran.
            if (!listener.catchUp()) {
                markDown(new RedisException("catching up with " + maskedUrl + " failed"));
            }
        }
    }

    /** Runs {@code task} once on the link's thread after {@code delayMillis} (nothing after close). */
    void schedule(Runnable task, long delayMillis) {
        if (closed) {
            return;
        }
        try {
            scheduler.schedule(
                    () -> {
                        try {
                            task.run();
                        } catch (RuntimeException e) {
                            LOG.debug("a scheduled send to Redis failed", e);
                        }
                    },
                    delayMillis,
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    /**
     * Waits for many replies within one deadline: the command timeout twice, and 10 ms more per reply beyond the
     * first 50 (a large read is many commands queued on one connection).
     */
    <T> List<T> awaitAll(List<CompletableFuture<T>> futures) throws Unavailable {
        long deadline = System.nanoTime()
                + TimeUnit.MILLISECONDS.toNanos(timeout.toMillis() * 2 + 50 + 10L * Math.max(0, futures.size() - 50));
        List<T> out = new java.util.ArrayList<>(futures.size());
        try {
            for (CompletableFuture<T> future : futures) {
                long left = deadline - System.nanoTime();
                out.add(future.get(Math.max(0, left), TimeUnit.NANOSECONDS));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(e);
        } catch (ExecutionException e) {
            throw new Unavailable(e.getCause());
        } catch (TimeoutException e) {
            futures.forEach(f -> f.cancel(false));
            throw new Unavailable(e);
        }
    }

    /** Redis failed or timed out: from now on the store serves from local state until the probe finds it back. */
    void markDown(Throwable cause) {
        if (closed) {
            return;
        }
        available.set(false);
        if (downLogged.compareAndSet(false, true)) {
            LOG.warn(
                    "Redis state store at {} is unreachable ({}); serving from local state and retrying every {} ms",
                    maskedUrl,
                    describe(cause),
                    retryInterval.toMillis());
        }
    }

    boolean available() {
        return available.get();
    }

    /** Commands sent so far (every round trip, including probes and reloads). */
    long commandCount() {
        return commands.sum();
    }

    String maskedUrl() {
        return maskedUrl;
    }

    RedisAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null) {
            throw new RedisException("not connected to " + maskedUrl);
        }
        return c.async();
    }

    /** Runs a script by its SHA-1, sending its source once when Redis does not know it. */
    <T> CompletableFuture<T> eval(Script script, ScriptOutputType type, String[] keys, String... args) {
        RedisAsyncCommands<String, String> redis;
        try {
            redis = commands();
        } catch (RedisException e) {
            return CompletableFuture.failedFuture(e);
        }
        return redis.<T>evalsha(script.sha, type, keys, args)
                .toCompletableFuture()
                .exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                        ? redis.<T>eval(script.source, type, keys, args).toCompletableFuture()
                        : CompletableFuture.failedFuture(e));
    }

    /** Loads every script, so that later calls are one EVALSHA each. */
    void loadScripts() throws Unavailable {
        RedisAsyncCommands<String, String> redis = commands();
        CompletableFuture<?>[] loads = new CompletableFuture<?>[Script.values().length];
        for (Script script : Script.values()) {
            loads[script.ordinal()] = redis.scriptLoad(script.source).toCompletableFuture();
        }
        await(CompletableFuture.allOf(loads));
    }

    /** Waits for a reply within the command timeout (twice it, for a script sent again after NOSCRIPT). */
    <T> T await(CompletableFuture<T> future) throws Unavailable {
        try {
            return future.get(timeout.toMillis() * 2 + 50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable(e);
        } catch (ExecutionException e) {
            throw new Unavailable(e.getCause());
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new Unavailable(e);
        }
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Whether Redis refused the credentials (as opposed to being unreachable). */
    static boolean isAuthFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null
                    && (message.contains("WRONGPASS")
                            || message.contains("NOAUTH")
                            || message.contains("invalid password")
                            || message.contains("invalid username-password")
                            || message.contains("AUTH failed")
                            || message.contains("without any password configured"))) {
                return true;
            }
        }
        return false;
    }

    /** A cause in a few words, without the URL's credentials (Lettuce's messages name host and port only). */
    static String describe(Throwable cause) {
        Throwable t = unwrap(cause);
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static Duration maxOf(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}

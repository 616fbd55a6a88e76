package dev.llmrotate.server.gateway;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.error.UnknownModelException;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of a gateway shares: the instance, the request reader, the gateway keys, the permits for
 * calls in flight, the call threads, and the rules that turn addressing and failures into HTTP. Thread-safe.
 */
final class GatewayCalls {
    final LlmRotate lm;
    final OpenAiChatRequests requests;
    final ExecutorService workers;
    private final List<GatewayKey> keys;
    private final Semaphore permits;
    private final int maxCalls;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final int maxQueued;
    /** Calls waiting for a permit, in order; bounded by {@code maxQueued}. Also the lock of admission. */
    private final ArrayDeque<Waiter> queue = new ArrayDeque<>();
    /** The queue's size, read without its lock on the fast path. */
    private volatile int queued;

    private volatile boolean accepting = true;
    private volatile Models models;
    /** Admission times per gateway key with an rpm limit: bounded by the configured keys and their limits. */
    private final ConcurrentHashMap<String, ArrayDeque<Long>> windows = new ConcurrentHashMap<>();

    /** The models and providers of one configuration, kept while it is in force. */
    private record Models(LlmRotateConfig config, Map<String, String> ownerOf, Set<String> providers) {}

    GatewayCalls(LlmRotate lm, GatewayOptions options, ExecutorService workers) {
        this.lm = lm;
        this.requests = new OpenAiChatRequests(options.maxBodyBytes());
        this.workers = workers;
        this.keys = options.keys();
        this.maxCalls = options.maxConcurrentCalls();
        this.permits = new Semaphore(maxCalls);
        this.maxQueued = options.maxQueuedCalls();
    }

    // ---- authentication ------------------------------------------------------------------------------------------

    /** Whether requests must present a gateway key. */
    boolean keysRequired() {
        return !keys.isEmpty();
    }

    /**
     * The gateway key whose secret {@code authorization} ({@code Bearer <secret>}) presents, or null. Every key's
     * digest is compared, in constant time each, whatever matched before, so timing tells nothing about the keys.
     */
    GatewayKey authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        byte[] presented = GatewayKey.digest(authorization.substring(7).strip());
        GatewayKey match = null;
        for (GatewayKey key : keys) {
            if (key.matches(presented) && match == null) {
                match = key;
            }
        }
        return match;
    }

    // ---- admission -----------------------------------------------------------------------------------------------

    /**
     * Admits one request of {@code key} under its {@code rate_limit_rpm} (a sliding minute; this gateway process's
     * own count), or returns the seconds until it would be admitted.
     */
    long rateWait(GatewayKey key) {
        Integer rpm = key.rateLimitRpm();
        if (rpm == null) {
            return 0;
        }
        long now = System.nanoTime();
        long minute = TimeUnit.MINUTES.toNanos(1);
        ArrayDeque<Long> window = windows.computeIfAbsent(key.id(), id -> new ArrayDeque<>());
        synchronized (window) {
            while (!window.isEmpty() && now - window.peekFirst() >= minute) {
                window.pollFirst();
            }
            if (window.size() < rpm) {
                window.addLast(now);
                return 0;
            }
            return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(window.peekFirst() + minute - now) + 1);
        }
    }

    /**
     * A call waiting in the admission queue for a permit. Exactly one of {@link #admitted} and {@link #refused} runs,
     * on the call's connection loop, unless the wait is {@linkplain #cancel cancelled} first.
     */
    abstract static class Waiter {
        final EventExecutor loop;

        Waiter(EventExecutor loop) {
            this.loop = loop;
        }

        /** The call holds a permit now. */
        abstract void admitted();

        /** The gateway closes: the call will not be made. */
        abstract void refused();
    }

    /** What {@link #admit} did with a call. */
    enum Admission {
        /** The call holds a permit. */
        ADMITTED,
        /** The call waits in the queue. */
        QUEUED,
        /** The queue is full or the gateway closes: answer at once. */
        REFUSED
    }

    /**
     * Takes a call permit, or queues {@code waiter} for the next permit a call gives back while the queue has room
     * ({@code max_queued_calls}). Waiters are admitted in order; a new call does not overtake them.
     */
    Admission admit(Waiter waiter) {
        if (!accepting) {
            return Admission.REFUSED;
        }
        if (queued == 0 && permits.tryAcquire()) {
            inFlight.incrementAndGet();
            return Admission.ADMITTED;
        }
        synchronized (queue) {
            // Under the lock that release() takes: a permit given back since the attempt above is not missed.
            if (queue.isEmpty() && permits.tryAcquire()) {
                inFlight.incrementAndGet();
                return Admission.ADMITTED;
            }
            if (!accepting || queue.size() >= maxQueued) {
                return Admission.REFUSED;
            }
            queue.addLast(waiter);
            queued = queue.size();
            return Admission.QUEUED;
        }
    }

    /** Takes {@code waiter} out of the queue; false when it has left it already (admitted or refused). */
    boolean cancel(Waiter waiter) {
        synchronized (queue) {
            boolean removed = queue.remove(waiter);
            queued = queue.size();
            return removed;
        }
    }

    int queued() {
        return queued;
    }

    /** Gives back the permit of a call that ended: to the first waiter in the queue, if any. */
    void release() {
        Waiter next;
        synchronized (queue) {
            next = queue.pollFirst();
            queued = queue.size();
            if (next == null) {
                inFlight.decrementAndGet();
                permits.release();
                return;
            }
        }
        next.loop.execute(next::admitted); // the permit passes on: calls in flight stay the same
    }

    int inFlight() {
        return inFlight.get();
    }

    int maxCalls() {
        return maxCalls;
    }

    boolean accepting() {
        return accepting;
    }

    /** Refuses new calls and every call still waiting in the queue. */
    void stopAccepting() {
        accepting = false;
        List<Waiter> refused;
        synchronized (queue) {
            refused = new ArrayList<>(queue);
            queue.clear();
            queued = 0;
        }
        for (Waiter waiter : refused) {
            waiter.loop.execute(waiter::refused);
        }
    }

    /** Waits until no call is in flight, or {@code grace} has passed; true when none is. */
    boolean awaitIdle(Duration grace) {
        try {
            if (permits.tryAcquire(maxCalls, grace.toNanos(), TimeUnit.NANOSECONDS)) {
                permits.release(maxCalls);
                return true;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- model addressing ----------------------------------------------------------------------------------------

    /**
     * The model and provider pin for what a client asked: an exact configured model id always wins (broker ids such
     * as {@code openai/gpt-4o-mini} contain {@code /}); else {@code provider/model} pins a configured provider; a
     * provider header pins that provider (no fallback chain is walked when pinned).
     *
     * @throws GatewayException 400 for a provider header that names no configured provider
     */
    Target target(String model, String providerHeader) {
        Models known = models();
        if (providerHeader != null && !providerHeader.isBlank()) {
            String provider = providerHeader.strip();
            if (!known.providers().contains(provider)) {
                throw new GatewayException(
                        400,
                        OpenAiError.invalidRequest(
                                null,
                                "x-llm-rotate-provider: no configured provider '" + cut(provider) + "' (configured: "
                                        + String.join(", ", known.providers()) + ")"));
            }
            return new Target(model, provider);
        }
        if (known.ownerOf().containsKey(model)) {
            return new Target(model, null);
        }
        int slash = model.indexOf('/');
        if (slash > 0 && slash < model.length() - 1 && known.providers().contains(model.substring(0, slash))) {
            return new Target(model.substring(slash + 1), model.substring(0, slash));
        }
        return new Target(model, null);
    }

    /** The model id to send and the provider it is pinned to (null: not pinned). */
    record Target(String model, String provider) {}

    /** Every configured model id with a provider that serves it, in order, for {@code /v1/models}. */
    Map<String, String> modelList() {
        return models().ownerOf();
    }

    private Models models() {
        LlmRotateConfig config = lm.config();
        Models m = models;
        if (m == null || m.config() != config) {
            Map<String, String> owners = new LinkedHashMap<>();
            TreeSet<String> providers = new TreeSet<>();
            List<KeySpec> active = new ArrayList<>(config.activeKeys());
            active.sort(Comparator.comparing(KeySpec::provider));
            for (KeySpec key : active) {
                providers.add(key.provider());
                for (String model : key.models()) {
                    owners.putIfAbsent(model, key.provider());
                }
            }
            m = new Models(config, Collections.unmodifiableMap(owners), Collections.unmodifiableSortedSet(providers));
            models = m;
        }
        return m;
    }

    // ---- failures as HTTP ----------------------------------------------------------------------------------------

    /** The HTTP answer of a call that failed, as OpenAI clients expect it. */
    static GatewayException failure(Throwable failure, Instant now) {
        if (failure instanceof GatewayException g) {
            return g;
        }
        if (failure instanceof UnknownModelException unknown) {
            return new GatewayException(
                    404,
                    new OpenAiError(
                            "The model '" + cut(unknown.model()) + "' does not exist or is not served by this gateway",
                            OpenAiErrors.INVALID_REQUEST,
                            "model",
                            "model_not_found"));
        }
        if (failure instanceof NoAvailableKeyException none) {
            long retryAfter = 1;
            Instant earliest = none.earliestRetryAt();
            if (earliest != null) {
                retryAfter = Math.max(1, (Duration.between(now, earliest).toMillis() + 999) / 1000);
            }
            return new GatewayException(
                    503, new OpenAiError(failure.getMessage(), "server_error", null, "no_available_key"), retryAfter);
        }
        if (failure instanceof LlmRotateException e) {
            ErrorType type = e.errorType();
            if (type == ErrorType.INVALID_REQUEST
                    || type == ErrorType.CONTEXT_LENGTH_EXCEEDED
                    || type == ErrorType.CONTENT_FILTERED) {
                String code = type == ErrorType.CONTEXT_LENGTH_EXCEEDED
                        ? "context_length_exceeded"
                        : type == ErrorType.CONTENT_FILTERED ? "content_filter" : null;
                return new GatewayException(
                        400, new OpenAiError(e.getMessage(), OpenAiErrors.INVALID_REQUEST, null, code));
            }
            return new GatewayException(
                    502,
                    new OpenAiError(
                            e.getMessage(), "server_error", null, type == null ? "upstream_error" : type.wireName()));
        }
        if (failure instanceof ConfigurationException e) {
            return new GatewayException(400, new OpenAiError(e.getMessage(), OpenAiErrors.INVALID_REQUEST, null, null));
        }
        if (failure instanceof IllegalArgumentException e) {
            return new GatewayException(400, new OpenAiError(e.getMessage(), OpenAiErrors.INVALID_REQUEST, null, null));
        }
        return new GatewayException(
                500,
                new OpenAiError(
                        "the gateway failed: " + failure.getClass().getSimpleName(), "server_error", null, null));
    }

    /** A value from a request, cut to a length fit for a message. */
    static String cut(String value) {
        if (value == null) {
            return "";
        }
        return value.length() <= 64 ? value : value.substring(0, 64) + "…";
    }
}

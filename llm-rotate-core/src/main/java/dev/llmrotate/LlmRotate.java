package dev.llmrotate;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.GenerateContentControls;
import dev.llmrotate.chat.GenerateContentRequest;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.internal.observe.EventBuffer;
import dev.llmrotate.internal.observe.UsageFrames;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.internal.select.KeySelector;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsageSeries;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.HealthScope;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.StateStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.function.UnaryOperator;

/**
 * The entry point: holds a pool of keys per provider and makes every call resilient. Picks a healthy key, rotates
 * away from rate-limited, exhausted or revoked keys, retries transient failures with backoff, walks fallback chains,
 * and bounds every call by a deadline. Thread-safe; share one instance.
 *
 * <pre>{@code
 * try (LlmRotate lm = LlmRotate.fromFile(Path.of("llm-rotate.yaml"))) {
 *     ChatResponse r = lm.chat("gpt-4o-mini", List.of(ChatMessage.user("Hi")));
 * }
 * }</pre>
 *
 * <p>Failures: {@link dev.llmrotate.error.LlmRotateException} (502), {@link NoAvailableKeyException} (503),
 * {@link dev.llmrotate.error.UnknownModelException} (404: no key serves the model), {@link ConfigurationException}
 * (misuse or bad configuration).
 */
public final class LlmRotate implements AutoCloseable {
    private final Engine engine;
    private final Executor asyncExecutor;
    private final ExecutorService ownedExecutor;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogNames.LIFECYCLE);
    private volatile boolean closed;

    private final Duration shutdownGrace;

    /** The built-in adapters' HTTP client, closed last; null when the instance owns none. */
    private final AutoCloseable httpClient;

    LlmRotate(Engine engine, Executor asyncExecutor, ExecutorService ownedExecutor, Duration shutdownGrace) {
        this(engine, asyncExecutor, ownedExecutor, shutdownGrace, null);
    }

    LlmRotate(
            Engine engine,
            Executor asyncExecutor,
            ExecutorService ownedExecutor,
            Duration shutdownGrace,
            AutoCloseable httpClient) {
        this.httpClient = httpClient;
        this.engine = engine;
        this.shutdownGrace = shutdownGrace;
        this.asyncExecutor = asyncExecutor;
        this.ownedExecutor = ownedExecutor;
    }

    /**
     * A builder for an instance with a clock, state store, executor, HTTP client, telemetry or adapters of your own.
     *
     * @return a new builder; only its {@link LlmRotateBuilder#config config} is required
     */
    public static LlmRotateBuilder builder() {
        return new LlmRotateBuilder();
    }

    /**
     * An instance with the system clock, the configuration's {@code state_store} (in memory unless it names another
     * type) and the built-in adapters; the same as {@code builder().config(config).build()}.
     *
     * @param config the keys, providers and defaults to run with
     * @return a new instance; close it when done
     * @throws ConfigurationException when a provider with active keys has no adapter, or the state store cannot be
     *     opened
     */
    public static LlmRotate create(LlmRotateConfig config) {
        return builder().config(config).build();
    }

    /**
     * A read-only view of the shared state store the configuration names ({@code state_store}, e.g. Redis), for a
     * process that makes no calls of its own: health, usage (since start and over time), key history and recent calls
     * of every worker sharing the store. It resolves no {@code secret_ref} (key masks are those the workers
     * published), writes nothing to the store, and its call methods throw {@link IllegalStateException}. See {@link
     * LlmRotateBuilder#buildObserver()} to pass a store or clock.
     *
     * <pre>{@code
     * try (LlmRotate fleet = LlmRotate.observe(LlmRotateConfig.fromFile(Path.of("llm-rotate.yaml")))) {
     *     HealthReport health = fleet.health();
     *     List<CallRecord> latest = fleet.recentCalls(50);   // workers with the event buffer on
     * }
     * }</pre>
     *
     * @param config the configuration the workers share: its keys and its {@code state_store}
     * @return a new read-only instance; close it when done
     * @throws ConfigurationException when the state store cannot be opened
     */
    public static LlmRotate observe(LlmRotateConfig config) {
        return builder().config(config).buildObserver();
    }

    /**
     * Loads a YAML or JSON configuration file and creates an instance, as {@link #create} does.
     *
     * @param path a {@code .yaml}, {@code .yml} or {@code .json} file; a relative {@code pricing.file} in it is
     *     resolved against its directory
     * @return a new instance; close it when done
     * @throws ConfigurationException when the file cannot be read or is not a valid configuration
     */
    public static LlmRotate fromFile(Path path) {
        return create(LlmRotateConfig.fromFile(path));
    }

    /**
     * Sends a chat call with default settings; the provider is inferred from the model. Same exceptions as {@link
     * #chat(ChatRequest)}.
     *
     * @param model the model id, as the configuration's keys list it
     * @param messages the conversation, oldest first
     * @return the answer
     */
    public ChatResponse chat(String model, List<ChatMessage> messages) {
        return chat(ChatRequest.of(model, messages));
    }

    /**
     * Sends a chat call and returns the answer. Blocks the calling thread for the whole call (retries, backoff and
     * fallbacks included), at most the call deadline.
     *
     * @param request the model, messages and per-call settings
     * @return the answer; its {@code usage()} is never null
     * @throws NoAvailableKeyException when every key of the native provider and its fallback chain is unavailable
     * @throws dev.llmrotate.error.LlmRotateException for any other failure (fail-fast errors, retries exhausted,
     *     the call deadline)
     * @throws dev.llmrotate.error.UnknownModelException when no active key lists the model (or none of the pinned
     *     provider's keys does)
     * @throws ConfigurationException for an unknown pinned provider
     * @throws IllegalStateException after {@link #close()}
     */
    public ChatResponse chat(ChatRequest request) {
        ensureCalls();
        return CallLoop.toResponse(
                engine,
                new CallLoop<ProviderReply>(engine, engine.state(), request, "chat").run(ProviderAdapter::send));
    }

    /**
     * {@link #chat(ChatRequest)} without blocking a thread: attempts are sent asynchronously and waits (backoff, a
     * key coming back) are scheduled on the instance's executor (see {@link LlmRotateBuilder#executor}), which also
     * completes the future. {@code cancel(true)} on the future aborts the request in flight and records the call
     * as {@code cancelled}, without any verdict on the key.
     *
     * @param request the model, messages and per-call settings
     * @return the answer to come; it fails with the exceptions {@link #chat(ChatRequest)} throws
     * @throws IllegalStateException after {@link #close()}, or on an {@linkplain #observe observer}
     */
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request) {
        return chatAsync(request, asyncExecutor);
    }

    /**
     * {@link #chatAsync(ChatRequest)} with waits scheduled and the future completed on {@code executor}.
     *
     * @param request the model, messages and per-call settings
     * @param executor runs the call's steps and completes the future, in place of the instance's executor
     * @return the answer to come; it fails with the exceptions {@link #chat(ChatRequest)} throws
     * @throws IllegalStateException after {@link #close()}, or on an {@linkplain #observe observer}
     */
    public CompletableFuture<ChatResponse> chatAsync(ChatRequest request, Executor executor) {
        ensureCalls();
        CompletableFuture<CallLoop.Outcome<ProviderReply>> call = new CallLoop<ProviderReply>(
                        engine, engine.state(), request, "chat")
                .runAsync((adapter, attempt) -> adapter.sendAsync(attempt, executor), executor);
        CompletableFuture<ChatResponse> response = call.thenApply(outcome -> CallLoop.toResponse(engine, outcome));
        // Cancelling what the caller holds cancels the call underneath.
        response.whenComplete((r, failure) -> {
            if (failure instanceof java.util.concurrent.CancellationException) {
                call.cancel(true);
            }
        });
        return response;
    }

    /**
     * Starts a streamed chat call and returns once its first chunk is in hand. Until then the call rotates and
     * retries like {@link #chat(ChatRequest)} (same exceptions); after it, a failure surfaces from the stream as
     * {@code stream_interrupted}. Close the stream to release the connection.
     *
     * @param request the model, messages and per-call settings
     * @return the open stream, its first chunk already received; use it in try-with-resources
     */
    public ChatStream chatStream(ChatRequest request) {
        ensureCalls();
        EngineState state = engine.state();
        CallLoop.Outcome<OpenedStream> outcome =
                new CallLoop<OpenedStream>(engine, state, request, "chat_stream").run(OpenedStream::open);
        return new ChatStream(engine, state, request, UnaryOperator.identity(), outcome);
    }

    /**
     * Google multimodal generation, the original's {@code generate_content(model, contents, **controls)}: {@code
     * contents} holds strings (text) and {@link ContentPart}s (text, image bytes, PDF bytes, file references), sent
     * as one user turn. Rotation, retries, health and records work as for {@link #chat(ChatRequest)}.
     *
     * @throws ConfigurationException when the model's provider (or the pinned one) is not {@code google_ai_studio}
     *     or {@code google_vertex}
     * @throws dev.llmrotate.error.UnknownModelException when no key serves the model
     * @param model a Gemini model id, as the configuration's keys list it
     * @param contents the user turn's parts, in order: {@code String}s and {@link ContentPart}s
     * @param controls the generation settings (temperature, tokens, safety, ...)
     * @return the answer
     * @throws IllegalArgumentException when an element of {@code contents} is neither a String nor a ContentPart
     */
    public ChatResponse generateContent(String model, List<?> contents, GenerateContentControls controls) {
        return generateContent(GenerateContentRequest.of(model, contents, controls));
    }

    /**
     * {@link #generateContent(String, List, GenerateContentControls)} with default controls.
     *
     * @param model a Gemini model id, as the configuration's keys list it
     * @param contents the user turn's parts, in order: {@code String}s and {@link ContentPart}s
     * @return the answer
     */
    public ChatResponse generateContent(String model, List<?> contents) {
        return generateContent(model, contents, GenerateContentControls.defaults());
    }

    /**
     * Google multimodal generation; see {@link #generateContent(String, List, GenerateContentControls)}. A fallback
     * chain is walked through its Google entries only (the request may carry PDFs, file URIs and Gemini controls that
     * other providers do not take); its other entries are skipped for this call.
     *
     * @param request the model, contents and controls
     * @return the answer
     */
    public ChatResponse generateContent(GenerateContentRequest request) {
        ensureCalls();
        return CallLoop.toResponse(
                engine,
                new CallLoop<ProviderReply>(
                                engine, engine.state(), request.toChatRequest(), "generate_content", GoogleRoutes::only)
                        .run(ProviderAdapter::send));
    }

    /**
     * {@link #generateContent(GenerateContentRequest)} streamed, as {@link #chatStream(ChatRequest)} streams a chat:
     * returns once the first chunk is in hand, rotating and retrying until then.
     *
     * @param request the model, contents and controls
     * @return the open stream, its first chunk already received; use it in try-with-resources
     */
    public ChatStream generateContentStream(GenerateContentRequest request) {
        ensureCalls();
        EngineState state = engine.state();
        ChatRequest chat = request.toChatRequest();
        CallLoop.Outcome<OpenedStream> outcome = new CallLoop<OpenedStream>(
                        engine, state, chat, "generate_content_stream", GoogleRoutes::only)
                .run(OpenedStream::open);
        return new ChatStream(engine, state, chat, GoogleRoutes::only, outcome);
    }

    /**
     * {@link #chatStream(ChatRequest)} as a {@link Flow.Publisher} running on the instance's executor.
     *
     * @param request the model, messages and per-call settings
     * @return a publisher for one subscriber; the call starts at its first request for data
     */
    public Flow.Publisher<StreamChunk> chatStreamPublisher(ChatRequest request) {
        ensureCalls();
        return new ChatStreamPublisher(this, request, asyncExecutor);
    }

    /**
     * Lends a healthy key of {@code provider} that serves {@code model} (any model when null) for a call the
     * application makes itself. Use it in try-with-resources and report the outcome on the lease.
     *
     * @param provider the provider id ({@code openai}, ...) whose key to lend
     * @param model the model the call is for, or null for any model
     * @return the lease, holding the key's secret until closed
     * @throws NoAvailableKeyException when no key of the provider is usable now
     * @throws dev.llmrotate.error.UnknownModelException when no active key of the provider lists {@code model}
     */
    public KeyLease acquire(String provider, String model) {
        ensureCalls();
        EngineState state = engine.state();
        List<KeySpec> keys;
        if (model == null) {
            state.config.provider(provider);
            keys = state.planner.keysOf(provider);
        } else {
            keys = state.planner.plan(model, provider).get(0).keys();
        }
        engine.begin();
        Route route = new Route(
                provider,
                model == null ? Route.ANY_MODEL : model,
                null,
                false,
                keys,
                state.config.provider(provider).forModel(model));
        long token = engine.nextCallToken();
        CallTrace trace = new CallTrace(engine.callId(token), "lease", model, null);
        trace.provider(provider);
        Duration hold = state.config.defaults().callDeadline();
        Set<String> skipped = new HashSet<>();
        while (true) {
            KeySelector.Selection selection =
                    engine.selector().select(route, state.strategy, skipped, token, hold.toNanos());
            if (selection == null) {
                NoAvailableKeyException e = new NoAvailableKeyException(
                        "no available key of provider '" + provider + "'"
                                + (model == null ? "" : " for model '" + model + "'"),
                        model,
                        engine.health(),
                        engine.selector().earliestAvailable(route, skipped),
                        provider,
                        null,
                        null);
                engine.finish(trace.failure(engine.now(), CallRecord.NO_AVAILABLE_KEY, null));
                throw e;
            }
            String secret = engine.secrets().resolveOrWarn(selection.key());
            String modelScope = route.modelScope(selection.index());
            if (secret != null) {
                trace.lease(selection.key(), secret, model);
                return new KeyLease(engine, selection.key(), model, modelScope, secret, route.settings(), token, trace);
            }
            engine.healthBook().released(selection.key(), modelScope, token);
            skipped.add(selection.key().keyId());
        }
    }

    /**
     * Any key of {@code provider}; see {@link #acquire(String, String)}.
     *
     * @param provider the provider id ({@code openai}, ...) whose key to lend
     * @return the lease, holding the key's secret until closed
     */
    public KeyLease acquire(String provider) {
        return acquire(provider, null);
    }

    /**
     * Swaps the configuration on the live instance: keys that remain keep their health (DISABLED ones get another
     * chance), removed keys are forgotten. Calls in flight finish on the configuration they started with.
     *
     * @param config the configuration to use from now on
     * @throws ConfigurationException when a provider of the new configuration has no adapter
     * @throws IllegalStateException after {@link #close()}
     */
    public void reloadConfig(LlmRotateConfig config) {
        ensureOpen();
        engine.reload(config);
    }

    /**
     * The configuration in force.
     *
     * @return the configuration given last, to the builder or to {@link #reloadConfig}
     */
    public LlmRotateConfig config() {
        return engine.state().config;
    }

    /**
     * Health of every active key and availability per provider, now.
     *
     * @return a snapshot
     */
    public HealthReport health() {
        return engine.health();
    }

    /**
     * Usage counters since start (or shared, with a shared state store).
     *
     * @return a snapshot of the counters, overall and per provider, model, key and caller
     */
    public UsageSummary usageSummary() {
        return engine.store().usageSummary();
    }

    /**
     * Usage of the calls that ended in {@code [from, until)}, overall and per provider, model, key (per the
     * configured model a call used; {@value CallRecord#UNKNOWN_MODEL} for models no key lists) and caller ({@link
     * UsageSummary#byCaller()}). Counted to the minute for a frame within the last day, to the hour before that
     * ({@code from} rounded down, {@code until} up). With a shared store (Redis), the calls of every process sharing
     * it.
     *
     * <pre>{@code
     * Instant now = Instant.now();
     * UsageSummary lastHour = lm.usageSummary(now.minus(Duration.ofHours(1)), now);
     * }</pre>
     *
     * @param from the start of the frame, inclusive
     * @param until the end of the frame, exclusive
     * @return the usage of the calls that ended in the frame
     * @throws IllegalArgumentException when {@code from} or {@code until} is null, {@code from} is not before
     *     {@code until}, or {@code from} is more than 30 days ago (usage is kept 30 days)
     */
    public UsageSummary usageSummary(Instant from, Instant until) {
        return UsageFrames.summary(engine.store(), engine.now(), from, until);
    }

    /**
     * Usage over time: one point per {@code bucket} of {@code [from, until)} (widened to whole buckets), oldest
     * first, empty buckets included; each with calls, failures by type, tokens, cost, latency percentiles and time to
     * first chunk of the calls {@code filter} passes. Minute buckets are kept for a day and hour buckets for 30 days,
     * so {@code bucket} is a whole number of minutes (1m, 5m, 15m) for a frame starting within the last day, and a
     * whole number of hours (1h, 1d) for any frame within 30 days.
     *
     * <pre>{@code
     * Instant now = Instant.now();
     * UsageSeries day = lm.usageSeries(now.minus(Duration.ofDays(1)), now, Duration.ofMinutes(5), UsageFilter.ALL);
     * UsageSeries week = lm.usageSeries(now.minus(Duration.ofDays(7)), now, Duration.ofHours(1), UsageFilter.key("openai-1"));
     * UsageSeries team = lm.usageSeries(now.minus(Duration.ofDays(1)), now, Duration.ofHours(1), UsageFilter.caller("gw-team-a"));
     * }</pre>
     *
     * @param from the start of the frame, inclusive
     * @param until the end of the frame, exclusive
     * @param bucket the length of each point
     * @param filter which calls count ({@link UsageFilter#ALL} for every call)
     * @return the points and the widened frame
     * @throws IllegalArgumentException naming the problem: a null or empty frame, a null filter, a bucket that is
     *     not a positive whole number of minutes, a sub-hour bucket for a frame reaching back more than a day, a
     *     frame reaching back more than 30 days, or more than 10,000 points
     */
    public UsageSeries usageSeries(Instant from, Instant until, Duration bucket, UsageFilter filter) {
        return UsageFrames.series(engine.store(), engine.now(), from, until, bucket, filter);
    }

    /**
     * The key's state changes in {@code [from, until)}, newest first, at most {@code limit}: its key-wide changes
     * (auth, permission, quota; resets) and those of each of its models (rate limits, outages, unavailable models),
     * with their causes, Retry-After values and rest ends. The last {@value StateStore#HISTORY_PER_SCOPE} changes
     * are kept for the key and for each of its models. With a shared store (Redis), the changes every process made.
     *
     * @param keyId the key's {@code key_id} in the configuration
     * @param from the start of the frame, inclusive
     * @param until the end of the frame, exclusive
     * @param limit the most changes to return, 1 to {@value #MAX_HISTORY}
     * @return the changes, newest first
     * @throws IllegalArgumentException when {@code keyId} is not a key of the configuration, the frame is null or
     *     empty, or {@code limit} is not between 1 and {@value #MAX_HISTORY}
     */
    public List<KeyStateChange> keyHistory(String keyId, Instant from, Instant until, int limit) {
        UsageFrames.checkFrame(engine.now(), from, until);
        if (limit < 1 || limit > MAX_HISTORY) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_HISTORY + ", got " + limit);
        }
        KeySpec key = engine.state().config.keys().stream()
                .filter(k -> k.keyId().equals(keyId))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("keyId: no key '" + keyId + "' in the configuration"));
        List<String> scopes = new ArrayList<>();
        scopes.add(key.keyId());
        key.models().forEach(model -> scopes.add(HealthScope.of(key.keyId(), model)));
        return engine.store().stateChanges(scopes, from, until, limit);
    }

    /** The most changes {@link #keyHistory} returns at once. */
    public static final int MAX_HISTORY = 1000;

    /**
     * Switches the event buffer on with room for {@code capacity} records (replacing an existing buffer), or off
     * with 0. Off by default; while off, calls keep no records in memory.
     *
     * @param capacity the most records kept, 1 to 200,000, or 0 to switch the buffer off
     * @throws ConfigurationException when {@code capacity} is out of range
     * @throws IllegalStateException on an {@linkplain #observe observer}, which keeps no records of its own (it reads
     *     the workers' records from the store)
     */
    public void eventBuffer(int capacity) {
        if (engine.observer()) {
            throw new IllegalStateException("eventBuffer on an observer (LlmRotate.observe), which makes no calls: the"
                    + " records it shows are those the workers keep in the shared store (their event_buffer)");
        }
        if (capacity < 0 || capacity > EventBuffer.MAX_CAPACITY) {
            throw new ConfigurationException(
                    "event buffer capacity must be between 0 and " + EventBuffer.MAX_CAPACITY + ", got " + capacity);
        }
        engine.eventBuffer(capacity == 0 ? null : new EventBuffer(capacity));
    }

    /**
     * How many records the event buffer keeps now: 0 while it is off (the default), else the capacity given to
     * {@link #eventBuffer(int)}, the builder or the configuration's {@code event_buffer}. Lets a viewer such as the
     * control server tell an empty buffer from one that is off. On an {@linkplain #observe observer}, the
     * configuration's {@code event_buffer}: what the workers sharing the configuration keep in the store.
     *
     * @return the buffer's capacity in records, 0 when off
     */
    public int eventBufferCapacity() {
        if (engine.observer()) {
            return engine.state().config.eventBufferCapacity();
        }
        EventBuffer buffer = engine.eventBuffer();
        return buffer == null ? 0 : buffer.capacity();
    }

    /**
     * Up to {@code limit} of the most recent call records, newest first; empty while the event buffer is off. On an
     * {@linkplain #observe observer}, the records the workers sharing the store keep there (workers with the event
     * buffer on, with a store that keeps records, such as Redis).
     *
     * @param limit the most records to return
     * @return the records, newest first; never null
     */
    public List<CallRecord> recentCalls(int limit) {
        if (engine.observer()) {
            return engine.store().recentCalls(limit);
        }
        EventBuffer buffer = engine.eventBuffer();
        return buffer == null ? List.of() : buffer.recent(limit);
    }

    /**
     * Registers {@code listener} to receive every finished call's {@link CallRecord} (also the records of leases),
     * after the record has gone to the usage counters, the usage log, the event buffer and telemetry. Listeners run
     * on the thread that ends the call, in the order registered, concurrently for concurrent calls: keep them short
     * and thread-safe, and never block in them. A listener that throws is logged on {@code llm_rotate.telemetry} (a
     * warning the first time, then at debug level) and does not affect the call or the other listeners. The record's
     * {@code requestedModel} is what the caller sent; bound by the configuration whatever you derive from it.
     *
     * @param listener gets each record once
     * @return a handle whose {@code close()} unregisters the listener (closing it again does nothing)
     */
    public Subscription onCall(java.util.function.Consumer<CallRecord> listener) {
        return engine.callListeners().add(listener);
    }

    /** A registration made with {@link #onCall}; {@link #close()} ends it and throws nothing. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        /** Unregisters the listener; calls that end afterwards do not reach it. Idempotent. */
        @Override
        void close();
    }

    /**
     * Operator action: makes a key ACTIVE again with a clean record (e.g. after replacing a revoked secret).
     *
     * @param keyId the {@code key_id} of an active key
     * @throws ConfigurationException when no active key has that id
     * @throws IllegalStateException on an {@linkplain #observe observer}, which writes nothing
     */
    public void resetKey(String keyId) {
        if (engine.observer()) {
            throw new IllegalStateException("resetKey on an observer (LlmRotate.observe), which writes nothing to the"
                    + " shared store; reset the key from a process that makes calls");
        }
        engine.resetKey(keyId);
    }

    /**
     * Stops the instance: new calls fail with {@link IllegalStateException} at once; calls in flight (streams and
     * leases included) may finish within the shutdown grace period ({@link LlmRotateBuilder#shutdownGracePeriod},
     * 5 s by default); then their records are flushed to the state store and the store is closed, an owned executor
     * is shut down and the HTTP client of the built-in adapters is closed (once the late calls below have ended). A
     * call still running after the grace period ends normally and keeps its record in the log; only its store update
     * may be lost (one warning). Calling it again does nothing.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        boolean drained = engine.drain(shutdownGrace);
        if (!drained) {
            LOG.warn(
                    "closing with {} calls still in flight after the shutdown grace period of {}",
                    engine.inFlight(),
                    shutdownGrace);
        }
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
        try {
            engine.store().close();
        } catch (RuntimeException e) {
            LOG.warn("closing the state store failed: {}", e.toString());
        }
        if (httpClient == null) {
            return;
        }
        if (drained) {
            closeHttpClient();
        } else {
            // The late calls still end normally, retries included: their client is closed once they have.
            Thread closer = new Thread(
                    () -> {
                        while (!engine.drain(Duration.ofMinutes(1))) {
                            // a stream the application keeps open holds the client
                        }
                        closeHttpClient();
                    },
                    "llm-rotate-http-close");
            closer.setDaemon(true);
            closer.start();
        }
    }

    private void closeHttpClient() {
        try {
            httpClient.close();
        } catch (Exception e) {
            LOG.warn("closing the HTTP client failed: {}", e.toString());
        }
    }

    /**
     * True for a read-only view made by {@link #observe} or {@link LlmRotateBuilder#buildObserver()}: it shows what
     * the processes sharing its state store do and makes no calls of its own.
     *
     * @return whether this instance is an observer
     */
    public boolean isObserver() {
        return engine.observer();
    }

    /** Open, and not an observer. */
    private void ensureCalls() {
        ensureOpen();
        if (engine.observer()) {
            throw new IllegalStateException("this LlmRotate is an observer (LlmRotate.observe): it shows the shared"
                    + " state store and makes no calls; call through an instance built with LlmRotate.create or"
                    + " LlmRotate.builder().build()");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this LlmRotate instance is closed");
        }
    }

    @Override
    public String toString() {
        return "LlmRotate[" + engine.state().config + (engine.observer() ? ", observer" : "")
                + (closed ? ", closed" : "") + "]";
    }
}

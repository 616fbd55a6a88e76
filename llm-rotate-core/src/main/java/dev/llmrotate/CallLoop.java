package dev.llmrotate;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.internal.select.KeySelector;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One call, start to end, as a small state machine: {@link #next()} says what to do (make an attempt, wait, or
 * deliver the outcome); {@link #attemptSucceeded} and {@link #attemptFailed} feed back what happened. The same
 * decisions drive a blocking call on the caller's thread ({@link #run()}) and an asynchronous one ({@link #runAsync}).
 *
 * <p>The policy, in order: routes are walked native first, then the fallback chain. On a route, a key-level failure
 * rotates to another key now; a transient failure retries with backoff, preferring another key, up to {@code
 * max_retries} per route; a silent route (timeout, no first chunk) fails over to the next route at once and is
 * retried only when no other route can serve; a prompt too long for the model goes to the next route with another
 * model. When a route has no usable key, the call waits for one of its keys if it comes back within {@code
 * wait_before_fallback_seconds} (a short Retry-After), else moves on. When every route is exhausted, the call waits
 * for the earliest key within {@code max_wait_for_key_seconds}, or fails. The call deadline bounds everything.
 *
 * <p>A failed call is recorded here; a successful one by the caller of {@link #run()} once it is complete (a stream
 * only at its end), so that every call leaves exactly one record.
 *
 * @param <T> what a successful attempt yields: a reply, or an opened stream
 */
final class CallLoop<T> {
    /** Makes one attempt with an adapter; throws {@link ProviderException} when it fails. */
    @FunctionalInterface
    interface AttemptRunner<T> {
        T run(ProviderAdapter adapter, Attempt attempt);
    }

    /** Starts one attempt asynchronously; the future fails with {@link ProviderException} when the attempt does. */
    @FunctionalInterface
    interface AsyncAttemptRunner<T> {
        CompletableFuture<T> start(ProviderAdapter adapter, Attempt attempt);
    }

    /** A successful attempt and what the call went through to get it. */
    record Outcome<T>(Route route, KeySpec key, String secret, T value, CallTrace trace, long callToken) {
        String keyMask() {
            return trace.keyMask();
        }

        /** The (key, model) health scope of the key that answered. */
        String modelScope() {
            return route.modelScope(route.keys().indexOf(key));
        }
    }

    /** What to do next: an attempt to make, or a wait. */
    private sealed interface Step {}

    private record MakeAttempt(ProviderAdapter adapter, Attempt attempt) implements Step {}

    private record Wait(Duration duration) implements Step {}

    private final Engine engine;
    private final EngineState state;
    private final ChatRequest request;
    private final UnaryOperator<List<Route>> routeFilter;
    private final CallTrace trace;
    private final long token;
    private final long deadlineNanos;
    private final int maxRetries;
    /** False for a stream recovery's continuation, whose call is recorded by its stream. */
    private final boolean recordsFailures;

    private List<Route> routes;
    // Per-route bookkeeping (the index of {@link #routes}): created together by markRoutes() at the first failure or
    // wait, null on the common path (the first attempt answers), where all of them would stay zero.
    /** Retries used per route. */
    private int[] retries;
    /** Routes that went silent (a timeout): skipped until no other route can serve. */
    private boolean[] silent;
    /** Nanoseconds waited per route for one of its keys to come back before falling back. */
    private long[] waitedBeforeFallback;

    private int routeIndex;
    /** True while walking only the silent routes, after every route was tried once. */
    private boolean silentPass;
    /** In a silent pass, the routes being retried there. */
    private boolean[] retrying;
    /** A backoff to wait before the next attempt, or null. */
    private Duration pendingWait;

    /**
     * Scopes (a key id for key-wide failures, a (key, model) scope for the others) that failed this call: not tried
     * again unless a wait brings them back. Empty (and not allocated) on the common path.
     */
    private Map<String, ErrorType> excluded = Map.of();
    /** Scopes that failed transiently this call: retries prefer other keys while one can serve. */
    private Set<String> avoided = Set.of();
    /** Models whose context window the prompt exceeded: routes to them are skipped. */
    private Set<String> tooSmallModels = Set.of();

    private List<String> unresolvedSecrets = List.of();
    private boolean rotatedLast;
    private boolean transientExhausted;
    private Duration waitedForKeys = Duration.ZERO;
    private ProviderException lastFailure;

    // The attempt in progress.
    private Route attemptRoute;
    private int attemptKeyIndex;
    private KeySpec attemptKey;
    private String attemptSecret;
    private Telemetry.Attempt span;
    /** Whether {@link #span} is still to be ended: exactly once, also when a cancel races the attempt's end. */
    private boolean spanOpen;

    CallLoop(Engine engine, EngineState state, ChatRequest request, String operation) {
        this(engine, state, request, operation, UnaryOperator.identity());
    }

    /** A call whose planned routes pass through {@code routeFilter} first (it may drop routes or reject the call). */
    CallLoop(
            Engine engine,
            EngineState state,
            ChatRequest request,
            String operation,
            UnaryOperator<List<Route>> routeFilter) {
        this(engine, state, request, routeFilter, null, engine.nextCallToken(), operation);
    }

    /**
     * The continuation of a streamed call after a break (stream recovery): its attempts join the broken stream's
     * trace, its deadline starts now, and a failure is not recorded here (the stream ends the call and records it
     * once). The (key, model) that broke is avoided while another key can serve: a strategy that ranks keys by
     * order alone (priority) would otherwise pick it again, and a key that just cut a stream is the likeliest to cut
     * the next.
     */
    static CallLoop<OpenedStream> continuation(
            Engine engine,
            EngineState state,
            ChatRequest request,
            UnaryOperator<List<Route>> routeFilter,
            Outcome<OpenedStream> broken) {
        CallLoop<OpenedStream> loop = new CallLoop<>(
                engine, state, request, routeFilter, broken.trace(), broken.callToken(), broken.trace().operation);
        String modelScope = broken.modelScope();
        loop.avoid(modelScope != null ? modelScope : broken.key().keyId());
        return loop;
    }

    private CallLoop(
            Engine engine,
            EngineState state,
            ChatRequest request,
            UnaryOperator<List<Route>> routeFilter,
            CallTrace continued,
            long callToken,
            String operation) {
        this.engine = engine;
        this.routeFilter = routeFilter;
        this.state = state;
        this.request = request;
        this.token = callToken;
        this.recordsFailures = continued == null;
        if (continued == null) {
            engine.begin();
        }
        this.trace = continued != null
                ? continued
                : new CallTrace(engine.callId(token), operation, request.model(), request.caller());
        Duration deadline = request.deadline() != null
                ? request.deadline()
                : state.config.defaults().callDeadline();
        this.deadlineNanos = (continued != null ? System.nanoTime() : trace.startNanos) + deadline.toNanos();
        this.maxRetries = request.maxRetries() != null
                ? request.maxRetries()
                : state.config.defaults().maxRetries();
    }

    /** Runs the call on this thread: attempts are made by {@code runner}, waits sleep. */
    Outcome<T> run(AttemptRunner<T> runner) {
        try {
            while (true) {
                Step step = next();
                if (step instanceof Wait wait) {
                    sleep(wait.duration());
                    continue;
                }
                MakeAttempt make = (MakeAttempt) step;
                T value;
                try {
                    value = runner.run(make.adapter(), make.attempt());
                } catch (CallCancelledException cancelled) {
                    // The caller's thread was interrupted: the adapter aborted the exchange.
                    engine.healthBook().released(attemptKey, attemptRoute.modelScope(attemptKeyIndex), token);
                    endSpanUnjudged();
                    throw interrupted();
                } catch (ProviderException failure) {
                    if (Thread.currentThread().isInterrupted()) {
                        // The caller interrupted this thread: nothing is known about the key.
                        engine.healthBook().released(attemptKey, attemptRoute.modelScope(attemptKeyIndex), token);
                        endSpanUnjudged();
                        throw interrupted();
                    }
                    attemptFailed(failure);
                    continue;
                } catch (RuntimeException | Error e) {
                    attemptBroke();
                    throw e;
                }
                ProviderException invalid = invalidReply(value);
                if (invalid != null) {
                    attemptFailed(invalid);
                    continue;
                }
                return attemptSucceeded(value);
            }
        } catch (CallInterrupted e) {
            cancelled();
            throw e.exception;
        } catch (RuntimeException | Error e) {
            throw recordFailure(e);
        }
    }

    /** Ends a blocking call whose thread was interrupted; recorded as {@code cancelled}. */
    private static final class CallInterrupted extends RuntimeException {
        final LlmRotateException exception;

        CallInterrupted(LlmRotateException exception) {
            super(null, null, false, false);
            this.exception = exception;
        }
    }

    private CallInterrupted interrupted() {
        KeySpec lastKey = trace.key();
        return new CallInterrupted(new LlmRotateException(
                "call interrupted after " + trace.attempts + " attempts",
                lastKey == null ? null : lastKey.provider(),
                null,
                trace.keyDescription()));
    }

    /**
     * Runs the call without blocking a thread: attempts are started by {@code runner}, waits are scheduled on
     * {@code executor}. Cancelling the returned future cancels the attempt in flight and records the call as {@code
     * cancelled}.
     */
    CompletableFuture<Outcome<T>> runAsync(AsyncAttemptRunner<T> runner, Executor executor) {
        AsyncCall call = new AsyncCall(runner, executor);
        call.drive();
        return call.result;
    }

    /** The asynchronous driver: one step at a time, each continued from the completion of the last. */
    private final class AsyncCall {
        final CompletableFuture<Outcome<T>> result = new CompletableFuture<>();
        final AsyncAttemptRunner<T> runner;
        final Executor executor;
        volatile CompletableFuture<T> inFlight;

        AsyncCall(AsyncAttemptRunner<T> runner, Executor executor) {
            this.runner = runner;
            this.executor = executor;
            result.whenComplete((outcome, failure) -> {
                if (failure instanceof CancellationException) {
                    CompletableFuture<T> attempt = inFlight;
                    if (attempt != null) {
                        attempt.cancel(true);
                    }
                    cancelled();
                }
            });
        }

        void drive() {
            try {
                while (!result.isDone()) {
                    Step step = next();
                    if (step instanceof Wait wait) {
                        CompletableFuture.delayedExecutor(wait.duration().toNanos(), TimeUnit.NANOSECONDS, executor)
                                .execute(this::drive);
                        return;
                    }
                    MakeAttempt make = (MakeAttempt) step;
                    CompletableFuture<T> attempt = runner.start(make.adapter(), make.attempt());
                    inFlight = attempt;
                    if (result.isDone()) {
                        attempt.cancel(true);
                        return;
                    }
                    if (!attempt.isDone()) {
                        attempt.whenComplete((value, failure) -> executor.execute(() -> completed(value, failure)));
                        return;
                    }
                    if (!completedNow(attempt)) {
                        return;
                    }
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }

        /** An attempt that finished synchronously: true to go on driving from here. */
        private boolean completedNow(CompletableFuture<T> attempt) {
            T value;
            try {
                value = attempt.join();
            } catch (CompletionException | CancellationException e) {
                return failedAttempt(e instanceof CompletionException ? e.getCause() : e);
            }
            ProviderException invalid = invalidReply(value);
            if (invalid != null) {
                attemptFailed(invalid);
                return true;
            }
            result.complete(attemptSucceeded(value));
            return false;
        }

        private void completed(T value, Throwable failure) {
            if (result.isDone()) {
                return; // cancelled meanwhile: recorded by the cancellation
            }
            try {
                if (failure == null) {
                    ProviderException invalid = invalidReply(value);
                    if (invalid == null) {
                        result.complete(attemptSucceeded(value));
                        return;
                    }
                    failure = invalid;
                }
                if (failedAttempt(failure instanceof CompletionException ? failure.getCause() : failure)) {
                    drive();
                }
            } catch (RuntimeException | Error e) {
                fail(e);
            }
        }

        /** Feeds a failed attempt to the policy; true to go on, false when the call has ended. */
        private boolean failedAttempt(Throwable cause) {
            if (result.isDone()) {
                return false;
            }
            if (cause instanceof ProviderException failure) {
                attemptFailed(failure);
                return true;
            }
            attemptBroke();
            if (cause instanceof RuntimeException e) {
                throw e;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            throw new LlmRotateException(
                    "attempt failed: " + cause, attemptRoute.provider(), ErrorType.UNKNOWN, trace.keyDescription());
        }

        private void fail(Throwable e) {
            if (!result.isDone()) {
                result.completeExceptionally(recordFailure(e));
            }
        }
    }

    /** Decides the next step. */
    private Step next() {
        if (routes == null) {
            plan();
        }
        if (pendingWait != null) {
            Duration wait = pendingWait;
            pendingWait = null;
            return new Wait(wait);
        }
        while (true) {
            if (routeIndex >= routes.size()) {
                Step end = endOfPass();
                if (end != null) {
                    return end;
                }
                continue;
            }
            Route route = routes.get(routeIndex);
            if (!walkable(routeIndex)) {
                routeIndex++;
                continue;
            }
            long remaining = remainingNanos();
            KeySelector.Selection selection = select(route, remaining);
            if (selection == null) {
                Duration wait = waitBeforeFallback(route, remaining);
                if (wait != null) {
                    markRoutes();
                    waitedBeforeFallback[routeIndex] += wait.toNanos();
                    clearRateLimitExclusions();
                    return new Wait(wait);
                }
                routeIndex++;
                continue;
            }
            KeySpec key = selection.key();
            int keyIndex = selection.index();
            String secret = engine.secrets().resolveOrWarn(key);
            if (secret == null) {
                engine.healthBook().released(key, route.modelScope(keyIndex), token);
                exclude(key.keyId(), ErrorType.INVALID_AUTH);
                if (unresolvedSecrets.isEmpty()) {
                    unresolvedSecrets = new ArrayList<>(2);
                }
                unresolvedSecrets.add(key.keyId());
                continue;
            }
            return attempt(route, keyIndex, key, secret, remaining);
        }
    }

    private void plan() {
        routes = engine.qualifying(routeFilter.apply(state.planner.plan(request.model(), request.provider())), request);
    }

    /** Creates the per-route bookkeeping when the call first needs it (a failure or a wait). */
    private void markRoutes() {
        if (retries == null) {
            retries = new int[routes.size()];
            silent = new boolean[routes.size()];
            retrying = new boolean[routes.size()];
            waitedBeforeFallback = new long[routes.size()];
        }
    }

    /** Whether the route at {@code index} may be walked in the current pass. */
    private boolean walkable(int index) {
        Route route = routes.get(index);
        if (!tooSmallModels.isEmpty() && tooSmallModels.contains(route.model())) {
            return false;
        }
        if (silentPass) {
            return retrying[index];
        }
        return retries == null || (!silent[index] && retries[index] <= maxRetries);
    }

    /**
     * Every route of the pass is exhausted: retry the silent ones (each retry uses one of its route's retries), then
     * wait for a key, or fail.
     */
    private Step endOfPass() {
        routeIndex = 0;
        if (retrying != null) {
            Arrays.fill(retrying, false);
        }
        if (startSilentPass()) {
            silentPass = true;
            return null;
        }
        silentPass = false;
        Duration wait = waitForEarliestKey();
        if (wait == null) {
            throw exhausted();
        }
        waitedForKeys = waitedForKeys.plus(wait);
        return new Wait(wait);
    }

    private boolean startSilentPass() {
        if (silent == null) {
            return false;
        }
        boolean any = false;
        for (int i = 0; i < routes.size(); i++) {
            if (silent[i]) {
                if (retries[i] < maxRetries) {
                    retries[i]++;
                    silent[i] = false;
                    retrying[i] = true;
                    any = true;
                } else {
                    transientExhausted = true;
                }
            }
        }
        return any;
    }

    private KeySelector.Selection select(Route route, long remaining) {
        if (!avoided.isEmpty()) {
            Set<String> avoiding = new HashSet<>(excluded.keySet());
            avoiding.addAll(avoided);
            KeySelector.Selection other = engine.selector().select(route, state.strategy, avoiding, token, remaining);
            if (other != null) {
                return other;
            }
        }
        return engine.selector().select(route, state.strategy, excluded.keySet(), token, remaining);
    }

    /**
     * How long to wait for a key of this route to come back before moving on: a key resting only briefly (a short
     * Retry-After) is better than a fallback to another model. Null to move on now.
     */
    private Duration waitBeforeFallback(Route route, long remaining) {
        long budget = state.config.defaults().waitBeforeFallback().toNanos()
                - (waitedBeforeFallback == null ? 0 : waitedBeforeFallback[routeIndex]);
        if (budget <= 0) {
            return null;
        }
        Instant at = engine.selector().earliestAfterRateLimit(route, exclusionsOtherThan(ErrorType.RATE_LIMIT));
        if (at == null) {
            return null;
        }
        long wait = Math.max(Duration.between(engine.now(), at).toNanos(), 1_000_000L);
        if (wait > budget || wait >= remaining) {
            return null;
        }
        return Duration.ofNanos(wait);
    }

    private Set<String> exclusionsOtherThan(ErrorType type) {
        if (excluded.isEmpty() || !excluded.containsValue(type)) {
            return excluded.keySet();
        }
        Set<String> others = new HashSet<>();
        excluded.forEach((scope, cause) -> {
            if (cause != type) {
                others.add(scope);
            }
        });
        return others;
    }

    private void clearRateLimitExclusions() {
        if (!excluded.isEmpty()) {
            excluded.values().removeIf(type -> type == ErrorType.RATE_LIMIT);
        }
    }

    private Step attempt(Route route, int keyIndex, KeySpec key, String secret, long remaining) {
        ProviderSettings settings = route.settings();
        attemptRoute = route;
        attemptKeyIndex = keyIndex;
        attemptKey = key;
        attemptSecret = secret;
        trace.attempt(route, key, engine.secrets().mask(key, secret));
        Attempt attempt = new Attempt(
                route.model().equals(request.model()) ? request : request.withModel(route.model()),
                key,
                secret,
                settings,
                route.upstream(),
                attemptTimeout(settings.requestTimeout(), remaining),
                deadlineNanos);
        openSpan(engine.telemetry()
                .attemptStarted(
                        trace.operation,
                        route.provider(),
                        request.model(),
                        route.model(),
                        key.keyId(),
                        trace.attempts,
                        rotatedLast));
        return new MakeAttempt(engine.adapter(route.provider()), attempt);
    }

    /**
     * A 2xx reply that says nothing (no content, no tool call, no finish reason) is a failed attempt, not an empty
     * success; null for a good answer.
     */
    private static ProviderException invalidReply(Object value) {
        if (value instanceof ProviderReply reply && reply.content().isEmpty() && reply.finishReason() == null) {
            return new ProviderException(
                    ErrorType.INVALID_RESPONSE,
                    200,
                    null,
                    "the reply has no content, no tool call and no finish reason");
        }
        return null;
    }

    /** The attempt answered: the keys' health is updated and the call's outcome returned. */
    private Outcome<T> attemptSucceeded(T value) {
        if (closeSpan()) {
            succeeded(span, attemptRoute.model(), value);
        }
        engine.healthBook().succeeded(attemptKey, attemptRoute.modelScope(attemptKeyIndex), token);
        return new Outcome<>(attemptRoute, attemptKey, attemptSecret, value, trace, token);
    }

    /** Ends an attempt's telemetry with what the answer tells: a reply's model, usage and finish reason. */
    private static void succeeded(Telemetry.Attempt span, String routeModel, Object value) {
        if (value instanceof ProviderReply reply) {
            span.succeeded(reply.model() != null ? reply.model() : routeModel, reply.usage(), reply.finishReason());
        } else if (value instanceof OpenedStream opened && opened.first().model() != null) {
            span.succeeded(opened.first().model(), null, null);
        } else {
            span.succeeded(routeModel, null, null);
        }
    }

    /** The attempt failed: health is updated and the policy decides (the next {@link #next()} acts on it). */
    private void attemptFailed(ProviderException raw) {
        ProviderException failure = new ProviderException(
                raw.type(),
                raw.httpStatus(),
                raw.retryAfter(),
                Secrets.scrub(raw.getMessage(), Secrets.scrubbable(attemptKey, attemptSecret)));
        if (closeSpan()) {
            span.failed(failure.type(), failure.httpStatus());
        }
        lastFailure = failure;
        trace.failed(failure);
        Route route = attemptRoute;
        String modelScope = route.modelScope(attemptKeyIndex);
        engine.healthBook()
                .failed(attemptKey, modelScope, failure.type(), failure.retryAfter(), route.settings(), token);
        decideAfterFailure(route, attemptKey, modelScope, failure);
    }

    /** The adapter threw something other than a classified failure (a bug): the attempt ends, nothing is judged. */
    private void attemptBroke() {
        endSpanUnjudged();
        engine.healthBook().released(attemptKey, attemptRoute.modelScope(attemptKeyIndex), token);
    }

    private void decideAfterFailure(Route route, KeySpec key, String modelScope, ProviderException failure) {
        rotatedLast = false;
        markRoutes();
        ErrorType type = failure.type();
        String scope = type.keyWide() || modelScope == null ? key.keyId() : modelScope;
        switch (type.action()) {
            case ROTATE -> {
                exclude(scope, type);
                trace.rotations++;
                rotatedLast = true;
                engine.telemetry().keyRotated(route.provider(), key.keyId(), type);
            }
            case RETRY_WITH_BACKOFF -> {
                if (retries[routeIndex] >= maxRetries) {
                    transientExhausted = true;
                    retries[routeIndex]++; // marks the route as spent for this call
                    routeIndex++;
                    return;
                }
                retries[routeIndex]++;
                avoid(scope);
                Duration delay = state.backoff.delay(retries[routeIndex]);
                if (delay.toNanos() >= remainingNanos()) {
                    throw failed(route.provider(), failure, " (no time left for retry " + retries[routeIndex] + ")");
                }
                if (!delay.isZero()) {
                    pendingWait = delay;
                }
            }
            case FAIL_OVER -> {
                // The route accepted the request and went silent: do not spend another full timeout on it while
                // another route can serve.
                silent[routeIndex] = true;
                retrying[routeIndex] = false;
                avoid(scope);
                routeIndex++;
            }
            case NEXT_MODEL -> {
                if (tooSmallModels.isEmpty()) {
                    tooSmallModels = new HashSet<>(2);
                }
                tooSmallModels.add(route.model());
                if (!anyRouteLeftWithAnotherModel()) {
                    throw failed(route.provider(), failure, "");
                }
                routeIndex++;
            }
            case NEXT_ROUTE -> routeIndex++;
            default -> throw failed(route.provider(), failure, "");
        }
    }

    private boolean anyRouteLeftWithAnotherModel() {
        for (int i = routeIndex + 1; i < routes.size(); i++) {
            if (!tooSmallModels.contains(routes.get(i).model())) {
                return true;
            }
        }
        return false;
    }

    private void avoid(String scope) {
        if (avoided.isEmpty()) {
            avoided = new HashSet<>(4);
        }
        avoided.add(scope);
    }

    private void exclude(String scope, ErrorType cause) {
        if (excluded.isEmpty()) {
            excluded = new HashMap<>(4);
        }
        excluded.put(scope, cause);
    }

    /** Completes a chat call: counts its tokens against the key's budget, records it, builds the response. */
    static ChatResponse toResponse(Engine engine, Outcome<ProviderReply> outcome) {
        ProviderReply reply = outcome.value();
        Route route = outcome.route();
        Usage usage = reply.usage() == null ? Usage.UNREPORTED : reply.usage();
        String model = reply.model() != null ? reply.model() : route.model();
        outcome.trace().toolCalls(reply.toolCalls());
        engine.completeCall(outcome.trace(), outcome.key(), model, usage);
        return new ChatResponse(
                reply.content(),
                route.provider(),
                route.upstream(),
                model,
                outcome.key().keyId(),
                outcome.keyMask(),
                reply.finishReason() == null ? FinishReason.UNKNOWN : reply.finishReason(),
                usage,
                Duration.ofNanos(System.nanoTime() - outcome.trace().startNanos),
                outcome.trace().attempts,
                outcome.trace().rotations,
                route.fallback(),
                reply.responseId(),
                reply.toolCalls(),
                reply.reasoning(),
                outcome.trace().callId);
    }

    /**
     * Every route is exhausted without an answer. Waits for the earliest key when no key was usable (rather than
     * retries running out), the wait fits the call's deadline and {@code max_wait_for_key}; null to fail.
     */
    private Duration waitForEarliestKey() {
        if (transientExhausted && lastFailure != null) {
            return null;
        }
        clearRateLimitExclusions();
        Instant earliest = earliestAvailable();
        if (earliest == null) {
            return null;
        }
        // At least a short pause, so that a key that looks available but cannot be claimed never causes a spin.
        Duration wait = max(Duration.between(engine.now(), earliest), Duration.ofMillis(10));
        Duration budget = state.config.defaults().maxWaitForKey().minus(waitedForKeys);
        if (wait.compareTo(budget) > 0 || wait.toNanos() >= remainingNanos()) {
            return null;
        }
        return wait;
    }

    private Instant earliestAvailable() {
        Instant earliest = null;
        for (int i = 0; i < routes.size(); i++) {
            Route route = routes.get(i);
            if (!tooSmallModels.isEmpty() && tooSmallModels.contains(route.model())) {
                continue;
            }
            Instant at = engine.selector().earliestAvailable(route, excluded.keySet());
            if (at != null && (earliest == null || at.isBefore(earliest))) {
                earliest = at;
            }
        }
        return earliest;
    }

    private LlmRotateException exhausted() {
        KeySpec lastKey = trace.key();
        if (transientExhausted && lastFailure != null) {
            return failed(lastKey.provider(), lastFailure, " (after " + maxRetries + " retries per route)");
        }
        String last = lastFailure == null
                ? ""
                : "; last failure: " + lastFailure.type().wireName() + " on " + trace.keyDescription() + ": "
                        + lastFailure.getMessage();
        String skipped = unresolvedSecrets.isEmpty()
                ? ""
                : "; skipped because their secret cannot be resolved or used: " + unresolvedSecrets;
        return new NoAvailableKeyException(
                "no available key for model '" + request.model() + "' on " + routes + " after " + trace.attempts
                        + " attempts" + last + skipped,
                request.model(),
                engine.health(),
                earliestAvailable(),
                lastKey == null ? routes.get(0).provider() : lastKey.provider(),
                lastFailure == null ? null : lastFailure.type(),
                trace.keyDescription());
    }

    private LlmRotateException failed(String provider, ProviderException failure, String suffix) {
        return new LlmRotateException(
                failure.type().wireName() + " from " + provider + " with key " + trace.keyDescription() + ": "
                        + failure.getMessage() + suffix,
                provider,
                failure.type(),
                trace.keyDescription(),
                failure.httpStatus());
    }

    /** Records a call that ended in {@code e} and returns it to be thrown. */
    private RuntimeException recordFailure(Throwable e) {
        if (!recordsFailures) {
            if (e instanceof Error error) {
                throw error;
            }
            return (RuntimeException) e;
        }
        if (e instanceof NoAvailableKeyException n) {
            trace.provider(n.provider());
            engine.finish(trace.failure(engine.now(), CallRecord.NO_AVAILABLE_KEY));
            return n;
        }
        if (e instanceof LlmRotateException l) {
            trace.provider(l.provider());
            engine.finish(trace.failure(
                    engine.now(),
                    CallRecord.ERROR,
                    l.errorType() == null ? "unknown" : l.errorType().wireName()));
            return l;
        }
        if (e instanceof RuntimeException r) {
            engine.finish(trace.failure(engine.now(), CallRecord.ERROR, "configuration_error"));
            return r;
        }
        engine.finish(trace.failure(engine.now(), CallRecord.ERROR, "unknown"));
        throw (Error) e;
    }

    private synchronized void openSpan(Telemetry.Attempt started) {
        span = started;
        spanOpen = true;
    }

    /** True once per attempt, for whoever ends its span first: the attempt's end or a cancel. */
    private synchronized boolean closeSpan() {
        boolean open = spanOpen;
        spanOpen = false;
        return open;
    }

    /** Ends the attempt's span, if still open, without judging the key: a cancel, an interrupt, an adapter's bug. */
    private void endSpanUnjudged() {
        if (closeSpan()) {
            span.failed(ErrorType.UNKNOWN, null);
        }
    }

    /**
     * The caller cancelled the call (an interrupt, a cancelled future): recorded as {@code cancelled}, no key's
     * health changes.
     */
    private void cancelled() {
        endSpanUnjudged(); // an attempt in flight when the caller cancelled
        if (attemptKey != null) {
            engine.healthBook().released(attemptKey, attemptRoute.modelScope(attemptKeyIndex), token);
        }
        if (recordsFailures) {
            engine.finish(trace.failure(engine.now(), CallRecord.CANCELLED, null));
        }
    }

    private long remainingNanos() {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            KeySpec lastKey = trace.key();
            throw new LlmRotateException(
                    "call deadline of " + Duration.ofNanos(deadlineNanos - trace.startNanos) + " exceeded after "
                            + trace.attempts + " attempts"
                            + (lastFailure == null ? "" : "; last failure: " + lastFailure.getMessage()),
                    lastKey == null ? null : lastKey.provider(),
                    ErrorType.TIMEOUT,
                    trace.keyDescription());
        }
        return remaining;
    }

    private void sleep(Duration duration) {
        try {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted();
        }
    }

    /**
     * The route's request timeout, or the time left when the call's deadline comes first. Compared field by field,
     * so that the common case (the timeout fits) creates no {@code Duration}.
     */
    private static Duration attemptTimeout(Duration requestTimeout, long remainingNanos) {
        long seconds = remainingNanos / 1_000_000_000L;
        int nanos = (int) (remainingNanos % 1_000_000_000L);
        boolean fits = requestTimeout.getSeconds() < seconds
                || (requestTimeout.getSeconds() == seconds && requestTimeout.getNano() <= nanos);
        return fits ? requestTimeout : Duration.ofNanos(remainingNanos);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}

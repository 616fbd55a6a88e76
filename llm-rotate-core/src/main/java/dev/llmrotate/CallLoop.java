package dev.llmrotate;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.HealthPolicy;
import dev.llmrotate.health.KeyHealth;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.Telemetry;
import dev.llmrotate.provider.Attempt;
import dev.llmrotate.provider.ProviderAdapter;
import dev.llmrotate.provider.ProviderException;
import dev.llmrotate.provider.ProviderReply;
import dev.llmrotate.route.Route;
import dev.llmrotate.select.KeySelector;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One call, start to end: plan routes, then for each route select a key, attempt, classify, update health and decide
 * (return, retry, rotate, next route, fail); when every route is exhausted, wait for the earliest key if that fits,
 * else fail. A failed call is recorded here; a successful one by the caller of {@link #run()} once it is complete
 * (a stream only at its end), so that every call leaves exactly one record.
 *
 * @param <T> what a successful attempt yields: a reply, or an opened stream
 */
final class CallLoop<T> {
    /** Makes one attempt with an adapter; throws {@link ProviderException} when it fails. */
    @FunctionalInterface
    interface AttemptRunner<T> {
        T run(ProviderAdapter adapter, Attempt attempt);
    }

    /** A successful attempt and what the call went through to get it. */
    record Outcome<T>(Route route, KeySpec key, String secret, T value, CallTrace trace) {
        String keyMask() {
            return trace.keyMask();
        }
    }

    private final Engine engine;
    private final EngineState state;
    private final ChatRequest request;
    private final AttemptRunner<T> runner;
    private final UnaryOperator<List<Route>> routeFilter;
    private final CallTrace trace;
    private final long token;
    private final long deadlineNanos;
    private final int maxRetries;

    /**
     * Keys that failed this call at key level, by the failure: not tried again unless a wait brings them back. Empty
     * (and not allocated) on the common path.
     */
    private Map<String, ErrorType> excluded = Map.of();

    private List<String> unresolvedSecrets = List.of();
    private int retries;
    private boolean rotatedLast;
    private boolean retriesExhausted;
    private Duration waitedForKeys = Duration.ZERO;
    private ProviderException lastFailure;

    CallLoop(Engine engine, EngineState state, ChatRequest request, String operation, AttemptRunner<T> runner) {
        this(engine, state, request, operation, runner, UnaryOperator.identity());
    }

    /** A call whose planned routes pass through {@code routeFilter} first (it may drop routes or reject the call). */
    CallLoop(
            Engine engine,
            EngineState state,
            ChatRequest request,
            String operation,
            AttemptRunner<T> runner,
            UnaryOperator<List<Route>> routeFilter) {
        this.engine = engine;
        this.routeFilter = routeFilter;
        this.state = state;
        this.request = request;
        this.runner = runner;
        this.token = engine.nextCallToken();
        this.trace = new CallTrace(engine.callId(token), operation, request.model());
        Duration deadline = request.deadline() != null
                ? request.deadline()
                : state.config.defaults().callDeadline();
        this.deadlineNanos = trace.startNanos + deadline.toNanos();
        this.maxRetries = request.maxRetries() != null
                ? request.maxRetries()
                : state.config.defaults().maxRetries();
    }

    Outcome<T> run() {
        try {
            List<Route> routes = routeFilter.apply(state.planner.plan(request.model(), request.provider()));
            engine.checkSupported(routes, request);
            while (true) {
                for (Route route : routes) {
                    Outcome<T> outcome = walk(route);
                    if (outcome != null) {
                        return outcome;
                    }
                }
                if (!waitForEarliestKey(routes)) {
                    throw exhausted(routes);
                }
            }
        } catch (NoAvailableKeyException e) {
            trace.provider(e.provider());
            engine.finish(trace.failure(engine.now(), CallRecord.NO_AVAILABLE_KEY));
            throw e;
        } catch (LlmRotateException e) {
            trace.provider(e.provider());
            engine.finish(trace.failure(
                    engine.now(),
                    CallRecord.ERROR,
                    e.errorType() == null ? "unknown" : e.errorType().wireName()));
            throw e;
        } catch (RuntimeException e) {
            engine.finish(trace.failure(engine.now(), CallRecord.ERROR, "configuration_error"));
            throw e;
        }
    }

    /** Tries the route's keys until one answers (the outcome), the route is exhausted (null) or the call fails. */
    private Outcome<T> walk(Route route) {
        ProviderSettings settings = state.config.provider(route.provider());
        ProviderAdapter adapter = engine.adapter(route.provider());
        while (true) {
            long remaining = remainingNanos();
            KeySelector.Selection selection = engine.selector()
                    .select(
                            route,
                            state.strategy,
                            excluded.keySet(),
                            token,
                            engine.now().plusNanos(remaining));
            if (selection == null) {
                return null;
            }
            KeySpec key = selection.key();
            String secret = engine.secrets().resolveOrWarn(key);
            if (secret == null) {
                engine.store().updateHealth(key.keyId(), h -> HealthPolicy.releaseTrial(h, token));
                exclude(key, ErrorType.INVALID_AUTH);
                if (unresolvedSecrets.isEmpty()) {
                    unresolvedSecrets = new ArrayList<>(2);
                }
                unresolvedSecrets.add(key.keyId());
                continue;
            }
            trace.attempt(route, key, engine.secrets().mask(key, secret));
            Attempt attempt = new Attempt(
                    route.model().equals(request.model()) ? request : request.withModel(route.model()),
                    key,
                    secret,
                    settings,
                    route.upstream(),
                    min(settings.requestTimeout(), Duration.ofNanos(remaining)),
                    deadlineNanos);
            Telemetry.Attempt span = engine.telemetry()
                    .attemptStarted(
                            trace.operation,
                            route.provider(),
                            request.model(),
                            route.model(),
                            key.keyId(),
                            trace.attempts,
                            rotatedLast);
            T value;
            try {
                value = runner.run(adapter, attempt);
            } catch (ProviderException raw) {
                ProviderException failure = new ProviderException(
                        raw.type(), raw.httpStatus(), raw.retryAfter(), Secrets.scrub(raw.getMessage(), secret));
                span.failed(failure.type(), failure.httpStatus());
                lastFailure = failure;
                trace.failed(failure);
                engine.store()
                        .updateHealth(
                                key.keyId(),
                                h -> HealthPolicy.releaseTrial(
                                        HealthPolicy.onFailure(
                                                h, failure.type(), failure.retryAfter(), engine.now(), settings),
                                        token));
                if (!decideAfterFailure(route, key, failure)) {
                    return null;
                }
                continue;
            } catch (RuntimeException | Error e) {
                span.failed(ErrorType.UNKNOWN, null);
                throw e;
            }
            succeeded(span, route.model(), value);
            return succeed(route, key, secret, value);
        }
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

    /** True to go on with the same route, false to move to the next one; throws when the call must fail. */
    private boolean decideAfterFailure(Route route, KeySpec key, ProviderException failure) {
        rotatedLast = false;
        switch (failure.type().action()) {
            case ROTATE -> {
                exclude(key, failure.type());
                trace.rotations++;
                rotatedLast = true;
                engine.telemetry().keyRotated(route.provider(), key.keyId(), failure.type());
                return true;
            }
            case RETRY_WITH_BACKOFF, FAIL_OVER -> {
                if (retries >= maxRetries) {
                    retriesExhausted = true;
                    return false;
                }
                retries++;
                Duration delay = state.backoff.delay(retries);
                if (delay.toNanos() >= remainingNanos()) {
                    throw failed(route.provider(), failure, " (no time left for retry " + retries + ")");
                }
                sleep(delay);
                return true;
            }
            case NEXT_ROUTE -> {
                return false;
            }
            default -> throw failed(route.provider(), failure, "");
        }
    }

    private void exclude(KeySpec key, ErrorType cause) {
        if (excluded.isEmpty()) {
            excluded = new HashMap<>(4);
        }
        excluded.put(key.keyId(), cause);
    }

    private Outcome<T> succeed(Route route, KeySpec key, String secret, T value) {
        Instant now = engine.now();
        KeyHealth current = engine.store().health(key.keyId());
        if (HealthPolicy.onSuccess(current, now) != current || current.trialHolder() == token) {
            engine.store()
                    .updateHealth(key.keyId(), h -> HealthPolicy.onSuccess(HealthPolicy.releaseTrial(h, token), now));
        }
        return new Outcome<>(route, key, secret, value, trace);
    }

    /** Completes a chat call: counts its tokens against the key's budget, records it, builds the response. */
    static ChatResponse toResponse(Engine engine, Outcome<ProviderReply> outcome) {
        ProviderReply reply = outcome.value();
        Route route = outcome.route();
        Usage usage = reply.usage() == null ? Usage.NONE : reply.usage();
        String model = reply.model() != null ? reply.model() : route.model();
        engine.completeCall(outcome.trace(), outcome.key(), model, usage);
        return new ChatResponse(
                reply.content(),
                route.provider(),
                route.upstream(),
                model,
                outcome.key().keyId(),
                outcome.keyMask(),
                reply.finishReason(),
                usage,
                Duration.ofNanos(System.nanoTime() - outcome.trace().startNanos),
                outcome.trace().attempts,
                outcome.trace().rotations,
                route.fallback(),
                reply.responseId());
    }

    /**
     * Every route is exhausted without an answer. Waits for the earliest key when no key was usable (rather than
     * retries running out), the wait fits the call's deadline and {@code max_wait_for_key}; true when it waited.
     */
    private boolean waitForEarliestKey(List<Route> routes) {
        if (retriesExhausted) {
            return false;
        }
        if (!excluded.isEmpty()) {
            excluded.values().removeIf(type -> type == ErrorType.RATE_LIMIT);
        }
        Instant earliest = earliestAvailable(routes);
        if (earliest == null) {
            return false;
        }
        // At least a short pause, so that a key that looks available but cannot be claimed never causes a spin.
        Duration wait = max(Duration.between(engine.now(), earliest), Duration.ofMillis(10));
        Duration budget = state.config.defaults().maxWaitForKey().minus(waitedForKeys);
        if (wait.compareTo(budget) > 0 || wait.toNanos() >= remainingNanos()) {
            return false;
        }
        sleep(wait);
        waitedForKeys = waitedForKeys.plus(wait);
        return true;
    }

    private Instant earliestAvailable(List<Route> routes) {
        Instant earliest = null;
        for (Route route : routes) {
            Instant at = engine.selector().earliestAvailable(route, excluded.keySet());
            if (at != null && (earliest == null || at.isBefore(earliest))) {
                earliest = at;
            }
        }
        return earliest;
    }

    private LlmRotateException exhausted(List<Route> routes) {
        KeySpec lastKey = trace.key();
        if (retriesExhausted && lastFailure != null) {
            return failed(lastKey.provider(), lastFailure, " (after " + retries + " retries)");
        }
        String last = lastFailure == null
                ? ""
                : "; last failure: " + lastFailure.type().wireName() + " on " + trace.keyDescription() + ": "
                        + lastFailure.getMessage();
        String skipped = unresolvedSecrets.isEmpty()
                ? ""
                : "; skipped because their secret_ref cannot be resolved: " + unresolvedSecrets;
        return new NoAvailableKeyException(
                "no available key for model '" + request.model() + "' on " + routes + " after " + trace.attempts
                        + " attempts" + last + skipped,
                request.model(),
                engine.health(),
                earliestAvailable(routes),
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
            KeySpec lastKey = trace.key();
            throw new LlmRotateException(
                    "call interrupted",
                    lastKey == null ? null : lastKey.provider(),
                    ErrorType.UNKNOWN,
                    trace.keyDescription());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}

package dev.llmrotate;

import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.Pricing;
import dev.llmrotate.spi.ProviderException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What one call has been through so far (attempts, rotations, the last key and failure, stream recoveries), turned
 * into its one {@link CallRecord} when it ends. Used by the one thread running the call.
 *
 * <p>Each attempt begins with {@link #attempt} (or {@link #lease}) and ends with {@link #failed} (an error),
 * {@link #firstChunk} (a stream's first chunk: success) or the record itself: {@link #success} ends it as a success,
 * {@link #failure} as {@code cancelled} for a cancelled call, else as an error of the call's type. The common call,
 * one attempt that succeeds, keeps one {@link CallRecord.Attempt} and no list of its own.
 */
final class CallTrace {
    final String callId;
    final String operation;
    final String requestedModel;
    /** Who made the call ({@code ChatRequest.caller}), or null. */
    final String caller;

    final long startNanos = System.nanoTime();
    int attempts;
    int rotations;
    private String provider;
    private String upstream;
    private String model;
    private KeySpec key;
    private String keyMask;
    private boolean fallback;
    private Integer httpStatus;
    private String errorType;
    private Double timeToFirstChunkMs;
    /** True once an answer began (a reply, a stream's first chunk, a lent key): its model is the record's. */
    private boolean answered;

    /** When the attempt in progress began; meaningful while {@link #attemptOpen}. */
    private long attemptStartNanos;

    private boolean attemptOpen;
    /** The first attempt's entry; later ones (up to the limit) go to {@link #laterAttempts}. */
    private CallRecord.Attempt firstAttempt;

    private List<CallRecord.Attempt> laterAttempts;
    private List<CallRecord.Recovery> recoveries;
    private int toolCalls;
    private List<String> toolNames;

    CallTrace(String callId, String operation, String requestedModel, String caller) {
        this.callId = callId;
        this.operation = operation;
        this.requestedModel = capped(requestedModel);
        this.caller = caller;
    }

    /**
     * An attempt with {@code key} on {@code route} begins. An attempt still open (nothing ended it) is ended as an
     * error without a type.
     */
    void attempt(Route route, KeySpec key, String mask) {
        long now = System.nanoTime();
        if (attemptOpen) {
            endAttempt(now, CallRecord.ERROR, null, null, null);
        }
        attempts++;
        this.provider = route.provider();
        this.upstream = route.upstream();
        this.model = route.model();
        this.key = key;
        this.keyMask = mask;
        this.fallback = route.fallback();
        attemptStartNanos = now;
        attemptOpen = true;
    }

    /** A lease: one "attempt" with the lent key, open until the lease is reported or closed. */
    void lease(KeySpec key, String secret, String model) {
        attempts = 1;
        this.provider = key.provider();
        this.model = model;
        this.key = key;
        this.keyMask = Secrets.maskFor(key, secret);
        answered = true;
        attemptStartNanos = System.nanoTime();
        attemptOpen = true;
    }

    /** The attempt in progress failed: ends it as an error with the failure's type, status and Retry-After. */
    void failed(ProviderException failure) {
        httpStatus = failure.httpStatus();
        errorType = failure.type().wireName();
        if (attemptOpen) {
            Duration retryAfter = failure.retryAfter();
            endAttempt(
                    System.nanoTime(),
                    CallRecord.ERROR,
                    errorType,
                    httpStatus,
                    retryAfter == null ? null : retryAfter.toMillis());
        }
    }

    void provider(String name) {
        if (provider == null) {
            provider = name;
        }
    }

    /**
     * A stream's first chunk arrived: ends the attempt in progress as a success. The call's time to first chunk is
     * the first such moment, so a recovery attempt's first chunk (noted here too) leaves it as it is.
     */
    void firstChunk() {
        long now = System.nanoTime();
        if (timeToFirstChunkMs == null) {
            timeToFirstChunkMs = elapsedMs(now);
        }
        answered = true;
        if (attemptOpen) {
            endAttempt(now, CallRecord.SUCCESS, null, null, null);
        }
    }

    /**
     * A stream recovery ended with {@code outcome} ({@link CallRecord.Recovery} names the modes and outcomes), the
     * caller having had {@code afterChars} characters when the stream broke. Noted against the latest attempt: call
     * it after the recovery's own attempt began (or without one, for {@code refused}). Only the first
     * {@value CallRecord#MAX_RECOVERIES} are kept.
     */
    void recovery(String mode, String outcome, int afterChars) {
        CallRecord.Recovery recovery = new CallRecord.Recovery(mode, outcome, afterChars, Math.max(0, attempts - 1));
        if (recoveries == null) {
            recoveries = new ArrayList<>(2);
        }
        if (recoveries.size() < CallRecord.MAX_RECOVERIES) {
            recoveries.add(recovery);
        }
    }

    /** The answer's tool calls (a reply's). */
    void toolCalls(List<ToolCall> calls) {
        for (int i = 0; i < calls.size(); i++) { // indexed: no iterator for the usual empty list
            toolCall(calls.get(i).name());
        }
    }

    /** One more tool call in the answer: its name is kept (once, within the record's bounds), never its arguments. */
    void toolCall(String name) {
        toolCalls++;
        if (name == null) {
            return;
        }
        String kept = name.length() <= CallRecord.MAX_TOOL_NAME_CHARS
                ? name
                : name.substring(0, CallRecord.MAX_TOOL_NAME_CHARS);
        if (toolNames == null) {
            toolNames = new ArrayList<>(2);
        }
        if (toolNames.size() < CallRecord.MAX_TOOL_NAMES && !toolNames.contains(kept)) {
            toolNames.add(kept);
        }
    }

    KeySpec key() {
        return key;
    }

    String keyMask() {
        return keyMask;
    }

    /** {@code key_id (sk-…9f2a)} of the last attempt's key, for messages; null before any attempt. */
    String keyDescription() {
        return key == null ? null : Secrets.describe(key.keyId(), keyMask);
    }

    /** Milliseconds from the call's start to {@code nanos}, to the microsecond (what records and JSON carry). */
    private double elapsedMs(long nanos) {
        return (nanos - startNanos) / 1_000 / 1_000.0;
    }

    private void endAttempt(long now, String outcome, String type, Integer status, Long retryAfterMs) {
        attemptOpen = false;
        int index = attempts - 1;
        if (index >= CallRecord.MAX_ATTEMPT_DETAILS) {
            return;
        }
        CallRecord.Attempt entry = new CallRecord.Attempt(
                provider,
                upstream,
                model,
                key == null ? null : key.keyId(),
                keyMask,
                outcome,
                type,
                status,
                retryAfterMs,
                (now - attemptStartNanos) / 1_000 / 1_000.0,
                elapsedMs(attemptStartNanos));
        if (index == 0) {
            firstAttempt = entry;
        } else {
            if (laterAttempts == null) {
                laterAttempts = new ArrayList<>(4);
            }
            laterAttempts.add(entry);
        }
    }

    /** The record of a call that answered with {@code answeredModel} and used {@code usage}. */
    CallRecord success(Instant now, String answeredModel, Usage usage, Pricing pricing) {
        long end = System.nanoTime();
        if (attemptOpen) {
            endAttempt(end, CallRecord.SUCCESS, null, null, null);
        }
        Double exact = pricing.cost(
                provider, answeredModel, usage.inputTokens(), usage.cachedInputTokens(), usage.outputTokens());
        // To a millionth of a cent: what the JSON record carries, so the record and its key/values agree.
        Double cost = exact == null ? null : Math.round(exact * 1e12) / 1e12;
        String costStatus = cost == null
                ? "unknown_model"
                : !usage.reported() ? "no_usage_reported" : usage.totalTokens() == 0 ? "no_usage" : "estimated";
        return build(end, now, answeredModel, CallRecord.SUCCESS, null, null, usage, cost, costStatus);
    }

    /**
     * The record of a call that ended without a (complete) answer. A stream interrupted or cancelled after its first
     * chunk, and a lease closed unreported, keep their model and have {@code cost_status} {@code no_usage_reported}.
     */
    CallRecord failure(Instant now, String outcome, String type) {
        return failure(now, outcome, type, null);
    }

    /**
     * As {@link #failure(Instant, String, String)}, with the model that was answering as the provider named it (the
     * record otherwise names the route's model), for an interrupted or cancelled stream.
     */
    CallRecord failure(Instant now, String outcome, String type, String answeringModel) {
        long end = System.nanoTime();
        boolean cancelled = CallRecord.CANCELLED.equals(outcome);
        if (attemptOpen) {
            endAttempt(end, cancelled ? CallRecord.CANCELLED : CallRecord.ERROR, cancelled ? null : type, null, null);
        }
        boolean partial = answered && (cancelled || CallRecord.INTERRUPTED.equals(outcome));
        return build(
                end,
                now,
                partial ? (answeringModel != null ? answeringModel : model) : null,
                outcome,
                type,
                httpStatus,
                Usage.UNREPORTED,
                0.0,
                partial ? "no_usage_reported" : "no_usage");
    }

    /** The record of a call that failed with the last attempt's error. */
    CallRecord failure(Instant now, String outcome) {
        return failure(now, outcome, errorType);
    }

    private CallRecord build(
            long endNanos,
            Instant now,
            String recordModel,
            String outcome,
            String type,
            Integer status,
            Usage usage,
            Double cost,
            String costStatus) {
        return new CallRecord(
                now,
                callId,
                operation,
                provider,
                upstream,
                requestedModel,
                recordModel != null ? recordModel : (outcome.equals(CallRecord.SUCCESS) ? model : null),
                key == null ? null : key.keyId(),
                keyMask,
                outcome,
                type,
                status,
                usage.reported(),
                usage.inputTokens(),
                usage.outputTokens(),
                usage.cachedInputTokens(),
                usage.reasoningTokens(),
                usage.totalTokens(),
                elapsedMs(endNanos),
                timeToFirstChunkMs,
                attempts,
                rotations,
                fallback,
                cost,
                costStatus,
                attemptList(),
                recoveries == null ? List.of() : List.copyOf(recoveries),
                toolCalls,
                toolNames == null ? List.of() : List.copyOf(toolNames),
                caller);
    }

    /** The attempt entries as an immutable list: for the usual single attempt, without copying an array. */
    private List<CallRecord.Attempt> attemptList() {
        if (firstAttempt == null) {
            return List.of();
        }
        if (laterAttempts == null) {
            return List.of(firstAttempt);
        }
        CallRecord.Attempt[] all = new CallRecord.Attempt[1 + laterAttempts.size()];
        all[0] = firstAttempt;
        for (int i = 1; i < all.length; i++) {
            all[i] = laterAttempts.get(i - 1);
        }
        return List.of(all);
    }

    /** Requested model ids longer than this are cut in records (callers may send anything). */
    static final int MAX_MODEL_ID_CHARS = 256;

    private static String capped(String model) {
        return model == null || model.length() <= MAX_MODEL_ID_CHARS
                ? model
                : model.substring(0, MAX_MODEL_ID_CHARS) + "…";
    }
}

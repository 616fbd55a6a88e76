package dev.llmrotate;

import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.Pricing;
import dev.llmrotate.provider.ProviderException;
import dev.llmrotate.route.Route;
import java.time.Instant;

/**
 * What one call has been through so far (attempts, rotations, the last key and failure), turned into its one
 * {@link CallRecord} when it ends. Used by the one thread running the call.
 */
final class CallTrace {
    final String callId;
    final String operation;
    final String requestedModel;
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

    CallTrace(String callId, String operation, String requestedModel) {
        this.callId = callId;
        this.operation = operation;
        this.requestedModel = requestedModel;
    }

    /** An attempt with {@code key} on {@code route} begins. */
    void attempt(Route route, KeySpec key, String mask) {
        attempts++;
        this.provider = route.provider();
        this.upstream = route.upstream();
        this.model = route.model();
        this.key = key;
        this.keyMask = mask;
        this.fallback = route.fallback();
    }

    /** A lease: one "attempt" with the lent key. */
    void lease(KeySpec key, String secret, String model) {
        attempts = 1;
        this.provider = key.provider();
        this.model = model;
        this.key = key;
        this.keyMask = SecretRef.mask(secret);
    }

    void failed(ProviderException failure) {
        httpStatus = failure.httpStatus();
        errorType = failure.type().wireName();
    }

    void provider(String name) {
        if (provider == null) {
            provider = name;
        }
    }

    void firstChunk() {
        timeToFirstChunkMs = elapsedMs();
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

    /** Milliseconds since the call started, to the microsecond (what records and JSON carry). */
    private double elapsedMs() {
        return (System.nanoTime() - startNanos) / 1_000 / 1_000.0;
    }

    /** The record of a call that answered with {@code answeredModel} and used {@code usage}. */
    CallRecord success(Instant now, String answeredModel, Usage usage, Pricing pricing) {
        Double exact = pricing.cost(
                provider, answeredModel, usage.inputTokens(), usage.cachedInputTokens(), usage.outputTokens());
        // To a millionth of a cent: what the JSON record carries, so the record and its key/values agree.
        Double cost = exact == null ? null : Math.round(exact * 1e12) / 1e12;
        String costStatus = cost == null ? "unknown_model" : usage.totalTokens() == 0 ? "no_usage" : "estimated";
        return build(now, answeredModel, CallRecord.SUCCESS, null, null, usage, cost, costStatus);
    }

    /** The record of a call that ended without an answer. */
    CallRecord failure(Instant now, String outcome, String type) {
        return build(now, null, outcome, type, httpStatus, Usage.NONE, 0.0, "no_usage");
    }

    /** The record of a call that failed with the last attempt's error. */
    CallRecord failure(Instant now, String outcome) {
        return failure(now, outcome, errorType);
    }

    private CallRecord build(
            Instant now,
            String answeredModel,
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
                answeredModel != null ? answeredModel : (outcome.equals(CallRecord.SUCCESS) ? model : null),
                key == null ? null : key.keyId(),
                keyMask,
                outcome,
                type,
                status,
                usage.inputTokens(),
                usage.outputTokens(),
                usage.cachedInputTokens(),
                usage.reasoningTokens(),
                usage.totalTokens(),
                elapsedMs(),
                timeToFirstChunkMs,
                attempts,
                rotations,
                fallback,
                cost,
                costStatus);
    }

    /** A stream recovery: its mode, outcome and how many characters had reached the caller. */
    void recovery(String mode, String outcome, int afterChars) {
        recoveries++;
    }

    int recoveries;
}

package dev.llmrotate.observe;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * What one call did, as logged to {@code llm_rotate.observability.usage}: one record per call (chat, stream,
 * generate_content, lease), whatever its outcome. Field names are the JSON names in snake_case and are stable; the
 * JSON starts with {@code "record_version":}{@value #VERSION}, which goes up when a field changes meaning. Never holds
 * a secret: a key appears as its id and a mask.
 *
 * @param timestamp when the call ended
 * @param callId unique id of the call within this process
 * @param operation {@code chat}, {@code chat_stream}, {@code generate_content}, {@code generate_content_stream} or
 *     {@code lease}
 * @param provider the provider that answered or last failed, or null when no attempt was made
 * @param upstream the broker's backend (OpenRouter), or null
 * @param requestedModel the model the caller asked for
 * @param model the model that answered (a fallback may use another id), also when a stream that had begun to answer
 *     was interrupted or cancelled; null when nothing answered
 * @param keyId the key that answered or last failed, or null
 * @param keyMask that key's masked secret, e.g. {@code sk-…9f2a}, or null
 * @param outcome {@code success}, {@code error}, {@code no_available_key}, {@code interrupted} (a stream broke after
 *     data reached the caller) or {@code cancelled} (the caller closed a stream early, or a lease unreported)
 * @param errorType the failure's {@code ErrorType} wire name, or null
 * @param httpStatus the last failed attempt's HTTP status, or null
 * @param usageReported true when the token counts come from the provider's usage report; false when nothing answered
 *     or the answer carried no usage (the counts are then 0)
 * @param inputTokens prompt tokens
 * @param outputTokens completion tokens
 * @param cachedInputTokens prompt tokens served from cache
 * @param reasoningTokens output tokens spent on reasoning
 * @param totalTokens input plus output
 * @param latencyMs wall time of the whole call in milliseconds
 * @param timeToFirstChunkMs for streams, milliseconds until the first chunk, else null
 * @param attempts attempts made (all of them, also those past the {@value #MAX_ATTEMPT_DETAILS} listed)
 * @param rotations moves to another key after a key-level failure
 * @param fallbackUsed true when a fallback route answered
 * @param estimatedCostUsd the estimated cost in USD, or null when it cannot be priced
 * @param costStatus {@code estimated}, {@code unknown_model} (no price for the model: cost null, never a silent 0),
 *     {@code no_usage} (nothing was used: a reported 0, or no answer) or {@code no_usage_reported} (an answer came,
 *     or began, without a usage report: tokens and cost 0, the real cost unknown)
 * @param attemptDetails the first {@value #MAX_ATTEMPT_DETAILS} attempts in order, never null
 * @param recoveries the first {@value #MAX_RECOVERIES} stream recoveries in order, never null
 * @param toolCalls tool calls in the answer (also those of a stream that broke or was closed after they began)
 * @param toolNames the distinct names of those calls in order of appearance, at most {@value #MAX_TOOL_NAMES}, each
 *     cut to {@value #MAX_TOOL_NAME_CHARS} characters; never their arguments, never null
 * @param caller who made the call, as the application named it ({@code ChatRequest.caller}: the gateway's key id, a
 *     tenant), or null
 */
public record CallRecord(
        Instant timestamp,
        String callId,
        String operation,
        String provider,
        String upstream,
        String requestedModel,
        String model,
        String keyId,
        String keyMask,
        String outcome,
        String errorType,
        Integer httpStatus,
        boolean usageReported,
        long inputTokens,
        long outputTokens,
        long cachedInputTokens,
        long reasoningTokens,
        long totalTokens,
        double latencyMs,
        Double timeToFirstChunkMs,
        int attempts,
        int rotations,
        boolean fallbackUsed,
        Double estimatedCostUsd,
        String costStatus,
        List<Attempt> attemptDetails,
        List<Recovery> recoveries,
        int toolCalls,
        List<String> toolNames,
        String caller) {

    /**
     * A record read back from the JSON {@link #toJson()} wrote (how a shared store keeps recent calls). Fields
     * derived from others ({@code attempts_truncated}) and {@code record_version} are read past.
     *
     * @param json one record's JSON, as {@link #toJson()} writes it
     * @return the record
     * @throws IllegalArgumentException when the text is not a record's JSON
     */
    public static CallRecord fromJson(String json) {
        return dev.llmrotate.internal.observe.ReportJson.read(json, CallRecord.class);
    }

    /** The schema version written as {@code record_version}. */
    public static final int VERSION = 2;

    /** Attempts listed in {@code attempt_details} at most; later ones are only counted. */
    public static final int MAX_ATTEMPT_DETAILS = 16;

    /** Recoveries listed in {@code recoveries} at most. */
    public static final int MAX_RECOVERIES = 16;

    /** Distinct tool names listed in {@code tool_names} at most; the calls are all counted in {@code tool_calls}. */
    public static final int MAX_TOOL_NAMES = 16;

    /** The longest tool name kept (the providers' own limit); a longer name a model made up is cut. */
    public static final int MAX_TOOL_NAME_CHARS = 64;

    /** {@link #outcome()}: the call got its answer (a stream: it ran to its final chunk). */
    public static final String SUCCESS = "success";

    /** {@link #outcome()}: the call failed; {@link #errorType()} says why. */
    public static final String ERROR = "error";

    /** {@link #outcome()}: no key could serve the call within its waits. */
    public static final String NO_AVAILABLE_KEY = "no_available_key";

    /** {@link #outcome()}: a stream broke after data had reached the caller. */
    public static final String INTERRUPTED = "interrupted";

    /** {@link #outcome()}: the caller closed a stream early, cancelled a future, or closed a lease unreported. */
    public static final String CANCELLED = "cancelled";

    /**
     * Copies the lists (null ones become empty), so that a record never changes and never holds a null list. The
     * components are described on the class.
     *
     * @param timestamp when the call ended
     * @param callId the call's id
     * @param operation the operation name
     * @param provider who answered or last failed, or null
     * @param upstream the broker's backend, or null
     * @param requestedModel the model asked for
     * @param model the model that answered, or null
     * @param keyId the key that answered or last failed, or null
     * @param keyMask that key's mask, or null
     * @param outcome one of the outcome constants
     * @param errorType the error type's wire name, or null
     * @param httpStatus the last failed attempt's status, or null
     * @param usageReported whether the counts come from a usage report
     * @param inputTokens prompt tokens
     * @param outputTokens completion tokens
     * @param cachedInputTokens prompt tokens served from cache
     * @param reasoningTokens output tokens spent on reasoning
     * @param totalTokens input plus output
     * @param latencyMs the whole call, in milliseconds
     * @param timeToFirstChunkMs a stream's wait for its first chunk in milliseconds, or null
     * @param attempts attempts made
     * @param rotations moves to another key
     * @param fallbackUsed whether a fallback route answered
     * @param estimatedCostUsd the cost in USD, or null
     * @param costStatus how the cost was found
     * @param attemptDetails the first attempts, or null for none
     * @param recoveries the first stream recoveries, or null for none
     * @param toolCalls tool calls in the answer
     * @param toolNames their distinct names, or null for none
     * @param caller who made the call, or null
     */
    public CallRecord {
        // List.copyOf keeps an immutable list as it is: no copy on the engine's path.
        attemptDetails = attemptDetails == null ? List.of() : List.copyOf(attemptDetails);
        recoveries = recoveries == null ? List.of() : List.copyOf(recoveries);
        toolNames = toolNames == null ? List.of() : List.copyOf(toolNames);
    }

    /** The bucket under which usage counters count a call whose requested model no key lists. */
    public static final String UNKNOWN_MODEL = "(unknown)";

    /**
     * This record with another requested model (usage counters bucket calls for unknown models).
     *
     * @param requested the requested model to put in its place
     * @return a copy that differs only in {@link #requestedModel()}
     */
    public CallRecord withRequestedModel(String requested) {
        return new CallRecord(
                timestamp,
                callId,
                operation,
                provider,
                upstream,
                requested,
                model,
                keyId,
                keyMask,
                outcome,
                errorType,
                httpStatus,
                usageReported,
                inputTokens,
                outputTokens,
                cachedInputTokens,
                reasoningTokens,
                totalTokens,
                latencyMs,
                timeToFirstChunkMs,
                attempts,
                rotations,
                fallbackUsed,
                estimatedCostUsd,
                costStatus,
                attemptDetails,
                recoveries,
                toolCalls,
                toolNames,
                caller);
    }

    /**
     * Whether the call succeeded.
     *
     * @return true when {@link #outcome()} is {@value #SUCCESS}
     */
    public boolean isSuccess() {
        return SUCCESS.equals(outcome);
    }

    /**
     * The name a failed call is counted under in {@code failures_by_type}: its error type, or its outcome when it has
     * none ({@code no_available_key}, {@code cancelled}).
     *
     * @return the error type's wire name, else the outcome
     */
    public String failureName() {
        if (NO_AVAILABLE_KEY.equals(outcome)) {
            return NO_AVAILABLE_KEY;
        }
        return errorType != null ? errorType : outcome;
    }

    /**
     * Whether more attempts were made than {@code attempt_details} lists.
     *
     * @return true when {@link #attempts()} exceeds the size of {@link #attemptDetails()}
     */
    public boolean attemptsTruncated() {
        return attempts > attemptDetails.size();
    }

    /**
     * One attempt of a call: a request to one provider with one key.
     *
     * @param provider the provider asked
     * @param upstream the broker's backend, or null
     * @param model the model asked for on this attempt (a fallback route's own id)
     * @param keyId the key used
     * @param keyMask that key's masked secret
     * @param outcome {@code success} (a reply, or a stream's first chunk), {@code error} or {@code cancelled} (the
     *     call ended while the attempt ran)
     * @param errorType the failure's {@code ErrorType} wire name, or null
     * @param httpStatus the failure's HTTP status, or null
     * @param retryAfterMs the wait the provider asked for (Retry-After or its equivalent) in milliseconds, or null
     * @param durationMs how long the attempt took, to the microsecond
     * @param startedMs when it began, in milliseconds since the call started
     */
    public record Attempt(
            @JsonProperty("provider") String provider,
            @JsonProperty("upstream") String upstream,
            @JsonProperty("model") String model,
            @JsonProperty("key_id") String keyId,
            @JsonProperty("key_mask") String keyMask,
            @JsonProperty("outcome") String outcome,
            @JsonProperty("error_type") String errorType,
            @JsonProperty("http_status") Integer httpStatus,
            @JsonProperty("retry_after_ms") Long retryAfterMs,
            @JsonProperty("duration_ms") double durationMs,
            @JsonProperty("started_ms") double startedMs) {

        void appendJson(StringBuilder json) {
            json.append('{');
            field(json, "provider", provider, true);
            field(json, "upstream", upstream, false);
            field(json, "model", model, false);
            field(json, "key_id", keyId, false);
            field(json, "key_mask", keyMask, false);
            field(json, "outcome", outcome, false);
            field(json, "error_type", errorType, false);
            number(json, "http_status", httpStatus);
            number(json, "retry_after_ms", retryAfterMs);
            decimal(json, "duration_ms", durationMs, 3);
            decimal(json, "started_ms", startedMs, 3);
            json.append('}');
        }

        /** The attempt as it appears in the JSON record (what plain key/value log output shows). */
        @Override
        public String toString() {
            StringBuilder json = new StringBuilder(256);
            appendJson(json);
            return json.toString();
        }
    }

    /**
     * One stream recovery: after a stream broke, the answer continued (or not) on another attempt.
     *
     * @param mode {@code prefill} (the text so far sent back as the assistant's start) or {@code replay} (the
     *     request sent again and its answer matched against the text so far)
     * @param outcome {@code recovered}, {@code refused} (not tried: settings or the provider rule it out),
     *     {@code mismatch} (a replay's answer differed from the text already sent) or {@code failed}
     * @param afterChars characters of the answer the caller had received when the stream broke
     * @param attempt zero-based index of the attempt the recovery was noted on (into {@code attempt_details} while
     *     that lists it): the recovery attempt, or the one that broke when none was made
     */
    public record Recovery(
            @JsonProperty("mode") String mode,
            @JsonProperty("outcome") String outcome,
            @JsonProperty("after_chars") int afterChars,
            @JsonProperty("attempt") int attempt) {
        /** {@link #mode()}: the text so far sent back as the start of the assistant's answer. */
        public static final String PREFILL = "prefill";

        /** {@link #mode()}: the request sent again, its answer matched against the text so far. */
        public static final String REPLAY = "replay";

        /** {@link #outcome()}: the answer continued on the new attempt. */
        public static final String RECOVERED = "recovered";

        /** {@link #outcome()}: not tried, because the settings or the provider rule it out. */
        public static final String REFUSED = "refused";

        /** {@link #outcome()}: a replay's answer differed from the text already sent. */
        public static final String MISMATCH = "mismatch";

        /** {@link #outcome()}: the recovery attempt failed. */
        public static final String FAILED = "failed";

        /**
         * Checks the mode and the outcome.
         *
         * @param mode {@value #PREFILL} or {@value #REPLAY}
         * @param outcome {@value #RECOVERED}, {@value #REFUSED}, {@value #MISMATCH} or {@value #FAILED}
         * @param afterChars characters the caller had when the stream broke
         * @param attempt zero-based index of the attempt the recovery was noted on
         * @throws IllegalArgumentException when {@code mode} or {@code outcome} is not one of the constants above
         */
        public Recovery {
            if (!PREFILL.equals(mode) && !REPLAY.equals(mode)) {
                throw new IllegalArgumentException("recovery mode must be prefill or replay, got " + mode);
            }
            if (!RECOVERED.equals(outcome)
                    && !REFUSED.equals(outcome)
                    && !MISMATCH.equals(outcome)
                    && !FAILED.equals(outcome)) {
                throw new IllegalArgumentException(
                        "recovery outcome must be recovered, refused, mismatch or failed, got " + outcome);
            }
        }

        void appendJson(StringBuilder json) {
            json.append('{');
            field(json, "mode", mode, true);
            field(json, "outcome", outcome, false);
            number(json, "after_chars", afterChars);
            number(json, "attempt", attempt);
            json.append('}');
        }

        /** The recovery as it appears in the JSON record (what plain key/value log output shows). */
        @Override
        public String toString() {
            StringBuilder json = new StringBuilder(80);
            appendJson(json);
            return json.toString();
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * The record as one line of ASCII JSON (other characters escaped as {@code \\uXXXX}): {@code record_version}
     * first, then the fields in declaration order with {@code attempts_truncated} after {@code attempt_details};
     * nulls included, empty lists as {@code []}; decimals with at most 3 places (milliseconds) or 12 (USD).
     *
     * @return the JSON, without a line break
     */
    public String toJson() {
        StringBuilder json = new StringBuilder(estimatedLength());
        json.append("{\"record_version\":").append(VERSION);
        field(json, "timestamp", timestamp == null ? null : timestamp.toString(), false);
        field(json, "call_id", callId, false);
        field(json, "operation", operation, false);
        field(json, "provider", provider, false);
        field(json, "upstream", upstream, false);
        field(json, "requested_model", requestedModel, false);
        field(json, "model", model, false);
        field(json, "key_id", keyId, false);
        field(json, "key_mask", keyMask, false);
        field(json, "outcome", outcome, false);
        field(json, "error_type", errorType, false);
        number(json, "http_status", httpStatus);
        raw(json, "usage_reported", usageReported ? "true" : "false");
        number(json, "input_tokens", inputTokens);
        number(json, "output_tokens", outputTokens);
        number(json, "cached_input_tokens", cachedInputTokens);
        number(json, "reasoning_tokens", reasoningTokens);
        number(json, "total_tokens", totalTokens);
        decimal(json, "latency_ms", latencyMs, 3);
        if (timeToFirstChunkMs == null) {
            raw(json, "time_to_first_chunk_ms", "null");
        } else {
            decimal(json, "time_to_first_chunk_ms", timeToFirstChunkMs, 3);
        }
        number(json, "attempts", attempts);
        number(json, "rotations", rotations);
        raw(json, "fallback_used", fallbackUsed ? "true" : "false");
        if (estimatedCostUsd == null) {
            raw(json, "estimated_cost_usd", "null");
        } else {
            decimal(json, "estimated_cost_usd", estimatedCostUsd, 12);
        }
        field(json, "cost_status", costStatus, false);
        json.append(",\"attempt_details\":[");
        for (int i = 0; i < attemptDetails.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            attemptDetails.get(i).appendJson(json);
        }
        json.append(']');
        raw(json, "attempts_truncated", attemptsTruncated() ? "true" : "false");
        json.append(",\"recoveries\":[");
        for (int i = 0; i < recoveries.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            recoveries.get(i).appendJson(json);
        }
        json.append(']');
        number(json, "tool_calls", toolCalls);
        json.append(",\"tool_names\":[");
        for (int i = 0; i < toolNames.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            string(json, toolNames.get(i));
        }
        json.append(']');
        field(json, "caller", caller, false);
        return json.append('}').toString();
    }

    /**
     * An upper estimate of the line's length, so that the builder never grows and holds little spare: the names and
     * punctuation (measured with empty strings), room for typical numbers and the timestamp, then the strings (a
     * {@code \u2026} in a mask takes 6 characters).
     */
    private int estimatedLength() {
        int length = 521 + 32 + 64 + 5 + RECOVERY_LENGTH * recoveries.size() + 32 + 12 + len(caller);
        for (String name : toolNames) {
            length += len(name) + 3;
        }
        length += len(callId)
                + len(operation)
                + len(provider)
                + len(upstream)
                + len(requestedModel)
                + len(model)
                + len(keyId)
                + len(keyMask)
                + len(outcome)
                + len(errorType)
                + len(costStatus);
        for (int i = 0; i < attemptDetails.size(); i++) {
            Attempt a = attemptDetails.get(i);
            length += 171
                    + 32
                    + 5
                    + len(a.provider)
                    + len(a.upstream)
                    + len(a.model)
                    + len(a.keyId)
                    + len(a.keyMask)
                    + len(a.outcome)
                    + len(a.errorType);
        }
        return length;
    }

    private static final int RECOVERY_LENGTH = 96;

    /** What a string field adds beyond {@code ""}: its characters, or 2 more for {@code null}. */
    private static int len(String value) {
        return value == null ? 2 : value.length();
    }

    /** A non-negative decimal with at most {@code decimals} places, trailing zeros dropped (Double.toString is slow). */
    private static void decimal(StringBuilder json, String name, double value, int decimals) {
        json.append(",\"").append(name).append("\":");
        long scale = POWERS_OF_TEN[decimals];
        if (!Double.isFinite(value) || value < 0 || value >= Long.MAX_VALUE / scale) {
            json.append(Double.isFinite(value) ? Double.toString(value) : "null");
            return;
        }
        long scaled = Math.round(value * scale);
        json.append(scaled / scale);
        long fraction = scaled % scale;
        if (fraction == 0) {
            json.append(".0"); // stays a decimal for typed consumers
        } else {
            int places = decimals;
            while (fraction % 10 == 0) {
                fraction /= 10;
                places--;
            }
            json.append('.');
            for (long p = POWERS_OF_TEN[places - 1]; p > fraction; p /= 10) {
                json.append('0');
            }
            json.append(fraction);
        }
    }

    private static final long[] POWERS_OF_TEN = {
        1L,
        10L,
        100L,
        1_000L,
        10_000L,
        100_000L,
        1_000_000L,
        10_000_000L,
        100_000_000L,
        1_000_000_000L,
        10_000_000_000L,
        100_000_000_000L,
        1_000_000_000_000L
    };

    private static void raw(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":").append(value);
    }

    private static void number(StringBuilder json, String name, long value) {
        json.append(",\"").append(name).append("\":").append(value);
    }

    /** A nullable integer; null as JSON null. */
    private static void number(StringBuilder json, String name, Number value) {
        json.append(",\"").append(name).append("\":");
        if (value == null) {
            json.append("null");
        } else {
            json.append(value.longValue());
        }
    }

    private static void field(StringBuilder json, String name, String value, boolean first) {
        if (!first) {
            json.append(',');
        }
        json.append('"').append(name).append("\":");
        string(json, value);
    }

    /** A JSON string, or null. */
    private static void string(StringBuilder json, String value) {
        if (value == null) {
            json.append("null");
            return;
        }
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        // Non-ASCII as \\uXXXX keeps the line ASCII (and the builder one byte per char).
                        json.append("\\u")
                                .append(HEX[c >> 12 & 0xf])
                                .append(HEX[c >> 8 & 0xf])
                                .append(HEX[c >> 4 & 0xf])
                                .append(HEX[c & 0xf]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}

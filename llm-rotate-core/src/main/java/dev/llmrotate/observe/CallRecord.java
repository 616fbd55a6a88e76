package dev.llmrotate.observe;

import java.time.Instant;

/**
 * What one call did, as logged to {@code llm_rotate.observability.usage}: one record per call (chat, stream,
 * generate_content, lease), whatever its outcome. Field names are the JSON names in snake_case and are stable.
 * Never holds a secret: the key appears as its id and a mask.
 *
 * @param timestamp when the call ended
 * @param callId unique id of the call within this process
 * @param operation {@code chat}, {@code chat_stream}, {@code generate_content}, {@code generate_content_stream} or
 *     {@code lease}
 * @param provider the provider that answered or last failed, or null when no attempt was made
 * @param upstream the broker's backend (OpenRouter), or null
 * @param requestedModel the model the caller asked for
 * @param model the model that answered (a fallback may use another id), or null without an answer
 * @param keyId the key that answered or last failed, or null
 * @param keyMask that key's masked secret, e.g. {@code sk-…9f2a}, or null
 * @param outcome {@code success}, {@code error}, {@code no_available_key}, {@code interrupted} (a stream broke after
 *     data reached the caller) or {@code cancelled} (the caller closed a stream early, or a lease unreported)
 * @param errorType the failure's {@code ErrorType} wire name, or null
 * @param httpStatus the last failed attempt's HTTP status, or null
 * @param inputTokens prompt tokens
 * @param outputTokens completion tokens
 * @param cachedInputTokens prompt tokens served from cache
 * @param reasoningTokens output tokens spent on reasoning
 * @param totalTokens input plus output
 * @param latencyMs wall time of the whole call in milliseconds
 * @param timeToFirstChunkMs for streams, milliseconds until the first chunk, else null
 * @param attempts attempts made
 * @param rotations moves to another key after a key-level failure
 * @param fallbackUsed true when a fallback route answered
 * @param estimatedCostUsd the estimated cost in USD, or null when it cannot be priced
 * @param costStatus {@code estimated}, {@code unknown_model} (no price for the model: cost null, never a silent 0)
 *     or {@code no_usage} (nothing was used)
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
        String costStatus) {

    public static final String SUCCESS = "success";
    public static final String ERROR = "error";
    public static final String NO_AVAILABLE_KEY = "no_available_key";
    public static final String INTERRUPTED = "interrupted";
    public static final String CANCELLED = "cancelled";

    public boolean isSuccess() {
        return SUCCESS.equals(outcome);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * The record as one line of ASCII JSON (other characters escaped as {@code \\uXXXX}), fields in declaration
     * order, nulls included; decimals with at most 3 places (milliseconds) or 12 (USD).
     */
    public String toJson() {
        StringBuilder json = new StringBuilder(768);
        json.append('{');
        field(json, "timestamp", timestamp == null ? null : timestamp.toString(), true);
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
        if (httpStatus == null) {
            raw(json, "http_status", "null");
        } else {
            raw(json, "http_status", httpStatus.longValue());
        }
        raw(json, "input_tokens", inputTokens);
        raw(json, "output_tokens", outputTokens);
        raw(json, "cached_input_tokens", cachedInputTokens);
        raw(json, "reasoning_tokens", reasoningTokens);
        raw(json, "total_tokens", totalTokens);
        decimal(json, "latency_ms", latencyMs, 3);
        if (timeToFirstChunkMs == null) {
            raw(json, "time_to_first_chunk_ms", "null");
        } else {
            decimal(json, "time_to_first_chunk_ms", timeToFirstChunkMs, 3);
        }
        raw(json, "attempts", attempts);
        raw(json, "rotations", rotations);
        raw(json, "fallback_used", fallbackUsed ? "true" : "false");
        if (estimatedCostUsd == null) {
            raw(json, "estimated_cost_usd", "null");
        } else {
            decimal(json, "estimated_cost_usd", estimatedCostUsd, 12);
        }
        field(json, "cost_status", costStatus, false);
        return json.append('}').toString();
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

    private static void raw(StringBuilder json, String name, long value) {
        json.append(",\"").append(name).append("\":").append(value);
    }

    private static void field(StringBuilder json, String name, String value, boolean first) {
        if (!first) {
            json.append(',');
        }
        json.append('"').append(name).append("\":");
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

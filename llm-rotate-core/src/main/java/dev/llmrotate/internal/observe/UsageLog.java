package dev.llmrotate.internal.observe;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Writes each {@link CallRecord} as one line of JSON at INFO to the logger {@value LogNames#USAGE}, with every field
 * also attached as an SLF4J key/value pair for structured encoders, in the same order and under the same names. The
 * lists ({@code attempt_details}, {@code recoveries}) are attached as lists of {@link CallRecord.Attempt} and {@link
 * CallRecord.Recovery}, which Jackson-based encoders write with the JSON's names and whose {@code toString()} is
 * their JSON. Costs one level check when the logger is off.
 */
public final class UsageLog {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.USAGE);

    private UsageLog() {}

    /** True when records are being written (the logger is enabled at INFO). */
    public static boolean enabled() {
        return LOG.isInfoEnabled();
    }

    public static void log(CallRecord record) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        LoggingEventBuilder event = LOG.atInfo()
                .addKeyValue("record_version", CallRecord.VERSION)
                .addKeyValue("timestamp", record.timestamp())
                .addKeyValue("call_id", record.callId())
                .addKeyValue("operation", record.operation())
                .addKeyValue("provider", record.provider())
                .addKeyValue("upstream", record.upstream())
                .addKeyValue("requested_model", record.requestedModel())
                .addKeyValue("model", record.model())
                .addKeyValue("key_id", record.keyId())
                .addKeyValue("key_mask", record.keyMask())
                .addKeyValue("outcome", record.outcome())
                .addKeyValue("error_type", record.errorType())
                .addKeyValue("http_status", record.httpStatus())
                .addKeyValue("usage_reported", record.usageReported())
                .addKeyValue("input_tokens", record.inputTokens())
                .addKeyValue("output_tokens", record.outputTokens())
                .addKeyValue("cached_input_tokens", record.cachedInputTokens())
                .addKeyValue("reasoning_tokens", record.reasoningTokens())
                .addKeyValue("total_tokens", record.totalTokens())
                .addKeyValue("latency_ms", record.latencyMs())
                .addKeyValue("time_to_first_chunk_ms", record.timeToFirstChunkMs())
                .addKeyValue("attempts", record.attempts())
                .addKeyValue("rotations", record.rotations())
                .addKeyValue("fallback_used", record.fallbackUsed())
                .addKeyValue("estimated_cost_usd", record.estimatedCostUsd())
                .addKeyValue("cost_status", record.costStatus())
                .addKeyValue("attempt_details", record.attemptDetails())
                .addKeyValue("attempts_truncated", record.attemptsTruncated())
                .addKeyValue("recoveries", record.recoveries())
                .addKeyValue("tool_calls", record.toolCalls())
                .addKeyValue("tool_names", record.toolNames())
                .addKeyValue("caller", record.caller());
        event.log(record.toJson());
    }
}

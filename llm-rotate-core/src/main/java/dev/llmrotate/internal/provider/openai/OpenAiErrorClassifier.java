package dev.llmrotate.internal.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.ErrorBodies;
import dev.llmrotate.internal.provider.http.RetryHints;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * Classifies OpenAI (and OpenAI-compatible) error responses from status, {@code error.type}/{@code error.code} and
 * headers. 429 is a rate limit unless the body says the quota or billing is exhausted.
 */
public final class OpenAiErrorClassifier {
    private static final Set<String> QUOTA_CODES = Set.of(
            "insufficient_quota",
            "credit_balance_exhausted",
            "organization_spend_limit_exceeded",
            "project_spend_limit_exceeded",
            "organization_usage_limit_exceeded",
            "billing_hard_limit_reached",
            "billing_not_active");
    private static final Set<String> CONTENT_FILTER_CODES =
            Set.of("content_filter", "content_policy_violation", "moderation_blocked");

    private final ObjectMapper json;

    public OpenAiErrorClassifier(ObjectMapper json) {
        this.json = json;
    }

    /** The classified failure of a non-2xx response. */
    public ProviderException classify(HttpResult response, Instant now) {
        JsonNode error = ErrorBodies.errorObject(json, response.body());
        String type = ErrorBodies.text(error, "type");
        String code = ErrorBodies.text(error, "code");
        String message = ErrorBodies.text(error, "message");
        int status = response.status();
        ErrorType errorType = classify(status, type, code, message);
        Duration retryAfter = RetryHints.retryAfter(response.headers(), now);
        if (retryAfter == null && errorType == ErrorType.RATE_LIMIT) {
            retryAfter = rateLimitReset(response);
        }
        String detail =
                "HTTP " + status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message);
        return new ProviderException(errorType, status, retryAfter, detail);
    }

    /** The classified failure of an {@code error} object sent inside a stream (no status, no headers). */
    public ProviderException classifyEvent(JsonNode error) {
        String type = ErrorBodies.text(error, "type");
        String code = ErrorBodies.text(error, "code");
        String message = ErrorBodies.text(error, "message");
        ErrorType errorType = classify(0, type, code, message);
        if (errorType == ErrorType.UNKNOWN && (type.contains("rate_limit") || code.contains("rate_limit"))) {
            errorType = ErrorType.RATE_LIMIT;
        } else if (errorType == ErrorType.UNKNOWN && (type.contains("server") || type.contains("overloaded"))) {
            errorType = ErrorType.TRANSIENT_SERVER_ERROR;
        }
        return new ProviderException(errorType, null, null, "error event " + type + ": " + message);
    }

    static ErrorType classify(int status, String type, String code, String message) {
        String lowerMessage = message.toLowerCase(Locale.ROOT);
        if (QUOTA_CODES.contains(code) || "insufficient_quota".equals(type) || status == 402) {
            return ErrorType.QUOTA_EXHAUSTED;
        }
        if ("context_length_exceeded".equals(code) || lowerMessage.contains("maximum context length")) {
            return ErrorType.CONTEXT_LENGTH_EXCEEDED;
        }
        if (CONTENT_FILTER_CODES.contains(code) || lowerMessage.contains("content management policy")) {
            return ErrorType.CONTENT_FILTERED;
        }
        if ("model_not_found".equals(code)
                || "deployment_not_found".equals(code)
                || "DeploymentNotFound".equals(code)) {
            return ErrorType.MODEL_UNAVAILABLE;
        }
        return switch (status) {
            case 429 -> ErrorType.RATE_LIMIT;
            case 401 -> ErrorType.INVALID_AUTH;
            case 403 -> ErrorType.PERMISSION_DENIED;
            case 404 -> ErrorType.MODEL_UNAVAILABLE;
            case 408 -> ErrorType.TIMEOUT;
            case 400, 413, 415, 422 -> ErrorType.INVALID_REQUEST;
            // 409 is a lock/conflict the OpenAI SDKs retry.
            case 409, 500, 502, 503, 504, 520, 521, 522, 524, 529 -> ErrorType.TRANSIENT_SERVER_ERROR;
            default -> status >= 500 ? ErrorType.TRANSIENT_SERVER_ERROR : ErrorType.UNKNOWN;
        };
    }

    /** The reset of the exhausted limit from {@code x-ratelimit-reset-requests/-tokens} (Go durations). */
    private static Duration rateLimitReset(HttpResult response) {
        Duration requests = exhaustedReset(response, "requests");
        Duration tokens = exhaustedReset(response, "tokens");
        if (requests == null) {
            return tokens;
        }
        return tokens == null || requests.compareTo(tokens) >= 0 ? requests : tokens;
    }

    private static Duration exhaustedReset(HttpResult response, String limit) {
        String remaining =
                response.headers().firstValue("x-ratelimit-remaining-" + limit).orElse(null);
        if (remaining != null && !remaining.trim().equals("0")) {
            return null;
        }
        return RetryHints.goDuration(
                response.headers().firstValue("x-ratelimit-reset-" + limit).orElse(null));
    }
}

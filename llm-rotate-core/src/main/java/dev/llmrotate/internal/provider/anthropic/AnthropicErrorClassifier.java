package dev.llmrotate.internal.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.ErrorBodies;
import dev.llmrotate.internal.provider.http.RetryHints;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Classifies Anthropic Messages API errors: the body {@code {"type":"error","error":{"type":…,"message":…,
 * "details":{"error_code":…}}}}, the status, and the {@code retry-after} / {@code anthropic-ratelimit-*} headers.
 *
 * <table>
 *   <caption>How an Anthropic error maps to an {@link ErrorType}</caption>
 *   <tr><th>signal</th><th>error type</th></tr>
 *   <tr><td>429 {@code rate_limit_error}</td><td>rate_limit</td></tr>
 *   <tr><td>429 with {@code details.error_code: enforced_spend_limit_reached} (the usage tier's monthly cap), or a
 *       400/429 whose message says the API usage limits / spend limit were reached (a limit the organisation or
 *       workspace set itself)</td><td>quota_exhausted</td></tr>
 *   <tr><td>402 {@code billing_error}</td><td>quota_exhausted</td></tr>
 *   <tr><td>401 {@code authentication_error}</td><td>invalid_auth</td></tr>
 *   <tr><td>403 {@code permission_error}</td><td>permission_denied</td></tr>
 *   <tr><td>404 {@code not_found_error}</td><td>model_unavailable</td></tr>
 *   <tr><td>400 {@code invalid_request_error} saying "prompt is too long" or "exceed context limit"</td>
 *       <td>context_length_exceeded</td></tr>
 *   <tr><td>other 400, 413 {@code request_too_large}, 422</td><td>invalid_request</td></tr>
 *   <tr><td>409 {@code conflict_error}, 500 {@code api_error}, 529 {@code overloaded_error}, other 5xx</td>
 *       <td>transient_server_error</td></tr>
 *   <tr><td>408, 504 {@code timeout_error}</td><td>timeout</td></tr>
 * </table>
 *
 * <p>A rate limit's wait is {@code retry-after} when sent (Anthropic sends it with every 429 rate limit); otherwise
 * the {@code anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-reset} headers, which are absolute RFC
 * 3339 times: the latest reset of the limits whose {@code -remaining} is 0, or, when none says so, the latest reset
 * sent.
 */
public final class AnthropicErrorClassifier {
    private static final String[] RATE_LIMITS = {"requests", "tokens", "input-tokens", "output-tokens"};

    private final ObjectMapper json;

    public AnthropicErrorClassifier(ObjectMapper json) {
        this.json = json;
    }

    /** The classified failure of a non-2xx response. */
    public ProviderException classify(HttpResult response, Instant now) {
        JsonNode error = ErrorBodies.errorObject(json, response.body());
        String type = ErrorBodies.text(error, "type");
        String code = ErrorBodies.text(error.path("details"), "error_code");
        String message = ErrorBodies.text(error, "message");
        int status = response.status();
        ErrorType errorType = classify(status, type, code, message);
        Duration retryAfter = RetryHints.retryAfter(response.headers(), now);
        if (retryAfter == null && errorType == ErrorType.RATE_LIMIT) {
            retryAfter = rateLimitReset(response.headers(), now);
        }
        String detail = "HTTP " + status + (type.isEmpty() ? "" : " " + type) + (code.isEmpty() ? "" : " " + code)
                + (message.isEmpty() ? "" : ": " + message);
        return new ProviderException(errorType, status, retryAfter, detail);
    }

    /**
     * The classified failure of an {@code error} event inside a stream (no status, no headers): classified by its
     * {@code error.type} as the same error would be without streaming ({@code overloaded_error} is transient).
     *
     * @param event the event's data, {@code {"type":"error","error":{…}}}, or the inner error object
     */
    public ProviderException classifyEvent(JsonNode event) {
        JsonNode error = event.path("error").isObject() ? event.get("error") : event;
        String type = ErrorBodies.text(error, "type");
        String code = ErrorBodies.text(error.path("details"), "error_code");
        String message = ErrorBodies.text(error, "message");
        return new ProviderException(
                classify(0, type, code, message),
                null,
                null,
                "error event " + (type.isEmpty() ? "(untyped)" : type) + (code.isEmpty() ? "" : " " + code)
                        + (message.isEmpty() ? "" : ": " + message));
    }

    /**
     * The error type of a status (0 for a stream event), an {@code error.type}, an {@code error.details.error_code}
     * and a message.
     */
    static ErrorType classify(int status, String type, String code, String message) {
        String lower = message.toLowerCase(Locale.ROOT);
        boolean requestOrLimit = status == 0 || status == 400 || status == 429;
        if (status == 402
                || "billing_error".equals(type)
                || "enforced_spend_limit_reached".equals(code)
                || (requestOrLimit && spendLimitReached(lower))) {
            return ErrorType.QUOTA_EXHAUSTED;
        }
        boolean invalidRequest = status == 400 || (status == 0 && "invalid_request_error".equals(type));
        if (invalidRequest && (lower.contains("prompt is too long") || lower.contains("exceed context limit"))) {
            return ErrorType.CONTEXT_LENGTH_EXCEEDED;
        }
        return switch (status) {
            case 400, 413, 422 -> ErrorType.INVALID_REQUEST;
            case 401 -> ErrorType.INVALID_AUTH;
            case 403 -> ErrorType.PERMISSION_DENIED;
            case 404 -> ErrorType.MODEL_UNAVAILABLE;
            case 408, 504 -> ErrorType.TIMEOUT;
            case 409, 529 -> ErrorType.TRANSIENT_SERVER_ERROR;
            case 429 -> ErrorType.RATE_LIMIT;
            default -> status >= 500 ? ErrorType.TRANSIENT_SERVER_ERROR : byType(type);
        };
    }

    /** Anthropic's wordings for a spend limit: "You have reached your (specified) (workspace) API usage limits". */
    private static boolean spendLimitReached(String lowerMessage) {
        return lowerMessage.contains("api usage limits") || lowerMessage.contains("spend limit");
    }

    /** For stream events and statuses Anthropic does not document: the documented status of each error type. */
    private static ErrorType byType(String type) {
        return switch (type) {
            case "invalid_request_error", "request_too_large" -> ErrorType.INVALID_REQUEST;
            case "authentication_error" -> ErrorType.INVALID_AUTH;
            case "permission_error" -> ErrorType.PERMISSION_DENIED;
            case "not_found_error" -> ErrorType.MODEL_UNAVAILABLE;
            case "rate_limit_error" -> ErrorType.RATE_LIMIT;
            case "timeout_error" -> ErrorType.TIMEOUT;
            case "api_error", "overloaded_error", "conflict_error" -> ErrorType.TRANSIENT_SERVER_ERROR;
            default -> ErrorType.UNKNOWN;
        };
    }

    /** When the exhausted limit resets, from the absolute {@code anthropic-ratelimit-*-reset} times. */
    static Duration rateLimitReset(HttpHeaders headers, Instant now) {
        Instant exhausted = null;
        Instant any = null;
        for (String limit : RATE_LIMITS) {
            Instant reset = rfc3339(headers.firstValue("anthropic-ratelimit-" + limit + "-reset")
                    .orElse(null));
            if (reset == null) {
                continue;
            }
            any = later(any, reset);
            String remaining = headers.firstValue("anthropic-ratelimit-" + limit + "-remaining")
                    .orElse("")
                    .trim();
            if (remaining.equals("0")) {
                exhausted = later(exhausted, reset);
            }
        }
        Instant at = exhausted != null ? exhausted : any;
        if (at == null) {
            return null;
        }
        Duration wait = Duration.between(now, at);
        return wait.isNegative() ? Duration.ZERO : wait;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    /** An RFC 3339 time ({@code 2025-08-21T12:40:59Z}, with fractions or an offset), or null. */
    static Instant rfc3339(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

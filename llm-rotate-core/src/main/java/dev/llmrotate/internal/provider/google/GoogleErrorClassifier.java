package dev.llmrotate.internal.provider.google;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies Google API errors, {@code {"error":{"code","message","status","details":[…]}}} (also inside a JSON
 * array, as streaming endpoints send them), for AI Studio and Vertex alike:
 *
 * <table>
 *   <caption>Google error to {@link ErrorType}</caption>
 *   <tr><th>signal</th><th>type</th></tr>
 *   <tr><td>429 {@code RESOURCE_EXHAUSTED}</td><td>{@code rate_limit}, retry hint from {@code RetryInfo.retryDelay}
 *       (else "retry in …" in the message, else {@code Retry-After})</td></tr>
 *   <tr><td>429 with a per-day {@code QuotaFailure} ({@code quotaId} containing {@code PerDay}) or {@code limit: 0}
 *       in the message (the tier has no quota for the model)</td><td>{@code quota_exhausted}: waiting minutes does
 *       not help</td></tr>
 *   <tr><td>402 (prepaid credit used up)</td><td>{@code quota_exhausted}</td></tr>
 *   <tr><td>400 with {@code ErrorInfo.reason} {@code API_KEY_INVALID}; 401 {@code UNAUTHENTICATED}</td>
 *       <td>{@code invalid_auth}</td></tr>
 *   <tr><td>403 {@code PERMISSION_DENIED}</td><td>{@code permission_denied}</td></tr>
 *   <tr><td>404 {@code NOT_FOUND}</td><td>{@code model_unavailable}</td></tr>
 *   <tr><td>400 {@code INVALID_ARGUMENT} "The input token count (N) exceeds the maximum number of tokens allowed
 *       (M)"</td><td>{@code context_length_exceeded}</td></tr>
 *   <tr><td>other 400 {@code INVALID_ARGUMENT}; 400 {@code FAILED_PRECONDITION} (e.g. the free tier is not offered
 *       in the caller's region: a property of where the call comes from, so rotating keys would not help); 413</td>
 *       <td>{@code invalid_request}</td></tr>
 *   <tr><td>500 {@code INTERNAL}, 503 {@code UNAVAILABLE}, 502, 409 {@code ABORTED}, 499 {@code CANCELLED}, other
 *       5xx</td><td>{@code transient_server_error}</td></tr>
 *   <tr><td>504 {@code DEADLINE_EXCEEDED}, 408</td><td>{@code timeout}</td></tr>
 * </table>
 */
public final class GoogleErrorClassifier {
    private static final String TYPE_PREFIX = "type.googleapis.com/google.rpc.";
    private static final Pattern GOOGLE_DURATION = Pattern.compile("^(\\d+(?:\\.\\d+)?)s$");
    private static final Pattern RETRY_IN = Pattern.compile("(?i)retry in ((?:\\d+(?:\\.\\d+)?(?:h|ms|m|s))+)");
    private static final Pattern ZERO_LIMIT = Pattern.compile("\\blimit: 0\\b(?!\\.)");
    private static final Pattern CONTEXT_LENGTH =
            Pattern.compile("(?i)input token count.*exceeds the maximum|exceeds the maximum number of tokens");

    private final ObjectMapper json;

    public GoogleErrorClassifier(ObjectMapper json) {
        this.json = json;
    }

    /** The classified failure of a non-2xx response. */
    public ProviderException classify(HttpResult response, Instant now) {
        JsonNode error = ErrorBodies.errorObject(json, response.body());
        ProviderException classified = classify(response.status(), error);
        Duration retryAfter = classified.retryAfter();
        if (retryAfter == null && classified.type() == ErrorType.RATE_LIMIT) {
            retryAfter = RetryHints.retryAfter(response.headers(), now);
        }
        return new ProviderException(classified.type(), response.status(), retryAfter, classified.getMessage());
    }

    /** The classified failure of an {@code error} object sent inside a stream (no HTTP status of its own). */
    public ProviderException classifyEvent(JsonNode error) {
        return classify(error.path("code").asInt(0), error);
    }

    private static ProviderException classify(int httpStatus, JsonNode error) {
        int status = httpStatus >= 400 ? httpStatus : error.path("code").asInt(0);
        String rpcStatus = error.path("status").asText("");
        String message = error.path("message").asText("");
        JsonNode details = error.path("details");
        ErrorType type = type(status, rpcStatus, message, details);
        Duration retryAfter =
                type == ErrorType.RATE_LIMIT || type == ErrorType.QUOTA_EXHAUSTED ? retryDelay(details, message) : null;
        String detail = "HTTP " + status + (rpcStatus.isEmpty() ? "" : " " + rpcStatus)
                + (message.isEmpty() ? "" : ": " + message);
        return new ProviderException(type, status == 0 ? null : status, retryAfter, detail);
    }

    static ErrorType type(int status, String rpcStatus, String message, JsonNode details) {
        if (status == 402) {
            return ErrorType.QUOTA_EXHAUSTED;
        }
        if (status == 429 || rpcStatus.equals("RESOURCE_EXHAUSTED")) {
            return quotaGone(details, message) ? ErrorType.QUOTA_EXHAUSTED : ErrorType.RATE_LIMIT;
        }
        if ("API_KEY_INVALID".equals(errorInfoReason(details))
                || message.toLowerCase(Locale.ROOT).contains("api key not valid")) {
            return ErrorType.INVALID_AUTH;
        }
        if (status == 401 || rpcStatus.equals("UNAUTHENTICATED")) {
            return ErrorType.INVALID_AUTH;
        }
        if (status == 403 || rpcStatus.equals("PERMISSION_DENIED")) {
            return ErrorType.PERMISSION_DENIED;
        }
        if (status == 404 || rpcStatus.equals("NOT_FOUND")) {
            return ErrorType.MODEL_UNAVAILABLE;
        }
        if (status == 504 || status == 408 || rpcStatus.equals("DEADLINE_EXCEEDED")) {
            return ErrorType.TIMEOUT;
        }
        if (status == 400 || status == 413 || rpcStatus.equals("INVALID_ARGUMENT")) {
            return CONTEXT_LENGTH.matcher(message).find()
                    ? ErrorType.CONTEXT_LENGTH_EXCEEDED
                    : ErrorType.INVALID_REQUEST;
        }
        if (rpcStatus.equals("FAILED_PRECONDITION")) {
            return ErrorType.INVALID_REQUEST;
        }
        if (status >= 500
                || status == 409
                || status == 499
                || rpcStatus.equals("INTERNAL")
                || rpcStatus.equals("UNAVAILABLE")
                || rpcStatus.equals("ABORTED")) {
            return ErrorType.TRANSIENT_SERVER_ERROR;
        }
        return ErrorType.UNKNOWN;
    }

    /** A per-day quota or a tier without quota for the model: waiting for the next minute will not help. */
    private static boolean quotaGone(JsonNode details, String message) {
        if (ZERO_LIMIT.matcher(message).find()) {
            return true;
        }
        for (JsonNode detail : details) {
            if (detail.path("@type").asText("").equals(TYPE_PREFIX + "QuotaFailure")) {
                for (JsonNode violation : detail.path("violations")) {
                    String id = violation.path("quotaId").asText("") + " "
                            + violation.path("quotaMetric").asText("");
                    if (id.toLowerCase(Locale.ROOT).contains("perday")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String errorInfoReason(JsonNode details) {
        for (JsonNode detail : details) {
            if (detail.path("@type").asText("").equals(TYPE_PREFIX + "ErrorInfo")) {
                return detail.path("reason").asText("");
            }
        }
        return "";
    }

    /** {@code RetryInfo.retryDelay} ({@code "34s"}, {@code "1.5s"}), else "retry in 10h17m5.7s" in the message. */
    static Duration retryDelay(JsonNode details, String message) {
        for (JsonNode detail : details) {
            if (detail.path("@type").asText("").equals(TYPE_PREFIX + "RetryInfo")) {
                Duration delay = googleDuration(detail.path("retryDelay").asText(""));
                if (delay != null) {
                    return delay;
                }
            }
        }
        Matcher m = RETRY_IN.matcher(message);
        return m.find() ? RetryHints.goDuration(m.group(1)) : null;
    }

    /** A protobuf {@code Duration} in JSON: seconds with an {@code s} suffix, e.g. {@code "34s"}, {@code "1.5s"}. */
    static Duration googleDuration(String value) {
        Matcher m = GOOGLE_DURATION.matcher(value.trim());
        if (!m.matches()) {
            return null;
        }
        return Duration.ofNanos(Math.round(Double.parseDouble(m.group(1)) * 1e9));
    }
}

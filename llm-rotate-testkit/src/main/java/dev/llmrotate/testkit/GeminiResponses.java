package dev.llmrotate.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * Gemini-specific errors, for {@link FakeGeminiServer} scripts, beyond the common kinds that {@link FakeResponse}
 * renders for every provider. Each is a {@code google.rpc.Status} body {@code {"error":{"code":…,"message":…,
 * "status":…,"details":[…]}}}; other fake servers answer them with a {@code 500} testkit error.
 *
 * <pre>{@code
 * gemini.forKey("AIza-free").always(GeminiResponses.quotaExhaustedPerDay(Duration.ofHours(9)));
 * gemini.forKey("AIza-pro").next(GeminiResponses.rateLimitedPerMinute(Duration.ofSeconds(34)));
 * }</pre>
 *
 * <p>Quota errors name the requested model in their message and {@code quotaDimensions}. For anything else use
 * {@code FakeResponse.error(status, "STATUS_NAME", reason, message)} (a non-null reason becomes an {@code ErrorInfo}
 * detail) or {@link FakeResponse#raw}.
 */
public final class GeminiResponses {

    /** The {@code quotaId} of the free tier's requests-per-minute quota. */
    public static final String PER_MINUTE_QUOTA = "GenerateRequestsPerMinutePerProjectPerModel-FreeTier";

    /** The {@code quotaId} of the free tier's requests-per-day quota. */
    public static final String PER_DAY_QUOTA = "GenerateRequestsPerDayPerProjectPerModel-FreeTier";

    private GeminiResponses() {}

    /**
     * {@code 429 RESOURCE_EXHAUSTED} for a quota: a {@code QuotaFailure} detail with this {@code quotaId}, metric
     * {@code generativelanguage.googleapis.com/generate_content_free_tier_requests}, the requested model and the
     * limit as {@code quotaValue}, the limit also in the message ({@code limit: 0, model: …}), and, with a retry
     * delay, a {@code RetryInfo} detail ({@code "retryDelay":"34s"}) and {@code Please retry in 34s.} in the message.
     *
     * @param quotaId e.g. {@link #PER_MINUTE_QUOTA}
     * @param limit the quota's limit; {@code 0} for a model the tier has no quota for
     * @param retryDelay the delay to advise, or {@code null} for no {@code RetryInfo}
     * @return the response
     */
    public static FakeResponse quotaExceeded(String quotaId, long limit, Duration retryDelay) {
        Objects.requireNonNull(quotaId, "quotaId");
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        if (retryDelay != null && retryDelay.isNegative()) {
            throw new IllegalArgumentException("retryDelay must not be negative");
        }
        return FakeResponse.formatSpecific(
                GeminiWireFormat.NAME,
                "GeminiQuotaExceeded[" + quotaId + ", limit=" + limit + ", retryDelay=" + retryDelay + "]",
                request -> GeminiWireFormat.quotaExceeded(request, quotaId, limit, retryDelay));
    }

    /**
     * The per-minute free-tier request quota is used up (limit 15): wait {@code retryDelay} and retry.
     *
     * @param retryDelay the {@code RetryInfo} delay
     * @return the response
     */
    public static FakeResponse rateLimitedPerMinute(Duration retryDelay) {
        return quotaExceeded(PER_MINUTE_QUOTA, 15, Objects.requireNonNull(retryDelay, "retryDelay"));
    }

    /**
     * The per-day free-tier request quota is used up (limit 250): retrying within the day does not help.
     *
     * @param retryDelay the {@code RetryInfo} delay, or {@code null} for none
     * @return the response
     */
    public static FakeResponse quotaExhaustedPerDay(Duration retryDelay) {
        return quotaExceeded(PER_DAY_QUOTA, 250, retryDelay);
    }

    /**
     * The tier has no quota at all for the model ({@code limit: 0}, per-day quota, no {@code RetryInfo}): waiting
     * never helps. Also what {@link FakeResponse#insufficientQuota()} renders on a Gemini server.
     *
     * @return the response
     */
    public static FakeResponse quotaLimitZero() {
        return quotaExceeded(PER_DAY_QUOTA, 0, null);
    }

    /**
     * {@code 400 INVALID_ARGUMENT}, {@code API key not valid. Please pass a valid API key.}, with an {@code ErrorInfo}
     * detail {@code {"reason":"API_KEY_INVALID","domain":"googleapis.com"}}. What {@link
     * FakeResponse#invalidApiKey()} renders on AI Studio paths.
     *
     * @return the response
     */
    public static FakeResponse apiKeyInvalid() {
        return FakeResponse.formatSpecific(
                GeminiWireFormat.NAME, "GeminiApiKeyInvalid", GeminiWireFormat::apiKeyInvalid);
    }

    /**
     * {@code 401 UNAUTHENTICATED}: the OAuth token is missing, invalid or expired. What {@link
     * FakeResponse#invalidApiKey()} renders on Vertex paths.
     *
     * @return the response
     */
    public static FakeResponse unauthenticated() {
        return FakeResponse.formatSpecific(
                GeminiWireFormat.NAME, "GeminiUnauthenticated", request -> GeminiWireFormat.unauthenticated());
    }

    /**
     * {@code 403 PERMISSION_DENIED}, {@code The caller does not have permission}.
     *
     * @return the response
     */
    public static FakeResponse permissionDenied() {
        return FakeResponse.formatSpecific(
                GeminiWireFormat.NAME, "GeminiPermissionDenied", request -> GeminiWireFormat.permissionDenied());
    }

    /**
     * {@code 500 INTERNAL}; the same as {@link FakeResponse#serverError()} on a Gemini server.
     *
     * @return the response
     */
    public static FakeResponse internal() {
        return FakeResponse.formatSpecific(
                GeminiWireFormat.NAME, "GeminiInternal", request -> GeminiWireFormat.internal());
    }

    /**
     * {@code 503 UNAVAILABLE}, {@code The model is overloaded. Please try again later.}; the same as {@link
     * FakeResponse#overloaded()} on a Gemini server.
     *
     * @return the response
     */
    public static FakeResponse unavailable() {
        return FakeResponse.formatSpecific(
                GeminiWireFormat.NAME, "GeminiUnavailable", request -> GeminiWireFormat.unavailable());
    }

    /**
     * {@code 504 DEADLINE_EXCEEDED}, {@code Deadline expired before operation could complete.}
     *
     * @return the response
     */
    public static FakeResponse deadlineExceeded() {
        return FakeResponse.formatSpecific(
                GeminiWireFormat.NAME, "GeminiDeadlineExceeded", request -> GeminiWireFormat.deadlineExceeded());
    }
}

package dev.llmrotate.internal.provider.google;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Google error bodies as the API sends them; the same rows run over loopback in the adapter tests. */
class GoogleErrorClassifierTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private final GoogleErrorClassifier classifier = new GoogleErrorClassifier(new ObjectMapper());

    private ProviderException classify(int status, String body, Map<String, List<String>> headers) {
        return classifier.classify(new HttpResult(status, HttpHeaders.of(headers, (a, b) -> true), body), NOW);
    }

    private ProviderException classify(int status, String body) {
        return classify(status, body, Map.of());
    }

    @Test
    void aPerMinuteLimitIsARateLimitWithTheRetryInfoDelay() {
        ProviderException e = classify(429, """
                {"error":{"code":429,"message":"You exceeded your current quota. Please retry in 34.5s.",
                  "status":"RESOURCE_EXHAUSTED","details":[
                  {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                    {"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests",
                     "quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
                  {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"34s"}]}}
                """);
        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMIT);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(34));
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.getMessage()).startsWith("HTTP 429 RESOURCE_EXHAUSTED: You exceeded");
    }

    @Test
    void fractionalRetryDelaysAndMessageHintsAndHeadersAreRead() {
        assertThat(classify(429, """
                        {"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"slow down","details":[
                          {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}
                        """).retryAfter()).isEqualTo(Duration.ofMillis(1500));
        assertThat(classify(429, """
                        {"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"Please retry in 1m5.5s."}}
                        """).retryAfter()).isEqualTo(Duration.ofMillis(65_500));
        assertThat(classify(429, "{}", Map.of("retry-after", List.of("7"))).retryAfter())
                .isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void aPerDayQuotaOrAZeroLimitIsQuotaExhausted() {
        assertThat(classify(429, """
                        {"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota","details":[
                          {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[
                            {"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
                          {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37000s"}]}}
                        """).type()).isEqualTo(ErrorType.QUOTA_EXHAUSTED);
        assertThat(classify(429, """
                        {"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"Quota exceeded for metric: \
                        generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: x"}}
                        """).type()).isEqualTo(ErrorType.QUOTA_EXHAUSTED);
    }

    @ParameterizedTest(name = "{0} {1}: {2} -> {4}")
    @CsvSource(
            delimiter = '|',
            value = {
                "402 | RESOURCE_EXHAUSTED | Prepay credit depleted | | QUOTA_EXHAUSTED",
                "400 | INVALID_ARGUMENT | API key not valid. Please pass a valid API key. | API_KEY_INVALID | INVALID_AUTH",
                "401 | UNAUTHENTICATED | Request had invalid authentication credentials. | | INVALID_AUTH",
                "403 | PERMISSION_DENIED | Permission denied on resource project p. | | PERMISSION_DENIED",
                "404 | NOT_FOUND | models/gemini-9 is not found for API version v1beta | | MODEL_UNAVAILABLE",
                "400 | INVALID_ARGUMENT | The input token count (3475108) exceeds the maximum number of tokens allowed (1048576). | | CONTEXT_LENGTH_EXCEEDED",
                "400 | INVALID_ARGUMENT | Invalid JSON payload received. | | INVALID_REQUEST",
                "400 | FAILED_PRECONDITION | User location is not supported for the API use. | | INVALID_REQUEST",
                "500 | INTERNAL | An internal error has occurred. | | TRANSIENT_SERVER_ERROR",
                "503 | UNAVAILABLE | The model is overloaded. Please try again later. | | TRANSIENT_SERVER_ERROR",
                "504 | DEADLINE_EXCEEDED | Deadline expired before operation could complete. | | TIMEOUT",
                "418 | | teapot | | UNKNOWN"
            })
    void errorsAreClassifiedFromStatusAndDetails(
            int status, String rpcStatus, String message, String reason, ErrorType expected) {
        String details = reason == null
                ? "[]"
                : "[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"" + reason
                        + "\",\"domain\":\"googleapis.com\"}]";
        String body = "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"status\":\""
                + (rpcStatus == null ? "" : rpcStatus) + "\",\"details\":" + details + "}}";
        assertThat(classify(status, body).type()).isEqualTo(expected);
    }

    @Test
    void anErrorInsideAJsonArrayOrAnHtmlPageStillClassifies() {
        assertThat(classify(
                                400,
                                "[{\"error\":{\"code\":400,\"message\":\"The input token count (5) exceeds the maximum"
                                        + " number of tokens allowed (4).\",\"status\":\"INVALID_ARGUMENT\"}}]")
                        .type())
                .isEqualTo(ErrorType.CONTEXT_LENGTH_EXCEEDED);
        assertThat(classify(502, "<html>Bad Gateway</html>").type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR);
    }

    @Test
    void googleDurationsParse() {
        assertThat(GoogleErrorClassifier.googleDuration("34s")).isEqualTo(Duration.ofSeconds(34));
        assertThat(GoogleErrorClassifier.googleDuration("0.250s")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoogleErrorClassifier.googleDuration("34")).isNull();
        assertThat(GoogleErrorClassifier.googleDuration("")).isNull();
    }
}

package dev.llmrotate.internal.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The pure parts of the Anthropic adapter: error classification, reset headers, usage and stop reasons. */
class AnthropicErrorClassifierTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private final ObjectMapper json = new ObjectMapper();

    @ParameterizedTest(name = "{0} {1} [{2}] ''{3}'' -> {4}")
    @CsvSource({
        // status, error.type, details.error_code, message, expected
        "0, overloaded_error, '', Overloaded, TRANSIENT_SERVER_ERROR",
        "0, api_error, '', Internal server error, TRANSIENT_SERVER_ERROR",
        "0, rate_limit_error, '', slow down, RATE_LIMIT",
        "0, rate_limit_error, enforced_spend_limit_reached, You have reached your API usage limits, QUOTA_EXHAUSTED",
        "0, billing_error, '', credit balance too low, QUOTA_EXHAUSTED",
        "0, authentication_error, '', invalid x-api-key, INVALID_AUTH",
        "0, permission_error, '', no access, PERMISSION_DENIED",
        "0, not_found_error, '', 'model: claude-x', MODEL_UNAVAILABLE",
        "0, invalid_request_error, '', 'prompt is too long: 208656 tokens > 200000 maximum', CONTEXT_LENGTH_EXCEEDED",
        "0, invalid_request_error, '', bad field, INVALID_REQUEST",
        "0, request_too_large, '', too big, INVALID_REQUEST",
        "0, timeout_error, '', timed out, TIMEOUT",
        "0, something_new, '', '?', UNKNOWN",
        "418, '', '', teapot, UNKNOWN",
        "418, overloaded_error, '', teapot, TRANSIENT_SERVER_ERROR",
        "502, '', '', bad gateway, TRANSIENT_SERVER_ERROR",
        "408, '', '', request timeout, TIMEOUT"
    })
    void typesAndStatusesTheFakeDoesNotSendAreClassified(
            int status, String type, String code, String message, ErrorType expected) {
        assertThat(AnthropicErrorClassifier.classify(status, type, code, message))
                .isEqualTo(expected);
    }

    @Test
    void anErrorEventIsClassifiedByItsType() {
        ProviderException e = new AnthropicErrorClassifier(json)
                .classifyEvent(json.createObjectNode()
                        .put("type", "error")
                        .set(
                                "error",
                                json.createObjectNode()
                                        .put("type", "overloaded_error")
                                        .put("message", "Overloaded")));
        assertThat(e.type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR);
        assertThat(e.httpStatus()).isNull();
        assertThat(e.getMessage()).isEqualTo("error event overloaded_error: Overloaded");
    }

    @Test
    void theExhaustedLimitsLatestResetIsTheWait() {
        HttpHeaders headers = headers(Map.of(
                "anthropic-ratelimit-requests-remaining", "12",
                "anthropic-ratelimit-requests-reset", "2026-11-25T10:00:05Z",
                "anthropic-ratelimit-input-tokens-remaining", "0",
                "anthropic-ratelimit-input-tokens-reset", "2026-11-25T10:00:40Z",
                "anthropic-ratelimit-tokens-remaining", "0",
                "anthropic-ratelimit-tokens-reset", "2026-11-25T10:00:30+00:00"));
        assertThat(AnthropicErrorClassifier.rateLimitReset(headers, NOW)).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void withoutAnExhaustedLimitTheLatestResetSentIsTheWait() {
        HttpHeaders headers = headers(Map.of(
                "anthropic-ratelimit-requests-reset", "2026-11-25T10:00:05.500Z",
                "anthropic-ratelimit-output-tokens-reset", "2026-11-25T10:00:20Z"));
        assertThat(AnthropicErrorClassifier.rateLimitReset(headers, NOW)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void aResetInThePastIsNoWaitAndUnreadableResetsAreIgnored() {
        assertThat(AnthropicErrorClassifier.rateLimitReset(
                        headers(Map.of("anthropic-ratelimit-requests-reset", "2026-11-25T09:59:00Z")), NOW))
                .isEqualTo(Duration.ZERO);
        assertThat(AnthropicErrorClassifier.rateLimitReset(
                        headers(Map.of("anthropic-ratelimit-requests-reset", "in a minute")), NOW))
                .isNull();
        assertThat(AnthropicErrorClassifier.rateLimitReset(headers(Map.of()), NOW))
                .isNull();
    }

    @Test
    void usageCountsCacheReadsAndWritesAsInputAndReadsAsCached() {
        Usage usage = AnthropicAdapter.usage(json.createObjectNode()
                .put("input_tokens", 20)
                .put("cache_creation_input_tokens", 300)
                .put("cache_read_input_tokens", 1000)
                .put("output_tokens", 42));
        assertThat(usage).isEqualTo(new Usage(1320, 42, 1000, 0));
        assertThat(AnthropicAdapter.usage(json.createObjectNode())).isEqualTo(Usage.NONE);
    }

    @ParameterizedTest
    @CsvSource({
        "end_turn, STOP",
        "stop_sequence, STOP",
        "max_tokens, LENGTH",
        "model_context_window_exceeded, LENGTH",
        "tool_use, TOOL_CALLS",
        "refusal, CONTENT_FILTER",
        "pause_turn, OTHER"
    })
    void stopReasonsAreNormalised(String stopReason, FinishReason expected) {
        assertThat(AnthropicAdapter.finishReason(stopReason)).isEqualTo(expected);
    }

    @Test
    void aMissingStopReasonIsNoneRatherThanOther() {
        // The engine then tells an empty reply (invalid_response) from an answer whose reason is unknown.
        assertThat(AnthropicAdapter.finishReason("")).isNull();
    }

    private static HttpHeaders headers(Map<String, String> values) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        values.forEach((k, v) -> map.put(k, List.of(v)));
        return HttpHeaders.of(map, (k, v) -> true);
    }
}

package dev.llmrotate.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Prometheus names derived from the metric definitions, as the README lists them. */
class MetricNamesTest {

    @Test
    void prometheusNamesFollowOneRule() {
        Map<String, String> names = new LinkedHashMap<>();
        for (MetricNames.Metric metric : MetricNames.ALL) {
            names.put(metric.name(), metric.prometheusName());
        }
        assertThat(names)
                .containsExactly(
                        Map.entry("llm_rotate.calls", "llm_rotate_calls_total"),
                        Map.entry("llm_rotate.attempts", "llm_rotate_attempts_total"),
                        Map.entry("llm_rotate.errors", "llm_rotate_errors_total"),
                        Map.entry("llm_rotate.key_rotations", "llm_rotate_key_rotations_total"),
                        Map.entry("llm_rotate.fallbacks", "llm_rotate_fallbacks_total"),
                        Map.entry("llm_rotate.tokens", "llm_rotate_tokens_total"),
                        Map.entry("llm_rotate.cost", "llm_rotate_cost_usd_total"),
                        Map.entry(
                                "gen_ai.client.operation.duration",
                                "llm_rotate_gen_ai_client_operation_duration_seconds"),
                        Map.entry(
                                "gen_ai.client.operation.time_to_first_chunk",
                                "llm_rotate_gen_ai_client_operation_time_to_first_chunk_seconds"),
                        Map.entry("gen_ai.client.token.usage", "llm_rotate_gen_ai_client_token_usage"),
                        Map.entry("llm_rotate.key.state", "llm_rotate_key_state"),
                        Map.entry("llm_rotate.key.available_in", "llm_rotate_key_available_in_seconds"),
                        Map.entry("llm_rotate.key.requests_remaining", "llm_rotate_key_requests_remaining"),
                        Map.entry("llm_rotate.key.tokens_remaining", "llm_rotate_key_tokens_remaining"),
                        Map.entry("llm_rotate.provider.available_keys", "llm_rotate_provider_available_keys"),
                        Map.entry("llm_rotate.caller.calls", "llm_rotate_caller_calls_total"),
                        Map.entry("llm_rotate.caller.tokens", "llm_rotate_caller_tokens_total"),
                        Map.entry("llm_rotate.caller.cost", "llm_rotate_caller_cost_usd_total"),
                        Map.entry("llm_rotate.fleet.key.calls", "llm_rotate_fleet_key_calls_total"),
                        Map.entry("llm_rotate.fleet.key.errors", "llm_rotate_fleet_key_errors_total"),
                        Map.entry("llm_rotate.fleet.key.tokens", "llm_rotate_fleet_key_tokens_total"),
                        Map.entry("llm_rotate.fleet.key.cost", "llm_rotate_fleet_key_cost_usd_total"),
                        Map.entry("llm_rotate.fleet.model.calls", "llm_rotate_fleet_model_calls_total"),
                        Map.entry("llm_rotate.fleet.model.tokens", "llm_rotate_fleet_model_tokens_total"),
                        Map.entry("llm_rotate.fleet.model.cost", "llm_rotate_fleet_model_cost_usd_total"));
    }

    @Test
    void aUnitAlreadyInTheNameIsNotRepeated() {
        MetricNames.Metric metric =
                new MetricNames.Metric("llm_rotate.wait_seconds", MetricNames.Type.HISTOGRAM, "s", "waits");
        assertThat(metric.prometheusName()).isEqualTo("llm_rotate_wait_seconds");
        assertThat(metric.prometheusUnit()).isEqualTo("seconds");
        assertThat(MetricNames.TOKENS.prometheusUnit()).isNull();
        assertThat(MetricNames.KEY_STATE.prometheusUnit()).isNull();
    }

    @Test
    void labelsHaveAnAttributeKeyAndAPrometheusName() {
        assertThat(MetricNames.PROVIDER).isEqualTo(new MetricNames.Label("llm_rotate.provider", "provider"));
        assertThat(MetricNames.KEY_ID).isEqualTo(new MetricNames.Label("llm_rotate.key_id", "key_id"));
        assertThat(MetricNames.MODEL).isEqualTo(new MetricNames.Label("gen_ai.request.model", "model"));
        assertThat(MetricNames.OUTCOME).isEqualTo(new MetricNames.Label("llm_rotate.outcome", "outcome"));
        assertThat(MetricNames.ERROR_TYPE).isEqualTo(new MetricNames.Label("error.type", "error_type"));
        assertThat(MetricNames.TOKEN_TYPE).isEqualTo(new MetricNames.Label("gen_ai.token.type", "token_type"));
        // The GenAI conventions' keys; the Prometheus names are what Micrometer's Prometheus registry makes of them.
        assertThat(MetricNames.GEN_AI_OPERATION)
                .isEqualTo(new MetricNames.Label("gen_ai.operation.name", "gen_ai_operation_name"));
        assertThat(MetricNames.GEN_AI_PROVIDER)
                .isEqualTo(new MetricNames.Label("gen_ai.provider.name", "gen_ai_provider_name"));
        assertThat(MetricNames.GEN_AI_RESPONSE_MODEL)
                .isEqualTo(new MetricNames.Label("gen_ai.response.model", "gen_ai_response_model"));
    }
}

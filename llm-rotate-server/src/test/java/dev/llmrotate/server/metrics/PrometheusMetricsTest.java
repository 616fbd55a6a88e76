package dev.llmrotate.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.Keys;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.ModelLabels;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Content negotiation, the model label's bounds and the gauges' edge values, without a server. */
class PrometheusMetricsTest {

    @ParameterizedTest(name = "{0} -> openmetrics {1}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            value = {
                "null | false",
                "'' | false",
                "text/plain | false",
                "*/* | false",
                "text/plain;version=0.0.4 | false",
                "application/openmetrics-text | true",
                "application/openmetrics-text; version=1.0.0 | true",
                "Application/OpenMetrics-Text;Version=1.0.0 | true",
                "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;q=0.2 | true",
                "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1 | true",
                "application/openmetrics-text;version=2.0.0 | false",
                "application/openmetrics-text;q=0 | false",
                "application/openmetrics-text;q=0.1,text/plain;q=0.5 | false",
                "application/openmetrics-text;q=0.5,text/plain;q=0.5 | true",
                "application/openmetrics-text;q=oops | false",
                "application/json | false"
            })
    void openMetricsOnlyWhenTheAcceptHeaderPrefersIt(String accept, boolean openMetrics) {
        assertThat(PrometheusMetrics.prefersOpenMetrics(accept)).isEqualTo(openMetrics);
    }

    @Test
    void secondsUntilAKeyIsBack() {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        assertThat(HealthGauges.secondsUntil(now, now)).isZero();
        assertThat(HealthGauges.secondsUntil(now, now.minusSeconds(5))).isZero();
        assertThat(HealthGauges.secondsUntil(now, now.plusMillis(2_500))).isEqualTo(2.5);
        assertThat(HealthGauges.secondsUntil(now, null)).isEqualTo(Double.POSITIVE_INFINITY); // disabled
        assertThat(HealthGauges.secondsUntil(now, Instant.MAX)).isGreaterThan(1e15);
    }

    @Test
    void theModelLabelIsBoundedByTheConfiguration() throws IOException {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(Keys.openai("a", "gpt-4o-mini"), Keys.openai("b", "gpt-4o-mini", "gpt-4o")))
                .useKeys("a")
                .build();
        assertThat(ModelLabels.modelsOf(config))
                .containsExactlyInAnyOrder("gpt-4o-mini", "gpt-4o", CallRecord.UNKNOWN_MODEL);

        PrometheusRegistry registry = new PrometheusRegistry();
        CallMetrics metrics = new CallMetrics(new ModelLabels(() -> config));
        registry.register(metrics);
        // A configured model answered with the provider's dated id; a model no key lists; an attempt's model outside
        // the configuration (which routes never send: a guard); an outcome this version does not know.
        metrics.accept(record("gpt-4o-mini", "gpt-4o-mini-2024-07-18", CallRecord.SUCCESS, List.of()));
        metrics.accept(record("some-model-a-caller-made-up", null, CallRecord.ERROR, List.of()));
        metrics.accept(record(
                "gpt-4o-mini",
                "gpt-4o-mini",
                CallRecord.INTERRUPTED,
                List.of(new CallRecord.Attempt(
                        "openai",
                        null,
                        "gpt-4o-mini-2024-07-18",
                        "a",
                        "sk-…cdef",
                        "success",
                        null,
                        null,
                        null,
                        3.0,
                        0.0))));
        metrics.accept(record("gpt-4o-mini", "gpt-4o-mini", "an_outcome_from_the_future", List.of()));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        Exposition scrape = Exposition.parseText(out.toString(StandardCharsets.UTF_8));
        assertThat(scrape.labelValues("model")).containsExactlyInAnyOrder("gpt-4o-mini", "other", "(unknown)");
        assertThat(scrape.value(
                        "llm_rotate_calls_total",
                        "provider",
                        "openai",
                        "model",
                        "gpt-4o-mini",
                        "key_id",
                        "a",
                        "outcome",
                        "success"))
                .isEqualTo(1);
        assertThat(scrape.value(
                        "llm_rotate_calls_total",
                        "provider",
                        "openai",
                        "model",
                        "(unknown)",
                        "key_id",
                        "a",
                        "outcome",
                        "error"))
                .isEqualTo(1);
        assertThat(scrape.value(
                        "llm_rotate_attempts_total",
                        "provider",
                        "openai",
                        "model",
                        "other",
                        "key_id",
                        "a",
                        "outcome",
                        "success"))
                .isEqualTo(1);
        assertThat(scrape.value(
                        "llm_rotate_calls_total",
                        "provider",
                        "openai",
                        "model",
                        "gpt-4o-mini",
                        "key_id",
                        "a",
                        "outcome",
                        "error"))
                .isEqualTo(1); // the unknown outcome
        assertThat(scrape.labelValues("outcome")).containsExactlyInAnyOrder("success", "error", "interrupted");
        assertThat(metrics.seriesCount()).isEqualTo(3);
    }

    private static CallRecord record(
            String requested, String model, String outcome, List<CallRecord.Attempt> attempts) {
        return new CallRecord(
                Instant.EPOCH,
                "c1",
                "chat_stream",
                "openai",
                null,
                requested,
                model,
                "a",
                "sk-…cdef",
                outcome,
                null,
                null,
                false,
                0,
                0,
                0,
                0,
                0,
                12.5,
                null,
                1,
                0,
                false,
                null,
                "no_usage",
                attempts,
                List.of(),
                0,
                List.of(),
                null);
    }
}

package dev.llmrotate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.llmrotate.ChatStream;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import io.micrometer.core.instrument.Meter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The names and labels every meter has on a Prometheus registry ({@code /actuator/prometheus}), pinned. The
 * Prometheus registry is not a dependency here, so its naming is applied as Micrometer 1.15's {@code
 * PrometheusNamingConvention} does it: dots become underscores; counters, summaries and gauges get their base unit as
 * a suffix (unless the name ends in it); timers get {@code _seconds}; the Prometheus client adds {@code _total} to
 * counters. llm-rotate's own metrics come out with the names and labels of the control server's {@code /metrics}
 * ({@link MetricNames.Metric#prometheusName()}), so a dashboard's queries work on both.
 */
class PrometheusNamesLoopbackTest extends MicrometerLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final String MODEL = "gpt-4o-mini";

    private static final Set<String> GEN_AI = Set.of(
            "gen_ai_operation_name",
            "gen_ai_provider_name",
            "gen_ai_request_model",
            "gen_ai_response_model",
            "error_type");

    static String prometheusName(Meter.Id id) {
        String name = id.getName().replace('.', '_');
        String unit = id.getBaseUnit();
        switch (id.getType()) {
            case COUNTER, DISTRIBUTION_SUMMARY, GAUGE -> {
                if (unit != null && !name.endsWith("_" + unit)) {
                    name += "_" + unit;
                }
            }
            case TIMER, LONG_TASK_TIMER -> {
                if (!name.endsWith("_seconds")) {
                    name += "_seconds";
                }
            }
            default -> {}
        }
        return id.getType() == Meter.Type.COUNTER ? name + "_total" : name;
    }

    @Test
    void everyMetricHasItsPrometheusNameAndLabels() {
        try (FakeOpenAiServer openrouter = FakeOpenAiServer.start()) {
            LlmRotate lm = bound(config(
                            SelectionStrategyType.PRIORITY,
                            Keys.key("a", "openai", MODEL)
                                    .priority(2)
                                    .rateLimitRpm(100)
                                    .rateLimitTpm(100_000)
                                    .build(),
                            Keys.key("b", "openai", MODEL).priority(1).build(),
                            Keys.key("or", "openrouter", "openai/gpt-4o-mini").build())
                    .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                    .fallbackChain(
                            "openai",
                            FallbackTarget.to("openrouter")
                                    .withUpstream("openai")
                                    .withModel("openai/gpt-4o-mini"))
                    .build());
            openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofSeconds(20)));
            openai.byDefault().next(FakeResponse.ok("x", 40, 12).withChunks("a", "b"));
            try (ChatStream stream =
                    lm.chatStream(ChatRequest.builder(MODEL).messages(HI).build())) {
                stream.collect();
            }
            openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
            openrouter.byDefault().always(FakeResponse.ok("via broker"));
            assertThat(lm.chat(MODEL, HI).fallbackUsed()).isTrue();
        }

        Map<String, Set<String>> labels = new TreeMap<>();
        for (Meter meter : ours()) {
            labels.merge(
                    prometheusName(meter.getId()),
                    meter.getId().getTags().stream()
                            .map(t -> t.getKey().replace('.', '_'))
                            .collect(Collectors.toSet()),
                    (x, y) -> {
                        assertThat(y).as("one label set per name").isEqualTo(x);
                        return x;
                    });
        }
        Set<String> key = Set.of("provider", "key_id");
        assertThat(labels)
                .containsOnly(
                        entry("llm_rotate_calls_total", Set.of("provider", "model", "key_id", "outcome")),
                        entry("llm_rotate_attempts_total", Set.of("provider", "model", "key_id", "outcome")),
                        entry("llm_rotate_errors_total", Set.of("provider", "model", "key_id", "error_type")),
                        entry("llm_rotate_key_rotations_total", Set.of("provider", "key_id", "error_type")),
                        entry("llm_rotate_fallbacks_total", Set.of("provider", "model")),
                        entry("llm_rotate_tokens_total", Set.of("provider", "model", "key_id", "token_type")),
                        entry("llm_rotate_cost_usd_total", Set.of("provider", "model", "key_id")),
                        entry("gen_ai_client_operation_duration_seconds", GEN_AI),
                        entry("gen_ai_client_operation_time_to_first_chunk_seconds", GEN_AI),
                        entry("gen_ai_client_token_usage", union(GEN_AI, "gen_ai_token_type")),
                        entry("llm_rotate_key_state", union(key, "llm_rotate_key_state")),
                        entry("llm_rotate_key_available_in_seconds", key),
                        entry("llm_rotate_key_requests_remaining", key),
                        entry("llm_rotate_key_tokens_remaining", key),
                        entry("llm_rotate_provider_available_keys", Set.of("provider")));

        // llm-rotate's own metrics: the control server's names, from the one set of definitions.
        for (MetricNames.Metric metric : MetricNames.ALL) {
            if (metric.name().startsWith(MetricNames.NAMESPACE + ".")) {
                registry.find(metric.name())
                        .meters()
                        .forEach(m -> assertThat(prometheusName(m.getId())).isEqualTo(metric.prometheusName()));
            }
        }
        // Descriptions from the same definitions.
        for (Meter meter : ours()) {
            MetricNames.Metric metric = MetricNames.ALL.stream()
                    .filter(m -> m.name().equals(meter.getId().getName()))
                    .findFirst()
                    .orElseThrow();
            assertThat(meter.getId().getDescription()).isEqualTo(metric.description());
        }
    }

    /**
     * The meters made here; not the gauges in which the simple registry shows histogram buckets ({@code
     * ….histogram}, tag {@code le}), which a Prometheus registry writes as the histogram's {@code _bucket} series.
     */
    private List<Meter> ours() {
        Set<String> names =
                MetricNames.ALL.stream().map(MetricNames.Metric::name).collect(Collectors.toSet());
        return registry.getMeters().stream()
                .filter(m -> names.contains(m.getId().getName()))
                .toList();
    }

    private static Set<String> union(Set<String> base, String more) {
        return java.util.stream.Stream.concat(base.stream(), java.util.stream.Stream.of(more))
                .collect(Collectors.toSet());
    }
}

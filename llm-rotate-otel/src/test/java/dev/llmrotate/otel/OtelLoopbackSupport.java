package dev.llmrotate.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeOpenAiServer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fake OpenAI server on loopback and an OpenTelemetry SDK that keeps spans and metrics in memory (spans exported as
 * each ends, metrics collected on demand).
 */
abstract class OtelLoopbackSupport {
    protected FakeOpenAiServer openai;
    protected InMemorySpanExporter spans;
    protected InMemoryMetricReader metrics;
    protected OpenTelemetrySdk sdk;
    private final List<LlmRotate> engines = new ArrayList<>();
    private List<MetricData> collected;

    @BeforeEach
    void startFakeProviderAndSdk() {
        openai = FakeOpenAiServer.start();
        spans = InMemorySpanExporter.create();
        metrics = InMemoryMetricReader.create();
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setMeterProvider(
                        SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
    }

    @AfterEach
    void stopEverything() {
        engines.forEach(LlmRotate::close);
        openai.close();
        sdk.close();
    }

    /** A secret of realistic shape, which the fake server recognises as this key's. */
    protected static String secret(String keyId) {
        return "sk-test-" + keyId + "-0123456789abcdef";
    }

    /** The test environment: {@code LLMROTATE_TEST_<ID>} holds key {@code <id>}'s secret. */
    private static String env(String name) {
        return name.startsWith("LLMROTATE_TEST_")
                ? secret(name.substring("LLMROTATE_TEST_".length()).toLowerCase(Locale.ROOT))
                : null;
    }

    protected static KeySpec.Builder key(String keyId, String provider, String... models) {
        return KeySpec.builder(keyId, provider)
                .secretRef(SecretRef.parse(
                        "env://LLMROTATE_TEST_" + keyId.toUpperCase(Locale.ROOT), OtelLoopbackSupport::env))
                .models(models);
    }

    protected static KeySpec openaiKey(String keyId, int priority) {
        return key(keyId, "openai", "gpt-4o-mini").priority(priority).build();
    }

    /** Priority selection on the fake server, fast backoff, no waiting for keys, a 10 s call deadline. */
    protected LlmRotateConfig.Builder config(KeySpec... keys) {
        return LlmRotateConfig.builder()
                .keys(List.of(keys))
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO));
    }

    /** An engine reporting to the in-memory SDK. */
    protected LlmRotate engine(LlmRotateConfig config) {
        return keep(LlmRotate.builder()
                .config(config)
                .random(new Random(7))
                .telemetry(OtelTelemetry.create(sdk))
                .build());
    }

    protected LlmRotate keep(LlmRotate engine) {
        engines.add(engine);
        return engine;
    }

    protected List<SpanData> finishedSpans() {
        return spans.getFinishedSpanItems();
    }

    /** Collects metrics once per test (cumulative), then answers from that collection. */
    protected List<MetricData> collectedMetrics() {
        if (collected == null) {
            collected = new ArrayList<>(metrics.collectAllMetrics());
        }
        return collected;
    }

    protected MetricData metric(String name) {
        List<MetricData> found = collectedMetrics().stream()
                .filter(m -> m.getName().equals(name))
                .toList();
        assertThat(found).as("metric %s", name).hasSize(1);
        return found.get(0);
    }

    protected boolean hasMetric(String name) {
        return collectedMetrics().stream().anyMatch(m -> m.getName().equals(name));
    }

    /** A counter's values by their attributes. */
    protected Map<Attributes, Long> counter(String name) {
        MetricData data = metric(name);
        assertThat(data.getLongSumData().isMonotonic()).isTrue();
        return data.getLongSumData().getPoints().stream()
                .collect(Collectors.toMap(LongPointData::getAttributes, LongPointData::getValue));
    }

    /** A histogram's points by their attributes. */
    protected Map<Attributes, HistogramPointData> histogram(String name) {
        Collection<HistogramPointData> points = metric(name).getHistogramData().getPoints();
        return points.stream().collect(Collectors.toMap(HistogramPointData::getAttributes, Function.identity()));
    }

    /** No span or metric attribute holds a secret, a key mask or anything that looks like one. */
    protected void assertNoSecrets(String... keyIds) {
        List<String> values = new ArrayList<>();
        finishedSpans().forEach(s -> s.getAttributes().forEach((k, v) -> values.add(String.valueOf(v))));
        collectedMetrics()
                .forEach(m -> m.getData()
                        .getPoints()
                        .forEach(p -> p.getAttributes().forEach((k, v) -> values.add(String.valueOf(v)))));
        assertThat(values).isNotEmpty();
        for (String value : values) {
            assertThat(value).doesNotContain("sk-").doesNotContain("…").doesNotContain("0123456789abcdef");
            for (String keyId : keyIds) {
                assertThat(value).doesNotContain(secret(keyId));
            }
        }
    }
}

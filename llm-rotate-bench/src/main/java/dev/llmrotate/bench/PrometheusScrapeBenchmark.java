package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.server.metrics.PrometheusMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scrape of {@link PrometheusMetrics}: a health report of every key read, every series written, in the text
 * format or OpenMetrics, into a reused buffer (no HTTP). {@code keys} keys of one provider each serve the four models
 * of {@link BenchFixtures#MODELS} and have rpm and tpm budgets (so every per-key gauge has a series); the setup makes
 * {@code 10 x keys} calls per model, round-robin over the keys, so every (key, model) answers, with the first key
 * rate-limited on the first model, so that every call-level series exists: calls, attempts, errors, rotations, tokens of both kinds,
 * cost, and the duration histograms per model.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PrometheusScrapeBenchmark {
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";

    @Param({"50"})
    public int keys;

    private LlmRotate rotate;
    private PrometheusMetrics metrics;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        List<KeySpec> specs = new ArrayList<>();
        for (int i = 0; i < keys; i++) {
            specs.add(KeySpec.builder(BenchFixtures.keyId(i), BenchFixtures.PROVIDER)
                    .secretRef("literal://" + BenchFixtures.secret(i))
                    .models(BenchFixtures.MODELS.toArray(String[]::new))
                    .rateLimitRpm(100_000)
                    .rateLimitTpm(100_000_000L)
                    .build());
        }
        rotate = LlmRotate.builder()
                .config(LlmRotateConfig.builder()
                        .keys(specs)
                        .strategy(SelectionStrategyType.ROUND_ROBIN)
                        .build())
                .adapter(new BenchFixtures.NoOpAdapter(BenchFixtures.keyId(0)))
                .build();
        metrics = PrometheusMetrics.forEngine(rotate);
        List<ChatRequest> requests =
                BenchFixtures.MODELS.stream().map(BenchFixtures::request).toList();
        for (ChatRequest request : requests) {
            for (int i = 0; i < 10 * keys; i++) { // round robin: every key 10 times for this model
                rotate.chat(request);
            }
        }
        System.out.printf(
                "%n%d keys: text %d bytes, %d lines; OpenMetrics %d bytes%n",
                keys,
                scrape(null).size(),
                out.toString().lines().count(),
                scrape(OPENMETRICS).size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        metrics.close();
        rotate.close();
    }

    private ByteArrayOutputStream scrape(String accept) throws IOException {
        out.reset();
        metrics.write(out, accept);
        return out;
    }

    /** The health report alone, which every scrape reads once for the per-key gauges. */
    @Benchmark
    public HealthReport health() {
        return rotate.health();
    }

    @Benchmark
    public int scrapeText() throws IOException {
        return scrape(null).size();
    }

    @Benchmark
    public int scrapeOpenMetrics() throws IOException {
        return scrape(OPENMETRICS).size();
    }
}

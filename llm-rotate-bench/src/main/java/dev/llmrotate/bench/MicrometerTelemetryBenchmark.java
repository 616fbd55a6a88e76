package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.micrometer.MicrometerTelemetry;
import dev.llmrotate.spi.Telemetry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link MicrometerTelemetry} adds to a call: the same call with {@link Telemetry#NOOP} and with the Micrometer
 * telemetry on a {@link SimpleMeterRegistry} (cumulative), bound to the engine. A call counts one attempt, one call,
 * two token types, its cost, and records its duration and token usage (two histograms with bucket boundaries). The
 * setup of {@link EngineOverheadBenchmark}: 8 keys of one provider, an in-process adapter that answers at once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MicrometerTelemetryBenchmark {
    /** {@code none}: {@link Telemetry#NOOP}; {@code micrometer}: {@link MicrometerTelemetry} on a simple registry. */
    @Param({"none", "micrometer"})
    public String telemetry;

    private LlmRotate lm;
    private ChatRequest request;

    @Setup
    public void start() {
        MicrometerTelemetry micrometer =
                telemetry.equals("micrometer") ? MicrometerTelemetry.create(new SimpleMeterRegistry()) : null;
        lm = LlmRotate.builder()
                .config(BenchFixtures.config(SelectionStrategyType.HEALTH_AWARE))
                .adapter(new BenchFixtures.NoOpAdapter(null))
                .telemetry(micrometer != null ? micrometer : Telemetry.NOOP)
                .build();
        if (micrometer != null) {
            micrometer.bindTo(lm);
        }
        request = BenchFixtures.request();
    }

    @TearDown
    public void stop() {
        lm.close();
    }

    @Benchmark
    @Threads(1)
    public ChatResponse chat() {
        return lm.chat(request);
    }

    @Benchmark
    @Threads(2)
    public ChatResponse chat2Threads() {
        return lm.chat(request);
    }
}

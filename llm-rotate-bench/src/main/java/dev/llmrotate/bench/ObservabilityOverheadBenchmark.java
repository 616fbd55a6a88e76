package dev.llmrotate.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.core.helpers.NOPAppender;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.otel.OtelTelemetry;
import dev.llmrotate.spi.Telemetry;
import io.opentelemetry.api.OpenTelemetry;
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
import org.slf4j.LoggerFactory;

/**
 * What observability adds to a call: usage records off (the usage logger disabled) or on (enabled at INFO, with
 * an appender that drops the line, so the JSON and key/value pairs are built but no I/O is timed), the event buffer
 * off or on, and telemetry: none, or the OTel module without an SDK. The same
 * in-process no-op provider and 8 keys as {@link EngineOverheadBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ObservabilityOverheadBenchmark {
    @Param({"off", "on"})
    public String records;

    @Param({"off", "on"})
    public String eventBuffer;

    /**
     * {@code none}: no telemetry module; {@code otel-no-sdk}: the OTel module as a user gets it by adding it (the
     * global instance, while no SDK has been installed); {@code otel-noop}: the module bound to
     * {@code OpenTelemetry.noop()}.
     */
    @Param({"none", "otel-no-sdk", "otel-noop"})
    public String telemetry;

    private LlmRotate lm;
    private ChatRequest request;

    @Setup
    public void start() {
        Logger usage = (Logger) LoggerFactory.getLogger(LogNames.USAGE);
        usage.detachAndStopAllAppenders();
        usage.setAdditive(false);
        NOPAppender<ch.qos.logback.classic.spi.ILoggingEvent> drop = new NOPAppender<>();
        drop.setContext(usage.getLoggerContext());
        drop.start();
        usage.addAppender(drop);
        usage.setLevel(records.equals("on") ? Level.INFO : Level.OFF);
        Telemetry hooks = switch (telemetry) {
            case "none" -> Telemetry.NOOP;
            case "otel-no-sdk" -> OtelTelemetry.global();
            default -> OtelTelemetry.create(OpenTelemetry.noop());
        };
        var builder = LlmRotate.builder()
                .config(BenchFixtures.config(SelectionStrategyType.HEALTH_AWARE))
                .adapter(new BenchFixtures.NoOpAdapter(null))
                .telemetry(hooks);
        if (eventBuffer.equals("on")) {
            builder.eventBuffer(1000);
        }
        lm = builder.build();
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
}

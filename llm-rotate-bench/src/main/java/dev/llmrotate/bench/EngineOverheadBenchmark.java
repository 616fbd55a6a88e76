package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost per call: route plan lookup, key selection, attempt bookkeeping, health update, usage
 * counters and the response, through {@link LlmRotate#chat(ChatRequest)} with an in-process adapter that answers at
 * once. Eight keys of one provider serve one model; one instance is shared by all benchmark threads.
 *
 * <p>{@code rateLimitedKey=true}: the adapter answers 429 (Retry-After 30 s) for the first key. The first call
 * rotates away from it, after that the key cools down and every call skips it during selection, as in production.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EngineOverheadBenchmark {

    @Param({"health_aware", "round_robin", "priority", "weighted"})
    public String strategy;

    @Param({"false", "true"})
    public boolean rateLimitedKey;

    private LlmRotate rotate;
    private ChatRequest request;

    @Setup(Level.Trial)
    public void setUp() {
        SelectionStrategyType type = SelectionStrategyType.fromWireName(strategy);
        if (type == null) {
            throw new IllegalArgumentException("unknown strategy " + strategy);
        }
        rotate = LlmRotate.builder()
                .config(BenchFixtures.config(type))
                .adapter(new BenchFixtures.NoOpAdapter(rateLimitedKey ? BenchFixtures.keyId(0) : null))
                .build();
        request = BenchFixtures.request();
        // Fail fast on a broken setup rather than measuring exceptions.
        ChatResponse first = rotate.chat(request);
        ChatResponse second = rotate.chat(request);
        if (first.content() == null || second.content() == null) {
            throw new IllegalStateException("no-op adapter gave no content");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long calls = rotate.usageSummary().overall().calls();
        long failures = rotate.usageSummary().overall().failures();
        if (failures != 0) {
            throw new IllegalStateException(failures + " of " + calls + " calls failed");
        }
        if (rateLimitedKey
                && rotate.usageSummary().byKey().containsKey(BenchFixtures.keyId(0))
                && rotate.usageSummary().byKey().get(BenchFixtures.keyId(0)).successes() != 0) {
            throw new IllegalStateException("the rate-limited key served calls");
        }
        rotate.close();
    }

    @Benchmark
    @Threads(1)
    public ChatResponse chat1Thread() {
        return rotate.chat(request);
    }

    @Benchmark
    @Threads(2)
    public ChatResponse chat2Threads() {
        return rotate.chat(request);
    }
}

package dev.llmrotate.bench;

import dev.llmrotate.config.SecretRef;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.Pricing;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.spi.LatencyHistogram;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Single pieces of the call path, to see where {@link EngineOverheadBenchmark}'s time goes: the usage counters of
 * one call, the latency histogram, the price lookup, masking a secret, the usage log's JSON line (only built when
 * that logger is on) and reading the clock. The record has a realistic 850 ms latency: the no-op adapter's calls
 * take well under 0.1 ms, which the histogram files without computing a logarithm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class HotPathPartsBenchmark {
    private InMemoryStateStore store;
    private CallRecord record;
    private CallRecord recordWithCaller;
    private LatencyHistogram histogram;
    private Pricing pricing;
    private String secret;
    private Clock clock;

    @Setup
    public void setUp() {
        store = new InMemoryStateStore();
        secret = BenchFixtures.secret(3);
        record = record(null);
        recordWithCaller = record("gw-team-a");
        store.recordCall(record);
        store.recordCall(recordWithCaller);
        histogram = new LatencyHistogram();
        pricing = Pricing.builtIn();
        pricing.cost(BenchFixtures.PROVIDER, BenchFixtures.REPLY_MODEL, 18, 0, 2);
        clock = Clock.systemUTC();
    }

    /** A successful call on one slice, made by {@code caller} (null: by nobody named). */
    private CallRecord record(String caller) {
        return new CallRecord(
                Instant.now(),
                "bench-1",
                "chat",
                BenchFixtures.PROVIDER,
                null,
                BenchFixtures.MODEL,
                BenchFixtures.REPLY_MODEL,
                BenchFixtures.keyId(3),
                SecretRef.mask(secret),
                CallRecord.SUCCESS,
                null,
                null,
                true,
                18,
                2,
                0,
                0,
                20,
                850.0,
                null,
                1,
                0,
                false,
                0.0000039,
                "estimated",
                List.of(new CallRecord.Attempt(
                        BenchFixtures.PROVIDER,
                        null,
                        BenchFixtures.MODEL,
                        BenchFixtures.keyId(3),
                        SecretRef.mask(secret),
                        CallRecord.SUCCESS,
                        null,
                        null,
                        null,
                        849.512,
                        0.004)),
                List.of(),
                0,
                List.of(),
                caller);
    }

    /** {@code InMemoryStateStore.recordCall}: one slice (provider, model, key): counters since start and its minute. */
    @Benchmark
    public void recordCall() {
        store.recordCall(record);
    }

    /** The same call made by a named caller (a gateway key): the caller's usage is counted too. */
    @Benchmark
    public void recordCallWithCaller() {
        store.recordCall(recordWithCaller);
    }

    /** One latency histogram update at 850 ms (the dense histogram; recordCall updates two sparse ones). */
    @Benchmark
    public void latencyHistogram() {
        histogram.record(850.0);
    }

    /** The estimated cost of a call (cached price lookup). */
    @Benchmark
    public Double priceLookup() {
        return pricing.cost(BenchFixtures.PROVIDER, BenchFixtures.REPLY_MODEL, 18, 0, 2);
    }

    /** {@code SecretRef.mask}: two substrings and a concatenation. */
    @Benchmark
    public String mask() {
        return SecretRef.mask(secret);
    }

    /** The usage log line; built per call only when the {@code llm_rotate.observability.usage} logger is on. */
    @Benchmark
    public String usageLogJson() {
        return record.toJson();
    }

    @Benchmark
    public Instant clockInstant() {
        return clock.instant();
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }
}

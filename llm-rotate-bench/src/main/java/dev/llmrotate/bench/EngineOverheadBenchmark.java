package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.server.metrics.PrometheusMetrics;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost per call: route plan lookup, key selection, attempt bookkeeping, health update, usage
 * counters and the response, through {@link LlmRotate#chat(ChatRequest)} with an in-process adapter that answers at
 * once. Eight keys of one provider each serve {@code modelsPerKey} models; one instance is shared by all benchmark
 * threads. Selection reads two health entries per key: the key's and its (key, model) scope's.
 *
 * <p>{@code modelsPerKey=4}: each benchmark thread spreads its calls over the four models in turn (call n asks for
 * model n mod 4), so every call reads the health of a different (key, model) scope than the last. {@code 1}: every
 * call asks for the one model.
 *
 * <p>{@code rateLimitedKey=true}: the adapter answers 429 (Retry-After 30 s) for the first key on the first model
 * only. The first call that picks that (key, model) rotates away from it; after that the scope cools down and calls
 * for that model skip the key, while the key goes on serving its other models, as in production.
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

    @Param({"1", "4"})
    public int modelsPerKey;

    /**
     * Who listens to finished calls ({@link LlmRotate#onCall}): {@code none}; {@code noop}, a listener that keeps the
     * record's call id (the cost of the dispatch); {@code prometheus}, the control server's {@code PrometheusMetrics}
     * (counters and histograms per record). Only {@code none} by default, so the budget's run is unchanged; compare
     * with {@code -p callListener=none,noop,prometheus}.
     */
    @Param({"none"})
    public String callListener;

    /**
     * Tool definitions on every request ({@link ToolRequestJsonBenchmark#definitions}): 0 by default; {@code -p
     * tools=0,10} shows what the engine pays for a tool-calling request beyond the JSON (the in-process adapter
     * writes none; {@link ToolRequestJsonBenchmark} measures that apart).
     */
    @Param({"0"})
    public int tools;

    /**
     * Distinct callers ({@link ChatRequest#caller()}, as the gateway sets a gateway key's id) the calls are made by in
     * turn: 0 (no caller) by default; {@code -p callers=0,8} shows what counting usage per caller costs.
     */
    @Param({"0"})
    public int callers;

    /** The last call id the {@code noop} listener saw (a heap write, which the JIT cannot drop). */
    private String lastCallId;

    private PrometheusMetrics prometheus;

    private LlmRotate rotate;
    private BenchFixtures.NoOpAdapter adapter;
    /** One request per model and caller, prebuilt. */
    private ChatRequest[] requests;

    /** Which model a benchmark thread asks for next: per thread, so that spreading the calls shares nothing. */
    @State(Scope.Thread)
    public static class Caller {
        int next;
    }

    @Setup(Level.Trial)
    public void setUp() {
        SelectionStrategyType type = SelectionStrategyType.fromWireName(strategy);
        if (type == null) {
            throw new IllegalArgumentException("unknown strategy " + strategy);
        }
        adapter = new BenchFixtures.NoOpAdapter(rateLimitedKey ? BenchFixtures.keyId(0) : null);
        rotate = LlmRotate.builder()
                .config(BenchFixtures.config(type, modelsPerKey))
                .adapter(adapter)
                .build();
        switch (callListener) {
            case "none" -> {}
            case "noop" -> rotate.onCall(record -> lastCallId = record.callId());
            case "prometheus" -> prometheus = PrometheusMetrics.forEngine(rotate);
            default -> throw new IllegalArgumentException("unknown callListener " + callListener);
        }
        List<ChatRequest> built = new ArrayList<>();
        for (int c = 0; c < Math.max(1, callers); c++) {
            String name = callers == 0 ? null : "gw-" + c;
            for (String model : BenchFixtures.models(modelsPerKey)) {
                built.add(BenchFixtures.request(model, ToolRequestJsonBenchmark.definitions(tools))
                        .withCaller(name));
            }
        }
        requests = built.toArray(ChatRequest[]::new);
        // Fail fast on a broken setup rather than measuring exceptions.
        for (ChatRequest request : requests) {
            for (int i = 0; i < 2; i++) {
                ChatResponse response = rotate.chat(request);
                if (response.content() == null) {
                    throw new IllegalStateException("no-op adapter gave no content");
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        var usage = rotate.usageSummary();
        long calls = usage.overall().calls();
        long failures = usage.overall().failures();
        if (failures != 0) {
            throw new IllegalStateException(failures + " of " + calls + " calls failed");
        }
        if (rateLimitedKey) {
            // A 429 per (key, model) every 30 s at most, per thread: the cooling scope was skipped, not retried.
            long rateLimited = adapter.rateLimitedAnswers();
            if (rateLimited * 10_000 > calls) {
                throw new IllegalStateException(
                        "the rate-limited (key, model) answered " + rateLimited + " 429s in " + calls + " calls");
            }
            var keyTotals = usage.byKey().get(BenchFixtures.keyId(0));
            long keySuccesses = keyTotals == null ? 0 : keyTotals.successes();
            if (modelsPerKey == 1 && keySuccesses != 0) {
                throw new IllegalStateException("the rate-limited key served calls");
            }
            if (modelsPerKey > 1 && keySuccesses == 0) {
                throw new IllegalStateException("the key rate-limited on one model served none of its other models");
            }
        }
        if (prometheus != null) {
            prometheus.close();
        }
        rotate.close();
    }

    private ChatRequest nextRequest(Caller caller) {
        int i = caller.next;
        caller.next = i + 1 == requests.length ? 0 : i + 1;
        return requests[i];
    }

    @Benchmark
    @Threads(1)
    public ChatResponse chat1Thread(Caller caller) {
        return rotate.chat(nextRequest(caller));
    }

    @Benchmark
    @Threads(2)
    public ChatResponse chat2Threads(Caller caller) {
        return rotate.chat(nextRequest(caller));
    }
}

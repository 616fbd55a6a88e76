package dev.llmrotate.bench;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.spi.UsageBucket;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The heap the in-memory store's usage buckets take after days of steady traffic: {@code keys} keys × {@code models}
 * models (one slice each), {@code rate} calls per second spread evenly over the slices, for {@code days} simulated
 * days (record timestamps drive the store's clock, so the run takes seconds). Latencies are log-normal around 800 ms
 * (so each minute's histogram holds several buckets), half the calls are streams with a time to first chunk, 2% fail.
 * Prints the used heap after a full GC before and after, and per slice.
 *
 * <pre>{@code
 * ./mvnw -B -q -pl llm-rotate-bench -am package -DskipTests
 * java -Xmx1g -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.UsageBucketsMemory 50 2 10 7
 * }</pre>
 */
public final class UsageBucketsMemory {
    private UsageBucketsMemory() {}

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int models = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        double rate = args.length > 2 ? Double.parseDouble(args[2]) : 10;
        int days = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        int slices = keys * models;
        InMemoryStateStore store = new InMemoryStateStore();
        long before = usedAfterGc();
        Instant start = Instant.parse("2026-11-25T00:00:00Z");
        long stepNanos = (long) (1e9 / rate);
        long calls = (long) (rate * days * 86_400);
        SplittableRandom random = new SplittableRandom(11);
        long began = System.nanoTime();
        for (long i = 0; i < calls; i++) {
            int slice = (int) (i % slices);
            Instant at = start.plusNanos(i * stepNanos);
            store.recordCall(record(at, slice % keys, slice / keys, random), "model-" + slice / keys, 0);
        }
        long tookMs = (System.nanoTime() - began) / 1_000_000;
        long after = usedAfterGc();
        Instant end = start.plusNanos(calls * stepNanos);
        long day = store.usageBuckets(
                        end.minus(UsageBucket.MINUTE_RETENTION), end, UsageBucket.MINUTE, UsageFilter.ALL, true)
                .size();
        long week = store.usageBuckets(end.minus(Duration.ofDays(days)), end, UsageBucket.HOUR, UsageFilter.ALL, true)
                .size();
        System.out.printf(
                "%d keys x %d models (%d slices), %.0f calls/s for %d days (%,d calls, recorded in %,d ms)%n",
                keys, models, slices, rate, days, calls, tookMs);
        System.out.printf(
                "used heap after GC: %.1f MB before, %.1f MB after: %.1f MB for usage (%.0f KB per slice)%n",
                before / 1e6, after / 1e6, (after - before) / 1e6, (after - before) / 1e3 / slices);
        System.out.printf(
                "slice-buckets with calls: %,d minute buckets in the last day, %,d hour buckets in %d days%n",
                day, week, days);
        System.out.println(
                "calls counted since start: " + store.usageSummary().overall().calls());
    }

    private static final List<String> FAILURES = List.of("rate_limit", "timeout", "server_error");

    /** One call of key {@code key} on model {@code model} that ended at {@code at}. */
    static CallRecord record(Instant at, int key, int model, SplittableRandom random) {
        double latency = Math.exp(Math.log(800) + 0.5 * random.nextGaussian());
        boolean stream = random.nextBoolean();
        boolean failed = random.nextInt(50) == 0;
        String error = failed ? FAILURES.get(random.nextInt(FAILURES.size())) : null;
        return new CallRecord(
                at,
                "c",
                stream ? "chat_stream" : "chat",
                "openai",
                null,
                "model-" + model,
                failed ? null : "model-" + model,
                "key-" + key,
                "sk-…abcd",
                failed ? CallRecord.ERROR : CallRecord.SUCCESS,
                error,
                null,
                !failed,
                failed ? 0 : 500 + random.nextInt(1000),
                failed ? 0 : 50 + random.nextInt(300),
                0,
                0,
                0,
                latency,
                stream ? latency * 0.3 : null,
                1,
                0,
                false,
                failed ? 0.0 : 0.0004,
                failed ? "no_usage" : "estimated",
                List.of(),
                List.of(),
                0,
                List.of(),
                null);
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

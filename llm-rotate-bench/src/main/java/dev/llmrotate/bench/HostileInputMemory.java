package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.UnknownModelException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The heap after hostile input: 200,000 calls for distinct unknown model ids, then 1,000,000 successful calls, on one
 * {@code LlmRotate} with the in-process adapter (no HTTP). Prints the used heap after a full GC at each step; the
 * usage counters, plan cache and health must stay bounded by the configuration, so the heap stays flat.
 *
 * <pre>{@code
 * ./mvnw -B -q -pl llm-rotate-bench -am package -DskipTests
 * java -Xmx256m -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.HostileInputMemory
 * }</pre>
 */
public final class HostileInputMemory {
    private HostileInputMemory() {}

    public static void main(String[] args) throws Exception {
        int unknownIds = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        try (LlmRotate lm = LlmRotate.builder()
                .config(BenchFixtures.config(SelectionStrategyType.HEALTH_AWARE, 4))
                .adapter(new BenchFixtures.NoOpAdapter(null))
                .build()) {
            for (int i = 0; i < 1_000; i++) {
                lm.chat(BenchFixtures.request(BenchFixtures.MODELS.get(i % 4)));
            }
            long base = usedAfterGc();
            System.out.printf("after warm-up: %.1f MB%n", base / 1e6);
            for (int i = 0; i < unknownIds; i++) {
                try {
                    lm.chat(BenchFixtures.request("hostile-model-" + i + "-" + "x".repeat(i % 300)));
                } catch (UnknownModelException expected) {
                    // the point: rejected, counted in one bucket
                }
            }
            long afterUnknown = usedAfterGc();
            System.out.printf(
                    "after %,d distinct unknown model ids: %.1f MB (%+.1f MB); usage slices by model: %d%n",
                    unknownIds,
                    afterUnknown / 1e6,
                    (afterUnknown - base) / 1e6,
                    lm.usageSummary().byModel().size());
            for (int i = 0; i < calls; i++) {
                lm.chat(BenchFixtures.request(BenchFixtures.MODELS.get(i % 4)));
            }
            long afterCalls = usedAfterGc();
            System.out.printf(
                    "after %,d more calls: %.1f MB (%+.1f MB from warm-up); calls counted: %,d%n",
                    calls,
                    afterCalls / 1e6,
                    (afterCalls - base) / 1e6,
                    lm.usageSummary().overall().calls());
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}

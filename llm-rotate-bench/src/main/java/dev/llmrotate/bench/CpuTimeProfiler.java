package dev.llmrotate.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation of the benchmark threads: {@code cpu.time.norm}, in ns/op, next to the wall-clock score.
 * On a machine shared with other work, the wall-clock time per call includes the time the benchmark thread waited
 * for a core; the CPU time the thread actually ran does not, so it is the steadier measure of what a call costs
 * (other processes still cost it some cache misses). With two benchmark threads it is the CPU time per call of one
 * thread, contention included only while both run at once.
 *
 * <pre>
 * java -jar llm-rotate-bench/target/benchmarks.jar EngineOverheadBenchmark -prof dev.llmrotate.bench.CpuTimeProfiler
 * </pre>
 *
 * <p>Like JMH's {@code gc.alloc.rate.norm}, it divides by every operation of the iteration, the ones run while
 * threads start and stop included.
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private static final String WORKER = "-jmh-worker-";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<Long, Long> before = Map.of();

    @Override
    public String getDescription() {
        return "CPU time per operation of the benchmark threads (ThreadMXBean)";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        before = workerCpuTimes();
    }

    @Override
    public List<? extends Result> afterIteration(
            BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
        long spent = 0;
        for (Map.Entry<Long, Long> now : workerCpuTimes().entrySet()) {
            spent += now.getValue() - before.getOrDefault(now.getKey(), 0L);
        }
        long ops = result.getMetadata().getAllOps();
        if (ops == 0) {
            return List.of();
        }
        return List.of(new ScalarResult("cpu.time.norm", (double) spent / ops, "ns/op", AggregationPolicy.AVG));
    }

    /** CPU nanoseconds so far of each live benchmark thread, by thread id. */
    private Map<Long, Long> workerCpuTimes() {
        Map<Long, Long> times = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains(WORKER)) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                if (cpu >= 0) {
                    times.put(info.getThreadId(), cpu);
                }
            }
        }
        return times;
    }
}

package dev.llmrotate.bench.serverstack;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the gateway adds to one call at a time, judged against the same fake upstream called directly in the same
 * run: plain calls (the whole answer) and streamed calls (the first event), each on one kept-alive connection with
 * a hand-written HTTP/1.1 client. Direct and gateway calls alternate in blocks, so that a change in the machine's
 * load during the run weighs on both; the paired difference is the median over blocks of (gateway median - direct
 * median) in the same round, the figure least moved by that load.
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx128m -cp llm-rotate-bench/target/benchmarks.jar \
 *     dev.llmrotate.bench.serverstack.GatewayLoad 8301 4001 netty &amp;
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.serverstack.GatewayLatency 8301 4001 [rounds] [per block]
 * </pre>
 */
public final class GatewayLatency {
    private GatewayLatency() {}

    /** One variant's measurements: every call, and each round's median. */
    private record Series(long[] all, long[] roundMedians) {}

    public static void main(String[] args) throws Exception {
        int upstreamPort = Integer.parseInt(args[0]);
        int gatewayPort = Integer.parseInt(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        int perBlock = args.length > 3 ? Integer.parseInt(args[3]) : 250;
        System.out.printf(
                Locale.ROOT, "%d rounds of %d calls per variant, direct and gateway alternating%n", rounds, perBlock);
        compare(
                "plain call, whole answer",
                new PlainCallProbe(upstreamPort),
                new PlainCallProbe(gatewayPort),
                rounds,
                perBlock);
        compare(
                "streamed call, first event",
                new FirstEventProbe(upstreamPort),
                new FirstEventProbe(gatewayPort),
                rounds,
                perBlock);
    }

    private static void compare(String what, SocketProbe direct, SocketProbe gateway, int rounds, int perBlock)
            throws IOException {
        try (direct;
                gateway) {
            // Warm-up: the JIT, the connection pools, every key of the gateway's pool.
            direct.measureInOrder(2_000);
            gateway.measureInOrder(4_000);
            long[][] directCalls = new long[rounds][];
            long[][] gatewayCalls = new long[rounds][];
            for (int round = 0; round < rounds; round++) {
                directCalls[round] = direct.measureInOrder(perBlock);
                gatewayCalls[round] = gateway.measureInOrder(perBlock);
            }
            Series d = series(directCalls);
            Series g = series(gatewayCalls);
            long[] diffs = new long[rounds];
            for (int round = 0; round < rounds; round++) {
                diffs[round] = g.roundMedians[round] - d.roundMedians[round];
            }
            Arrays.sort(diffs);
            System.out.println(what);
            print("  direct ", d.all);
            print("  gateway", g.all);
            System.out.printf(
                    Locale.ROOT,
                    "  added: p50 %d us, p99 %d us; paired p50 difference %d us (rounds %d..%d us)%n",
                    (pct(g.all, 50) - pct(d.all, 50)) / 1000,
                    (pct(g.all, 99) - pct(d.all, 99)) / 1000,
                    diffs[diffs.length / 2] / 1000,
                    diffs[0] / 1000,
                    diffs[diffs.length - 1] / 1000);
        }
    }

    private static Series series(long[][] rounds) {
        long[] medians = new long[rounds.length];
        long[] all = new long[Arrays.stream(rounds).mapToInt(r -> r.length).sum()];
        int at = 0;
        for (int i = 0; i < rounds.length; i++) {
            long[] sorted = rounds[i].clone();
            Arrays.sort(sorted);
            medians[i] = sorted[sorted.length / 2];
            System.arraycopy(rounds[i], 0, all, at, rounds[i].length);
            at += rounds[i].length;
        }
        Arrays.sort(all);
        return new Series(all, medians);
    }

    private static void print(String name, long[] sorted) {
        System.out.printf(
                Locale.ROOT,
                "%s p50 %d us, p90 %d us, p99 %d us, p99.9 %d us, max %d us (%d calls)%n",
                name,
                pct(sorted, 50) / 1000,
                pct(sorted, 90) / 1000,
                pct(sorted, 99) / 1000,
                pctTenths(sorted, 999) / 1000,
                sorted[sorted.length - 1] / 1000,
                sorted.length);
    }

    private static long pct(long[] sorted, int p) {
        return pctTenths(sorted, p * 10);
    }

    private static long pctTenths(long[] sorted, int tenthsOfPercent) {
        int index = (int) Math.ceil(sorted.length * tenthsOfPercent / 1000.0) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}

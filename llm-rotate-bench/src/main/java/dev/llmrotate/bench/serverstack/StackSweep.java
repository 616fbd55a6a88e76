package dev.llmrotate.bench.serverstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures every server-stack candidate the same way, each in its own JVM behind the same fake upstream: throughput
 * with {@code wrk} at 64 connections (GET /health and the proxied POST), latency at one connection against the
 * upstream called directly (alternating, so both see the same noise), time to first streamed event (alternating
 * likewise), process CPU per request from {@code /proc/<pid>/stat}, and peak RSS ({@code VmHWM}). Then it starts all
 * candidates at once and runs {@link HostileProbe} against their defaults.
 *
 * <pre>
 * apt-get install -y wrk
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.serverstack.StackSweep \
 *     [--stacks jdk,netty,vertx,jetty] [--seconds 10] [--runs 2] [--no-hostile] [--hostile-only]
 * </pre>
 *
 * Server JVMs get {@link #DEFAULT_JVM_FLAGS} unless {@code -Dserverstack.jvmFlags="..."} says otherwise; see
 * docs/server-stack.md for why.
 */
public final class StackSweep {
    /**
     * The same for every JVM: a small heap with the serial collector (what the JVM picks by itself on one core or
     * under 1.8 GB; on two shared cores it beat G1 by far in a first run), a common pool of two so that the JDK
     * HttpClient's async completions do not get a new thread each (with two cores the pool's parallelism is 1, and
     * CompletableFuture then starts a thread per task), and TCP_NODELAY for the JDK server, which otherwise waits on
     * delayed ACKs (about 40 ms per response).
     */
    private static final String DEFAULT_JVM_FLAGS = "-Xmx64m -XX:+UseSerialGC"
            + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 -Dsun.net.httpserver.nodelay=true";

    private static final int UPSTREAM_PORT = 9100;
    private static final int FIRST_STACK_PORT = 9101;
    private static final int WARMUP_SECONDS = 10;
    private static final int PROBE_CALLS = 1000;
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern PERCENTILE = Pattern.compile("\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)");
    private static final Pattern ERRORS = Pattern.compile("(Non-2xx or 3xx responses: \\d+|Socket errors: .*)");

    private final List<String> stacks;
    private final int seconds;
    private final int runs;
    private final String javaBin =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private final String classpath = System.getProperty("java.class.path");
    private final List<String> jvmFlags = Arrays.asList(
            System.getProperty("serverstack.jvmFlags", DEFAULT_JVM_FLAGS).trim().split("\\s+"));
    private final Path work;
    private final Path postScript;
    private final long clockTicksPerSecond;

    private StackSweep(List<String> stacks, int seconds, int runs) throws IOException, InterruptedException {
        this.stacks = stacks;
        this.seconds = seconds;
        this.runs = runs;
        this.work = Files.createTempDirectory("server-stack-");
        this.postScript = work.resolve("post.lua");
        Files.writeString(
                postScript,
                "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = [["
                        + new String(Payloads.CHAT_REQUEST, StandardCharsets.US_ASCII) + "]]\n");
        this.clockTicksPerSecond =
                Long.parseLong(run(List.of("getconf", "CLK_TCK"), 10).trim());
    }

    /** Entry point; see the class comment for flags. */
    public static void main(String[] args) throws Exception {
        List<String> stacks = List.of("jdk", "netty", "vertx", "jetty");
        int seconds = 10;
        int runs = 2;
        boolean hostile = true;
        boolean measure = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--stacks":
                    stacks = List.of(args[++i].split(","));
                    break;
                case "--seconds":
                    seconds = Integer.parseInt(args[++i]);
                    break;
                case "--runs":
                    runs = Integer.parseInt(args[++i]);
                    break;
                case "--no-hostile":
                    hostile = false;
                    break;
                case "--hostile-only":
                    measure = false;
                    break;
                default:
                    throw new IllegalArgumentException("unknown flag " + args[i]);
            }
        }
        StackSweep sweep = new StackSweep(stacks, seconds, runs);
        System.out.println("# server-stack sweep: java " + System.getProperty("java.version") + ", flags "
                + sweep.jvmFlags + ", logs in " + sweep.work);
        Process upstream = sweep.startServer("upstream", UPSTREAM_PORT);
        try {
            if (measure) {
                sweep.measureAll(upstream);
            }
            if (hostile) {
                sweep.hostile();
            }
        } finally {
            stop(upstream);
        }
    }

    private void measureAll(Process upstream) throws Exception {
        String direct = "http://127.0.0.1:" + UPSTREAM_PORT;
        wrk(64, WARMUP_SECONDS, direct + Payloads.CHAT_PATH, true);
        List<String> summary = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long before = cpuTicks(upstream.pid());
            Wrk result = wrk(64, seconds, direct + Payloads.CHAT_PATH, true);
            System.out.printf(
                    Locale.ROOT,
                    "upstream direct POST c64: %.0f req/s, upstream CPU %.1f us/req%n",
                    result.rps,
                    cpuMicros(cpuTicks(upstream.pid()) - before, result.requests));
        }
        int port = FIRST_STACK_PORT;
        for (String stack : stacks) {
            summary.add(measure(stack, port++));
        }
        System.out.println();
        System.out.println("| stack | req/s GET c64 | req/s POST c64 | added p50 c1 | p99 c1 through (direct) |"
                + " first event added p50 | first event p99 through (direct) | CPU us/req GET | CPU us/req POST"
                + " | RSS peak MiB |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        summary.forEach(System.out::println);
    }

    private String measure(String stack, int port) throws Exception {
        System.out.println("## " + stack);
        Process server = startServer(stack, port);
        try {
            String base = "http://127.0.0.1:" + port;
            String direct = "http://127.0.0.1:" + UPSTREAM_PORT;
            wrk(64, WARMUP_SECONDS, base + Payloads.HEALTH_PATH, false);
            List<Double> getRps = new ArrayList<>();
            List<Double> getCpu = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                long before = cpuTicks(server.pid());
                Wrk result = wrk(64, seconds, base + Payloads.HEALTH_PATH, false);
                getRps.add(result.rps);
                getCpu.add(cpuMicros(cpuTicks(server.pid()) - before, result.requests));
                System.out.printf(
                        Locale.ROOT,
                        "GET c64: %.0f req/s, %.1f us CPU/req%s%n",
                        result.rps,
                        last(getCpu),
                        result.errors);
            }
            wrk(64, WARMUP_SECONDS, base + Payloads.CHAT_PATH, true);
            List<Double> postRps = new ArrayList<>();
            List<Double> postCpu = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                long before = cpuTicks(server.pid());
                Wrk result = wrk(64, seconds, base + Payloads.CHAT_PATH, true);
                postRps.add(result.rps);
                postCpu.add(cpuMicros(cpuTicks(server.pid()) - before, result.requests));
                System.out.printf(
                        Locale.ROOT,
                        "POST c64: %.0f req/s, %.1f us CPU/req%s%n",
                        result.rps,
                        last(postCpu),
                        result.errors);
            }
            List<Double> addedP50 = new ArrayList<>();
            List<Double> throughP99 = new ArrayList<>();
            List<Double> directP99 = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                Wrk baseline = wrk(1, seconds, direct + Payloads.CHAT_PATH, true);
                Wrk through = wrk(1, seconds, base + Payloads.CHAT_PATH, true);
                addedP50.add(through.p50Micros - baseline.p50Micros);
                throughP99.add(through.p99Micros);
                directP99.add(baseline.p99Micros);
                System.out.printf(
                        Locale.ROOT,
                        "POST c1: direct p50 %.0f / p99 %.0f us, through %s p50 %.0f / p99 %.0f us (%.0f req/s)%s%n",
                        baseline.p50Micros,
                        baseline.p99Micros,
                        stack,
                        through.p50Micros,
                        through.p99Micros,
                        through.rps,
                        through.errors);
            }
            List<Double> firstP50 = new ArrayList<>();
            List<Double> firstThroughP99 = new ArrayList<>();
            List<Double> firstDirectP99 = new ArrayList<>();
            try (FirstEventProbe directProbe = new FirstEventProbe(UPSTREAM_PORT);
                    FirstEventProbe stackProbe = new FirstEventProbe(port)) {
                directProbe.measure(PROBE_CALLS / 3);
                stackProbe.measure(PROBE_CALLS / 3);
                for (int r = 0; r < runs; r++) {
                    long[] viaDirect = directProbe.measure(PROBE_CALLS);
                    long[] viaStack = stackProbe.measure(PROBE_CALLS);
                    double d50 = FirstEventProbe.percentile(viaDirect, 50) / 1e3;
                    double d99 = FirstEventProbe.percentile(viaDirect, 99) / 1e3;
                    double s50 = FirstEventProbe.percentile(viaStack, 50) / 1e3;
                    double s99 = FirstEventProbe.percentile(viaStack, 99) / 1e3;
                    firstP50.add(s50 - d50);
                    firstThroughP99.add(s99);
                    firstDirectP99.add(d99);
                    System.out.printf(
                            Locale.ROOT,
                            "first event: direct p50 %.0f / p99 %.0f us, through %s p50 %.0f / p99 %.0f us%n",
                            d50,
                            d99,
                            stack,
                            s50,
                            s99);
                }
            }
            double rssMiB = peakRssKiB(server.pid()) / 1024.0;
            System.out.printf(Locale.ROOT, "RSS peak (VmHWM): %.0f MiB%n", rssMiB);
            return String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s us | %s (%s) us | %s us | %s (%s) us | %s | %s | %.0f |",
                    stack,
                    range(getRps, "%.0f"),
                    range(postRps, "%.0f"),
                    range(addedP50, "%.0f"),
                    range(throughP99, "%.0f"),
                    range(directP99, "%.0f"),
                    range(firstP50, "%.0f"),
                    range(firstThroughP99, "%.0f"),
                    range(firstDirectP99, "%.0f"),
                    range(getCpu, "%.0f"),
                    range(postCpu, "%.0f"),
                    rssMiB);
        } finally {
            stop(server);
        }
    }

    private void hostile() throws Exception {
        System.out.println("## hostile clients, defaults of each stack");
        Map<String, Integer> targets = new LinkedHashMap<>();
        List<Process> servers = new ArrayList<>();
        int port = FIRST_STACK_PORT;
        try {
            for (String stack : stacks) {
                servers.add(startServer(stack, port));
                targets.put(stack, port++);
            }
            HostileProbe.run(targets, 40).forEach((probe, outcome) -> System.out.println(probe + " -> " + outcome));
        } finally {
            servers.forEach(StackSweep::stop);
        }
    }

    private Process startServer(String stack, int port) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaBin));
        command.addAll(jvmFlags);
        command.addAll(List.of(
                "-cp",
                classpath,
                ServerStackMain.class.getName(),
                stack,
                String.valueOf(port),
                "http://127.0.0.1:" + UPSTREAM_PORT));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve(stack + ".log").toFile())
                .start();
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(1))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + Payloads.HEALTH_PATH))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(stack + " exited at start; see " + work.resolve(stack + ".log"));
            }
            try {
                if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return process;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        stop(process);
        throw new IllegalStateException(stack + " did not answer GET /health within 30 s");
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Wrk wrk(int connections, int runSeconds, String url, boolean post)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                "wrk",
                "-t",
                String.valueOf(Math.min(2, connections)),
                "-c",
                String.valueOf(connections),
                "-d",
                runSeconds + "s",
                "--latency"));
        if (post) {
            command.addAll(List.of("-s", postScript.toString()));
        }
        command.add(url);
        return Wrk.parse(run(command, runSeconds + 30));
    }

    private static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " did not finish within " + timeoutSeconds + " s");
        }
        if (process.exitValue() != 0) {
            throw new IOException(command + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }

    /** User plus system CPU of a process, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    }

    private double cpuMicros(long ticks, long requests) {
        return ticks * 1e6 / clockTicksPerSecond / Math.max(1, requests);
    }

    private static long peakRssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmHWM in /proc/" + pid + "/status");
    }

    private static double last(List<Double> values) {
        return values.get(values.size() - 1);
    }

    private static String range(List<Double> values, String format) {
        double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        String low = String.format(Locale.ROOT, format, min);
        String high = String.format(Locale.ROOT, format, max);
        return low.equals(high) ? low : low + "–" + high;
    }

    /** The figures read from one wrk run. */
    private static final class Wrk {
        double rps;
        long requests;
        double p50Micros;
        double p99Micros;
        String errors = "";

        static Wrk parse(String output) throws IOException {
            Wrk wrk = new Wrk();
            Matcher rps = RPS.matcher(output);
            Matcher requests = REQUESTS.matcher(output);
            if (!rps.find() || !requests.find()) {
                throw new IOException("unreadable wrk output:\n" + output);
            }
            wrk.rps = Double.parseDouble(rps.group(1));
            wrk.requests = Long.parseLong(requests.group(1));
            Matcher percentile = PERCENTILE.matcher(output);
            while (percentile.find()) {
                double value = Double.parseDouble(percentile.group(2));
                double micros = percentile.group(3).equals("us")
                        ? value
                        : percentile.group(3).equals("ms") ? value * 1e3 : value * 1e6;
                if (percentile.group(1).equals("50")) {
                    wrk.p50Micros = micros;
                } else {
                    wrk.p99Micros = micros;
                }
            }
            Matcher errors = ERRORS.matcher(output);
            while (errors.find()) {
                wrk.errors += " [" + errors.group(1).trim() + "]";
            }
            return wrk;
        }
    }
}

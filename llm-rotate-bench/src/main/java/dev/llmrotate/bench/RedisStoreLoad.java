package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.redis.RedisStateStore;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Load driver: calls per second through {@link LlmRotate} with an in-process adapter (no HTTP), the in-memory store
 * against the Redis store, and Redis round trips per call. Starts its own {@code redis-server} on a free loopback
 * port (or uses {@code REDIS_URL}).
 *
 * <pre>
 * ./mvnw -B -q -pl llm-rotate-bench -am package -DskipTests
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.RedisStoreLoad [seconds per run, default 5] \
 *     [only the scenarios whose name contains this]
 * </pre>
 *
 * Each scenario runs {@code seconds} of warm-up, then {@code seconds} measured. "Paced" runs make one call per
 * millisecond per thread, as calls waiting on a real provider would: there a call costs its full round trips, while
 * flat-out runs show how far increments get summed when calls outpace Redis.
 */
public final class RedisStoreLoad {
    private static final String MODEL = "gpt-4o-mini";

    private RedisStoreLoad() {}

    /** Answers at once: 18 prompt and 2 completion tokens. */
    private static final class InstantAdapter implements ProviderAdapter {
        private static final ProviderReply REPLY =
                new ProviderReply("Hi.", FinishReason.STOP, Usage.of(18, 2), MODEL, "chatcmpl-bench");

        @Override
        public String provider() {
            return "openai";
        }

        @Override
        public ProviderReply send(Attempt attempt) {
            return REPLY;
        }
    }

    /** {@code callers}: calls are made by that many distinct callers in turn (gateway keys), 0 for none. */
    private record Scenario(
            String name,
            SelectionStrategyType strategy,
            Integer rpm,
            int threads,
            boolean paced,
            boolean events,
            int callers) {
        Scenario(String name, SelectionStrategyType strategy, Integer rpm, int threads, boolean paced) {
            this(name, strategy, rpm, threads, paced, false, 0);
        }
    }

    private record Result(
            double callsPerSecond, double roundTripsPerCall, double p50Micros, double p99Micros, double redisMicros) {}

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String only = args.length > 1 ? args[1] : "";
        BenchRedis redis = BenchRedis.start();
        String url = redis.url;
        try {
            List<Scenario> scenarios = List.of(
                    new Scenario("health_aware, 1 thread", SelectionStrategyType.HEALTH_AWARE, null, 1, false),
                    new Scenario("health_aware, 4 threads", SelectionStrategyType.HEALTH_AWARE, null, 4, false),
                    new Scenario("round_robin, 4 threads", SelectionStrategyType.ROUND_ROBIN, null, 4, false),
                    new Scenario(
                            "health_aware, 4 threads paced 1 call/ms",
                            SelectionStrategyType.HEALTH_AWARE,
                            null,
                            4,
                            true),
                    new Scenario(
                            "health_aware + event buffer, 4 threads paced 1 call/ms",
                            SelectionStrategyType.HEALTH_AWARE,
                            null,
                            4,
                            true,
                            true,
                            0),
                    new Scenario(
                            "health_aware + 8 callers, 4 threads paced 1 call/ms",
                            SelectionStrategyType.HEALTH_AWARE,
                            null,
                            4,
                            true,
                            false,
                            8),
                    new Scenario(
                            "health_aware + rpm, 4 threads paced 1 call/ms",
                            SelectionStrategyType.HEALTH_AWARE,
                            100_000,
                            4,
                            true),
                    new Scenario(
                            "round_robin + rpm, 4 threads paced 1 call/ms",
                            SelectionStrategyType.ROUND_ROBIN,
                            100_000,
                            4,
                            true));
            System.out.printf(
                    Locale.ROOT,
                    "%d s warm-up + %d s measured per run; %d cores; %s%n%n",
                    seconds,
                    seconds,
                    Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.version"));
            System.out.println(
                    "| scenario | store | calls/s | Redis round trips per call | p50 µs | p99 µs | Redis CPU µs per call |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|");
            int run = 0;
            for (Scenario scenario : scenarios) {
                if (!scenario.name().contains(only)) {
                    continue;
                }
                Result memory = run(scenario, new InMemoryStateStore(), null, null, seconds);
                RedisStateStore store = RedisStateStore.builder()
                        .url(url)
                        .prefix("bench-" + ProcessHandle.current().pid() + "-" + run++)
                        .commandTimeout(Duration.ofSeconds(2))
                        .build();
                Result shared = run(scenario, store, store, redis, seconds);
                print(scenario, "in-memory", memory, false);
                print(scenario, "Redis", shared, true);
            }
            if (REFUSED.sum() > 0) {
                System.out.println("\n(" + REFUSED.sum() + " calls refused by a budget were not measured)");
            }
        } finally {
            redis.close();
        }
    }

    private static void print(Scenario scenario, String store, Result r, boolean redis) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %s | %,.0f | %s | %.1f | %.1f | %s |%n",
                scenario.name(),
                store,
                r.callsPerSecond(),
                redis ? String.format(Locale.ROOT, "%.2f", r.roundTripsPerCall()) : "–",
                r.p50Micros(),
                r.p99Micros(),
                redis && r.redisMicros() >= 0 ? String.format(Locale.ROOT, "%.1f", r.redisMicros()) : "–");
    }

    private static Result run(
            Scenario scenario, StateStore store, RedisStateStore redis, BenchRedis server, int seconds)
            throws Exception {
        List<KeySpec> keys = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            KeySpec.Builder key = KeySpec.builder("bench-key-" + i, "openai")
                    .secretRef("literal://" + String.format(Locale.ROOT, "sk-bench-%042d", i))
                    .models(MODEL);
            if (scenario.rpm() != null) {
                key.rateLimitRpm(scenario.rpm());
            }
            keys.add(key.build());
        }
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(keys)
                .strategy(scenario.strategy())
                .build();
        ChatRequest[] requests = new ChatRequest[Math.max(1, scenario.callers())];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = ChatRequest.builder(MODEL)
                    .messages(ChatMessage.system("You are terse."), ChatMessage.user("Say hi."))
                    .caller(scenario.callers() == 0 ? null : "gw-" + i)
                    .build();
        }
        try (LlmRotate lm = LlmRotate.builder()
                .config(config)
                .stateStore(store)
                .adapter(new InstantAdapter())
                .build()) {
            if (scenario.events()) {
                lm.eventBuffer(1000); // with Redis, each record also goes to the shared stream
            }
            drive(lm, requests, scenario, seconds, null); // warm-up
            if (redis != null) {
                redis.flush();
            }
            long commandsBefore = redis == null ? 0 : redis.redisCommandCount();
            long redisMicrosBefore = server == null ? 0 : redisMicros(server);
            long[] latencies = new long[1 << 22];
            AtomicLong calls = new AtomicLong();
            long start = System.nanoTime();
            drive(lm, requests, scenario, seconds, new Recorder(calls, latencies));
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (redis != null) {
                redis.flush();
            }
            long n = calls.get();
            long commands = redis == null ? 0 : redis.redisCommandCount() - commandsBefore;
            long redisMicrosUsed = server == null ? -1 : redisMicros(server) - redisMicrosBefore;
            int recorded = (int) Math.min(n, latencies.length);
            long[] sorted = java.util.Arrays.copyOf(latencies, recorded);
            java.util.Arrays.sort(sorted);
            return new Result(
                    n / elapsed,
                    (double) commands / n,
                    sorted[recorded / 2] / 1000.0,
                    sorted[(int) Math.min(recorded - 1, (long) (recorded * 0.99))] / 1000.0,
                    redisMicrosUsed < 0 ? -1 : (double) redisMicrosUsed / n);
        }
    }

    /** The microseconds Redis spent in commands so far ({@code INFO commandstats}), -1 with an external Redis. */
    private static long redisMicros(BenchRedis server) throws Exception {
        if (System.getenv("REDIS_URL") != null) {
            return -1;
        }
        long total = 0;
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("usec=(\\d+)").matcher(server.command("INFO commandstats"));
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    /** Counts calls and keeps the latencies of the first 4 million. */
    private record Recorder(AtomicLong calls, long[] latencies) {
        void record(long nanos) {
            long i = calls.getAndIncrement();
            if (i < latencies.length) {
                latencies[(int) i] = nanos;
            }
        }
    }

    private static final LongAdder REFUSED = new LongAdder();

    private static void drive(LlmRotate lm, ChatRequest[] requests, Scenario scenario, int seconds, Recorder recorder)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < scenario.threads(); t++) {
            Thread thread = new Thread(() -> {
                long next = System.nanoTime();
                int call = 0;
                while (!stop.get()) {
                    ChatRequest request = requests[call];
                    call = call + 1 == requests.length ? 0 : call + 1;
                    long begin = System.nanoTime();
                    try {
                        lm.chat(request);
                    } catch (NoAvailableKeyException e) {
                        REFUSED.increment(); // a budget ran out: not a measured call
                        continue;
                    }
                    if (recorder != null) {
                        recorder.record(System.nanoTime() - begin);
                    }
                    if (scenario.paced()) {
                        next += 1_000_000;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            LockSupport.parkNanos(wait);
                        }
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
    }
}

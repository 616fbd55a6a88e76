package dev.llmrotate.redis;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.HealthScope;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second process of {@link TwoProcessTest}: builds an {@link LlmRotate} from a configuration file (whose
 * {@code state_store} names the shared Redis) and answers commands read from stdin, one per line, on stdout as lines
 * starting with {@code @@} (anything else on stdout is logging):
 *
 * <pre>
 * calls N THREADS     N chat calls on THREADS threads -> "@@ done OK NO_KEY OTHER"
 * watch KEY STATE [MODEL]  "@@ watching", then spins on the local view until KEY (or its health for MODEL) is
 *                     STATE -> "@@ seen EPOCH_MICROS"
 * summary             "@@ summary CALLS INPUT_TOKENS OUTPUT_TOKENS"
 * quit                closes and exits
 * </pre>
 */
public final class WorkerMain {
    private WorkerMain() {}

    public static void main(String[] args) throws Exception {
        LlmRotateConfig config = LlmRotateConfig.fromFile(Path.of(args[0]));
        RedisStateStore store = RedisStateStore.of(config.stateStore());
        try (LlmRotate lm = LlmRotate.builder().config(config).stateStore(store).build()) {
            reply("ready");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "calls" -> calls(lm, store, Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                    case "watch" ->
                        watch(
                                store,
                                words.length > 3 ? HealthScope.of(words[1], words[3]) : words[1],
                                KeyState.valueOf(words[2]));
                    case "summary" -> {
                        UsageSummary.Totals overall = lm.usageSummary().overall();
                        reply("summary " + overall.calls() + " " + overall.inputTokens() + " "
                                + overall.outputTokens());
                    }
                    case "quit" -> {
                        return;
                    }
                    default -> reply("unknown " + line);
                }
            }
        }
    }

    private static void calls(LlmRotate lm, RedisStateStore store, int n, int threads) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger noKey = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                try {
                    lm.chat("gpt-4o-mini", List.of(ChatMessage.user("hi")));
                    ok.incrementAndGet();
                } catch (NoAvailableKeyException e) {
                    noKey.incrementAndGet();
                } catch (RuntimeException e) {
                    other.incrementAndGet();
                    System.err.println("call failed: " + e);
                }
            }));
        }
        for (Future<?> future : futures) {
            future.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        store.flush();
        reply("done " + ok.get() + " " + noKey.get() + " " + other.get());
    }

    private static void watch(RedisStateStore store, String keyId, KeyState state) {
        reply("watching");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (store.health(keyId).state() != state) {
            if (System.nanoTime() > deadline) {
                reply("timeout");
                return;
            }
            Thread.onSpinWait();
        }
        reply("seen " + epochMicros(Instant.now()));
    }

    static long epochMicros(Instant at) {
        return at.getEpochSecond() * 1_000_000L + at.getNano() / 1000;
    }

    private static void reply(String line) {
        synchronized (System.out) {
            System.out.println("@@ " + line);
            System.out.flush();
        }
    }
}

package dev.llmrotate.demo;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import dev.llmrotate.server.gateway.Gateway;
import dev.llmrotate.server.gateway.GatewayOptions;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's simulated providers with steady traffic and the control server on, for looking at the endpoints (no API
 * keys needed). Every {@value #CYCLE_SECONDS} s OpenAI goes down for {@value #OUTAGE_SECONDS} s: calls fall back to
 * OpenRouter and the keys' health shows it. Runs until Ctrl-C, or for {@code --duration}.
 *
 * <pre>
 * Demo --server [--port 8200] [--duration 60s]
 * </pre>
 */
final class LiveDemo {
    static final int CYCLE_SECONDS = 40;
    static final int OUTAGE_SECONDS = 10;
    private static final int TRAFFIC_THREADS = 2;
    private static final long PAUSE_MILLIS = 200;

    private LiveDemo() {}

    /** Runs it; the exit code: 0 when it ran, 2 for bad options, 4 when the port is taken. */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        int port = ControlServerOptions.DEFAULT_PORT;
        int gatewayPort = GatewayOptions.DEFAULT_PORT;
        Duration duration = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--server" -> {}
                    case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                    case "--gateway-port" -> gatewayPort = Integer.parseInt(value(args, ++i, "--gateway-port"));
                    case "--duration" -> duration = duration(value(args, ++i, "--duration"));
                    default ->
                        throw new IllegalArgumentException("unknown option " + args[i]
                                + "; use --server [--port PORT] [--gateway-port PORT] [--duration 60s]");
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("demo: " + e.getMessage());
            return 2;
        }
        // Whatever happens below, the fake servers' and the engine's threads must end, or the JVM would stay up.
        Demo demo = new Demo(out);
        try (LlmRotate lm =
                LlmRotate.builder().config(demo.config()).random(new Random(7)).build()) {
            demo.scriptHealthyProviders();
            ControlServer server;
            try {
                server = ControlServer.start(
                        lm, ControlServerOptions.builder().port(port).build());
            } catch (UncheckedIOException e) {
                err.println("demo: " + e.getMessage() + "; choose another with --port");
                return 4;
            }
            Gateway gateway;
            try {
                gateway = Gateway.start(
                        lm, GatewayOptions.builder().port(gatewayPort).build());
            } catch (UncheckedIOException e) {
                server.close();
                err.println("demo: gateway: " + e.getMessage() + "; choose another with --gateway-port");
                return 4;
            }
            try (server;
                    gateway) {
                Tally tally = serve(demo, lm, server, gateway, duration, out);
                out.printf(
                        Locale.ROOT,
                        "stopped after %d calls (%d succeeded, %d failed)%n",
                        tally.calls(),
                        tally.ok.get(),
                        tally.failed.get());
            }
            return 0;
        } finally {
            demo.openai.close();
            demo.openrouter.close();
        }
    }

    /** Runs the traffic and the outages until the duration is over or the process is stopped. */
    private static Tally serve(
            Demo demo, LlmRotate lm, ControlServer server, Gateway gateway, Duration duration, PrintStream out)
            throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "llm-rotate-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService traffic = Executors.newScheduledThreadPool(TRAFFIC_THREADS + 2, r -> {
            Thread t = new Thread(r, "llm-rotate-demo-traffic");
            t.setDaemon(true);
            return t;
        });
        Tally tally = new Tally();
        try {
            printWelcome(out, server, gateway, duration);
            long start = System.nanoTime();
            for (int i = 0; i < TRAFFIC_THREADS; i++) {
                traffic.scheduleWithFixedDelay(
                        () -> tally.add(Demo.callOnce(lm)), i * 50L, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
            }
            traffic.scheduleAtFixedRate(new FaultSchedule(demo, out, start), 1, 1, TimeUnit.SECONDS);
            traffic.scheduleAtFixedRate(() -> printStatus(out, lm, tally, start), 10, 10, TimeUnit.SECONDS);
            if (duration == null) {
                stop.await();
            } else if (stop.await(duration.toMillis(), TimeUnit.MILLISECONDS)) {
                out.println("interrupted before " + duration.toSeconds() + " s");
            }
        } finally {
            traffic.shutdownNow();
            traffic.awaitTermination(15, TimeUnit.SECONDS);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running already.
            }
        }
        return tally;
    }

    private static void printWelcome(PrintStream out, ControlServer server, Gateway gateway, Duration duration) {
        String base = server.uri().toString();
        out.println("llm-rotate demo with the control server: simulated providers on loopback, no API keys");
        out.println("  traffic: about 10 calls a second over 4 OpenAI keys (one rate-limits, one is revoked, one is"
                + " flaky)");
        out.println("  every " + CYCLE_SECONDS + " s OpenAI is down for " + OUTAGE_SECONDS
                + " s and calls fall back to OpenRouter");
        out.println();
        out.println("open:");
        List<String[]> urls = new ArrayList<>();
        urls.add(new String[] {"dashboard", ""});
        urls.add(new String[] {"health", "health"});
        urls.add(new String[] {"keys", "keys"});
        urls.add(new String[] {"one key", "keys/openai-primary"});
        urls.add(new String[] {"its history", "keys/openai-primary/history?window=15m"});
        urls.add(new String[] {"usage", "usage"});
        urls.add(new String[] {"usage per key", "usage/models?group_by=key"});
        urls.add(new String[] {"last 15 min", "timeseries?window=15m"});
        urls.add(new String[] {"recent calls", "events?limit=20"});
        urls.add(new String[] {"fallback calls", "events?provider=openrouter&window=15m"});
        urls.add(new String[] {"configuration", "config"});
        urls.add(new String[] {"prometheus", "metrics"});
        urls.add(new String[] {"every endpoint", "openapi.json"});
        for (String[] url : urls) {
            out.printf(Locale.ROOT, "  %-15s %s%s%n", url[0], base, url[1]);
        }
        out.println();
        out.println("the OpenAI-compatible gateway over the same keys (any OpenAI client, base URL " + gateway.uri()
                + "v1):");
        out.println("  curl -s " + gateway.uri() + "v1/chat/completions -H 'content-type: application/json' -d '"
                + "{\"model\":\"" + Demo.MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}'");
        out.println();
        out.println(
                duration == null
                        ? "running until Ctrl-C"
                        : "running for " + duration.toSeconds() + " s (or until Ctrl-C)");
    }

    private static void printStatus(PrintStream out, LlmRotate lm, Tally tally, long start) {
        HealthReport health = lm.health();
        long available = health.keys().stream()
                .filter(k -> k.availableAt() != null && !k.availableAt().isAfter(health.generatedAt()))
                .count();
        out.printf(
                Locale.ROOT,
                "%4d s: %d calls (%d succeeded, %d via fallback, %d failed); %d of %d keys can serve now%n",
                (System.nanoTime() - start) / 1_000_000_000L,
                tally.calls(),
                tally.ok.get(),
                tally.fallbacks.get(),
                tally.failed.get(),
                available,
                health.keys().size());
    }

    /** Switches the OpenAI outage on and off by the clock. */
    private static final class FaultSchedule implements Runnable {
        private final Demo demo;
        private final PrintStream out;
        private final long start;
        private boolean down;

        FaultSchedule(Demo demo, PrintStream out, long start) {
            this.demo = demo;
            this.out = out;
            this.start = start;
        }

        @Override
        public void run() {
            long second = (System.nanoTime() - start) / 1_000_000_000L % CYCLE_SECONDS;
            boolean shouldBeDown = second >= CYCLE_SECONDS - OUTAGE_SECONDS;
            if (shouldBeDown && !down) {
                out.println("   >>> OpenAI goes down (503 to every request) for " + OUTAGE_SECONDS + " s");
                demo.scriptOpenAiOutage();
            } else if (!shouldBeDown && down) {
                out.println("   >>> OpenAI is back");
                demo.scriptHealthyProviders();
            }
            down = shouldBeDown;
        }
    }

    /** Call outcomes, from several threads. */
    private static final class Tally {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong fallbacks = new AtomicLong();
        final AtomicLong failed = new AtomicLong();

        void add(Object outcome) {
            if (outcome instanceof ChatResponse response) {
                ok.incrementAndGet();
                if (response.fallbackUsed()) {
                    fallbacks.incrementAndGet();
                }
            } else {
                failed.incrementAndGet();
            }
        }

        long calls() {
            return ok.get() + failed.get();
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** {@code 90s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT90S}). */
    static Duration duration(String text) {
        try {
            String t = text.strip().toLowerCase(Locale.ROOT);
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            Duration d = switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException();
            };
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--duration must be like 90s, 5m, 1h or PT90S, got '" + text + "'");
        }
    }
}

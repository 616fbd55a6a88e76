package dev.llmrotate.server.dashboard;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A control server over a pool of five keys on fake providers, with traffic and faults, for the dashboard's browser
 * tests: {@code openai-primary} rate-limits one call in five (Retry-After 2 s) and has an rpm budget,
 * {@code openai-secondary} is healthy, {@code openai-flaky} answers 500 one call in three, {@code openai-revoked}
 * answers 401, and {@code openrouter-1} is the fallback for OpenAI; {@code openai-spare} is configured but disabled.
 * One {@link MutableClock} drives the engine and the server; the traffic thread moves it 250 ms per call, so that
 * once the traffic is paused every answer holds still. Its random choices are seeded; the seed is printed.
 */
final class DashboardScenario implements AutoCloseable {
    static final String MINI = "gpt-4o-mini";
    static final String FOUR_O = "gpt-4o";
    static final Map<String, String> SECRETS = Map.of(
            "PRIMARY", "sk-dash-primary-00000000aaaa1111",
            "SECONDARY", "sk-dash-secondary-0000bbbb2222",
            "FLAKY", "sk-dash-flaky-00000000cccc3333",
            "REVOKED", "sk-dash-revoked-000000dddd4444",
            "SPARE", "sk-dash-spare-00000000eeee5555",
            "ROUTER", "sk-or-dash-router-0000ffff6666");

    final FakeOpenAiServer openai = FakeOpenAiServer.start();
    final FakeOpenAiServer openrouter = FakeOpenAiServer.start();
    final MutableClock clock = MutableClock.atEpochDay();
    final LlmRotate lm;
    final ControlServer server;
    private final Random random;
    private final AtomicInteger calls = new AtomicInteger();
    private final ReentrantLock traffic = new ReentrantLock();
    private volatile Thread trafficThread;
    private volatile boolean running;
    private boolean closed;
    private final HttpClient http = HttpClient.newHttpClient();

    DashboardScenario() {
        this(o -> {});
    }

    DashboardScenario(Consumer<ControlServerOptions.Builder> options) {
        long seed = Long.getLong("dashboard.seed", System.nanoTime());
        System.out.println("DashboardScenario seed: " + seed + " (rerun with -Ddashboard.seed=" + seed + ")");
        random = new Random(seed);
        lm = LlmRotate.builder().config(config()).clock(clock).build();
        scriptFaults();
        ControlServerOptions.Builder o =
                ControlServerOptions.builder().port(0).clock(clock).eventCapacity(500);
        options.accept(o);
        server = ControlServer.start(lm, o.build());
    }

    private LlmRotateConfig config() {
        return LlmRotateConfig.builder()
                .key(key("openai-primary", "openai", "PRIMARY", MINI, FOUR_O)
                        .priority(10)
                        .rateLimitRpm(600)
                        .build())
                .key(key("openai-secondary", "openai", "SECONDARY", MINI, FOUR_O)
                        .build())
                .key(key("openai-flaky", "openai", "FLAKY", MINI).build())
                .key(key("openai-revoked", "openai", "REVOKED", MINI).build())
                .key(key("openai-spare", "openai", "SPARE", MINI).enabled(false).build())
                .key(key("openrouter-1", "openrouter", "ROUTER", "openai/gpt-4o-mini")
                        .build())
                .provider(
                        "openai",
                        s -> s.withBaseUrl(openai.baseUrl())
                                .withCooldown(Duration.ofSeconds(2))
                                .withQuarantine(Duration.ofSeconds(30))
                                .withMaxConsecutiveFailures(3))
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(2))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO))
                .fallbackChain(
                        "openai",
                        FallbackTarget.to("openrouter").withUpstream("openai").withModel("openai/gpt-4o-mini"))
                .build();
    }

    private static KeySpec.Builder key(String id, String provider, String secret, String... models) {
        return KeySpec.builder(id, provider)
                .secretRef(SecretRef.parse("env://" + secret, SECRETS::get))
                .models(models);
    }

    private void scriptFaults() {
        openai.byDefault().always(FakeResponse.ok("hello", 12, 8));
        openai.forKey(SECRETS.get("PRIMARY"))
                .respond(r -> chance(0.2)
                        ? FakeResponse.rateLimited(Duration.ofSeconds(2))
                        : FakeResponse.ok("hello", 12, 8));
        openai.forKey(SECRETS.get("FLAKY"))
                .respond(r -> chance(0.33) ? FakeResponse.serverError() : FakeResponse.ok("hello", 12, 8));
        openai.forKey(SECRETS.get("REVOKED")).always(FakeResponse.invalidApiKey());
        openrouter.byDefault().always(FakeResponse.ok("hello via openrouter", 14, 9));
    }

    private boolean chance(double p) {
        synchronized (random) {
            return random.nextDouble() < p;
        }
    }

    /** Calls on a thread of its own, 250 ms apart on the scenario's clock, until {@link #pauseTraffic()}. */
    void startTraffic() {
        running = true;
        Thread t = new Thread(
                () -> {
                    while (running) {
                        traffic.lock();
                        try {
                            if (running) {
                                call(chance(0.25) ? FOUR_O : MINI);
                                clock.advance(Duration.ofMillis(250));
                            }
                        } finally {
                            traffic.unlock();
                        }
                        LockSupport.parkNanos(Duration.ofMillis(5).toNanos()); // a pace, not a wait for a condition
                    }
                },
                "dashboard-traffic");
        t.setDaemon(true);
        trafficThread = t;
        t.start();
    }

    /** Stops the traffic and returns once no call is in flight: from then on every answer holds still. */
    void pauseTraffic() {
        running = false;
        traffic.lock();
        traffic.unlock();
        Thread t = trafficThread;
        if (t != null) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs {@code n} calls on this thread, 250 ms apart on the clock. */
    void calls(int n) {
        for (int i = 0; i < n; i++) {
            call(chance(0.25) ? FOUR_O : MINI);
            clock.advance(Duration.ofMillis(250));
        }
    }

    int callsMade() {
        return calls.get();
    }

    void call(String model) {
        calls.incrementAndGet();
        try {
            lm.chat(ChatRequest.of(model, List.of(ChatMessage.user("hi"))));
        } catch (LlmRotateException e) {
            // part of the scenario: recorded like any call
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    /** A JSON endpoint's body, with the token when one is given. */
    String json(String path, String token) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 && r.statusCode() != 503) {
                throw new AssertionError(path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pauseTraffic();
        server.close();
        lm.close();
        openai.close();
        openrouter.close();
    }
}

package dev.llmrotate.demo;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs llm-rotate against simulated providers on loopback, no API keys needed: a key that rate-limits, a revoked
 * key, a flaky key, an outage of a whole provider with fallback to a broker, and the recovery. Prints what happened.
 */
public final class Demo {
    static final String MODEL = "gpt-4o-mini";
    private static final int THREADS = 8;
    private static final int CALLS_PER_PHASE = 120;

    /** Demo secrets live in this map; the configuration refers to them as env:// references, like real ones. */
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "OPENAI_KEY_PRIMARY", "sk-demo-primary-7f3a9c1e2b4d6f80",
            "OPENAI_KEY_SECONDARY", "sk-demo-secondary-0b1c2d3e4f5a6b7c",
            "OPENAI_KEY_REVOKED", "sk-demo-revoked-99aa88bb77cc66dd",
            "OPENAI_KEY_FLAKY", "sk-demo-flaky-1234abcd5678ef90",
            "OPENROUTER_KEY", "sk-or-demo-a1b2c3d4e5f6a7b8c9d0");

    private final PrintStream out;
    final FakeOpenAiServer openai = FakeOpenAiServer.start();
    final FakeOpenAiServer openrouter = FakeOpenAiServer.start();
    private final Random random = new Random(2026_11_25L);

    Demo(PrintStream out) {
        this.out = out;
    }

    /** Runs the demo's three phases; with {@code --server}, runs {@link LiveDemo} instead (see its options). */
    public static void main(String[] args) throws Exception {
        if (java.util.Arrays.asList(args).contains("--server")) {
            int code = LiveDemo.run(args, System.out, System.err);
            if (code != 0) {
                System.exit(code);
            }
            return;
        }
        Demo demo = new Demo(System.out);
        try {
            demo.run();
        } finally {
            demo.openai.close();
            demo.openrouter.close();
        }
    }

    private void run() throws Exception {
        scriptHealthyProviders();
        try (LlmRotate lm =
                LlmRotate.builder().config(config()).random(new Random(7)).build()) {
            out.println("llm-rotate demo: 4 OpenAI keys and 1 OpenRouter key on simulated providers (loopback)");
            out.println("  openai-primary   rate-limits about one call in four (429, Retry-After 1 s)");
            out.println("  openai-secondary healthy, client-side budget of 600 requests per minute");
            out.println("  openai-revoked   answers 401: quarantined, then disabled when it fails again");
            out.println("  openai-flaky     answers 500 about one call in five: retried with backoff");
            out.println("  openrouter-1     the fallback for openai, pinned to the openai upstream");
            out.println();

            runPhase(lm, "1. normal traffic");

            out.println("   >>> OpenAI goes down: every OpenAI request now answers 503");
            scriptOpenAiOutage();
            runPhase(lm, "2. OpenAI outage");

            out.println("   >>> OpenAI is back; waiting for the quarantined keys' probation (3 s)");
            scriptHealthyProviders();
            Thread.sleep(3_100);
            runPhase(lm, "3. recovery");

            printUsage(lm.usageSummary());
        }
    }

    /** The five keys' standing behaviour: one rate-limits now and then, one is revoked, one is flaky. */
    void scriptHealthyProviders() {
        openai.reset();
        openai.byDefault().always(FakeResponse.ok("Hello from OpenAI", 12, 8));
        openai.forKey(secret("OPENAI_KEY_PRIMARY"))
                .respond(request -> chance(0.25)
                        ? FakeResponse.rateLimited(Duration.ofSeconds(1))
                        : FakeResponse.ok("Hello from OpenAI", 12, 8));
        openai.forKey(secret("OPENAI_KEY_REVOKED")).always(FakeResponse.invalidApiKey());
        openai.forKey(secret("OPENAI_KEY_FLAKY"))
                .respond(request ->
                        chance(0.2) ? FakeResponse.serverError() : FakeResponse.ok("Hello from OpenAI", 12, 8));
        openrouter.byDefault().always(FakeResponse.ok("Hello via OpenRouter", 14, 9));
    }

    /** Every OpenAI request answers 503 until {@link #scriptHealthyProviders()}. */
    void scriptOpenAiOutage() {
        openai.byDefault().always(FakeResponse.overloaded());
        openai.forKey(secret("OPENAI_KEY_PRIMARY")).always(FakeResponse.overloaded());
        openai.forKey(secret("OPENAI_KEY_FLAKY")).always(FakeResponse.overloaded());
    }

    private boolean chance(double p) {
        synchronized (random) {
            return random.nextDouble() < p;
        }
    }

    /** Four OpenAI keys and an OpenRouter fallback on the fake servers, with short rests so recovery shows. */
    LlmRotateConfig config() {
        return LlmRotateConfig.builder()
                .key(key("openai-primary", "openai", "OPENAI_KEY_PRIMARY", MODEL)
                        .priority(10)
                        .build())
                .key(key("openai-secondary", "openai", "OPENAI_KEY_SECONDARY", MODEL)
                        .rateLimitRpm(600)
                        .build())
                .key(key("openai-revoked", "openai", "OPENAI_KEY_REVOKED", MODEL)
                        .build())
                .key(key("openai-flaky", "openai", "OPENAI_KEY_FLAKY", MODEL).build())
                .key(key("openrouter-1", "openrouter", "OPENROUTER_KEY", "openai/gpt-4o-mini")
                        .build())
                .provider(
                        "openai",
                        s -> s.withBaseUrl(openai.baseUrl())
                                // Short rests so the demo shows recovery within seconds.
                                .withCooldown(Duration.ofSeconds(1))
                                .withQuarantine(Duration.ofSeconds(2))
                                .withMaxConsecutiveFailures(3))
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .defaults(d -> d.withBackoff(Duration.ofMillis(5), Duration.ofMillis(40))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO))
                .fallbackChain(
                        "openai",
                        FallbackTarget.to("openrouter").withUpstream("openai").withModel("openai/gpt-4o-mini"))
                .build();
    }

    private static KeySpec.Builder key(String id, String provider, String variable, String model) {
        return KeySpec.builder(id, provider)
                .secretRef(SecretRef.parse("env://" + variable, ENVIRONMENT::get))
                .models(model);
    }

    private static String secret(String variable) {
        return ENVIRONMENT.get(variable);
    }

    /** Sends {@link #CALLS_PER_PHASE} calls from {@link #THREADS} threads and prints what happened. */
    private void runPhase(LlmRotate lm, String name) throws Exception {
        PhaseTally tally = new PhaseTally();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS_PER_PHASE; i++) {
                calls.add(pool.submit(() -> tally.add(callOnce(lm))));
            }
            for (Future<?> call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        out.printf("%s: %d calls in %d ms%n", name, CALLS_PER_PHASE, millis);
        out.printf(
                "   succeeded %d (via fallback %d), failed %d; attempts %d, key rotations %d%n",
                tally.successes.get(),
                tally.fallbacks.get(),
                tally.failures.get(),
                tally.attempts.get(),
                tally.rotations.get());
        printHealth(lm.health());
        out.println();
    }

    /** One chat call; a failure is returned, not thrown. */
    static Object callOnce(LlmRotate lm) {
        try {
            return lm.chat(ChatRequest.of(MODEL, List.of(ChatMessage.user("Say hello"))));
        } catch (LlmRotateException e) {
            return e;
        }
    }

    private void printHealth(HealthReport report) {
        out.printf(
                "   %-17s %-10s %-11s %-12s %-9s %-22s %s%n",
                "key", "provider", "state", "mask", "failures", "last error", "back in");
        for (HealthReport.KeyReport key : report.keys()) {
            Duration backIn =
                    key.availableAt() == null ? null : Duration.between(report.generatedAt(), key.availableAt());
            out.printf(
                    "   %-17s %-10s %-11s %-12s %-9s %-22s %s%n",
                    key.keyId(),
                    key.provider(),
                    key.state(),
                    key.keyMask(),
                    key.consecutiveFailures() + "/" + key.recentFailures(),
                    key.lastErrorType() == null ? "-" : key.lastErrorType(),
                    backIn == null
                            ? "never (disabled)"
                            : backIn.isNegative() || backIn.isZero() ? "now" : backIn.toMillis() + " ms");
        }
    }

    private void printUsage(UsageSummary usage) {
        out.println("usage since start (lm.usageSummary())");
        out.printf(
                "   %-17s %7s %9s %9s %12s %13s %11s %9s  %s%n",
                "key",
                "calls",
                "successes",
                "failures",
                "input tok",
                "output tok",
                "cost USD",
                "p50 ms",
                "failures by type");
        usage.byKey().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> printTotals(e.getKey(), e.getValue()));
        printTotals("all calls", usage.overall());
        out.println("   (per-key rows count the calls a key ended: its successes, and failures where it failed last)");
    }

    private void printTotals(String name, UsageSummary.Totals t) {
        out.printf(
                "   %-17s %7d %9d %9d %12d %13d %11.6f %9.1f  %s%n",
                name,
                t.calls(),
                t.successes(),
                t.failures(),
                t.inputTokens(),
                t.outputTokens(),
                t.costUsd(),
                t.latency().p50Ms(),
                t.failuresByType().isEmpty() ? "-" : t.failuresByType());
    }

    /** Counts of one phase, updated from many threads. */
    private static final class PhaseTally {
        final AtomicInteger successes = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger fallbacks = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger rotations = new AtomicInteger();

        Object add(Object outcome) {
            if (outcome instanceof ChatResponse response) {
                successes.incrementAndGet();
                attempts.addAndGet(response.attempts());
                rotations.addAndGet(response.rotations());
                if (response.fallbackUsed()) {
                    fallbacks.incrementAndGet();
                }
            } else {
                failures.incrementAndGet();
            }
            return outcome;
        }
    }
}

package dev.llmrotate.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.UnknownModelException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.testkit.FakeResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scrapes after real calls through {@link LlmRotate} against the fake OpenAI server on loopback and reads the
 * output back with a strict parser: names, types and label sets as the README documents them, values that agree
 * with the calls made (and with the usage summary and health report), counters that only grow.
 */
class PrometheusMetricsLoopbackTest extends EngineTestSupport {
    private static final String MINI = "gpt-4o-mini";
    private static final String FOUR_O = "gpt-4o";
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** What Prometheus 3 sends. */
    private static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;"
            + "q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;"
            + "escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

    /**
     * Key a (first by priority, rpm and tpm budgets) is rate-limited on gpt-4o-mini; key b serves both models, but
     * gpt-4o is unavailable on it, so a call for gpt-4o falls back to gpt-4o-mini.
     */
    private LlmRotate scenarioEngine() {
        openai.forKeyAndModel(secret("a"), MINI).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.forKeyAndModel(secret("b"), FOUR_O)
                .always(FakeResponse.error(404, "invalid_request_error", "model_not_found", "no such model"));
        openai.byDefault().always(FakeResponse.ok("hello", 12, 3).withUsage(12, 3, 4, 1));
        return engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MINI)
                                .priority(10)
                                .rateLimitRpm(100)
                                .rateLimitTpm(100_000L)
                                .build(),
                        Keys.openai("b", MINI, FOUR_O))
                .modelFallback(FOUR_O, FallbackTarget.to("openai").withModel(MINI))
                .build());
    }

    private static ChatRequest ask(String model) {
        return ChatRequest.of(model, List.of(ChatMessage.user("hi")));
    }

    @Test
    void aScrapeAfterRealCallsShowsThemUnderTheDocumentedNamesAndLabels() throws IOException {
        LlmRotate lm = scenarioEngine();
        try (PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm)) {
            lm.chat(ask(MINI)); // a: 429, rotates to b
            lm.chat(ask(MINI)); // b (a cools down)
            lm.chat(ask(FOUR_O)); // b: model unavailable, falls back to gpt-4o-mini on b
            try (var stream = lm.chatStream(ask(MINI))) {
                stream.forEach(chunk -> {});
            }

            Exposition scrape = Exposition.parseText(scrape(metrics, null));

            assertThat(scrape.families.keySet())
                    .containsExactlyInAnyOrder(
                            "llm_rotate_calls_total",
                            "llm_rotate_attempts_total",
                            "llm_rotate_errors_total",
                            "llm_rotate_key_rotations_total",
                            "llm_rotate_fallbacks_total",
                            "llm_rotate_tokens_total",
                            "llm_rotate_cost_usd_total",
                            "llm_rotate_gen_ai_client_operation_duration_seconds",
                            "llm_rotate_gen_ai_client_operation_time_to_first_chunk_seconds",
                            "llm_rotate_key_state",
                            "llm_rotate_key_available_in_seconds",
                            "llm_rotate_key_requests_remaining",
                            "llm_rotate_key_tokens_remaining",
                            "llm_rotate_provider_available_keys");
            Map<String, Set<String>> documentedLabels = Map.ofEntries(
                    Map.entry("llm_rotate_calls_total", Set.of("provider", "model", "key_id", "outcome")),
                    Map.entry("llm_rotate_attempts_total", Set.of("provider", "model", "key_id", "outcome")),
                    Map.entry("llm_rotate_errors_total", Set.of("provider", "model", "key_id", "error_type")),
                    Map.entry("llm_rotate_key_rotations_total", Set.of("provider", "key_id", "error_type")),
                    Map.entry("llm_rotate_fallbacks_total", Set.of("provider", "model")),
                    Map.entry("llm_rotate_tokens_total", Set.of("provider", "model", "key_id", "token_type")),
                    Map.entry("llm_rotate_cost_usd_total", Set.of("provider", "model", "key_id")),
                    Map.entry(
                            "llm_rotate_gen_ai_client_operation_duration_seconds",
                            Set.of("provider", "model", "outcome")),
                    Map.entry(
                            "llm_rotate_gen_ai_client_operation_time_to_first_chunk_seconds",
                            Set.of("provider", "model", "outcome")),
                    Map.entry("llm_rotate_key_state", Set.of("provider", "key_id")),
                    Map.entry("llm_rotate_key_available_in_seconds", Set.of("provider", "key_id")),
                    Map.entry("llm_rotate_key_requests_remaining", Set.of("provider", "key_id")),
                    Map.entry("llm_rotate_key_tokens_remaining", Set.of("provider", "key_id")),
                    Map.entry("llm_rotate_provider_available_keys", Set.of("provider")));
            documentedLabels.forEach((family, labels) ->
                    assertThat(scrape.labelNames(family)).as(family).isEqualTo(labels));
            assertThat(scrape.families.get("llm_rotate_calls_total").type).isEqualTo("counter");
            assertThat(scrape.families.get("llm_rotate_gen_ai_client_operation_duration_seconds").type)
                    .isEqualTo("histogram");
            assertThat(scrape.families.get("llm_rotate_key_state").type).isEqualTo("gauge");

            // Calls: all four answered by b, under the model asked for (the fallback answered with gpt-4o-mini).
            assertThat(scrape.value(
                            "llm_rotate_calls_total",
                            "provider",
                            "openai",
                            "model",
                            MINI,
                            "key_id",
                            "b",
                            "outcome",
                            "success"))
                    .isEqualTo(3);
            assertThat(scrape.value(
                            "llm_rotate_calls_total",
                            "provider",
                            "openai",
                            "model",
                            FOUR_O,
                            "key_id",
                            "b",
                            "outcome",
                            "success"))
                    .isEqualTo(1);
            assertThat(scrape.sum("llm_rotate_calls_total")).isEqualTo(4);
            assertThat(scrape.value("llm_rotate_fallbacks_total", "provider", "openai", "model", FOUR_O))
                    .isEqualTo(1);

            // Attempts: a's 429, b's 404 on gpt-4o, four successes on b; each failure a rotation.
            assertThat(scrape.value(
                            "llm_rotate_attempts_total",
                            "provider",
                            "openai",
                            "model",
                            MINI,
                            "key_id",
                            "a",
                            "outcome",
                            "error"))
                    .isEqualTo(1);
            assertThat(scrape.value(
                            "llm_rotate_attempts_total",
                            "provider",
                            "openai",
                            "model",
                            FOUR_O,
                            "key_id",
                            "b",
                            "outcome",
                            "error"))
                    .isEqualTo(1);
            assertThat(scrape.value(
                            "llm_rotate_attempts_total",
                            "provider",
                            "openai",
                            "model",
                            MINI,
                            "key_id",
                            "b",
                            "outcome",
                            "success"))
                    .isEqualTo(4);
            assertThat(scrape.value(
                            "llm_rotate_errors_total",
                            "provider",
                            "openai",
                            "model",
                            MINI,
                            "key_id",
                            "a",
                            "error_type",
                            "rate_limit"))
                    .isEqualTo(1);
            assertThat(scrape.value(
                            "llm_rotate_errors_total",
                            "provider",
                            "openai",
                            "model",
                            FOUR_O,
                            "key_id",
                            "b",
                            "error_type",
                            "model_unavailable"))
                    .isEqualTo(1);
            assertThat(scrape.value(
                            "llm_rotate_key_rotations_total",
                            "provider",
                            "openai",
                            "key_id",
                            "a",
                            "error_type",
                            "rate_limit"))
                    .isEqualTo(1);
            assertThat(scrape.value(
                            "llm_rotate_key_rotations_total",
                            "provider",
                            "openai",
                            "key_id",
                            "b",
                            "error_type",
                            "model_unavailable"))
                    .isEqualTo(1);

            // Tokens and cost agree with the usage summary.
            UsageSummary.Totals usage = lm.usageSummary().overall();
            assertThat(scrape.sum("llm_rotate_tokens_total", "token_type", "input"))
                    .isEqualTo(usage.inputTokens())
                    .isPositive();
            assertThat(scrape.sum("llm_rotate_tokens_total", "token_type", "output"))
                    .isEqualTo(usage.outputTokens())
                    .isPositive();
            assertThat(scrape.sum("llm_rotate_tokens_total", "token_type", "cached_input"))
                    .isEqualTo(usage.cachedInputTokens())
                    .isPositive();
            assertThat(scrape.sum("llm_rotate_tokens_total", "token_type", "reasoning"))
                    .isEqualTo(usage.reasoningTokens())
                    .isPositive();
            assertThat(scrape.sum("llm_rotate_cost_usd_total"))
                    .isCloseTo(usage.costUsd(), within(1e-12))
                    .isPositive();

            // Histograms: one duration per call, one time to first chunk for the stream.
            assertThat(scrape.sum("llm_rotate_gen_ai_client_operation_duration_seconds_count"))
                    .isEqualTo(4);
            assertThat(scrape.value(
                            "llm_rotate_gen_ai_client_operation_time_to_first_chunk_seconds_count",
                            "provider",
                            "openai",
                            "model",
                            MINI,
                            "outcome",
                            "success"))
                    .isEqualTo(1);

            // Gauges: as the health report says now.
            HealthReport health = lm.health();
            assertThat(scrape.value(
                            "llm_rotate_key_state",
                            "provider",
                            "openai",
                            "key_id",
                            "a",
                            "llm_rotate_key_state",
                            "COOLDOWN"))
                    .isEqualTo(1);
            assertThat(scrape.value(
                            "llm_rotate_key_state",
                            "provider",
                            "openai",
                            "key_id",
                            "b",
                            "llm_rotate_key_state",
                            "ACTIVE"))
                    .isEqualTo(1);
            assertThat(scrape.value("llm_rotate_key_available_in_seconds", "provider", "openai", "key_id", "a"))
                    .isEqualTo(Duration.between(
                                            health.generatedAt(),
                                            health.key("a").availableAt())
                                    .toMillis()
                            / 1000.0)
                    .isEqualTo(20.0);
            assertThat(scrape.value("llm_rotate_key_available_in_seconds", "provider", "openai", "key_id", "b"))
                    .isZero();
            assertThat(scrape.value("llm_rotate_key_requests_remaining", "provider", "openai", "key_id", "a"))
                    .isEqualTo(99); // one request of 100 admitted (the 429)
            assertThat(scrape.value("llm_rotate_key_tokens_remaining", "provider", "openai", "key_id", "a"))
                    .isEqualTo(100_000);
            assertThat(scrape.samples("llm_rotate_key_requests_remaining")).hasSize(1); // b has no budget
            assertThat(scrape.value("llm_rotate_provider_available_keys", "provider", "openai"))
                    .isEqualTo(1);
        }
    }

    @Test
    void countersOnlyGrowFromScrapeToScrape() throws IOException {
        LlmRotate lm = scenarioEngine();
        try (PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm)) {
            lm.chat(ask(MINI));
            lm.chat(ask(FOUR_O));
            Exposition first = Exposition.parseText(scrape(metrics, null));
            lm.chat(ask(MINI));
            lm.chat(ask(FOUR_O));
            assertThatThrownBy(() -> lm.chat(ask("gpt-5-nonexistent"))).isInstanceOf(UnknownModelException.class);
            Exposition second = Exposition.parseText(scrape(metrics, null));

            int compared = 0;
            for (Exposition.Family family : first.families.values()) {
                if (!family.type.equals("counter") && !family.type.equals("histogram")) {
                    continue;
                }
                for (Exposition.Sample before : family.samples) {
                    Exposition.Sample after = second.families.get(family.name).samples.stream()
                            .filter(s ->
                                    s.name().equals(before.name()) && s.labels().equals(before.labels()))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError(before + " is gone from the second scrape"));
                    assertThat(after.value()).as(before.toString()).isGreaterThanOrEqualTo(before.value());
                    compared++;
                }
            }
            assertThat(compared).isGreaterThan(30);
            assertThat(second.sum("llm_rotate_calls_total")).isEqualTo(first.sum("llm_rotate_calls_total") + 3);
        }
    }

    @Test
    void concurrentCallsAreEachCountedOnce() throws Exception {
        openai.byDefault().always(FakeResponse.ok("hello", 12, 3));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.ROUND_ROBIN,
                        Keys.openai("a", MINI, FOUR_O),
                        Keys.openai("b", MINI, FOUR_O))
                .build());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm)) {
            List<Future<?>> callers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                callers.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        lm.chat(ask(i % 2 == 0 ? MINI : FOUR_O));
                    }
                }));
            }
            for (Future<?> caller : callers) {
                caller.get(60, TimeUnit.SECONDS);
            }
            Exposition scrape = Exposition.parseText(scrape(metrics, null));
            assertThat(scrape.sum("llm_rotate_calls_total", "outcome", "success"))
                    .isEqualTo(160);
            assertThat(scrape.sum("llm_rotate_attempts_total")).isEqualTo(160);
            assertThat(scrape.sum("llm_rotate_gen_ai_client_operation_duration_seconds_count"))
                    .isEqualTo(160);
            assertThat(scrape.sum("llm_rotate_tokens_total", "token_type", "input"))
                    .isEqualTo(160 * 12);
            assertThat(scrape.samples("llm_rotate_calls_total")).hasSize(4); // 2 keys x 2 models
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void openMetricsWhenTheAcceptHeaderAsksForIt() throws IOException {
        LlmRotate lm = scenarioEngine();
        try (PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm)) {
            lm.chat(ask(MINI));

            assertThat(metrics.contentType(PROMETHEUS_ACCEPT)).isEqualTo(OPENMETRICS);
            Exposition scrape = Exposition.parseOpenMetrics(scrape(metrics, PROMETHEUS_ACCEPT));
            assertThat(scrape.families.get("llm_rotate_calls").type).isEqualTo("counter");
            assertThat(scrape.value(
                            "llm_rotate_calls_total",
                            "provider",
                            "openai",
                            "model",
                            MINI,
                            "key_id",
                            "b",
                            "outcome",
                            "success"))
                    .isEqualTo(1);
            assertThat(scrape.families.get("llm_rotate_key_state").type).isEqualTo("stateset");
            assertThat(scrape.families.get("llm_rotate_key_available_in_seconds").unit)
                    .isEqualTo("seconds");
            assertThat(scrape.families.get("llm_rotate_cost_usd").unit).isEqualTo("usd");

            for (String accept : new String[] {null, "", "text/plain", "*/*", "text/plain;version=0.0.4"}) {
                assertThat(metrics.contentType(accept)).as(accept).isEqualTo(TEXT);
                Exposition.parseText(scrape(metrics, accept));
            }
        }
    }

    @Test
    void aListenerCountsFromItsCreationUntilItIsClosed() throws IOException {
        LlmRotate lm = scenarioEngine();
        lm.chat(ask(MINI)); // before: not counted
        PrometheusMetrics first = PrometheusMetrics.forEngine(lm);
        lm.chat(ask(MINI));
        PrometheusMetrics second = PrometheusMetrics.forEngine(lm);
        lm.chat(ask(MINI));
        first.close();
        first.close(); // idempotent
        lm.chat(ask(MINI));
        second.close();
        lm.chat(ask(MINI));

        assertThat(Exposition.parseText(scrape(first, null)).sum("llm_rotate_calls_total"))
                .isEqualTo(2);
        assertThat(Exposition.parseText(scrape(second, null)).sum("llm_rotate_calls_total"))
                .isEqualTo(2);
        // A closed instance still answers a scrape, health gauges included.
        assertThat(Exposition.parseText(scrape(first, null)).samples("llm_rotate_key_state"))
                .isNotEmpty();
    }

    @Test
    void noSecretMaskOrRequestContentReachesTheOutput() throws IOException {
        String contentCanary = "canary-content-Zq4Rb6Tn";
        String modelCanary = "canary-model-Wx8Lm2";
        LlmRotate lm = scenarioEngine();
        try (PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm)) {
            lm.chat(ChatRequest.of(MINI, List.of(ChatMessage.user(contentCanary))));
            lm.chat(ChatRequest.of(FOUR_O, List.of(ChatMessage.system(contentCanary), ChatMessage.user("x"))));
            assertThatThrownBy(() -> lm.chat(ask(modelCanary))).isInstanceOf(UnknownModelException.class);

            for (String accept : new String[] {null, PROMETHEUS_ACCEPT}) {
                String body = scrape(metrics, accept);
                for (String key : List.of("a", "b")) {
                    assertThat(body).doesNotContain(secret(key));
                    assertThat(body).doesNotContain(lm.health().key(key).keyMask());
                    assertThat(body)
                            .doesNotContain(secret(key).substring(secret(key).length() - 8));
                }
                assertThat(body).doesNotContain(contentCanary).doesNotContain(modelCanary);
            }
        }
    }

    @Test
    void modelsOutsideTheConfigurationCannotGrowTheSeries() throws IOException {
        LlmRotate lm = scenarioEngine();
        try (PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm)) {
            lm.chat(ask(MINI));
            for (int i = 0; i < 10; i++) {
                String model = "made-up-" + i;
                assertThatThrownBy(() -> lm.chat(ask(model))).isInstanceOf(UnknownModelException.class);
            }
            String afterTen = scrape(metrics, null);
            for (int i = 10; i < 300; i++) {
                String model = "made-up-" + i;
                assertThatThrownBy(() -> lm.chat(ask(model))).isInstanceOf(UnknownModelException.class);
            }
            String afterThreeHundred = scrape(metrics, null);

            Exposition scrape = Exposition.parseText(afterThreeHundred);
            assertThat(afterThreeHundred.lines().count())
                    .isEqualTo(afterTen.lines().count());
            assertThat(scrape.labelValues("model")).containsExactlyInAnyOrder(MINI, "(unknown)");
            assertThat(scrape.value(
                            "llm_rotate_calls_total",
                            "provider",
                            "",
                            "model",
                            "(unknown)",
                            "key_id",
                            "",
                            "outcome",
                            "error"))
                    .isEqualTo(300);

            // A reload that adds a model makes it a label value of its own.
            lm.reloadConfig(LlmRotateConfig.builder()
                    .keys(List.of(Keys.openai("a", MINI), Keys.openai("b", MINI, FOUR_O, "gpt-4.1")))
                    .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                    .build());
            lm.chat(ask("gpt-4.1"));
            assertThat(Exposition.parseText(scrape(metrics, null)).labelValues("model"))
                    .containsExactlyInAnyOrder(MINI, "gpt-4.1", "(unknown)");
        }
    }

    /**
     * An observer's metrics come from the shared store, not from calls of its own: the fleet counters per key and per
     * model (every configured key and model, zero until used; failures by type as they occurred) and the same
     * health gauges; in the text format and in OpenMetrics, both parsed strictly.
     */
    @Test
    void anObserverExposesTheFleetsCountersReadFromTheSharedStore() throws IOException {
        InMemoryStateStore shared = new InMemoryStateStore();
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("hello", 12, 3));
        LlmRotateConfig config = config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MINI).priority(10).build(),
                        Keys.openai("b", MINI, FOUR_O))
                .build();
        LlmRotate worker = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .random(seed.random())
                .stateStore(shared)
                .build();
        LlmRotate observer = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .stateStore(shared)
                .buildObserver();
        try (worker;
                observer;
                PrometheusMetrics metrics = PrometheusMetrics.forEngine(observer)) {
            worker.chat(ask(MINI)); // a: 429 -> b answers
            worker.chat(ask(MINI)); // b
            openai.byDefault().always(FakeResponse.serverError());
            assertThatThrownBy(() -> worker.chat(ask(FOUR_O))).isInstanceOf(RuntimeException.class);

            Exposition scrape = Exposition.parseText(scrape(metrics, null));
            assertThat(scrape.families.keySet())
                    .containsExactlyInAnyOrder(
                            "llm_rotate_fleet_key_calls_total",
                            "llm_rotate_fleet_key_errors_total",
                            "llm_rotate_fleet_key_tokens_total",
                            "llm_rotate_fleet_key_cost_usd_total",
                            "llm_rotate_fleet_model_calls_total",
                            "llm_rotate_fleet_model_tokens_total",
                            "llm_rotate_fleet_model_cost_usd_total",
                            "llm_rotate_key_state",
                            "llm_rotate_key_available_in_seconds",
                            "llm_rotate_provider_available_keys");
            assertThat(scrape.labelNames("llm_rotate_fleet_key_calls_total"))
                    .isEqualTo(Set.of("provider", "key_id", "outcome"));
            assertThat(scrape.labelNames("llm_rotate_fleet_model_tokens_total"))
                    .isEqualTo(Set.of("model", "token_type"));
            assertThat(scrape.value(
                            "llm_rotate_fleet_key_calls_total",
                            "provider",
                            "openai",
                            "key_id",
                            "b",
                            "outcome",
                            "success"))
                    .isEqualTo(2);
            assertThat(scrape.value(
                            "llm_rotate_fleet_key_calls_total",
                            "provider",
                            "openai",
                            "key_id",
                            "a",
                            "outcome",
                            "success"))
                    .as("a configured key that ended no call has its zero series")
                    .isZero();
            assertThat(scrape.value(
                            "llm_rotate_fleet_key_errors_total",
                            "provider",
                            "openai",
                            "key_id",
                            "b",
                            "error_type",
                            "transient_server_error"))
                    .isEqualTo(1);
            assertThat(scrape.value("llm_rotate_fleet_model_calls_total", "model", FOUR_O, "outcome", "failure"))
                    .isEqualTo(1);
            assertThat(scrape.value("llm_rotate_fleet_model_tokens_total", "model", MINI, "token_type", "input"))
                    .isEqualTo(24);
            assertThat(scrape.labelValues("model")).containsExactlyInAnyOrder(MINI, FOUR_O, "(unknown)");
            assertThat(scrape.value("llm_rotate_key_available_in_seconds", "provider", "openai", "key_id", "a"))
                    .isEqualTo(20.0);

            Exposition open = Exposition.parseOpenMetrics(scrape(metrics, OPENMETRICS));
            assertThat(open.families).containsKey("llm_rotate_fleet_key_calls");
        }
    }

    /** Calls are counted per caller (the gateway's key ids), and a flood of distinct callers folds into _other. */
    @Test
    void callsAreCountedPerCallerWithABoundOnHowMany() throws IOException {
        LlmRotate lm = scenarioEngine();
        try (PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm)) {
            lm.chat(ChatRequest.builder(MINI).user("hi").caller("team-a").build());
            lm.chat(ChatRequest.builder(MINI).user("hi").caller("team-a").build());
            lm.chat(ChatRequest.builder(MINI).user("hi").caller("team-b").build());
            lm.chat(ask(MINI)); // no caller: in no caller series

            Exposition scrape = Exposition.parseText(scrape(metrics, null));
            assertThat(scrape.labelNames("llm_rotate_caller_calls_total")).isEqualTo(Set.of("caller", "outcome"));
            assertThat(scrape.value("llm_rotate_caller_calls_total", "caller", "team-a", "outcome", "success"))
                    .isEqualTo(2);
            assertThat(scrape.value("llm_rotate_caller_calls_total", "caller", "team-b", "outcome", "success"))
                    .isEqualTo(1);
            assertThat(scrape.value("llm_rotate_caller_tokens_total", "caller", "team-a", "token_type", "input"))
                    .isEqualTo(24);
            assertThat(scrape.value("llm_rotate_caller_cost_usd_total", "caller", "team-b"))
                    .isPositive();

            for (int i = 0; i < 150; i++) {
                lm.chat(ChatRequest.builder(MINI).user("hi").caller("user-" + i).build());
            }
            Exposition flooded = Exposition.parseText(scrape(metrics, null));
            assertThat(flooded.labelValues("caller"))
                    .hasSize(CallMetrics.MAX_CALLERS + 1)
                    .contains("team-a", "team-b", CallMetrics.OTHER_CALLER);
            assertThat(flooded.value(
                            "llm_rotate_caller_calls_total", "caller", CallMetrics.OTHER_CALLER, "outcome", "success"))
                    .isEqualTo(150 - (CallMetrics.MAX_CALLERS - 2));
        }
    }

    private static String scrape(PrometheusMetrics metrics, String accept) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out, accept);
        return out.toString(StandardCharsets.UTF_8);
    }
}

package dev.llmrotate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.KeyLease;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The usage log: one JSON line per call on llm_rotate.observability.usage, read back and checked field by field. */
class UsageRecordLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private UsageLogCapture usage;
    private FakeOpenAiServer openrouter;

    @BeforeEach
    void captureUsageLog() {
        usage = new UsageLogCapture();
        openrouter = FakeOpenAiServer.start();
    }

    @AfterEach
    void release() {
        usage.close();
        openrouter.close();
    }

    private List<JsonNode> records() {
        return usage.records();
    }

    private JsonNode only() {
        return usage.only();
    }

    private LlmRotate twoKeys() {
        return engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.openai("b"))
                .build());
    }

    @Test
    void aSuccessfulCall() {
        openai.byDefault().always(FakeResponse.ok("hello").withUsage(1000, 200, 400, 50));
        twoKeys().chat("gpt-4o-mini", HI);

        JsonNode r = only();
        assertThat(Instant.parse(r.get("timestamp").asText())).isEqualTo(clock.instant());
        assertThat(r.get("call_id").asText()).isNotBlank();
        assertThat(r.get("operation").asText()).isEqualTo("chat");
        assertThat(r.get("provider").asText()).isEqualTo("openai");
        assertThat(r.get("upstream").isNull()).isTrue();
        assertThat(r.get("requested_model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(r.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(r.get("key_id").asText()).isEqualTo("a");
        assertThat(r.get("key_mask").asText()).isEqualTo("sk-…cdef");
        assertThat(r.get("outcome").asText()).isEqualTo("success");
        assertThat(r.get("error_type").isNull()).isTrue();
        assertThat(r.get("http_status").isNull()).isTrue();
        assertThat(r.get("input_tokens").asLong()).isEqualTo(1000);
        assertThat(r.get("output_tokens").asLong()).isEqualTo(200);
        assertThat(r.get("cached_input_tokens").asLong()).isEqualTo(400);
        assertThat(r.get("reasoning_tokens").asLong()).isEqualTo(50);
        assertThat(r.get("total_tokens").asLong()).isEqualTo(1200);
        assertThat(r.get("latency_ms").asDouble()).isPositive();
        assertThat(r.get("time_to_first_chunk_ms").isNull()).isTrue();
        assertThat(r.get("attempts").asInt()).isEqualTo(1);
        assertThat(r.get("rotations").asInt()).isZero();
        assertThat(r.get("fallback_used").asBoolean()).isFalse();
        // gpt-4o-mini: $0.15 input, $0.075 cached input, $0.60 output per million tokens.
        double expected = (600 * 0.15 + 400 * 0.075 + 200 * 0.60) / 1_000_000;
        assertThat(r.get("estimated_cost_usd").asDouble()).isCloseTo(expected, within(1e-12));
        assertThat(r.get("cost_status").asText()).isEqualTo("estimated");
    }

    @Test
    void aRotationIsOneRecordNamingTheKeyThatAnswered() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        twoKeys().chat("gpt-4o-mini", HI);
        JsonNode r = only();
        assertThat(r.get("outcome").asText()).isEqualTo("success");
        assertThat(r.get("key_id").asText()).isEqualTo("b");
        assertThat(r.get("attempts").asInt()).isEqualTo(2);
        assertThat(r.get("rotations").asInt()).isEqualTo(1);
    }

    @Test
    void aFallbackIsPricedOnTheModelThatAnswered() {
        openai.byDefault().always(FakeResponse.insufficientQuota());
        openrouter.byDefault().always(FakeResponse.ok("via broker", 100, 100));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.openai("a", "gpt-4o"),
                        Keys.key("or", "openrouter", "anthropic/claude-sonnet-4.5")
                                .build())
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .fallbackChain(
                        "openai",
                        FallbackTarget.to("openrouter")
                                .withUpstream("anthropic")
                                .withModel("anthropic/claude-sonnet-4.5"))
                .build());
        lm.chat("gpt-4o", HI);
        JsonNode r = only();
        assertThat(r.get("provider").asText()).isEqualTo("openrouter");
        assertThat(r.get("upstream").asText()).isEqualTo("anthropic");
        assertThat(r.get("requested_model").asText()).isEqualTo("gpt-4o");
        assertThat(r.get("model").asText()).isEqualTo("anthropic/claude-sonnet-4.5");
        assertThat(r.get("fallback_used").asBoolean()).isTrue();
        assertThat(r.get("attempts").asInt()).isEqualTo(2);
        // claude-sonnet-4-5: $3 input, $15 output per million tokens (not gpt-4o's $2.50 / $10).
        assertThat(r.get("estimated_cost_usd").asDouble()).isCloseTo((100 * 3.0 + 100 * 15.0) / 1e6, within(1e-12));
    }

    @Test
    void anUnknownModelHasANullCostAndSaysSo() {
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a", "in-house-model-7"))
                .build());
        lm.chat("in-house-model-7", HI);
        JsonNode r = only();
        assertThat(r.get("estimated_cost_usd").isNull()).isTrue();
        assertThat(r.get("cost_status").asText()).isEqualTo("unknown_model");
        assertThat(lm.usageSummary().overall().unpricedCalls()).isEqualTo(1);
    }

    @Test
    void configuredPricesOverrideTheBuiltInTable() {
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a", "in-house-model-7"))
                .pricing(new dev.llmrotate.config.PricingSettings(
                        null,
                        List.of(new dev.llmrotate.config.PricingSettings.Entry(
                                "openai", "in-house-model-7", new ModelPrice(1.0, 2.0, null)))))
                .build());
        lm.chat("in-house-model-7", HI); // 10 input and 5 output tokens
        assertThat(only().get("estimated_cost_usd").asDouble()).isCloseTo((10 * 1.0 + 5 * 2.0) / 1e6, within(1e-12));
    }

    @Test
    void aFailFastErrorRecordsItsTypeAndStatus() {
        openai.byDefault()
                .always(FakeResponse.error(
                        400, "invalid_request_error", "context_length_exceeded", "maximum context length"));
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(LlmRotateException.class);
        JsonNode r = only();
        assertThat(r.get("outcome").asText()).isEqualTo("error");
        assertThat(r.get("error_type").asText()).isEqualTo("context_length_exceeded");
        assertThat(r.get("http_status").asInt()).isEqualTo(400);
        assertThat(r.get("key_id").asText()).isEqualTo("a");
        assertThat(r.get("model").isNull()).isTrue();
        assertThat(r.get("total_tokens").asLong()).isZero();
        assertThat(r.get("estimated_cost_usd").asDouble()).isZero();
        assertThat(r.get("cost_status").asText()).isEqualTo("no_usage");
    }

    @Test
    void noAvailableKeyIsItsOwnOutcome() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);
        JsonNode r = only();
        assertThat(r.get("outcome").asText()).isEqualTo("no_available_key");
        assertThat(r.get("error_type").asText()).isEqualTo("rate_limit");
        assertThat(r.get("http_status").asInt()).isEqualTo(429);
        assertThat(r.get("attempts").asInt()).isEqualTo(2);
        assertThat(r.get("rotations").asInt()).isEqualTo(2);
        assertThat(lm.usageSummary().overall().failuresByType()).containsEntry("no_available_key", 1L);
    }

    @Test
    void leasesAreRecordedToo() {
        LlmRotate lm = twoKeys();
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            lease.reportSuccess(Usage.of(100, 10));
        }
        lm.acquire("openai", "gpt-4o-mini").close();
        List<JsonNode> all = records();
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("operation").asText()).isEqualTo("lease");
        assertThat(all.get(0).get("outcome").asText()).isEqualTo("success");
        assertThat(all.get(0).get("input_tokens").asLong()).isEqualTo(100);
        assertThat(all.get(1).get("outcome").asText()).isEqualTo("cancelled");
        assertThat(all.get(0).get("call_id").asText())
                .isNotEqualTo(all.get(1).get("call_id").asText());
    }

    @Test
    void theEventBufferIsOffByDefaultAndKeepsTheNewestWhenOn() {
        LlmRotate lm = twoKeys();
        lm.chat("gpt-4o-mini", HI);
        assertThat(lm.recentCalls(10)).isEmpty();
        assertThat(lm.eventBufferCapacity()).isZero();
        lm.eventBuffer(3);
        assertThat(lm.eventBufferCapacity()).isEqualTo(3);
        for (int i = 0; i < 5; i++) {
            lm.chat("gpt-4o-mini", HI);
        }
        List<CallRecord> recent = lm.recentCalls(10);
        assertThat(recent).hasSize(3);
        List<JsonNode> logged = records();
        assertThat(recent.get(0).callId())
                .isEqualTo(logged.get(5).get("call_id").asText());
        assertThat(recent.get(2).callId())
                .isEqualTo(logged.get(3).get("call_id").asText());
        lm.eventBuffer(0);
        assertThat(lm.recentCalls(10)).isEmpty();
        assertThat(lm.eventBufferCapacity()).isZero();
    }

    @Test
    void theSumOfRecordsEqualsTheUsageSummaryAfterAConcurrentRunWithFaults() throws Exception {
        java.util.Random random = seed.random();
        openai.byDefault().respond(request -> {
            double roll;
            synchronized (random) {
                roll = random.nextDouble();
            }
            if (roll < 0.1) {
                return FakeResponse.error(429, "requests", "rate_limit_exceeded", "slow down"); // no Retry-After
            }
            if (roll < 0.2) {
                return FakeResponse.serverError();
            }
            if (roll < 0.25) {
                return FakeResponse.error(400, "invalid_request_error", null, "bad");
            }
            return FakeResponse.ok("ok", 7, 3);
        });
        // The real clock, so that the short rests of this run pass; calls wait up to 2 s for a key.
        LlmRotate lm = realClockEngine(config(
                        SelectionStrategyType.HEALTH_AWARE, Keys.openai("k1"), Keys.openai("k2"), Keys.openai("k3"))
                .provider("openai", s -> s.withCooldown(Duration.ofMillis(1)).withQuarantine(Duration.ofMillis(5)))
                .defaults(d -> d.withMaxWaitForKey(Duration.ofSeconds(2)))
                .build());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            calls.add(pool.submit(() -> {
                try {
                    lm.chat("gpt-4o-mini", HI);
                } catch (LlmRotateException expected) {
                    // failures are part of the run
                }
            }));
        }
        for (Future<?> call : calls) {
            call.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        List<JsonNode> all = records();
        assertThat(all).hasSize(400);
        assertThat(all.stream().map(r -> r.get("call_id").asText()).distinct()).hasSize(400);
        UsageSummary.Totals overall = lm.usageSummary().overall();
        assertThat(overall.calls()).isEqualTo(400);
        assertThat(overall.successes())
                .isEqualTo(all.stream()
                        .filter(r -> r.get("outcome").asText().equals("success"))
                        .count());
        assertThat(overall.inputTokens())
                .isEqualTo(all.stream()
                        .mapToLong(r -> r.get("input_tokens").asLong())
                        .sum());
        assertThat(overall.outputTokens())
                .isEqualTo(all.stream()
                        .mapToLong(r -> r.get("output_tokens").asLong())
                        .sum());
        assertThat(overall.costUsd())
                .isCloseTo(
                        all.stream()
                                .mapToDouble(r -> r.get("estimated_cost_usd").asDouble())
                                .sum(),
                        within(1e-9));
        for (Map.Entry<String, Long> failure : overall.failuresByType().entrySet()) {
            long counted = all.stream()
                    .filter(r -> !r.get("outcome").asText().equals("success"))
                    .filter(r -> failure.getKey()
                            .equals(
                                    r.get("outcome").asText().equals("no_available_key")
                                            ? "no_available_key"
                                            : r.get("error_type").asText()))
                    .count();
            assertThat(counted).as(failure.getKey()).isEqualTo(failure.getValue());
        }
        for (Map.Entry<String, UsageSummary.Totals> key :
                lm.usageSummary().byKey().entrySet()) {
            long counted = all.stream()
                    .filter(r -> key.getKey().equals(r.get("key_id").asText(null)))
                    .count();
            assertThat(key.getValue().calls()).as(key.getKey()).isEqualTo(counted);
        }
        assertThat(overall.successes()).as(overall + "\n" + lm.health()).isGreaterThan(250);
        assertThat(overall.failures()).isPositive();
    }
}

package dev.llmrotate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.llmrotate.ChatStream;
import dev.llmrotate.KeyLease;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Metrics of real calls over loopback HTTP, read back from a Micrometer registry. */
class MicrometerTelemetryLoopbackTest extends MicrometerLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final String MODEL = "gpt-4o-mini";

    private LlmRotate twoKeys() {
        return bound(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MODEL).priority(2).build(),
                        Keys.key("b", "openai", MODEL).priority(1).build())
                .build());
    }

    @Test
    void aPlainCallCountsOneCallOneAttemptItsTokensAndCostAsItsRecordHasThem() {
        openai.byDefault().always(FakeResponse.ok("hello", 120, 30).withUsage(120, 30, 20, 10));
        LlmRotate lm = twoKeys();
        lm.chat(MODEL, HI);
        CallRecord record = records(lm).get(0);

        String[] series = {"provider", "openai", "model", MODEL, "key_id", "a"};
        assertThat(count(MetricNames.CALLS, with(series, "outcome", "success"))).isEqualTo(1.0);
        assertThat(count(MetricNames.CALLS)).isEqualTo(1.0);
        assertThat(count(MetricNames.ATTEMPTS, with(series, "outcome", "success")))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.ATTEMPTS)).isEqualTo(1.0);
        assertThat(meters(MetricNames.ERRORS)).isEmpty();
        assertThat(meters(MetricNames.KEY_ROTATIONS)).isEmpty();
        assertThat(meters(MetricNames.FALLBACKS)).isEmpty();
        assertThat(count(MetricNames.TOKENS, with(series, "token_type", "input")))
                .isEqualTo(record.inputTokens())
                .isEqualTo(120.0);
        assertThat(count(MetricNames.TOKENS, with(series, "token_type", "output")))
                .isEqualTo(record.outputTokens())
                .isEqualTo(30.0);
        assertThat(count(MetricNames.TOKENS, with(series, "token_type", "cached_input")))
                .isEqualTo(record.cachedInputTokens())
                .isEqualTo(20.0);
        assertThat(count(MetricNames.TOKENS, with(series, "token_type", "reasoning")))
                .isEqualTo(record.reasoningTokens())
                .isEqualTo(10.0);
        assertThat(record.estimatedCostUsd()).isPositive();
        assertThat(count(MetricNames.COST, series)).isCloseTo(record.estimatedCostUsd(), within(1e-12));

        String[] call = {
            "gen_ai.operation.name", "chat",
            "gen_ai.provider.name", "openai",
            "gen_ai.request.model", MODEL,
            "gen_ai.response.model", MODEL,
            "error.type", ""
        };
        Timer duration = timer(MetricNames.CLIENT_OPERATION_DURATION, call);
        assertThat(duration.count()).isEqualTo(1);
        assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(record.latencyMs(), within(0.01));
        assertThat(meters(MetricNames.CLIENT_OPERATION_DURATION)).hasSize(1);
        assertThat(meters(MetricNames.CLIENT_TIME_TO_FIRST_CHUNK)).isEmpty();
        assertThat(summary(MetricNames.CLIENT_TOKEN_USAGE, with(call, "gen_ai.token.type", "input"))
                        .totalAmount())
                .isEqualTo(120.0);
        assertThat(summary(MetricNames.CLIENT_TOKEN_USAGE, with(call, "gen_ai.token.type", "output"))
                        .count())
                .isEqualTo(1);
        assertThat(meters(MetricNames.CLIENT_TOKEN_USAGE)).hasSize(2);
    }

    @Test
    void tokenUsageCanBeLeftToAnotherEmitterWhileLlmRotatesOwnTokensCount() {
        openai.byDefault().always(FakeResponse.ok("hello", 120, 30));
        LlmRotate lm = twoKeys();
        telemetry.genAiTokenUsage(false);
        lm.chat(MODEL, HI);

        assertThat(meters(MetricNames.CLIENT_TOKEN_USAGE)).isEmpty();
        assertThat(meters(MetricNames.CLIENT_OPERATION_DURATION)).hasSize(1);
        assertThat(count(MetricNames.TOKENS)).isEqualTo(150.0);
    }

    @Test
    void theHistogramsHaveTheSharedBucketBoundaries() {
        openai.byDefault().always(FakeResponse.ok("hello", 120, 30));
        twoKeys().chat(MODEL, HI);
        Timer duration =
                registry.find(MetricNames.CLIENT_OPERATION_DURATION.name()).timer();
        assertThat(duration.takeSnapshot().histogramCounts())
                .extracting(c -> c.bucket(TimeUnit.SECONDS))
                .containsExactlyElementsOf(MetricNames.DURATION_BUCKETS);
        var tokens = registry.find(MetricNames.CLIENT_TOKEN_USAGE.name())
                .tag("gen_ai.token.type", "input")
                .summary();
        assertThat(tokens.takeSnapshot().histogramCounts())
                .extracting(c -> (long) c.bucket())
                .containsExactlyElementsOf(MetricNames.TOKEN_BUCKETS);
        // 120 tokens fall in (64, 256], the 5th bucket, which counts everything up to 256.
        assertThat(tokens.takeSnapshot().histogramCounts()[3].count()).isZero();
        assertThat(tokens.takeSnapshot().histogramCounts()[4].count()).isEqualTo(1.0);
    }

    @Test
    void aStreamedCallRecordsItsTimeToFirstChunkOnce() {
        openai.byDefault().always(FakeResponse.ok("x", 40, 12).withChunks("a", "b"));
        LlmRotate lm = twoKeys();
        try (ChatStream stream =
                lm.chatStream(ChatRequest.builder(MODEL).messages(HI).build())) {
            assertThat(stream.collect().content()).isEqualTo("ab");
        }
        CallRecord record = records(lm).get(0);
        assertThat(record.timeToFirstChunkMs()).isNotNull();

        Timer firstChunk =
                timer(MetricNames.CLIENT_TIME_TO_FIRST_CHUNK, "gen_ai.operation.name", "chat", "error.type", "");
        assertThat(firstChunk.count()).isEqualTo(1);
        assertThat(firstChunk.totalTime(TimeUnit.MILLISECONDS)).isCloseTo(record.timeToFirstChunkMs(), within(0.01));
        assertThat(timer(MetricNames.CLIENT_OPERATION_DURATION).count()).isEqualTo(1);
        assertThat(count(MetricNames.CALLS, "outcome", "success")).isEqualTo(1.0);
        assertThat(count(MetricNames.ATTEMPTS, "outcome", "success")).isEqualTo(1.0);
        assertThat(count(MetricNames.TOKENS)).isEqualTo(52.0);
        assertThat(summary(MetricNames.CLIENT_TOKEN_USAGE, "gen_ai.token.type", "input")
                        .totalAmount())
                .isEqualTo(40.0);
    }

    @Test
    void aCallOfTwoAttemptsCountsOneCallTwoAttemptsOneRotationAndItsTokensOnce() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("from b", 100, 7));
        LlmRotate lm = twoKeys();
        assertThat(lm.chat(MODEL, HI).keyId()).isEqualTo("b");
        CallRecord record = records(lm).get(0);
        assertThat(record.attempts()).isEqualTo(2);

        assertThat(count(MetricNames.CALLS)).isEqualTo(1.0);
        assertThat(count(MetricNames.CALLS, "key_id", "b", "outcome", "success"))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.ATTEMPTS)).isEqualTo(2.0);
        assertThat(count(MetricNames.ATTEMPTS, "key_id", "a", "outcome", "error"))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.ATTEMPTS, "key_id", "b", "outcome", "success"))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.ERRORS)).isEqualTo(1.0);
        assertThat(count(
                        MetricNames.ERRORS,
                        "provider",
                        "openai",
                        "model",
                        MODEL,
                        "key_id",
                        "a",
                        "error_type",
                        "rate_limit"))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.KEY_ROTATIONS)).isEqualTo(1.0);
        assertThat(count(MetricNames.KEY_ROTATIONS, "provider", "openai", "key_id", "a", "error_type", "rate_limit"))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.TOKENS)).isEqualTo(record.totalTokens()).isEqualTo(107.0);
        assertThat(timer(MetricNames.CLIENT_OPERATION_DURATION).count()).isEqualTo(1);
        assertThat(summary(MetricNames.CLIENT_TOKEN_USAGE, "gen_ai.token.type", "input")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aFallbackIsCountedUnderTheProviderThatAnsweredAndTheModelAskedFor() {
        try (FakeOpenAiServer openrouter = FakeOpenAiServer.start()) {
            openai.byDefault().always(FakeResponse.insufficientQuota());
            openrouter.byDefault().always(FakeResponse.ok("via broker", 100, 100));
            LlmRotate lm = bound(config(
                            SelectionStrategyType.PRIORITY,
                            Keys.key("a", "openai", "gpt-4o").build(),
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
        }
        assertThat(count(MetricNames.FALLBACKS)).isEqualTo(1.0);
        assertThat(count(MetricNames.FALLBACKS, "provider", "openrouter", "model", "gpt-4o"))
                .isEqualTo(1.0);
        assertThat(meters(MetricNames.FALLBACKS).get(0).getId().getTags())
                .extracting(t -> t.getKey())
                .containsExactly("model", "provider");
        assertThat(count(MetricNames.CALLS, "provider", "openrouter", "model", "gpt-4o", "key_id", "or"))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.ERRORS, "key_id", "a", "error_type", "quota_exhausted"))
                .isEqualTo(1.0);
        assertThat(count(
                        MetricNames.ATTEMPTS,
                        "provider",
                        "openrouter",
                        "model",
                        "anthropic/claude-sonnet-4.5",
                        "outcome",
                        "success"))
                .isEqualTo(1.0);
        assertThat(timer(
                                MetricNames.CLIENT_OPERATION_DURATION,
                                "gen_ai.provider.name",
                                "openrouter",
                                "gen_ai.request.model",
                                "gpt-4o",
                                "gen_ai.response.model",
                                "anthropic/claude-sonnet-4.5")
                        .count())
                .isEqualTo(1);
    }

    @Test
    void noAvailableKeyIsTheCallsOutcomeAndTheDurationsErrorType() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        LlmRotate lm =
                bound(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        assertThatThrownBy(() -> lm.chat(MODEL, HI)).isInstanceOf(NoAvailableKeyException.class);
        assertThatThrownBy(() -> lm.chat(MODEL, HI)).isInstanceOf(NoAvailableKeyException.class);

        assertThat(count(MetricNames.CALLS, "outcome", "no_available_key")).isEqualTo(2.0);
        assertThat(count(MetricNames.ATTEMPTS))
                .as("the second call found the key resting")
                .isEqualTo(1.0);
        assertThat(count(MetricNames.KEY_ROTATIONS, "error_type", "rate_limit")).isEqualTo(1.0);
        assertThat(timer(
                                MetricNames.CLIENT_OPERATION_DURATION,
                                "error.type",
                                "no_available_key",
                                "gen_ai.response.model",
                                "")
                        .count())
                .isEqualTo(2);
        assertThat(meters(MetricNames.CLIENT_TOKEN_USAGE)).isEmpty();
        assertThat(meters(MetricNames.TOKENS)).isEmpty();
    }

    @Test
    void aLeaseCountsItsCallAndTokensButNoGenAiMetric() {
        LlmRotate lm = twoKeys();
        try (KeyLease lease = lm.acquire("openai", MODEL)) {
            lease.reportSuccess(Usage.of(50, 20));
        }
        assertThat(count(MetricNames.CALLS, "key_id", "a", "outcome", "success"))
                .isEqualTo(1.0);
        assertThat(count(MetricNames.TOKENS)).isEqualTo(70.0);
        assertThat(meters(MetricNames.CLIENT_OPERATION_DURATION)).isEmpty();
        assertThat(meters(MetricNames.CLIENT_TOKEN_USAGE)).isEmpty();
    }

    @Test
    void noMeterCarriesASecretOrAMask() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("from b"));
        LlmRotate lm = twoKeys();
        lm.chat(MODEL, HI);
        String maskA = lm.health().key("a").keyMask();
        assertThat(maskA).isNotBlank();

        List<String> values = allTagValues();
        assertThat(values).contains("a", "b");
        for (String value : values) {
            assertThat(value)
                    .doesNotContain(secret("a"))
                    .doesNotContain(secret("b"))
                    .doesNotContain(maskA)
                    .doesNotContain("sk-")
                    .doesNotContain("…")
                    .doesNotContain("0123456789abcdef");
        }
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().toString()).doesNotContain("sk-");
        }
    }

    private static String[] with(String[] tags, String key, String value) {
        String[] all = java.util.Arrays.copyOf(tags, tags.length + 2);
        all[tags.length] = key;
        all[tags.length + 1] = value;
        return all;
    }
}

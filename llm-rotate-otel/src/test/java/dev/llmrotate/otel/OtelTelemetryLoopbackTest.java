package dev.llmrotate.otel;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.llmrotate.KeyLease;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spans and metrics of real calls over loopback HTTP, read back from the SDK's in-memory exporter and reader. */
class OtelTelemetryLoopbackTest extends OtelLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final String MODEL = "gpt-4o-mini";

    /** Metric attributes of the counters: provider id, the model sent. */
    private static final Attributes OPENAI_MODEL =
            Attributes.of(stringKey("llm_rotate.provider"), "openai", stringKey("gen_ai.request.model"), MODEL);

    /** Attributes of a successful chat call's histograms. */
    private static final Attributes CHAT_CALL = Attributes.builder()
            .put("gen_ai.operation.name", "chat")
            .put("gen_ai.provider.name", "openai")
            .put("gen_ai.request.model", MODEL)
            .put("gen_ai.response.model", MODEL)
            .build();

    private LlmRotate twoKeys() {
        return engine(config(openaiKey("a", 2), openaiKey("b", 1)).build());
    }

    private static Attributes with(Attributes base, String key, String value) {
        return base.toBuilder().put(key, value).build();
    }

    @Test
    void aStreamedCallHasAStreamSpanAndItsTokensInTheHistogram() {
        openai.byDefault().always(FakeResponse.ok("x", 40, 12).withChunks("a", "b"));
        LlmRotate lm = twoKeys();
        try (dev.llmrotate.ChatStream stream = lm.chatStream(
                dev.llmrotate.chat.ChatRequest.builder(MODEL).messages(HI).build())) {
            assertThat(stream.collect().content()).isEqualTo("ab");
        }
        assertThat(finishedSpans()).singleElement().satisfies(span -> {
            assertThat(span.getName()).isEqualTo("llm_rotate.attempt");
            assertThat(span.getAttributes()
                            .get(io.opentelemetry.api.common.AttributeKey.booleanKey("gen_ai.request.stream")))
                    .isTrue();
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        });
        Map<Attributes, HistogramPointData> tokens = histogram("gen_ai.client.token.usage");
        assertThat(tokens.values().stream()
                        .mapToDouble(HistogramPointData::getSum)
                        .sum())
                .isEqualTo(52.0);
        assertThat(metric("gen_ai.client.operation.time_to_first_chunk").getUnit())
                .isEqualTo("s");
        assertThat(histogram("gen_ai.client.operation.time_to_first_chunk").values())
                .singleElement()
                .satisfies(point -> {
                    assertThat(point.getCount()).isEqualTo(1);
                    assertThat(point.getSum()).isGreaterThan(0.0).isLessThan(10.0);
                });
        assertThat(histogram("gen_ai.client.operation.duration").values())
                .singleElement()
                .satisfies(point -> assertThat(point.getCount()).isEqualTo(1));
        assertNoSecrets("a", "b");
    }

    @Test
    void aSuccessfulCallHasOneSpanWithEveryAttribute() {
        openai.byDefault().always(FakeResponse.ok("hello", 120, 30));
        ChatResponse response = twoKeys().chat(MODEL, HI);
        assertThat(response.content()).isEqualTo("hello");

        assertThat(finishedSpans()).hasSize(1);
        SpanData span = finishedSpans().get(0);
        assertThat(span.getName()).isEqualTo("llm_rotate.attempt");
        assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(span.hasEnded()).isTrue();
        assertThat(span.getAttributes().asMap())
                .isEqualTo(Attributes.builder()
                        .put("gen_ai.operation.name", "chat")
                        .put("gen_ai.provider.name", "openai")
                        .put("gen_ai.request.model", MODEL)
                        .put("gen_ai.request.stream", false)
                        .put("gen_ai.response.model", MODEL)
                        .put("gen_ai.usage.input_tokens", 120L)
                        .put("gen_ai.usage.output_tokens", 30L)
                        .put(stringArrayKey("gen_ai.response.finish_reasons"), List.of("stop"))
                        .put("llm_rotate.provider", "openai")
                        .put("llm_rotate.key_id", "a")
                        .put("llm_rotate.attempt", 1L)
                        .put("llm_rotate.rotation", false)
                        .build()
                        .asMap());

        assertThat(counter("llm_rotate.attempts"))
                .containsExactly(entry(with(OPENAI_MODEL, "llm_rotate.outcome", "success"), 1L));
        assertThat(hasMetric("llm_rotate.errors")).isFalse();
        assertThat(hasMetric("llm_rotate.key_rotations")).isFalse();

        Map<Attributes, HistogramPointData> duration = histogram("gen_ai.client.operation.duration");
        assertThat(duration).containsOnlyKeys(CHAT_CALL);
        HistogramPointData call = duration.get(CHAT_CALL);
        assertThat(call.getCount()).isEqualTo(1);
        assertThat(call.getSum()).isGreaterThan(0.0).isLessThan(10.0);
        assertThat(call.getBoundaries()).isEqualTo(MetricNames.DURATION_BUCKETS);

        Map<Attributes, HistogramPointData> tokens = histogram("gen_ai.client.token.usage");
        Attributes input = with(CHAT_CALL, "gen_ai.token.type", "input");
        Attributes output = with(CHAT_CALL, "gen_ai.token.type", "output");
        assertThat(tokens).containsOnlyKeys(input, output);
        assertThat(tokens.get(input).getSum()).isEqualTo(120.0);
        assertThat(tokens.get(input).getCount()).isEqualTo(1);
        assertThat(tokens.get(output).getSum()).isEqualTo(30.0);
        assertThat(tokens.get(input).getBoundaries())
                .isEqualTo(MetricNames.TOKEN_BUCKETS.stream()
                        .map(Long::doubleValue)
                        .toList());
        // 120 tokens fall in (64, 256], the 5th bucket; 30 in (16, 64], the 4th.
        assertThat(tokens.get(input).getCounts().get(4)).isEqualTo(1L);
        assertThat(tokens.get(output).getCounts().get(3)).isEqualTo(1L);
        assertNoSecrets("a", "b");
    }

    @Test
    void spansAndMetricsAreUnderTheScopeLlmRotateWithTheModuleVersion() {
        openai.byDefault().always(FakeResponse.ok("hello"));
        twoKeys().chat(MODEL, HI);

        assertThat(OtelTelemetry.version()).isNotBlank().doesNotStartWith("${");
        assertThat(finishedSpans()).singleElement().satisfies(span -> {
            assertThat(span.getInstrumentationScopeInfo().getName()).isEqualTo("llm_rotate");
            assertThat(span.getInstrumentationScopeInfo().getVersion()).isEqualTo(OtelTelemetry.version());
        });
        assertThat(collectedMetrics())
                .extracting(MetricData::getName)
                .containsExactlyInAnyOrder(
                        "llm_rotate.attempts", "gen_ai.client.operation.duration", "gen_ai.client.token.usage");
        assertThat(collectedMetrics()).allSatisfy(m -> {
            assertThat(m.getInstrumentationScopeInfo().getName()).isEqualTo("llm_rotate");
            assertThat(m.getInstrumentationScopeInfo().getVersion()).isEqualTo(OtelTelemetry.version());
        });
        assertThat(metric("llm_rotate.attempts").getUnit()).isEqualTo("{attempt}");
        assertThat(metric("gen_ai.client.operation.duration").getUnit()).isEqualTo("s");
        assertThat(metric("gen_ai.client.token.usage").getUnit()).isEqualTo("{token}");
    }

    @Test
    void aRotationGivesTwoSpansTheSecondMarkedAsFollowingARotation() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("from b"));
        ChatResponse response = twoKeys().chat(MODEL, HI);
        assertThat(response.keyId()).isEqualTo("b");

        List<SpanData> attempts = finishedSpans();
        assertThat(attempts).hasSize(2);
        SpanData first = attempts.get(0);
        SpanData second = attempts.get(1);
        assertThat(first.getAttributes().get(stringKey("llm_rotate.key_id"))).isEqualTo("a");
        assertThat(first.getAttributes().get(longKey("llm_rotate.attempt"))).isEqualTo(1L);
        assertThat(first.getAttributes().get(booleanKey("llm_rotate.rotation"))).isFalse();
        assertThat(first.getAttributes().get(stringKey("error.type"))).isEqualTo("rate_limit");
        assertThat(first.getAttributes().get(longKey("http.response.status_code")))
                .isEqualTo(429L);
        assertThat(first.getAttributes().get(stringKey("gen_ai.response.model")))
                .isNull();
        assertThat(first.getAttributes().get(longKey("gen_ai.usage.input_tokens")))
                .isNull();
        assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);

        assertThat(second.getAttributes().get(stringKey("llm_rotate.key_id"))).isEqualTo("b");
        assertThat(second.getAttributes().get(longKey("llm_rotate.attempt"))).isEqualTo(2L);
        assertThat(second.getAttributes().get(booleanKey("llm_rotate.rotation")))
                .isTrue();
        assertThat(second.getAttributes().get(stringKey("error.type"))).isNull();
        assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(second.getTraceId()).isNotEqualTo(first.getTraceId()); // no parent: each attempt is a root

        assertThat(counter("llm_rotate.key_rotations"))
                .containsExactly(entry(
                        Attributes.of(
                                stringKey("llm_rotate.provider"), "openai", stringKey("error.type"), "rate_limit"),
                        1L));
        assertThat(metric("llm_rotate.key_rotations").getUnit()).isEqualTo("{rotation}");
        assertThat(counter("llm_rotate.errors"))
                .containsExactly(entry(with(OPENAI_MODEL, "error.type", "rate_limit"), 1L));
        assertThat(metric("llm_rotate.errors").getUnit()).isEqualTo("{error}");
        assertThat(counter("llm_rotate.attempts"))
                .containsOnly(
                        entry(with(OPENAI_MODEL, "llm_rotate.outcome", "success"), 1L),
                        entry(with(OPENAI_MODEL, "llm_rotate.outcome", "error"), 1L));
        // The call succeeded: one duration point without error.type.
        assertThat(histogram("gen_ai.client.operation.duration")).containsOnlyKeys(CHAT_CALL);
        assertNoSecrets("a", "b");
    }

    @Test
    void aRetryAfter500GoesToTheOtherKeyAndIsNoRotation() {
        openai.byDefault().next(FakeResponse.serverError()).always(FakeResponse.ok("second time"));
        ChatResponse response = twoKeys().chat(MODEL, HI);
        assertThat(response.attempts()).isEqualTo(2);

        List<SpanData> attempts = finishedSpans();
        assertThat(attempts).hasSize(2);
        // A retry prefers another healthy key; it is a retry (with backoff), not a rotation.
        assertThat(attempts)
                .extracting(s -> s.getAttributes().get(stringKey("llm_rotate.key_id")))
                .containsExactly("a", "b");
        assertThat(attempts)
                .extracting(s -> s.getAttributes().get(longKey("llm_rotate.attempt")))
                .containsExactly(1L, 2L);
        assertThat(attempts)
                .extracting(s -> s.getAttributes().get(booleanKey("llm_rotate.rotation")))
                .containsExactly(false, false);
        assertThat(attempts.get(0).getAttributes().get(stringKey("error.type"))).isEqualTo("transient_server_error");
        assertThat(attempts.get(0).getAttributes().get(longKey("http.response.status_code")))
                .isEqualTo(500L);
        assertThat(attempts.get(0).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(attempts.get(1).getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(attempts.get(1).getAttributes().get(longKey("gen_ai.usage.output_tokens")))
                .isEqualTo(5L);

        assertThat(hasMetric("llm_rotate.key_rotations")).isFalse();
        assertThat(counter("llm_rotate.errors"))
                .containsExactly(entry(with(OPENAI_MODEL, "error.type", "transient_server_error"), 1L));
        assertThat(counter("llm_rotate.attempts"))
                .containsOnly(
                        entry(with(OPENAI_MODEL, "llm_rotate.outcome", "success"), 1L),
                        entry(with(OPENAI_MODEL, "llm_rotate.outcome", "error"), 1L));
    }

    @Test
    void noAvailableKeyEndsTheCallWithThatErrorType() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        LlmRotate lm = engine(config(openaiKey("a", 1)).build());
        assertThatThrownBy(() -> lm.chat(MODEL, HI)).isInstanceOf(NoAvailableKeyException.class);

        assertThat(finishedSpans()).singleElement().satisfies(span -> {
            assertThat(span.getAttributes().get(stringKey("error.type"))).isEqualTo("rate_limit");
            assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        });
        assertThat(counter("llm_rotate.key_rotations"))
                .containsExactly(entry(
                        Attributes.of(
                                stringKey("llm_rotate.provider"), "openai", stringKey("error.type"), "rate_limit"),
                        1L));
        Attributes failedCall = Attributes.builder()
                .put("gen_ai.operation.name", "chat")
                .put("gen_ai.provider.name", "openai")
                .put("gen_ai.request.model", MODEL)
                .put("error.type", "no_available_key")
                .build();
        assertThat(histogram("gen_ai.client.operation.duration")).containsOnlyKeys(failedCall);
        assertThat(histogram("gen_ai.client.operation.duration").get(failedCall).getCount())
                .isEqualTo(1);
        assertThat(hasMetric("gen_ai.client.token.usage")).isFalse();
    }

    @Test
    void aFailFastErrorEndsTheCallWithItsErrorType() {
        openai.byDefault()
                .always(FakeResponse.error(
                        400, "invalid_request_error", "context_length_exceeded", "maximum context length"));
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.chat(MODEL, HI))
                .isInstanceOf(LlmRotateException.class)
                .isNotInstanceOf(NoAvailableKeyException.class);

        assertThat(finishedSpans()).singleElement().satisfies(span -> {
            assertThat(span.getAttributes().get(stringKey("error.type"))).isEqualTo("context_length_exceeded");
            assertThat(span.getAttributes().get(longKey("http.response.status_code")))
                    .isEqualTo(400L);
        });
        assertThat(histogram("gen_ai.client.operation.duration"))
                .containsOnlyKeys(Attributes.builder()
                        .put("gen_ai.operation.name", "chat")
                        .put("gen_ai.provider.name", "openai")
                        .put("gen_ai.request.model", MODEL)
                        .put("error.type", "context_length_exceeded")
                        .build());
        assertThat(hasMetric("llm_rotate.key_rotations")).isFalse();
    }

    @Test
    void aFallbackAttemptNamesItsProviderAndModelAndTheModelAskedFor() {
        try (FakeOpenAiServer openrouter = FakeOpenAiServer.start()) {
            openai.byDefault().always(FakeResponse.insufficientQuota());
            openrouter.byDefault().always(FakeResponse.ok("via broker", 100, 100));
            LlmRotate lm = engine(config(
                            key("a", "openai", "gpt-4o").build(),
                            key("or", "openrouter", "anthropic/claude-sonnet-4.5")
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

        List<SpanData> attempts = finishedSpans();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).getAttributes().get(stringKey("error.type"))).isEqualTo("quota_exhausted");
        assertThat(attempts.get(0).getAttributes().get(stringKey("llm_rotate.requested_model")))
                .isNull();
        Attributes fallback = attempts.get(1).getAttributes();
        assertThat(fallback.get(stringKey("gen_ai.provider.name"))).isEqualTo("openrouter");
        assertThat(fallback.get(stringKey("llm_rotate.provider"))).isEqualTo("openrouter");
        assertThat(fallback.get(stringKey("gen_ai.request.model"))).isEqualTo("anthropic/claude-sonnet-4.5");
        assertThat(fallback.get(stringKey("gen_ai.response.model"))).isEqualTo("anthropic/claude-sonnet-4.5");
        assertThat(fallback.get(stringKey("llm_rotate.requested_model"))).isEqualTo("gpt-4o");
        assertThat(fallback.get(stringKey("llm_rotate.key_id"))).isEqualTo("or");

        Attributes call = Attributes.builder()
                .put("gen_ai.operation.name", "chat")
                .put("gen_ai.provider.name", "openrouter")
                .put("gen_ai.request.model", "gpt-4o")
                .put("gen_ai.response.model", "anthropic/claude-sonnet-4.5")
                .build();
        assertThat(histogram("gen_ai.client.operation.duration")).containsOnlyKeys(call);
        assertThat(histogram("gen_ai.client.token.usage"))
                .containsOnlyKeys(with(call, "gen_ai.token.type", "input"), with(call, "gen_ai.token.type", "output"));
    }

    @Test
    void attemptSpansAreChildrenOfTheApplicationsCurrentSpan() {
        openai.byDefault().always(FakeResponse.ok("hello"));
        LlmRotate lm = twoKeys();
        Span request = sdk.getTracer("app").spanBuilder("handle request").startSpan();
        Scope scope = request.makeCurrent();
        try {
            lm.chat(MODEL, HI);
        } finally {
            scope.close();
            request.end();
        }
        SpanData attempt = finishedSpans().stream()
                .filter(s -> s.getName().equals("llm_rotate.attempt"))
                .findFirst()
                .orElseThrow();
        assertThat(attempt.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
        assertThat(attempt.getTraceId()).isEqualTo(request.getSpanContext().getTraceId());
    }

    @Test
    void zeroTokensRecordNoTokenUsage() {
        openai.byDefault().always(FakeResponse.ok("", 7, 0));
        twoKeys().chat(MODEL, HI);
        assertThat(histogram("gen_ai.client.token.usage"))
                .containsOnlyKeys(with(CHAT_CALL, "gen_ai.token.type", "input"));
        assertThat(finishedSpans().get(0).getAttributes().get(longKey("gen_ai.usage.output_tokens")))
                .isEqualTo(0L);
    }

    @Test
    void aLeaseIsTheApplicationsCallAndLeavesNoSpanOrGenAiMetric() {
        LlmRotate lm = twoKeys();
        try (KeyLease lease = lm.acquire("openai", MODEL)) {
            lease.reportSuccess(Usage.of(50, 20));
        }
        try (KeyLease unreported = lm.acquire("openai", MODEL)) {
            assertThat(unreported.keyId()).isEqualTo("a");
        }
        assertThat(finishedSpans()).isEmpty();
        assertThat(collectedMetrics()).isEmpty();
    }
}

package dev.llmrotate.otel;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.spi.TelemetryProvider;
import dev.llmrotate.testkit.FakeResponse;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The module on the class path is enough: the builder finds its provider, which reports via GlobalOpenTelemetry. */
class GlobalOpenTelemetryLoopbackTest extends OtelLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    @BeforeEach
    @AfterEach
    void resetGlobal() {
        GlobalOpenTelemetry.resetForTest();
    }

    /** Built the way an application does without mentioning telemetry. */
    private LlmRotate plainEngine() {
        return keep(LlmRotate.builder()
                .config(config(openaiKey("a", 2), openaiKey("b", 1)).build())
                .build());
    }

    @Test
    void theProviderIsRegisteredForServiceLoader() {
        assertThat(ServiceLoader.load(TelemetryProvider.class))
                .singleElement()
                .isInstanceOf(OtelTelemetryProvider.class);
        assertThat(new OtelTelemetryProvider().create()).isInstanceOf(OtelTelemetry.class);
    }

    @Test
    void withTheGlobalSdkSetABuilderWithoutTelemetryEmitsSpansAndMetrics() {
        GlobalOpenTelemetry.set(sdk);
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("hello"));
        plainEngine().chat("gpt-4o-mini", HI);

        List<SpanData> attempts = finishedSpans();
        assertThat(attempts).extracting(SpanData::getName).containsExactly("llm_rotate.attempt", "llm_rotate.attempt");
        assertThat(attempts)
                .extracting(s -> s.getAttributes().get(booleanKey("llm_rotate.rotation")))
                .containsExactly(false, true);
        assertThat(attempts.get(0).getInstrumentationScopeInfo().getName()).isEqualTo("llm_rotate");
        assertThat(counter("llm_rotate.key_rotations")).hasSize(1);
        assertThat(histogram("gen_ai.client.operation.duration")).hasSize(1);
    }

    @Test
    void withoutAnSdkCallsWorkAndTheGlobalInstanceIsLeftForTheApplicationToSet() {
        openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().next(FakeResponse.serverError()).always(FakeResponse.ok("hello"));
        LlmRotate lm = plainEngine();
        assertThat(lm.chat("gpt-4o-mini", HI).content()).isEqualTo("hello");
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);

        // No call locked the global instance to a no-op: the application can still set its SDK.
        assertThat(GlobalOpenTelemetry.isSet()).isFalse();
        GlobalOpenTelemetry.set(sdk);
        assertThat(finishedSpans()).isEmpty();
        assertThat(collectedMetrics()).isEmpty();
    }

    @Test
    void anEngineBuiltBeforeTheApplicationSetsItsSdkReportsOnceItIsSet() {
        openai.byDefault().always(FakeResponse.ok("hello"));
        LlmRotate lm = keep(LlmRotate.builder()
                .config(config(openaiKey("a", 1)).build())
                .telemetry(OtelTelemetry.global(0))
                .build());
        lm.chat("gpt-4o-mini", HI);
        assertThat(GlobalOpenTelemetry.isSet()).isFalse();

        GlobalOpenTelemetry.set(sdk);
        lm.chat("gpt-4o-mini", HI);
        assertThat(finishedSpans())
                .singleElement()
                .satisfies(span -> assertThat(span.getAttributes().get(stringKey("llm_rotate.key_id")))
                        .isEqualTo("a"));
        assertThat(histogram("gen_ai.client.operation.duration").values())
                .singleElement()
                .satisfies(point -> assertThat(point.getCount()).isEqualTo(1));
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.Telemetry;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The telemetry hooks the engine calls, in order and with what each attempt and call ended with. */
class TelemetryHooksLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    /** Writes every hook call down as one line. */
    private static final class Recording implements Telemetry {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public Telemetry.Attempt attemptStarted(
                String operation,
                String provider,
                String requestedModel,
                String model,
                String keyId,
                int attemptNumber,
                boolean afterRotation) {
            calls.add("start " + operation + " " + provider + " " + model + " " + keyId + " #" + attemptNumber
                    + (afterRotation ? " after rotation" : ""));
            return new Telemetry.Attempt() {
                @Override
                public void succeeded(String responseModel, Usage usage, FinishReason finishReason) {
                    calls.add("succeeded " + responseModel + " " + usage + " " + finishReason);
                }

                @Override
                public void failed(ErrorType type, Integer httpStatus) {
                    calls.add("failed " + type.wireName() + " " + httpStatus);
                }
            };
        }

        @Override
        public void keyRotated(String provider, String keyId, ErrorType cause) {
            calls.add("rotated " + provider + " " + keyId + " " + cause.wireName());
        }

        @Override
        public void callEnded(CallRecord record) {
            calls.add("ended " + record.outcome() + " " + record.errorType());
        }
    }

    private LlmRotate engine(LlmRotateConfig config, Telemetry telemetry, ProviderAdapter... adapters) {
        LlmRotateBuilder builder = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .random(seed.random())
                .telemetry(telemetry);
        for (ProviderAdapter adapter : adapters) {
            builder.adapter(adapter);
        }
        return builder.build();
    }

    @Test
    void aReplysModelUsageAndFinishReasonEndItsAttempt() {
        openai.byDefault().always(FakeResponse.ok("cut", 120, 30).withFinishReason("length"));
        Recording telemetry = new Recording();
        try (LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build(), telemetry)) {
            lm.chat("gpt-4o-mini", HI);
        }
        assertThat(telemetry.calls)
                .containsExactly(
                        "start chat openai gpt-4o-mini a #1",
                        "succeeded gpt-4o-mini " + Usage.of(120, 30) + " LENGTH",
                        "ended success null");
    }

    @Test
    void aRotationIsReportedBetweenTheFailedAttemptAndTheNextOne() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("from b"));
        Recording telemetry = new Recording();
        try (LlmRotate lm = engine(
                config(
                                SelectionStrategyType.PRIORITY,
                                Keys.key("a", "openai", "gpt-4o-mini")
                                        .priority(2)
                                        .build(),
                                Keys.openai("b"))
                        .build(),
                telemetry)) {
            lm.chat("gpt-4o-mini", HI);
        }
        assertThat(telemetry.calls)
                .containsExactly(
                        "start chat openai gpt-4o-mini a #1",
                        "failed rate_limit 429",
                        "rotated openai a rate_limit",
                        "start chat openai gpt-4o-mini b #2 after rotation",
                        "succeeded gpt-4o-mini " + Usage.of(10, 5) + " STOP",
                        "ended success null");
    }

    @Test
    void anAdapterThatThrowsSomethingUnexpectedStillEndsItsAttempt() {
        ProviderAdapter broken = new ProviderAdapter() {
            @Override
            public String provider() {
                return "openai";
            }

            @Override
            public ProviderReply send(Attempt attempt) {
                throw new IllegalStateException("adapter bug");
            }
        };
        Recording telemetry = new Recording();
        try (LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build(), telemetry, broken)) {
            assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("adapter bug");
        }
        assertThat(telemetry.calls)
                .containsExactly(
                        "start chat openai gpt-4o-mini a #1", "failed unknown null", "ended error configuration_error");
    }
}

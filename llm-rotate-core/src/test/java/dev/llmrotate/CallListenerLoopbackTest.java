package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@link LlmRotate#onCall}: every finished call's record, after it is recorded, until the handle is closed. */
class CallListenerLoopbackTest extends EngineTestSupport {
    private static final ChatRequest HI = ChatRequest.of("gpt-4o-mini", List.of(ChatMessage.user("hi")));

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger telemetryLog = (Logger) LoggerFactory.getLogger(LogNames.TELEMETRY);
    private Level telemetryLevel;

    @BeforeEach
    void captureTelemetryLog() {
        telemetryLevel = telemetryLog.getLevel();
        telemetryLog.setLevel(Level.DEBUG);
        logs.start();
        telemetryLog.addAppender(logs);
    }

    @AfterEach
    void releaseTelemetryLog() {
        telemetryLog.detachAppender(logs);
        telemetryLog.setLevel(telemetryLevel);
    }

    @Test
    void everyKindOfCallReachesTheListenerAfterItIsRecorded() {
        openai.forKey(secret("b")).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"), Keys.openai("b"))
                .eventBuffer(10)
                .build());
        List<CallRecord> seen = new CopyOnWriteArrayList<>();
        List<Long> recordedWhenSeen = new CopyOnWriteArrayList<>();
        List<Boolean> bufferedWhenSeen = new CopyOnWriteArrayList<>();
        lm.onCall(record -> {
            recordedWhenSeen.add(lm.usageSummary().overall().calls());
            bufferedWhenSeen.add(lm.recentCalls(1).get(0).callId().equals(record.callId()));
            seen.add(record);
        });

        lm.chat(HI);
        try (ChatStream stream = lm.chatStream(HI)) {
            stream.forEach(chunk -> {});
        }
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            lease.reportSuccess(Usage.of(7, 2));
        }
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        assertThatThrownBy(() -> lm.chat(HI)).isInstanceOf(NoAvailableKeyException.class);

        assertThat(seen)
                .extracting(CallRecord::operation, CallRecord::outcome)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("chat", "success"),
                        org.assertj.core.groups.Tuple.tuple("chat_stream", "success"),
                        org.assertj.core.groups.Tuple.tuple("lease", "success"),
                        org.assertj.core.groups.Tuple.tuple("chat", "no_available_key"));
        assertThat(recordedWhenSeen).containsExactly(1L, 2L, 3L, 4L);
        assertThat(bufferedWhenSeen).containsOnly(true);
        assertThat(seen.get(1).timeToFirstChunkMs()).isNotNull();
        assertThat(seen.get(2).inputTokens()).isEqualTo(7);
    }

    @Test
    void closingTheHandleUnregistersThatListenerOnly() {
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        List<String> seen = new CopyOnWriteArrayList<>();
        Consumer<CallRecord> listener = record -> seen.add("listener");
        LlmRotate.Subscription first = lm.onCall(listener);
        LlmRotate.Subscription second = lm.onCall(listener); // the same consumer twice: two registrations
        try (LlmRotate.Subscription other = lm.onCall(record -> seen.add("other"))) {
            lm.chat(HI);
        }
        first.close();
        first.close();
        lm.chat(HI);
        second.close();
        lm.chat(HI);

        assertThat(seen).containsExactly("listener", "listener", "other", "listener");
        assertThatThrownBy(() -> lm.onCall(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void aThrowingListenerIsLoggedAndAffectsNeitherTheCallNorTheOtherListeners() {
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        List<String> seen = new CopyOnWriteArrayList<>();
        lm.onCall(record -> {
            throw new IllegalStateException("listener bug");
        });
        lm.onCall(record -> {
            throw new AssertionError("an error, not an exception");
        });
        lm.onCall(record -> seen.add(record.outcome()));

        assertThat(lm.chat(HI).content()).isNotNull();
        assertThat(lm.chat(HI).content()).isNotNull();

        assertThat(seen).containsExactly("success", "success");
        assertThat(lm.usageSummary().overall().successes()).isEqualTo(2);
        assertThat(logs.list)
                .extracting(ILoggingEvent::getLevel)
                .containsExactly(Level.WARN, Level.WARN, Level.DEBUG, Level.DEBUG);
        assertThat(logs.list.get(0).getFormattedMessage())
                .startsWith("llm-rotate call listener dev.llmrotate.CallListenerLoopbackTest$")
                .endsWith(" threw; the call goes on (further failures of this listener are logged at debug level)");
        assertThat(logs.list.get(0).getThrowableProxy().getMessage()).isEqualTo("listener bug");
        assertThat(logs.list.get(1).getThrowableProxy().getMessage()).isEqualTo("an error, not an exception");
    }

    @Test
    void aThrowingTelemetryHookCostsTheCallerNothingAndTheListenersStillGetTheRecord() {
        dev.llmrotate.spi.Telemetry telemetry = new dev.llmrotate.spi.Telemetry() {
            @Override
            public Attempt attemptStarted(
                    String operation,
                    String provider,
                    String requestedModel,
                    String model,
                    String keyId,
                    int attemptNumber,
                    boolean afterRotation) {
                return Attempt.NOOP;
            }

            @Override
            public void keyRotated(String provider, String keyId, dev.llmrotate.error.ErrorType cause) {}

            @Override
            public void callEnded(dev.llmrotate.observe.CallRecord record) {
                throw new IllegalStateException("telemetry bug");
            }
        };
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build(), telemetry);
        List<String> seen = new CopyOnWriteArrayList<>();
        lm.onCall(record -> seen.add(record.outcome()));

        assertThat(lm.chat(HI).content()).isNotNull();

        assertThat(seen).containsExactly("success");
        assertThat(logs.list)
                .extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("telemetry failed on a finished call: java.lang.IllegalStateException: telemetry bug");
    }
}

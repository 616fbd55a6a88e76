package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code close()} drains calls in flight; an interrupted caller's call is cancelled without blaming the key. */
class ShutdownAndInterruptLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    private LlmRotate engine(Duration grace) {
        LlmRotate lm = builder()
                .config(config(SelectionStrategyType.ROUND_ROBIN, Keys.openai("a"), Keys.openai("b"))
                        .build())
                .random(seed.random())
                .shutdownGracePeriod(grace)
                .build();
        lm.eventBuffer(100);
        return lm;
    }

    @Test
    void closeLetsCallsInFlightFinishAndRefusesNewOnes() throws Exception {
        openai.byDefault().always(FakeResponse.ok("late but whole").delay(Duration.ofMillis(600)));
        LlmRotate lm = engine(Duration.ofSeconds(5));
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<ChatResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> lm.chat("gpt-4o-mini", HI), callers));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> openai.requestCount() == 4);
            long start = System.nanoTime();
            lm.close();
            Duration closing = Duration.ofNanos(System.nanoTime() - start);

            for (CompletableFuture<ChatResponse> call : calls) {
                assertThat(call.get(1, TimeUnit.SECONDS).content()).isEqualTo("late but whole");
            }
            // close() returned only after the calls ended, well within the grace period.
            assertThat(closing).isLessThan(Duration.ofSeconds(4));
            assertThat(lm.recentCalls(10))
                    .hasSize(4)
                    .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(CallRecord.SUCCESS));
            assertThat(lm.usageSummary().overall().successes()).isEqualTo(4);
            assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(IllegalStateException.class);
            assertThat(openai.requestCount()).isEqualTo(4);
            lm.close(); // a second close does nothing
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void closeDoesNotWaitLongerThanTheGracePeriodAndTheLateCallStillAnswers() throws Exception {
        openai.byDefault().always(FakeResponse.ok("slow").delay(Duration.ofMillis(1500)));
        LlmRotate lm = engine(Duration.ofMillis(200));
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<ChatResponse> call =
                    CompletableFuture.supplyAsync(() -> lm.chat("gpt-4o-mini", HI), caller);
            await().atMost(Duration.ofSeconds(5)).until(() -> openai.requestCount() == 1);
            long start = System.nanoTime();
            lm.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(call.get(5, TimeUnit.SECONDS).content()).isEqualTo("slow");
            assertThat(lm.recentCalls(10)).hasSize(1);
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void interruptingTheCallerCancelsTheCallWithoutCountingAgainstTheKey() throws Exception {
        openai.byDefault().always(FakeResponse.ok("never seen").delay(Duration.ofSeconds(5)));
        LlmRotate lm = engine(Duration.ZERO);
        lm.reloadConfig(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        for (int i = 1; i <= 6; i++) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread thread = new Thread(() -> {
                try {
                    lm.chat("gpt-4o-mini", HI);
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            thread.start();
            int expected = i;
            await().atMost(Duration.ofSeconds(5)).until(() -> openai.requestCount() == expected);
            thread.interrupt();
            thread.join(5_000);
            assertThat(thread.isAlive()).isFalse();
            assertThat(thrown.get())
                    .isInstanceOfSatisfying(
                            LlmRotateException.class,
                            e -> assertThat(e.errorType()).isNull())
                    .hasMessageContaining("interrupted");
        }
        // Six interrupts: still ACTIVE with a clean record (five real failures would have rested it).
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.ACTIVE);
        assertThat(lm.health().key("a").consecutiveFailures()).isZero();
        assertThat(lm.recentCalls(10))
                .hasSize(6)
                .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(CallRecord.CANCELLED));
        lm.close();
    }
}

package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default {@link ProviderAdapter#sendAsync} that a third-party adapter with only a blocking {@code send} gets:
 * {@code send} runs on the given executor, its outcome completes the future, and cancelling the future interrupts it.
 */
class DefaultSendAsyncTest {
    private static final ProviderReply REPLY = new ProviderReply("hi", FinishReason.STOP, Usage.of(3, 1), "m", "r-1");

    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> new Thread(task, "third-party"));

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private static Attempt attempt() {
        KeySpec key = KeySpec.builder("a", "openai")
                .secretRef(SecretRef.parse("env://UNUSED", name -> null))
                .models("m")
                .build();
        return new Attempt(
                ChatRequest.builder("m").user("hi").build(),
                key,
                "secret",
                ProviderCatalog.defaults("openai"),
                null,
                Duration.ofSeconds(5));
    }

    /** A third-party adapter: only {@code send}, which runs {@code body}. */
    private static ProviderAdapter blocking(java.util.function.Supplier<ProviderReply> body) {
        return new ProviderAdapter() {
            @Override
            public String provider() {
                return "openai";
            }

            @Override
            public ProviderReply send(Attempt attempt) {
                return body.get();
            }
        };
    }

    @Test
    void sendRunsOnTheExecutorAndItsReplyCompletesTheFuture() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        ProviderAdapter adapter = blocking(() -> {
            thread.set(Thread.currentThread().getName());
            return REPLY;
        });

        assertThat(adapter.sendAsync(attempt(), executor).get(10, TimeUnit.SECONDS))
                .isEqualTo(REPLY);
        assertThat(thread.get()).isEqualTo("third-party");
    }

    @Test
    void aFailureOfSendFailsTheFutureWithTheSameException() throws Exception {
        ProviderException rateLimited = new ProviderException(ErrorType.RATE_LIMIT, 429, Duration.ofSeconds(2), "slow");
        ProviderAdapter adapter = blocking(() -> {
            throw rateLimited;
        });

        Throwable failure = adapter.sendAsync(attempt(), executor)
                .handle((reply, error) -> error)
                .get(10, TimeUnit.SECONDS);

        assertThat(failure).isSameAs(rateLimited);
    }

    @Test
    void cancellingTheFutureInterruptsSendAndLeavesTheExecutorThreadClean() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        ProviderAdapter adapter = blocking(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // a send that only an interrupt ends
                throw new AssertionError("not interrupted");
            } catch (InterruptedException e) {
                interrupted.countDown();
                Thread.currentThread().interrupt();
                throw new CallCancelledException("interrupted");
            }
        });
        // An executor that does not clear interrupts between tasks, as ThreadPoolExecutor does: it reports the flag
        // its thread is left with after the task.
        AtomicReference<Boolean> leftInterrupted = new AtomicReference<>();
        CountDownLatch taskDone = new CountDownLatch(1);
        Executor plain = task -> new Thread(() -> {
                    task.run();
                    leftInterrupted.set(Thread.currentThread().isInterrupted());
                    taskDone.countDown();
                })
                .start();
        CompletableFuture<ProviderReply> future = adapter.sendAsync(attempt(), plain);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(future.cancel(true)).isTrue();

        assertThat(interrupted.await(10, TimeUnit.SECONDS))
                .as("send was interrupted")
                .isTrue();
        assertThat(future).isCancelled();
        assertThat(taskDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(leftInterrupted.get())
                .as("the executor's thread is left uninterrupted")
                .isFalse();
    }
}

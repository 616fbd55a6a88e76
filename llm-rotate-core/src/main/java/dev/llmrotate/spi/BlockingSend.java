package dev.llmrotate.spi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * {@link ProviderAdapter#sendAsync}'s default: a blocking send on an executor, behind a future whose cancellation
 * interrupts the thread running it. A {@link FutureTask} delivers that interrupt while the task still runs, so it
 * cannot hit the executor's next task; the flag it leaves is cleared before the thread goes back to the executor.
 */
final class BlockingSend {
    private BlockingSend() {}

    static <T> CompletableFuture<T> start(Supplier<T> send, Executor executor) {
        CompletableFuture<T> result = new CompletableFuture<>();
        FutureTask<Void> task = new FutureTask<>(
                () -> {
                    try {
                        result.complete(send.get());
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                },
                null);
        result.whenComplete((value, error) -> {
            if (result.isCancelled()) {
                task.cancel(true);
            }
        });
        try {
            executor.execute(() -> {
                task.run();
                if (task.isCancelled()) {
                    Thread.interrupted(); // the cancellation's interrupt, delivered by now: not the executor's business
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}

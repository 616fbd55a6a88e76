package dev.llmrotate.provider.http;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread that ends exchanges whose body stalls after the headers (the JDK client's request timeout
 * stops at the headers). Tasks only complete futures and cancel subscriptions, so one daemon thread serves every
 * exchange; a cancelled task leaves the queue at once, so finished exchanges hold nothing until their deadline.
 */
final class Timeouts {
    private Timeouts() {}

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = timer();

        private static ScheduledThreadPoolExecutor timer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
                Thread thread = new Thread(task, "llm-rotate-http-timeouts");
                thread.setDaemon(true);
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true);
            return timer;
        }
    }

    /** Runs {@code task} once {@code delayNanos} have passed (at once when not positive); cancel it when done. */
    static ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return Holder.TIMER.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
    }
}

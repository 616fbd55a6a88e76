package dev.llmrotate.internal.provider.http;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The deadlines of bodies being read, watched by one daemon thread: the JDK client stops timing an exchange once its
 * headers are in, so a body that stalls would otherwise never end.
 *
 * <p>The thread looks every {@link #TICK_NANOS} (20 ms) while bodies are watched, and parks after a second with none,
 * so a deadline is noticed up to one tick late. Watching costs a set insert and removal and never a wake-up while
 * exchanges keep coming: a timer task per exchange ({@code ScheduledThreadPoolExecutor}) signalled its thread on
 * every exchange, which cost a sequential caller 30 to 50 µs per call on a loaded 2-CPU machine.
 *
 * <p>{@link Watched#expire()} runs on the watching thread and must not block: it fails the exchange and completes
 * futures, and an asynchronous caller's dependent stages run there too (which is why {@code sendAsync} asks callers
 * not to block in them).
 */
final class Timeouts {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Set<Watched> WATCHED = ConcurrentHashMap.newKeySet();
    private static volatile Thread watcher;
    private static volatile boolean parked;

    private Timeouts() {}

    /** Something with a deadline. */
    interface Watched {
        /** The deadline, in {@link System#nanoTime()} terms. */
        long deadlineNanos();

        /** Called once the deadline has passed, unless it was {@link #unwatch unwatched} first. */
        void expire();
    }

    /** Watches {@code watched} until {@link #unwatch} or its deadline. */
    static void watch(Watched watched) {
        WATCHED.add(watched);
        Thread thread = watcher;
        if (thread == null) {
            start();
        } else if (parked) {
            LockSupport.unpark(thread);
        }
    }

    static void unwatch(Watched watched) {
        WATCHED.remove(watched);
    }

    private static synchronized void start() {
        if (watcher == null) {
            Thread thread = new Thread(Timeouts::watchForever, "llm-rotate-http-timeouts");
            thread.setDaemon(true);
            watcher = thread;
            thread.start();
        }
    }

    private static void watchForever() {
        long busySince = System.nanoTime();
        while (true) {
            LockSupport.parkNanos(TICK_NANOS);
            long now = System.nanoTime();
            if (!WATCHED.isEmpty()) {
                busySince = now;
                expireDue(now);
            } else if (now - busySince > IDLE_NANOS) {
                parked = true;
                if (WATCHED.isEmpty()) {
                    LockSupport.park(); // watch() unparks, having seen `parked` after adding
                }
                parked = false;
                busySince = System.nanoTime();
            }
        }
    }

    private static void expireDue(long now) {
        for (Watched watched : WATCHED) {
            if (now - watched.deadlineNanos() >= 0 && WATCHED.remove(watched)) {
                try {
                    watched.expire();
                } catch (RuntimeException e) {
                    // A failing dependent stage of a caller must not stop the watching of every other exchange.
                }
            }
        }
    }
}

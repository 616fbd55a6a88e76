package dev.llmrotate;

import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.LogNames;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of finished calls ({@link LlmRotate#onCall}). Copy on write: publishing reads one volatile array, so a
 * call costs one read and a length check while none is registered, and listeners never contend with each other.
 */
final class CallListeners {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.TELEMETRY);
    private static final Listener[] NONE = new Listener[0];

    private volatile Listener[] listeners = NONE;

    /** Registers {@code listener}; closing the handle unregisters it (again: nothing). */
    LlmRotate.Subscription add(Consumer<CallRecord> listener) {
        Listener added = new Listener(Objects.requireNonNull(listener, "listener"));
        synchronized (this) {
            Listener[] current = listeners;
            Listener[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = added;
            listeners = next;
        }
        return () -> remove(added);
    }

    private synchronized void remove(Listener listener) {
        Listener[] current = listeners;
        int at = Arrays.asList(current).indexOf(listener);
        if (at < 0) {
            return;
        }
        Listener[] next = new Listener[current.length - 1];
        System.arraycopy(current, 0, next, 0, at);
        System.arraycopy(current, at + 1, next, at, current.length - at - 1);
        listeners = next;
    }

    /** Hands {@code record} to every listener, on this thread; a listener that throws is logged and skipped. */
    void publish(CallRecord record) {
        Listener[] current = listeners;
        for (Listener listener : current) {
            listener.accept(record);
        }
    }

    /** One registration; identity matters (the same consumer registered twice is two listeners). */
    private static final class Listener {
        private final Consumer<CallRecord> consumer;
        private final AtomicBoolean warned = new AtomicBoolean();

        Listener(Consumer<CallRecord> consumer) {
            this.consumer = consumer;
        }

        void accept(CallRecord record) {
            try {
                consumer.accept(record);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // whatever a listener throws, the call it listens to goes on
                if (warned.compareAndSet(false, true)) {
                    LOG.warn(
                            "llm-rotate call listener {} threw; the call goes on (further failures of this listener"
                                    + " are logged at debug level)",
                            consumer.getClass().getName(),
                            e);
                } else {
                    LOG.debug(
                            "llm-rotate call listener {} threw",
                            consumer.getClass().getName(),
                            e);
                }
            }
        }
    }
}

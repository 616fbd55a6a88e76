package dev.llmrotate;

import java.util.Random;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The seed of a test's randomness: fixed by default, overridable with {@code -Dllmrotate.seed=N}, and printed when
 * a test fails so that the failure can be replayed.
 */
public final class Seed implements TestWatcher {
    private final long value = Long.getLong("llmrotate.seed", 20261125L);

    public long value() {
        return value;
    }

    public Random random() {
        return new Random(value);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        System.err.println(
                context.getDisplayName() + " failed with seed " + value + " (replay: -Dllmrotate.seed=" + value + ")");
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.state.InMemoryStateStore;
import dev.llmrotate.state.StateStore;
import dev.llmrotate.state.StateStoreFactory;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder opens the store a configuration's {@code state_store} names, through {@link StateStoreFactory}. */
class StateStoreSelectionTest {
    private static final LlmRotateConfig.Builder CONFIG =
            LlmRotateConfig.builder().key(Keys.openai("a"));

    /** A factory registered only in the class loader of one test. */
    public static final class RecordingFactory implements StateStoreFactory {
        static final AtomicReference<StateStoreSettings> SEEN = new AtomicReference<>();

        @Override
        public String type() {
            return "redis";
        }

        @Override
        public StateStore create(StateStoreSettings settings) {
            SEEN.set(settings);
            return new InMemoryStateStore();
        }
    }

    @Test
    void memoryIsTheDefault() {
        assertThat(LlmRotateBuilder.stateStoreOf(StateStoreSettings.IN_MEMORY, null))
                .isInstanceOf(InMemoryStateStore.class);
        try (LlmRotate lm = LlmRotate.create(CONFIG.build())) {
            assertThat(lm.usageSummary().overall().calls()).isZero();
        }
    }

    @Test
    void redisWithoutTheModuleFailsClearly() {
        LlmRotateConfig config = CONFIG.stateStore(StateStoreSettings.redis("redis://:hunter2@localhost:6379"))
                .build();

        assertThatThrownBy(() -> LlmRotate.create(config))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("state_store.type: redis needs the llm-rotate-redis module on the class path");
    }

    @Test
    void aRegisteredFactoryOfTheTypeOpensTheStore(@TempDir Path dir) throws IOException {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve(StateStoreFactory.class.getName()), RecordingFactory.class.getName());
        StateStoreSettings settings = StateStoreSettings.redis("redis://localhost:6379", "team-a");
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, StateStoreSelectionTest.class.getClassLoader())) {
            StateStore store = LlmRotateBuilder.stateStoreOf(settings, loader);

            assertThat(store).isInstanceOf(InMemoryStateStore.class);
            assertThat(RecordingFactory.SEEN.get()).isEqualTo(settings);
        }
    }
}

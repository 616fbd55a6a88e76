package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.StateStoreFactory;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder opens the store a configuration's {@code state_store} names, through {@link StateStoreFactory}. */
class StateStoreSelectionTest {
    private static final LlmRotateConfig.Builder CONFIG =
            LlmRotateConfig.builder().key(Keys.openai("a"));

    /**
     * A factory registered only in the class loader of one test. Its store answers {@code toString()} with the
     * settings it was opened with, so that the test sees them across class loaders.
     */
    public static final class RecordingFactory implements StateStoreFactory {
        @Override
        public String type() {
            return "redis";
        }

        @Override
        public StateStore create(StateStoreSettings settings) {
            InMemoryStateStore delegate = new InMemoryStateStore();
            return (StateStore) Proxy.newProxyInstance(
                    StateStore.class.getClassLoader(), new Class<?>[] {StateStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("toString")) {
                            return "recorded " + settings;
                        }
                        try {
                            return method.invoke(delegate, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    /**
     * Defines {@link RecordingFactory} itself (child first), so that the factory lives in this loader's unnamed module
     * and is found through the loader's {@code META-INF/services}, as a factory in a user's jar is, whether the tests
     * run with core on the class path or as a named module (where a provider inside core's module would count only if
     * its descriptor declared it).
     */
    private static final class FactoryLoader extends URLClassLoader {
        FactoryLoader(Path dir) throws IOException {
            super(new URL[] {dir.toUri().toURL()}, StateStoreSelectionTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.equals(RecordingFactory.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded != null) {
                    return loaded;
                }
                String resource = "/" + name.replace('.', '/') + ".class";
                try (InputStream in = RecordingFactory.class.getResourceAsStream(resource)) {
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
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
        try (URLClassLoader loader = new FactoryLoader(dir)) {
            StateStore store = LlmRotateBuilder.stateStoreOf(settings, loader);

            assertThat(store.getClass().getClassLoader()).isSameAs(StateStore.class.getClassLoader());
            assertThat(store.toString()).isEqualTo("recorded " + settings);
            assertThat(store.nextRoundRobin("scope")).isZero();
        }
    }
}

package dev.llmrotate.spi;

import dev.llmrotate.config.StateStoreSettings;

/**
 * Creates the {@link StateStore} of a configuration's {@code state_store} block. Modules that provide a store (such
 * as {@code llm-rotate-redis}) register one in {@code META-INF/services/dev.llmrotate.spi.StateStoreFactory};
 * {@code LlmRotate.builder()} finds it with {@link java.util.ServiceLoader} when the configuration names its type
 * and no store was passed to the builder.
 */
public interface StateStoreFactory {

    /**
     * The {@code state_store.type} this factory serves, e.g. {@code redis}.
     *
     * @return the type, as the configuration writes it
     */
    String type();

    /**
     * Opens a store. Throws {@link dev.llmrotate.error.ConfigurationException} when the settings cannot work (a bad
     * URL, failed authentication); the message never shows a password. Called by {@code build()} and {@code
     * buildObserver()} for each instance, which closes the store when it is closed.
     *
     * @param settings the configuration's {@code state_store} block, of this factory's type
     * @return a new store
     */
    StateStore create(StateStoreSettings settings);
}

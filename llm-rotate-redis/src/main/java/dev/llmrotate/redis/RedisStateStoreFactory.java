package dev.llmrotate.redis;

import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.StateStoreFactory;

/** Opens a {@link RedisStateStore} for {@code state_store: {type: redis, ...}}; registered for ServiceLoader. */
public final class RedisStateStoreFactory implements StateStoreFactory {
    @Override
    public String type() {
        return StateStoreSettings.REDIS;
    }

    @Override
    public StateStore create(StateStoreSettings settings) {
        return RedisStateStore.of(settings);
    }
}

package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.StateStoreContract;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The Redis store passes the same suite as the in-memory store; each test gets an empty prefix of its own. */
class RedisStateStoreContractTest extends StateStoreContract {
    private static final AtomicInteger STORES = new AtomicInteger();
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    /** Every test above ran against Redis, not on the store's local fallback. */
    @AfterEach
    void redisWasInUse() {
        RedisStateStore redisStore = (RedisStateStore) store;
        assertThat(redisStore.isRedisAvailable()).isTrue();
        assertThat(redisStore.redisCommandCount()).isPositive();
    }

    @Override
    protected void settle() {
        ((RedisStateStore) store).flush();
    }

    @Override
    protected boolean keepsRecentCalls() {
        return true;
    }

    @Override
    protected StateStore newStore() {
        return RedisStateStore.builder()
                .url(redis.url())
                .commandTimeout(Duration.ofSeconds(5)) // a loaded build machine is not an outage
                .prefix("contract-" + ProcessHandle.current().pid() + "-" + STORES.incrementAndGet())
                .build();
    }
}

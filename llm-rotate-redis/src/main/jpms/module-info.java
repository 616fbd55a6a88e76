/** A Redis {@code StateStore} for llm-rotate: key health, budgets and usage shared by many processes. */
module dev.llmrotate.redis {
    requires dev.llmrotate.core;
    requires lettuce.core;
    requires org.slf4j;

    exports dev.llmrotate.redis;

    provides dev.llmrotate.spi.StateStoreFactory with
            dev.llmrotate.redis.RedisStateStoreFactory;
}

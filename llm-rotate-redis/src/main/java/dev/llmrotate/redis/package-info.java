/**
 * A {@code StateStore} in Redis, so that many processes share one view of their keys: health, cooldowns, rpm and tpm
 * budgets, round-robin cursors, usage counters and the recent calls. {@link dev.llmrotate.redis.RedisStateStore} is
 * built in code or opened from a configuration's {@code state_store: {type: redis, url: ...}} block by {@link
 * dev.llmrotate.redis.RedisStateStoreFactory}, which {@code ServiceLoader} finds when this module is on the class
 * path. Every call costs one Redis round trip; when Redis is unreachable the store serves from local state and
 * catches up once it answers again, so an outage of Redis never stops calls.
 */
package dev.llmrotate.redis;

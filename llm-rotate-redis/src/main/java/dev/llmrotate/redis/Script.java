package dev.llmrotate.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of the store. Each runs atomically in Redis and is sent by its SHA-1 ({@code EVALSHA}); a Redis
 * that does not know it yet (first use, after a restart) gets the source once ({@code EVAL}). Every key a script
 * touches shares the store's hash tag (see {@link RedisKeys}).
 */
enum Script {
    /**
     * Compare-and-set of one scope's health. KEYS: health hash, seq, key-ids. ARGV: expected version, new health text
     * (empty: only compare), TTL ms, channel, the scope's name (see {@link RedisKeys#nameOf}), force ("1": write
     * whatever the version). Returns {1, version} when written (or when the compare held), else {0, current version,
     * current text}. A write takes the next {@code seq} as its version and publishes {@code h|version|text|name}.
     */
    HEALTH_CAS("""
            local cur = redis.call('HMGET', KEYS[1], 'v', 'h')
            local v = tonumber(cur[1]) or 0
            if ARGV[6] ~= '1' and v ~= tonumber(ARGV[1]) then
              return {0, v, cur[2] or ''}
            end
            if ARGV[2] == '' then
              return {1, v}
            end
            local nv = redis.call('INCR', KEYS[2])
            redis.call('HSET', KEYS[1], 'v', nv, 'h', ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('SADD', KEYS[3], ARGV[5])
            redis.call('PUBLISH', ARGV[4], 'h|' .. nv .. '|' .. ARGV[2] .. '|' .. ARGV[5])
            return {1, nv}
            """),
    /**
     * Every stored health, of keys and (key, model) scopes. KEYS: key-ids, seq, epoch. ARGV: health key prefix, an
     * epoch to set when there is none, rpm and tpm key prefixes. Returns {epoch, seq, name1, version1, text1, ...};
     * forgets names with no state left.
     */
    HEALTH_ALL("""
            local e = redis.call('GET', KEYS[3])
            if not e then
              redis.call('SET', KEYS[3], ARGV[2])
              e = ARGV[2]
            end
            local out = {e, tonumber(redis.call('GET', KEYS[2]) or '0')}
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              local cur = redis.call('HMGET', ARGV[1] .. id, 'v', 'h')
              if cur[1] and cur[2] then
                out[#out + 1] = id
                out[#out + 1] = cur[1]
                out[#out + 1] = cur[2]
              elseif redis.call('EXISTS', ARGV[3] .. id, ARGV[4] .. id) == 0 then
                redis.call('SREM', KEYS[1], id)
              end
            end
            return out
            """),
    /**
     * Deletes the state of every name (key or scope) not listed. KEYS: key-ids, seq. ARGV: health, rpm and tpm key
     * prefixes, channel, then the names to keep. Publishes {@code d|version||name} per deleted name; returns how many.
     */
    RETAIN("""
            local keep = {}
            for i = 5, #ARGV do
              keep[ARGV[i]] = true
            end
            local removed = 0
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              if not keep[id] then
                redis.call('DEL', ARGV[1] .. id, ARGV[2] .. id, ARGV[3] .. id)
                redis.call('SREM', KEYS[1], id)
                local nv = redis.call('INCR', KEYS[2])
                redis.call('PUBLISH', ARGV[4], 'd|' .. nv .. '||' .. id)
                removed = removed + 1
              end
            end
            return removed
            """),
    /**
     * The sliding-minute request window. KEYS: rpm sorted set, seq, key-ids. ARGV: now ms, limit, unique member,
     * TTL ms, the key's name, "1" to admit a request or "0" to only look. Returns {admitted 0|1, next slot ms, seq}.
     */
    RPM("""
            local now = tonumber(ARGV[1])
            local limit = tonumber(ARGV[2])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
            local n = redis.call('ZCARD', KEYS[1])
            local admitted = 0
            if ARGV[6] == '1' and n < limit then
              redis.call('ZADD', KEYS[1], now, ARGV[3])
              redis.call('PEXPIRE', KEYS[1], ARGV[4])
              redis.call('SADD', KEYS[3], ARGV[5])
              n = n + 1
              admitted = 1
            end
            local slot = now
            if n >= limit then
              local oldest = redis.call('ZRANGE', KEYS[1], n - limit, n - limit, 'WITHSCORES')
              slot = tonumber(oldest[2]) + 60000
            end
            return {admitted, slot, redis.call('INCR', KEYS[2])}
            """),
    /**
     * Tokens per second of one key. KEYS: tpm hash, seq, key-ids. ARGV: second, tokens to add (empty: only read),
     * TTL ms, the key's name. Drops seconds more than two minutes old; returns {seq, second1, tokens1, ...}.
     */
    TPM("""
            local sec = tonumber(ARGV[1])
            if ARGV[2] ~= '' then
              redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[2])
              redis.call('PEXPIRE', KEYS[1], ARGV[3])
              redis.call('SADD', KEYS[3], ARGV[4])
            end
            local all = redis.call('HGETALL', KEYS[1])
            local out = {redis.call('INCR', KEYS[2])}
            for i = 1, #all, 2 do
              local s = tonumber(all[i])
              if s <= sec - 120 then
                redis.call('HDEL', KEYS[1], all[i])
              else
                out[#out + 1] = s
                out[#out + 1] = tonumber(all[i + 1])
              end
            end
            return out
            """),
    /** A round-robin cursor. KEYS: cursor. ARGV: TTL ms. Returns the value after the increment. */
    ROUND_ROBIN("""
            local v = redis.call('INCR', KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            return v
            """),
    /**
     * Adds usage increments. KEYS: usage:slices, the sender's watermark, then one hash per slice. ARGV: the send's
     * number, the watermark's TTL ms, then for each hash in order: slice name, field count, field/increment pairs
     * ({@code cost_usd} by HINCRBYFLOAT, the rest by HINCRBY). The watermark keeps the highest number applied, so
     * that after a timeout the sender can tell which of its sends Redis ran.
     */
    USAGE_ADD("""
            local n = tonumber(ARGV[1])
            if n > (tonumber(redis.call('GET', KEYS[2]) or '0')) then
              redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
            end
            local a = 3
            for k = 3, #KEYS do
              redis.call('SADD', KEYS[1], ARGV[a])
              local n = tonumber(ARGV[a + 1])
              a = a + 2
              for i = 1, n do
                if ARGV[a] == 'cost_usd' then
                  redis.call('HINCRBYFLOAT', KEYS[k], ARGV[a], ARGV[a + 1])
                else
                  redis.call('HINCRBY', KEYS[k], ARGV[a], ARGV[a + 1])
                end
                a = a + 2
              end
            end
            return #KEYS - 2
            """),
    /** Every usage slice. KEYS: usage:slices. ARGV: usage key prefix. Returns {slice1, {field, value, ...}, ...}. */
    USAGE_ALL("""
            local out = {}
            for _, s in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              out[#out + 1] = s
              out[#out + 1] = redis.call('HGETALL', ARGV[1] .. s)
            end
            return out
            """);

    final String source;
    final String sha;

    Script(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}

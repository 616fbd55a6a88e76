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
     * Deletes the state of every name (key or scope) not listed: health, budgets, history, and the masks of keys not
     * listed. KEYS: key-ids, seq, key-masks. ARGV: health, rpm, tpm key prefixes, channel, history key prefix, then
     * the names to keep. Publishes {@code d|version||name} per deleted name; returns how many.
     */
    RETAIN("""
            local keep = {}
            for i = 6, #ARGV do
              keep[ARGV[i]] = true
            end
            local removed = 0
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
              if not keep[id] then
                redis.call('DEL', ARGV[1] .. id, ARGV[2] .. id, ARGV[3] .. id, ARGV[5] .. id)
                redis.call('SREM', KEYS[1], id)
                local nv = redis.call('INCR', KEYS[2])
                redis.call('PUBLISH', ARGV[4], 'd|' .. nv .. '||' .. id)
                removed = removed + 1
              end
            end
            for _, id in ipairs(redis.call('HKEYS', KEYS[3])) do
              if not keep[id] then
                redis.call('HDEL', KEYS[3], id)
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
     * Everything one send carries: usage counters since start, time buckets, state changes, recent call records, key
     * masks and usage per caller (see {@link UsageCounters}). KEYS: usage:slices, the sender's watermark, the bucket
     * registry, the events stream, the key-masks hash, usage:callers, then one hash per since-start slice, one hash
     * per time bucket, one list per scope with state changes. ARGV: 1 the send's number, 2 the watermark's TTL, 3-5
     * how many slices, buckets and lists, 6-7 the TTLs of minute and hour buckets, 8 the TTL of a history list, 9 the
     * entries a list keeps, 10 the TTL of the registry, stream and masks, 11 the stream's length (MAXLEN ~), 12-14 how
     * many registry entries, records and masks, 15 the lowest registry score kept, 16 how many callers, 17 the most
     * callers counted apart, 18 the name the others count under, 19-20 the usage and bucket key prefixes; then per
     * slice its name, field count and field/increment pairs ({@code cost_usd} by HINCRBYFLOAT, the rest by HINCRBY);
     * per bucket its TTL, field count and pairs ({@code $} by HINCRBYFLOAT); per list its entry count and entries
     * (oldest first); per registry entry the slice and its latest minute; the records; per mask the key name and
     * mask; per caller its name, latest minute, field count and pairs, bucket count, and per bucket its name ({@code
     * m:<minute>} or {@code h:<hour>}), TTL, field count and pairs. A caller counts under its own name when
     * usage:callers holds it or has room for it (it is added), else under ARGV[18]; its hashes are {@code
     * <prefix>caller:<name>}, named here because the script chooses the name. The watermark keeps the highest number
     * applied, so that after a timeout the sender can tell which of its sends Redis ran.
     */
    RECORD("""
            local sent = tonumber(ARGV[1])
            if sent > (tonumber(redis.call('GET', KEYS[2]) or '0')) then
              redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
            end
            local function add(key, field, amount, float)
              if field == float then
                redis.call('HINCRBYFLOAT', key, field, amount)
              else
                redis.call('HINCRBY', key, field, amount)
              end
            end
            local a = 21
            local k = 7
            for s = 1, tonumber(ARGV[3]) do
              redis.call('SADD', KEYS[1], ARGV[a])
              local fields = tonumber(ARGV[a + 1])
              a = a + 2
              for i = 1, fields do
                add(KEYS[k], ARGV[a], ARGV[a + 1], 'cost_usd')
                a = a + 2
              end
              k = k + 1
            end
            for b = 1, tonumber(ARGV[4]) do
              local ttl = ARGV[a]
              local fields = tonumber(ARGV[a + 1])
              a = a + 2
              for i = 1, fields do
                add(KEYS[k], ARGV[a], ARGV[a + 1], '$')
                a = a + 2
              end
              redis.call('PEXPIRE', KEYS[k], ttl)
              k = k + 1
            end
            for l = 1, tonumber(ARGV[5]) do
              local entries = tonumber(ARGV[a])
              a = a + 1
              for i = 1, entries do
                redis.call('LPUSH', KEYS[k], ARGV[a])
                a = a + 1
              end
              redis.call('LTRIM', KEYS[k], 0, tonumber(ARGV[9]) - 1)
              redis.call('PEXPIRE', KEYS[k], ARGV[8])
              k = k + 1
            end
            local function register(slice, latest)
              local known = redis.call('ZSCORE', KEYS[3], slice)
              if not known or tonumber(known) < latest then
                redis.call('ZADD', KEYS[3], latest, slice)
              end
            end
            local registry = tonumber(ARGV[12])
            for r = 1, registry do
              register(ARGV[a], tonumber(ARGV[a + 1]))
              a = a + 2
            end
            local records = tonumber(ARGV[13])
            for e = 1, records do
              redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[11], '*', 'r', ARGV[a])
              a = a + 1
            end
            if records > 0 then
              redis.call('PEXPIRE', KEYS[4], ARGV[10])
            end
            local masks = tonumber(ARGV[14])
            for m = 1, masks do
              redis.call('HSET', KEYS[5], ARGV[a], ARGV[a + 1])
              a = a + 2
            end
            if masks > 0 then
              redis.call('PEXPIRE', KEYS[5], ARGV[10])
            end
            for c = 1, tonumber(ARGV[16]) do
              local name = ARGV[a]
              if name ~= ARGV[18] and redis.call('SISMEMBER', KEYS[6], name) == 0 then
                if redis.call('SCARD', KEYS[6]) < tonumber(ARGV[17]) then
                  redis.call('SADD', KEYS[6], name)
                else
                  name = ARGV[18]
                end
              end
              local slice = 'caller:' .. name
              local latest = tonumber(ARGV[a + 1])
              local fields = tonumber(ARGV[a + 2])
              a = a + 3
              redis.call('SADD', KEYS[1], slice)
              for i = 1, fields do
                add(ARGV[19] .. slice, ARGV[a], ARGV[a + 1], 'cost_usd')
                a = a + 2
              end
              local buckets = tonumber(ARGV[a])
              a = a + 1
              for b = 1, buckets do
                local key = ARGV[20] .. ARGV[a] .. ':' .. slice
                local ttl = ARGV[a + 1]
                fields = tonumber(ARGV[a + 2])
                a = a + 3
                for i = 1, fields do
                  add(key, ARGV[a], ARGV[a + 1], '$')
                  a = a + 2
                end
                redis.call('PEXPIRE', key, ttl)
              end
              if buckets > 0 then
                register(slice, latest)
                registry = registry + 1
              end
            end
            if registry > 0 then
              redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[15])
              redis.call('PEXPIRE', KEYS[3], ARGV[10])
            end
            return k - 7
            """),
    /** Several hashes at once. KEYS: the hashes. Returns one flat {field, value, ...} list per hash, in order. */
    READ_HASHES("""
            local out = {}
            for i = 1, #KEYS do
              out[i] = redis.call('HGETALL', KEYS[i])
            end
            return out
            """),
    /** Several lists at once. KEYS: the lists. Returns each list whole, in order. */
    READ_LISTS("""
            local out = {}
            for i = 1, #KEYS do
              out[i] = redis.call('LRANGE', KEYS[i], 0, -1)
            end
            return out
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

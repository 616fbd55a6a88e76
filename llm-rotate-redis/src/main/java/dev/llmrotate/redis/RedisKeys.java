package dev.llmrotate.redis;

/**
 * The names of every Redis key of one store. All start with {@code {prefix}:}: the braces are a Redis Cluster hash
 * tag, so every key of a prefix lives in one slot and the multi-key scripts stay legal on a cluster.
 *
 * <pre>
 * {p}:health:&lt;keyId&gt;   hash {v: version, h: health text}           TTL: 7 days past the end of its rest
 * {p}:rpm:&lt;keyId&gt;      sorted set of admissions, scored by time     TTL: 2 minutes after the last admission
 * {p}:tpm:&lt;keyId&gt;      hash second -&gt; tokens                        TTL: 2 minutes after the last addition
 * {p}:rr:&lt;scope&gt;       round-robin cursor                          TTL: 1 day after the last use
 * {p}:key-ids          set of key ids with any of the above         (pruned by reloads and retainKeys)
 * {p}:seq              version counter of health writes and budget reads
 * {p}:epoch            random id of this data set, to notice a Redis that lost its data
 * {p}:usage:&lt;slice&gt;    hash of usage counters of one slice          no TTL: counters since they were created
 * {p}:usage:slices     set of slices (overall, provider:x, model:x, key:x)
 * {p}:usage-sent:&lt;id&gt;  highest usage send of one store instance Redis ran  TTL: 1 day after the last send
 * {p}:health-events    pub/sub channel of health changes
 * </pre>
 */
final class RedisKeys {
    final String root;
    final String health;
    final String rpm;
    final String tpm;
    final String roundRobin;
    final String keyIds;
    final String seq;
    final String epoch;
    final String usage;
    final String usageSlices;
    final String usageSent;
    final String channel;

    RedisKeys(String prefix) {
        this.root = "{" + prefix + "}:";
        this.health = root + "health:";
        this.rpm = root + "rpm:";
        this.tpm = root + "tpm:";
        this.roundRobin = root + "rr:";
        this.keyIds = root + "key-ids";
        this.seq = root + "seq";
        this.epoch = root + "epoch";
        this.usage = root + "usage:";
        this.usageSlices = root + "usage:slices";
        this.usageSent = root + "usage-sent:";
        this.channel = root + "health-events";
    }
}

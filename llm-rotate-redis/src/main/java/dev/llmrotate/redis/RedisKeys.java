package dev.llmrotate.redis;

import dev.llmrotate.spi.HealthScope;

/**
 * The names of every Redis key of one store. All start with {@code {prefix}:}: the braces are a Redis Cluster hash
 * tag, so every key of a prefix lives in one slot and the multi-key scripts stay legal on a cluster.
 *
 * <pre>
 * {p}:health:&lt;key&gt;          hash {v: version, h: health text}     TTL: 7 days past the end of its rest
 * {p}:health:&lt;key&gt;:&lt;model&gt;  the same, of a (key, model) scope
 * {p}:rpm:&lt;key&gt;             sorted set of admissions, by time     TTL: 2 minutes after the last admission
 * {p}:tpm:&lt;key&gt;             hash second -&gt; tokens                  TTL: 2 minutes after the last addition
 * {p}:rr:&lt;scope&gt;            round-robin cursor (provider|model)   TTL: 1 day after the last use
 * {p}:key-ids               set of the names (&lt;key&gt; or &lt;key&gt;:&lt;model&gt;) with any of the above
 *                           (pruned by reloads and retainKeys)
 * {p}:seq                   version counter of health writes and budget reads
 * {p}:epoch                 random id of this data set, to notice a Redis that lost its data
 * {p}:usage:&lt;slice&gt;         hash of usage counters of one slice   no TTL: counters since they were created
 * {p}:usage:slices          set of slices (overall, provider:x, model:x, key:x, caller:x)
 * {p}:usage:callers         set of the callers counted apart, at most StateStore.MAX_CALLERS; no TTL, like the
 *                           counters (the others count as caller:_other)
 * {p}:ub:m:&lt;minute&gt;:&lt;slice&gt;  hash of one minute's usage of a slice (&lt;provider&gt;|&lt;model&gt;|&lt;key&gt;, * for all,
 *                           caller:&lt;caller&gt;)                   TTL: a little longer than minutes are kept
 * {p}:ub:h:&lt;hour&gt;:&lt;slice&gt;    the same per hour                    TTL: a little longer than hours are kept
 * {p}:usage-buckets         sorted set of the bucket slices by their latest minute (trimmed to the hours kept)
 * {p}:usage-sent:&lt;id&gt;       highest usage send of one store instance Redis ran  TTL: 1 day after the last send
 * {p}:health-events         pub/sub channel of health changes
 * </pre>
 *
 * <p>{@code <key>} and {@code <model>} are the key id and model id with {@code %}, {@code :}, spaces and control
 * characters percent-encoded ({@code %25}, {@code %3A}, {@code %20}, ...), so that the colon between them is
 * unambiguous and every name reads as its ids (see {@link #nameOf}). A key id without those characters is its own
 * name, as in releases before health scopes.
 */
final class RedisKeys {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

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
    final String usageCallers;
    final String usageSent;
    final String buckets;
    final String bucketSlices;
    final String history;
    final String events;
    final String masks;
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
        this.usageCallers = root + "usage:callers";
        this.usageSent = root + "usage-sent:";
        this.buckets = root + "ub:";
        this.bucketSlices = root + "usage-buckets";
        this.history = root + "history:";
        this.events = root + "events";
        this.masks = root + "key-masks";
        this.channel = root + "health-events";
    }

    /** The slice that sums every slice of a bucket. */
    static final String ALL_SLICES = "*";

    /** The name of a usage slice: {@code <provider>|<model>|<key>}, each encoded, empty for null. */
    static String sliceOf(String provider, String model, String keyId) {
        StringBuilder out = new StringBuilder(32);
        part(out, provider).append('|');
        part(out, model).append('|');
        return part(out, keyId).toString();
    }

    private static StringBuilder part(StringBuilder out, String value) {
        if (value == null) {
            return out;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (escaped(c) || c == '|') {
                out.append('%').append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        return out;
    }

    /** The prefix of a caller's slice: {@code caller:<caller>}, in the counters, the buckets and their registry. */
    static final String CALLER = "caller:";

    /**
     * A caller's name in Redis: the caller with {@code |} and the characters of {@link #nameOf} percent-encoded, so
     * that {@code caller:<name>} is never read as a {@code <provider>|<model>|<key>} slice.
     */
    static String callerName(String caller) {
        return part(new StringBuilder(caller.length() + 8), caller).toString();
    }

    /** The caller a name made by {@link #callerName} stands for, or null for a name it does not make. */
    static String callerOf(String name) {
        String caller = decode(name);
        return caller != null && !caller.isEmpty() && callerName(caller).equals(name) ? caller : null;
    }

    /** The provider, model and key of a slice name (null for an empty part), or null for a name not made here. */
    static String[] partsOf(String slice) {
        String[] parts = slice.split("\\|", -1);
        if (parts.length != 3) {
            return null;
        }
        String[] out = new String[3];
        for (int i = 0; i < 3; i++) {
            String decoded = decode(parts[i]);
            if (decoded == null) {
                return null;
            }
            out[i] = decoded.isEmpty() ? null : decoded;
        }
        return out;
    }

    /**
     * The name in Redis of a health scope (a key id, or a key id and model joined by {@link HealthScope#SEPARATOR}):
     * {@code <key>} or {@code <key>:<model>}, each percent-encoded as the class doc says. The scope itself when it
     * needs no encoding (no allocation).
     */
    static String nameOf(String scope) {
        if (!needsEncoding(scope)) {
            return scope;
        }
        int at = scope.indexOf(HealthScope.SEPARATOR);
        StringBuilder out = new StringBuilder(scope.length() + 8);
        if (at < 0) {
            return encode(out, scope).toString();
        }
        encode(out, scope.substring(0, at)).append(':');
        return encode(out, scope.substring(at + 1)).toString();
    }

    /**
     * The health scope a name in Redis stands for, or null when {@link #nameOf} makes no such name (a malformed
     * escape, more than one unescaped colon, an escape where none is needed), so that each scope has exactly one name.
     */
    static String scopeOf(String name) {
        int colon = name.indexOf(':');
        if (colon >= 0 && name.indexOf(':', colon + 1) >= 0) {
            return null;
        }
        String scope =
                colon < 0 ? decode(name) : join(decode(name.substring(0, colon)), decode(name.substring(colon + 1)));
        return scope != null && nameOf(scope).equals(name) ? scope : null;
    }

    private static String join(String keyId, String model) {
        return keyId == null || model == null ? null : HealthScope.of(keyId, model);
    }

    private static boolean needsEncoding(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (escaped(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static boolean escaped(char c) {
        return c == '%' || c == ':' || c <= ' ' || c == 0x7f;
    }

    private static StringBuilder encode(StringBuilder out, String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (escaped(c)) {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        return out;
    }

    private static String decode(String part) {
        int at = part.indexOf('%');
        if (at < 0) {
            return part;
        }
        StringBuilder out = new StringBuilder(part.length());
        out.append(part, 0, at);
        for (int i = at; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int high = i + 2 < part.length() ? hex(part.charAt(i + 1)) : -1;
            int low = high < 0 ? -1 : hex(part.charAt(i + 2));
            if (low < 0) {
                return null;
            }
            out.append((char) (high << 4 | low));
            i += 2;
        }
        return out.toString();
    }

    /** The value of an upper-case hex digit, or -1. */
    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}

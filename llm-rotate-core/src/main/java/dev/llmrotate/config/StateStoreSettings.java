package dev.llmrotate.config;

import dev.llmrotate.spi.StoreUrl;
import java.util.List;
import java.util.Objects;

/**
 * The {@code state_store} block: where key health, budgets and usage counters live.
 *
 * <pre>{@code
 * state_store: {type: redis, url: "redis://:password@redis.internal:6379/0", prefix: llm-rotate}
 * }</pre>
 *
 * <p>{@code memory} (the default) keeps everything in the process. {@code redis} shares it between processes and
 * needs the {@code llm-rotate-redis} module on the class path; its {@code url} may also be an {@code env://NAME} or
 * {@code file:///path} reference, so that a password stays out of the file. {@link #toString()} masks the password.
 *
 * @param type {@code memory} or {@code redis}
 * @param url the store's address (required for {@code redis}), or null
 * @param prefix the name space of the store's keys, so that several deployments can share one Redis
 */
public record StateStoreSettings(String type, String url, String prefix) {
    /** The type of the in-process store (the default). */
    public static final String MEMORY = "memory";
    /** The type of the shared Redis store ({@code llm-rotate-redis}). */
    public static final String REDIS = "redis";
    /** The prefix when none is given. */
    public static final String DEFAULT_PREFIX = "llm-rotate";
    /** The types the configuration accepts. */
    public static final List<String> TYPES = List.of(MEMORY, REDIS);
    /** The schemes {@code state_store.url} accepts. */
    public static final List<String> URL_SCHEMES =
            List.of("redis", "rediss", "redis-socket", "redis-sentinel", "rediss-sentinel", "env", "file");

    /** The in-process store. */
    public static final StateStoreSettings IN_MEMORY = new StateStoreSettings(MEMORY, null, DEFAULT_PREFIX);

    /**
     * Checks that the type is set; a null prefix becomes {@link #DEFAULT_PREFIX}. The rest is checked when the
     * configuration is built.
     *
     * @param type {@code memory} or {@code redis}, not null
     * @param url the store's address, or null
     * @param prefix the name space of the store's keys, or null for {@link #DEFAULT_PREFIX}
     */
    public StateStoreSettings {
        Objects.requireNonNull(type, "type");
        prefix = prefix == null ? DEFAULT_PREFIX : prefix;
    }

    /**
     * A Redis store at {@code url} with the default prefix.
     *
     * @param url {@code redis://[:password@]host:port[/db]} (or another of {@link #URL_SCHEMES}), or an {@code
     *     env://NAME} or {@code file:///path} reference holding one
     * @return the settings
     */
    public static StateStoreSettings redis(String url) {
        return new StateStoreSettings(REDIS, url, DEFAULT_PREFIX);
    }

    /**
     * A Redis store at {@code url} whose keys start with {@code prefix}.
     *
     * @param url {@code redis://[:password@]host:port[/db]} (or another of {@link #URL_SCHEMES}), or an {@code
     *     env://NAME} or {@code file:///path} reference holding one
     * @param prefix the name space of the keys, not empty, without spaces or braces; null for the default
     * @return the settings
     */
    public static StateStoreSettings redis(String url, String prefix) {
        return new StateStoreSettings(REDIS, url, prefix);
    }

    @Override
    public String toString() {
        return "StateStoreSettings[type=" + type + (url == null ? "" : ", url=" + maskUrl(url)) + ", prefix=" + prefix
                + "]";
    }

    /**
     * A URL with the password of its user-info part masked, built from the parts {@link StoreUrl} parsed:
     * {@code redis://:s3cret@host:6379} becomes {@code redis://:***@host:6379}, {@code redis://user:s3cret@host}
     * becomes {@code redis://user:***@host}, and {@code redis://s3cret@host} (a password alone) becomes
     * {@code redis://***@host}. A URL that cannot be read unambiguously (a raw {@code # ? @ / :} in its password)
     * shows only its scheme, {@code redis://***}; a value that is no URL shows as {@code ***}.
     *
     * @param url a store URL
     * @return the URL without its password
     */
    public static String maskUrl(String url) {
        return StoreUrl.mask(url);
    }
}

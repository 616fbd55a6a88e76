package dev.llmrotate.config;

import java.util.Locale;

/**
 * What happens when a stream breaks after its first chunk reached the caller ({@code stream_recovery}).
 *
 * <ul>
 *   <li>{@link #OFF}: the stream ends with {@code stream_interrupted} (the default);
 *   <li>{@link #PREFILL}: a new attempt sends the partial answer as an assistant prefill and the provider continues it;
 *   <li>{@link #REPLAY}: a new attempt repeats the request; when its answer begins with exactly the text already
 *       delivered, only the rest is passed on;
 *   <li>{@link #AUTO}: prefill where the model takes one, else replay.
 * </ul>
 */
public enum StreamRecovery {
    /** The stream ends with {@code stream_interrupted} (the default). */
    OFF,
    /** A new attempt continues the partial answer, sent as an assistant prefill. */
    PREFILL,
    /** A new attempt repeats the request; only what follows the delivered text is passed on. */
    REPLAY,
    /** Prefill where the model takes one, else replay. */
    AUTO;

    /**
     * The configuration name: {@code off}, {@code prefill}, {@code replay}, {@code auto}.
     *
     * @return the lower-case name
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value of a configuration name, or null when it names none.
     *
     * @param name a configuration name, exactly as {@link #wireName()} returns it
     * @return the mode, or null
     */
    public static StreamRecovery fromWireName(String name) {
        for (StreamRecovery value : values()) {
            if (value.wireName().equals(name)) {
                return value;
            }
        }
        return null;
    }
}

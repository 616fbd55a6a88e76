package dev.llmrotate.spi;

/**
 * Names under which a {@code StateStore} keeps health. Key-wide faults (auth, permission, quota) live under the key
 * id; model-scoped faults (rate limits, an unavailable model, 5xx, timeouts) under the key id and model joined by
 * {@link #SEPARATOR}, because providers limit and fail per model. Key ids and model ids never contain control
 * characters (the configuration rejects them), so the two kinds of name cannot collide.
 */
public final class HealthScope {
    /** Joins a key id and a model id (U+001F, the unit separator). */
    public static final char SEPARATOR = '\u001f';

    private HealthScope() {}

    /**
     * The scope of a key and model.
     *
     * @param keyId the key
     * @param model a model the key lists
     * @return the (key, model) scope's name
     */
    public static String of(String keyId, String model) {
        return keyId + SEPARATOR + model;
    }

    /**
     * Whether a scope is a (key, model) one.
     *
     * @param scope a scope's name
     * @return true for a (key, model) scope, false for a key-wide one
     */
    public static boolean isModelScope(String scope) {
        return scope.indexOf(SEPARATOR) >= 0;
    }

    /**
     * The key id of a scope.
     *
     * @param scope a scope's name
     * @return the key id, the whole name for a key-wide scope
     */
    public static String keyIdOf(String scope) {
        int at = scope.indexOf(SEPARATOR);
        return at < 0 ? scope : scope.substring(0, at);
    }

    /**
     * The model of a scope.
     *
     * @param scope a scope's name
     * @return the model of a (key, model) scope, or null for a key-wide one
     */
    public static String modelOf(String scope) {
        int at = scope.indexOf(SEPARATOR);
        return at < 0 ? null : scope.substring(at + 1);
    }
}

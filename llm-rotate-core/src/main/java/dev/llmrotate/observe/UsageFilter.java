package dev.llmrotate.observe;

/**
 * Which calls a usage query counts: those of one provider, model and key, each null for any; or those of one caller.
 * Names are the configuration's: a provider name, a model id a key lists (or {@value CallRecord#UNKNOWN_MODEL} for
 * calls whose model no key lists), a {@code key_id}; a caller as requests name it ({@link CallRecord#caller()}, the
 * gateway key's id), or {@value dev.llmrotate.spi.StateStore#OTHER_CALLER} for the callers beyond the ones counted
 * apart.
 *
 * <pre>{@code
 * lm.usageSeries(from, until, Duration.ofMinutes(5), UsageFilter.ALL);
 * lm.usageSeries(from, until, Duration.ofHours(1), new UsageFilter("openai", "gpt-4o-mini", null, null));
 * lm.usageSeries(from, until, Duration.ofMinutes(5), UsageFilter.caller("team-search"));
 * }</pre>
 *
 * @param provider the provider, or null for any
 * @param model the model, or null for any
 * @param keyId the key id, or null for any
 * @param caller the caller, or null for any; usage per caller is counted apart from the provider, model and key
 *     slices, so a filter naming a caller names nothing else
 */
public record UsageFilter(String provider, String model, String keyId, String caller) {
    /** Every call. */
    public static final UsageFilter ALL = new UsageFilter(null, null, null, null);

    /**
     * A filter on provider, model and key, or on caller alone.
     *
     * @param provider the provider, or null for any
     * @param model the model, or null for any
     * @param keyId the key id, or null for any
     * @param caller the caller, or null for any; only with the other three null
     * @throws IllegalArgumentException when a caller is given together with a provider, model or key id
     */
    public UsageFilter {
        if (caller != null && (provider != null || model != null || keyId != null)) {
            throw new IllegalArgumentException("a caller filter cannot be combined with provider, model or key id:"
                    + " usage per caller is counted apart from the provider, model and key slices");
        }
    }

    /**
     * The calls of one provider.
     *
     * @param provider the provider's name in the configuration ({@code openai}, ...)
     * @return the filter
     */
    public static UsageFilter provider(String provider) {
        return new UsageFilter(provider, null, null, null);
    }

    /**
     * The calls of one model, on any provider and key.
     *
     * @param model a model id a key lists, or {@value CallRecord#UNKNOWN_MODEL}
     * @return the filter
     */
    public static UsageFilter model(String model) {
        return new UsageFilter(null, model, null, null);
    }

    /**
     * The calls of one key.
     *
     * @param keyId the key's {@code key_id}
     * @return the filter
     */
    public static UsageFilter key(String keyId) {
        return new UsageFilter(null, null, keyId, null);
    }

    /**
     * The calls made by one caller (its own slice; {@code _other} for the callers beyond the bound).
     *
     * @param caller the caller as requests name it
     * @return the filter
     */
    public static UsageFilter caller(String caller) {
        return new UsageFilter(null, null, null, caller);
    }

    /**
     * Whether a call counted under this provider, model and key (any of them may be null) passes the filter; never
     * for a filter naming a caller, whose calls are read from the callers' own slices.
     *
     * @param callProvider the provider the call counted under
     * @param callModel the model the call counted under
     * @param callKeyId the key the call counted under
     * @return whether the filter passes the call
     */
    public boolean matches(String callProvider, String callModel, String callKeyId) {
        return caller == null
                && (provider == null || provider.equals(callProvider))
                && (model == null || model.equals(callModel))
                && (keyId == null || keyId.equals(callKeyId));
    }
}

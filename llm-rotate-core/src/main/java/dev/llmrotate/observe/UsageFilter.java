package dev.llmrotate.observe;

/**
 * Which calls a usage query counts: those of one provider, model and key, each null for any. Names are the
 * configuration's: a provider name, a model id a key lists (or {@value CallRecord#UNKNOWN_MODEL} for calls whose
 * model no key lists), a {@code key_id}.
 *
 * <pre>{@code
 * lm.usageSeries(from, until, Duration.ofMinutes(5), UsageFilter.ALL);
 * lm.usageSeries(from, until, Duration.ofHours(1), new UsageFilter("openai", "gpt-4o-mini", null));
 * }</pre>
 *
 * @param provider the provider, or null for any
 * @param model the model, or null for any
 * @param keyId the key id, or null for any
 */
public record UsageFilter(String provider, String model, String keyId) {
    /** Every call. */
    public static final UsageFilter ALL = new UsageFilter(null, null, null);

    /** The calls of one provider. */
    public static UsageFilter provider(String provider) {
        return new UsageFilter(provider, null, null);
    }

    /** The calls of one model, on any provider and key. */
    public static UsageFilter model(String model) {
        return new UsageFilter(null, model, null);
    }

    /** The calls of one key. */
    public static UsageFilter key(String keyId) {
        return new UsageFilter(null, null, keyId);
    }

    /** Whether a call counted under this provider, model and key (any of them may be null) passes the filter. */
    public boolean matches(String callProvider, String callModel, String callKeyId) {
        return (provider == null || provider.equals(callProvider))
                && (model == null || model.equals(callModel))
                && (keyId == null || keyId.equals(callKeyId));
    }
}

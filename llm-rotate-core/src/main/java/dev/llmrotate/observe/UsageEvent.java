package dev.llmrotate.observe;

import dev.llmrotate.chat.Usage;

/**
 * What one finished call adds to the usage counters.
 *
 * @param provider the provider that answered or last failed, or null when no attempt was made
 * @param model the model that answered, or the requested one
 * @param keyId the key that answered or last failed, or null
 * @param success whether the call returned a result
 * @param failure the failure's wire name ({@code rate_limit}, {@code no_available_key}, ...), null on success
 * @param usage tokens used (zero on failure)
 */
public record UsageEvent(String provider, String model, String keyId, boolean success, String failure, Usage usage) {}

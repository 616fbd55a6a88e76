package dev.llmrotate.chat;

import java.time.Duration;

/**
 * The answer to a call, normalised across providers.
 *
 * @param content the generated text
 * @param provider the provider that answered
 * @param upstream the backend a broker routed to (OpenRouter), or null
 * @param model the model that actually answered (a fallback may use another id than requested)
 * @param keyId the key that served the call
 * @param keyMask the key's masked secret, e.g. {@code sk-…9f2a}
 * @param finishReason why the model stopped
 * @param usage token usage as reported by the provider, never null; {@link Usage#UNREPORTED} (counts 0,
 *     {@link Usage#reported()} false) when the provider reported none
 * @param latency wall time of the whole call, retries and rotations included
 * @param attempts how many attempts the call made (1 when the first one succeeded)
 * @param rotations how many times the call moved to another key after a key-level failure
 * @param fallbackUsed true when a fallback target, not the native provider, answered
 * @param providerResponseId the provider's own id of the response, or null
 */
public record ChatResponse(
        String content,
        String provider,
        String upstream,
        String model,
        String keyId,
        String keyMask,
        FinishReason finishReason,
        Usage usage,
        Duration latency,
        int attempts,
        int rotations,
        boolean fallbackUsed,
        String providerResponseId) {}

package dev.llmrotate.provider;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * One attempt handed to a {@link ProviderAdapter}: the request, the key with its resolved secret, and how long the
 * attempt may take. {@link #toString()} never shows the secret.
 *
 * @param request the caller's request, with the model id this target uses
 * @param key the selected key
 * @param secret the key's resolved secret (API key, service-account JSON, AWS credentials JSON)
 * @param settings the provider's settings (base URL, timeouts)
 * @param upstream for a broker, the backend to route to, or null
 * @param timeout the longest this attempt may take; the adapter must give up by then
 */
public record Attempt(
        ChatRequest request, KeySpec key, String secret, ProviderSettings settings, String upstream, Duration timeout) {

    public Attempt {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** The model id to send. */
    public String model() {
        return request.model();
    }

    @Override
    public String toString() {
        return "Attempt[provider=" + key.provider() + ", key=" + key.keyId() + ", model=" + request.model()
                + (upstream == null ? "" : ", upstream=" + upstream) + ", timeout=" + timeout + "]";
    }
}

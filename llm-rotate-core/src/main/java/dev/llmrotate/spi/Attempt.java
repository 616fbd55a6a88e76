package dev.llmrotate.spi;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderSettings;
import java.time.Duration;
import java.util.Objects;

/**
 * One attempt handed to a {@link ProviderAdapter}: the request, the key with its resolved secret, how long the
 * attempt may take and when the whole call must be over. {@link #toString()} never shows the secret.
 *
 * @param request the caller's request, with the model id this target uses
 * @param key the selected key
 * @param secret the key's resolved secret (API key, service-account JSON, AWS credentials JSON)
 * @param settings the provider's settings (base URL, timeouts), with the model's overrides applied
 * @param upstream for a broker, the backend to route to, or null
 * @param timeout the longest this attempt may wait for an answer: a plain call's whole response, a stream's status
 *     and headers (its first content is bounded by {@code first_chunk_timeout_seconds} instead); the adapter must
 *     give up by then
 * @param deadlineNanos the call's absolute deadline, a {@link System#nanoTime()} value (see {@link ProviderStream}):
 *     nothing of this attempt may wait beyond it
 */
public record Attempt(
        ChatRequest request,
        KeySpec key,
        String secret,
        ProviderSettings settings,
        String upstream,
        Duration timeout,
        long deadlineNanos) {

    /**
     * Checks that the parts an adapter needs are there.
     *
     * @param request the caller's request, with the model id this target uses
     * @param key the selected key
     * @param secret the key's resolved secret
     * @param settings the provider's settings
     * @param upstream for a broker, the backend to route to, or null
     * @param timeout the longest this attempt may wait for an answer
     * @param deadlineNanos the call's absolute deadline, a {@link System#nanoTime()} value
     * @throws NullPointerException when {@code request}, {@code key}, {@code secret}, {@code settings} or {@code
     *     timeout} is null
     */
    public Attempt {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * An attempt whose call ends when the attempt's {@code timeout}, counted from now, is up (for tests and adapters
     * driven without the engine).
     *
     * @param request the caller's request, with the model id this target uses
     * @param key the selected key
     * @param secret the key's resolved secret
     * @param settings the provider's settings
     * @param upstream for a broker, the backend to route to, or null
     * @param timeout the longest this attempt, and the call, may take
     */
    public Attempt(
            ChatRequest request,
            KeySpec key,
            String secret,
            ProviderSettings settings,
            String upstream,
            Duration timeout) {
        this(
                request,
                key,
                secret,
                settings,
                upstream,
                timeout,
                ProviderStream.deadlineAfter(Objects.requireNonNull(timeout, "timeout")));
    }

    /**
     * The model id to send.
     *
     * @return the request's model, as this route names it
     */
    public String model() {
        return request.model();
    }

    /**
     * This attempt with another {@code timeout}, the call's deadline unchanged.
     *
     * @param newTimeout the longest the new attempt may wait for an answer
     * @return a copy that differs only in {@link #timeout()}
     */
    public Attempt withTimeout(Duration newTimeout) {
        return new Attempt(request, key, secret, settings, upstream, newTimeout, deadlineNanos);
    }

    @Override
    public String toString() {
        return "Attempt[provider=" + key.provider() + ", key=" + key.keyId() + ", model=" + request.model()
                + (upstream == null ? "" : ", upstream=" + upstream) + ", timeout=" + timeout + "]";
    }
}

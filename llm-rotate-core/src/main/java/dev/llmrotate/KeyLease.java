package dev.llmrotate;

import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.observe.CallRecord;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A key lent out by {@link LlmRotate#acquire} for a call the application makes itself. Report the outcome once with
 * {@link #reportSuccess} or {@link #reportError}: it feeds the same health state machine and usage counters as
 * managed calls. Closing an unreported lease gives the key back without a verdict (recorded as {@code cancelled}).
 * {@link #toString()} never shows the secret.
 */
public final class KeyLease implements AutoCloseable {
    private final Engine engine;
    private final KeySpec key;
    private final String model;
    /** The (key, model) health scope, or null for a lease of any model. */
    private final String modelScope;

    private final String secret;
    private final ProviderSettings settings;
    private final long token;
    private final CallTrace trace;
    private final AtomicBoolean finished = new AtomicBoolean();

    KeyLease(
            Engine engine,
            KeySpec key,
            String model,
            String modelScope,
            String secret,
            ProviderSettings settings,
            long token,
            CallTrace trace) {
        this.engine = engine;
        this.key = key;
        this.model = model;
        this.modelScope = modelScope;
        this.secret = secret;
        this.settings = settings;
        this.token = token;
        this.trace = trace;
    }

    /**
     * The provider the key belongs to.
     *
     * @return the provider id ({@code openai}, ...)
     */
    public String provider() {
        return key.provider();
    }

    /**
     * The lent key, as configuration, logs and records name it.
     *
     * @return its {@code key_id}
     */
    public String keyId() {
        return key.keyId();
    }

    /**
     * The raw secret to call the provider with (the original's {@code key_value}). Never log it.
     *
     * @return the secret, resolved from the key's {@code secret_ref}
     */
    public String secret() {
        return secret;
    }

    /**
     * The masked secret, safe to log.
     *
     * @return the mask, e.g. {@code sk-…9f2a}
     */
    public String keyMask() {
        return Secrets.maskFor(key, secret);
    }

    /**
     * The key's {@code metadata} from configuration.
     *
     * @return the metadata, empty when none is configured
     */
    public Map<String, Object> metadata() {
        return key.metadata();
    }

    /**
     * The key's {@code auth_config} (endpoint, region, project...).
     *
     * @return the settings, empty when none are configured
     */
    public Map<String, Object> authConfig() {
        return key.authConfig();
    }

    /**
     * The call succeeded and used {@code usage} tokens (counted against the key's tpm budget); null (or {@link
     * Usage#UNREPORTED}) when the provider reported none.
     *
     * @param usage the tokens the provider reported, or null
     * @throws IllegalStateException when the lease was already reported or closed
     */
    public void reportSuccess(Usage usage) {
        finish();
        engine.healthBook().succeeded(key, modelScope, token);
        engine.completeCall(trace, key, model, usage == null ? Usage.UNREPORTED : usage);
    }

    /**
     * The call succeeded; its usage is not known (recorded as not reported).
     *
     * @throws IllegalStateException when the lease was already reported or closed
     */
    public void reportSuccess() {
        reportSuccess(Usage.UNREPORTED);
    }

    /**
     * The call failed with {@code type}; the key's health changes as for the same failure of a managed call (a
     * {@code rate_limit} cools it down, an {@code invalid_auth} quarantines it, ...).
     *
     * @param type what went wrong, not null
     * @param retryAfter how long the provider asked to wait (its Retry-After), or null when it gave no hint
     * @throws IllegalStateException when the lease was already reported or closed
     */
    public void reportError(ErrorType type, Duration retryAfter) {
        Objects.requireNonNull(type, "type"); // before finish(): a refused report leaves the lease open
        finish();
        engine.healthBook().failed(key, modelScope, type, retryAfter, settings, token);
        engine.finish(trace.failure(engine.now(), CallRecord.ERROR, type.wireName()));
    }

    /**
     * The call failed with {@code type}, without a Retry-After hint; see {@link #reportError(ErrorType, Duration)}.
     *
     * @param type what went wrong, not null
     * @throws IllegalStateException when the lease was already reported or closed
     */
    public void reportError(ErrorType type) {
        reportError(type, null);
    }

    /**
     * The call failed with an exception: an {@link LlmRotateException} keeps its type, timeouts are
     * {@code timeout}, other I/O failures {@code connection_error}, anything else {@code unknown}.
     *
     * @param error what the call threw
     * @throws IllegalStateException when the lease was already reported or closed
     */
    public void reportError(Throwable error) {
        ErrorType type;
        if (error instanceof LlmRotateException e && e.errorType() != null) {
            type = e.errorType();
        } else if (error instanceof HttpTimeoutException || error instanceof TimeoutException) {
            type = ErrorType.TIMEOUT;
        } else if (error instanceof IOException) {
            type = ErrorType.CONNECTION_ERROR;
        } else {
            type = ErrorType.UNKNOWN;
        }
        reportError(type, null);
    }

    /**
     * Gives the key back; without a report, no verdict on its health and a record with outcome {@code cancelled}.
     * After a report, or when called again, it does nothing.
     */
    @Override
    public void close() {
        if (finished.compareAndSet(false, true)) {
            engine.healthBook().released(key, modelScope, token);
            engine.finish(trace.failure(engine.now(), CallRecord.CANCELLED, null));
        }
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            throw new IllegalStateException("lease of key " + key.keyId() + " was already reported or closed");
        }
    }

    @Override
    public String toString() {
        return "KeyLease[" + key.keyId() + " (" + keyMask() + "), provider=" + key.provider() + "]";
    }
}

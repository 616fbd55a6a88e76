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

    public String provider() {
        return key.provider();
    }

    public String keyId() {
        return key.keyId();
    }

    /** The raw secret to call the provider with (the original's {@code key_value}). Never log it. */
    public String secret() {
        return secret;
    }

    /** The masked secret, e.g. {@code sk-…9f2a}. */
    public String keyMask() {
        return Secrets.maskFor(key, secret);
    }

    /** The key's {@code metadata} from configuration. */
    public Map<String, Object> metadata() {
        return key.metadata();
    }

    /** The key's {@code auth_config} (endpoint, region, project...). */
    public Map<String, Object> authConfig() {
        return key.authConfig();
    }

    /**
     * The call succeeded and used {@code usage} tokens (counted against the key's tpm budget); null (or {@link
     * Usage#UNREPORTED}) when the provider reported none.
     */
    public void reportSuccess(Usage usage) {
        finish();
        engine.healthBook().succeeded(key, modelScope, token);
        engine.completeCall(trace, key, model, usage == null ? Usage.UNREPORTED : usage);
    }

    /** The call succeeded; its usage is not known (recorded as not reported). */
    public void reportSuccess() {
        reportSuccess(Usage.UNREPORTED);
    }

    /** The call failed with {@code type}; {@code retryAfter} (or null) is the provider's hint. */
    public void reportError(ErrorType type, Duration retryAfter) {
        finish();
        engine.healthBook().failed(key, modelScope, type, retryAfter, settings, token);
        engine.finish(trace.failure(engine.now(), CallRecord.ERROR, type.wireName()));
    }

    public void reportError(ErrorType type) {
        reportError(type, null);
    }

    /**
     * The call failed with an exception: an {@link LlmRotateException} keeps its type, timeouts are
     * {@code timeout}, other I/O failures {@code connection_error}, anything else {@code unknown}.
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

    /** Gives the key back; without a report, no verdict on its health and a record with outcome {@code cancelled}. */
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

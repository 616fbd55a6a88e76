package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.cloud.Expiring;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * OAuth access tokens for service accounts, by the JWT bearer grant (RFC 7523): a JWT signed RS256 with the
 * account's key ({@code iss} the account, {@code scope} cloud-platform, {@code aud} the token endpoint, {@code
 * iat}/{@code exp} one hour apart) is exchanged at the token endpoint for an access token.
 *
 * <p>Tokens are cached per account and key ({@code client_email} + {@code private_key_id}) and token endpoint, and
 * replaced {@link #REFRESH_MARGIN} before they expire (by the injected clock; half their lifetime for tokens that
 * live shorter than twice that). Concurrent calls that find no fresh token share one token request: one caller
 * makes it, the others wait for its outcome, success or failure. Failures are classified: a refused grant (400/401,
 * e.g. {@code invalid_grant}) is {@code invalid_auth}, 403 {@code permission_denied}, 429 {@code rate_limit}, 5xx
 * {@code transient_server_error}, network failures {@code connection_error}/{@code timeout}; an access token that is
 * not a valid header value (a control, zero-width or non-ASCII character) is {@code invalid_auth}. Neither the private
 * key nor a token ever appears in a message.
 */
final class ServiceAccountTokens {
    static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    static final String DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token";
    static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
    static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);

    private final HttpTransport transport;
    private final ObjectMapper json;
    private final Clock clock;
    private final Map<String, Slot> slots = new ConcurrentHashMap<>();

    /** A token, when to stop using it and when it expires. */
    private record Token(String value, Instant refreshAt, Instant expiresAt) {}

    /** One account's token and the request in flight for it; guarded by its own monitor. */
    private static final class Slot {
        Token token;
        CompletableFuture<Token> inFlight;
    }

    ServiceAccountTokens(HttpTransport transport, ObjectMapper json, Clock clock) {
        this.transport = transport;
        this.json = json;
        this.clock = clock;
    }

    /**
     * A fresh access token for {@code account}, fetched from {@code tokenUri} when the cache has none; waits at most
     * {@code timeout}.
     *
     * @throws CallCancelledException when the calling thread is interrupted while it waits
     */
    String accessToken(ServiceAccount account, URI tokenUri, String keyId, Duration connectTimeout, Duration timeout) {
        Slot slot = slot(account, tokenUri);
        CompletableFuture<Token> pending;
        boolean mine = false;
        synchronized (slot) {
            if (slot.token != null && clock.instant().isBefore(slot.token.refreshAt())) {
                return slot.token.value();
            }
            if (slot.inFlight == null) {
                slot.inFlight = new CompletableFuture<>();
                mine = true;
            }
            pending = slot.inFlight;
        }
        if (mine) {
            fetchInto(slot, pending, account, tokenUri, keyId, connectTimeout, timeout);
        }
        return await(pending, timeout).value();
    }

    /**
     * {@link #accessToken} without blocking: a cached token at once, else the outcome of the token request in flight
     * for this account (started here, asynchronously, when there is none), within {@code timeout}. Signing the
     * request's JWT is done on the calling thread. Cancelling the returned future does not cancel a token request
     * that other callers may share. Never throws.
     */
    CompletableFuture<String> accessTokenAsync(
            ServiceAccount account, URI tokenUri, String keyId, Duration connectTimeout, Duration timeout) {
        Slot slot = slot(account, tokenUri);
        CompletableFuture<Token> pending;
        boolean mine = false;
        synchronized (slot) {
            if (slot.token != null && clock.instant().isBefore(slot.token.refreshAt())) {
                return CompletableFuture.completedFuture(slot.token.value());
            }
            if (slot.inFlight == null) {
                slot.inFlight = new CompletableFuture<>();
                mine = true;
            }
            pending = slot.inFlight;
        }
        if (mine) {
            Instant now = clock.instant();
            CompletableFuture<Token> fetched;
            try {
                fetched = transport.postFormAsync(
                        tokenUri,
                        Map.of(),
                        form(account, tokenUri, keyId, now),
                        connectTimeout,
                        timeout,
                        response -> token(response, now, keyId));
            } catch (RuntimeException e) {
                fetched = CompletableFuture.failedFuture(e);
            }
            fetched.whenComplete((token, error) -> settle(slot, pending, token, error));
        }
        return pending.thenApply(Token::value)
                .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                .exceptionallyCompose(error -> CompletableFuture.failedFuture(tokenFailure(error, timeout)));
    }

    /** Forgets the cached token of {@code account} (the API refused it), so that the next call fetches another. */
    void invalidate(ServiceAccount account, URI tokenUri) {
        Slot slot = slots.get(cacheKey(account, tokenUri));
        if (slot != null) {
            synchronized (slot) {
                slot.token = null;
            }
        }
    }

    private Slot slot(ServiceAccount account, URI tokenUri) {
        return slots.computeIfAbsent(cacheKey(account, tokenUri), k -> new Slot());
    }

    private void fetchInto(
            Slot slot,
            CompletableFuture<Token> pending,
            ServiceAccount account,
            URI tokenUri,
            String keyId,
            Duration connectTimeout,
            Duration timeout) {
        try {
            settle(slot, pending, fetch(account, tokenUri, keyId, connectTimeout, timeout), null);
        } catch (RuntimeException e) {
            settle(slot, pending, null, e);
        }
    }

    /** Ends a token request: caches its token, lets the next caller try again after a failure, wakes the waiters. */
    private static void settle(Slot slot, CompletableFuture<Token> pending, Token token, Throwable error) {
        synchronized (slot) {
            if (error == null) {
                slot.token = token;
            }
            slot.inFlight = null;
        }
        if (error == null) {
            pending.complete(token);
        } else {
            pending.completeExceptionally(unwrap(error));
        }
    }

    private static Token await(CompletableFuture<Token> pending, Duration timeout) {
        try {
            return pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ProviderException(ErrorType.TIMEOUT, null, null, "no access token within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallCancelledException("interrupted waiting for an access token");
        } catch (ExecutionException e) {
            throw tokenFailure(e.getCause(), timeout);
        }
    }

    private static RuntimeException tokenFailure(Throwable error, Duration timeout) {
        Throwable cause = unwrap(error);
        if (cause instanceof TimeoutException) {
            return new ProviderException(ErrorType.TIMEOUT, null, null, "no access token within " + timeout);
        }
        if (cause instanceof ProviderException || cause instanceof CallCancelledException) {
            return (RuntimeException) cause;
        }
        return new ProviderException(ErrorType.UNKNOWN, null, null, "token request failed: " + cause);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * A new token for {@code account}, not cached here (Application Default Credentials keep their own), with when it
     * expires.
     */
    Expiring<String> fetchUncached(
            ServiceAccount account, URI tokenUri, String keyId, Duration connectTimeout, Duration timeout) {
        Token token = fetch(account, tokenUri, keyId, connectTimeout, timeout);
        return new Expiring<>(token.value(), token.refreshAt(), token.expiresAt());
    }

    private Token fetch(ServiceAccount account, URI tokenUri, String keyId, Duration connectTimeout, Duration timeout) {
        Instant now = clock.instant();
        return transport.postForm(
                tokenUri,
                Map.of(),
                form(account, tokenUri, keyId, now),
                connectTimeout,
                timeout,
                response -> token(response, now, keyId));
    }

    /** The token request's form: the JWT bearer grant with a freshly signed assertion. */
    private Map<String, String> form(ServiceAccount account, URI tokenUri, String keyId, Instant now) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("assertion", assertion(account, tokenUri, keyId, now));
        return form;
    }

    /** The token in the endpoint's answer, or its refusal, classified. */
    private Token token(HttpResult response, Instant now, String keyId) {
        JsonNode body = parse(response.body());
        if (!response.isSuccess()) {
            throw refused(response.status(), body);
        }
        String token = body.path("access_token").asText("");
        if (token.isEmpty()) {
            throw new ProviderException(
                    ErrorType.TRANSIENT_SERVER_ERROR, response.status(), null, "token endpoint: no access_token");
        }
        String problem = SecretRef.headerValueProblem(token);
        if (problem != null) {
            // It goes into the Authorization header; the JDK would refuse it with a message quoting it.
            throw new ProviderException(
                    ErrorType.INVALID_AUTH,
                    response.status(),
                    null,
                    "key " + keyId + ": the token endpoint's access_token " + problem);
        }
        Duration lifetime = Duration.ofSeconds(body.path("expires_in").asLong(3600));
        Duration margin =
                lifetime.compareTo(REFRESH_MARGIN.multipliedBy(2)) < 0 ? lifetime.dividedBy(2) : REFRESH_MARGIN;
        return new Token(token, now.plus(lifetime).minus(margin), now.plus(lifetime));
    }

    /** The signed JWT: {@code header.claims.signature}, each part base64url without padding. */
    String assertion(ServiceAccount account, URI tokenUri, String keyId, Instant now) {
        ObjectNode header = json.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        if (!account.privateKeyId().isEmpty()) {
            header.put("kid", account.privateKeyId());
        }
        long iat = now.getEpochSecond();
        ObjectNode claims = json.createObjectNode()
                .put("iss", account.clientEmail())
                .put("scope", SCOPE)
                .put("aud", tokenUri.toString())
                .put("iat", iat)
                .put("exp", iat + ASSERTION_LIFETIME.toSeconds());
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput;
        try {
            signingInput = url.encodeToString(json.writeValueAsBytes(header)) + "."
                    + url.encodeToString(json.writeValueAsBytes(claims));
        } catch (java.io.IOException e) {
            throw new ProviderException(ErrorType.UNKNOWN, null, null, "JWT not serialisable");
        }
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(account.privateKey(keyId));
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + url.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new ProviderException(
                    ErrorType.INVALID_AUTH, null, null, "key " + keyId + ": cannot sign with its private_key");
        }
    }

    private static ProviderException refused(int status, JsonNode body) {
        String error = body.path("error").asText("");
        String description = body.path("error_description").asText("");
        ErrorType type;
        if (status == 400 || status == 401) {
            type = ErrorType.INVALID_AUTH;
        } else if (status == 403) {
            type = ErrorType.PERMISSION_DENIED;
        } else if (status == 429) {
            type = ErrorType.RATE_LIMIT;
        } else if (status >= 500) {
            type = ErrorType.TRANSIENT_SERVER_ERROR;
        } else {
            type = ErrorType.UNKNOWN;
        }
        String detail = (error.isEmpty() ? "" : " " + error) + (description.isEmpty() ? "" : ": " + description);
        if (detail.length() > 300) {
            detail = detail.substring(0, 300) + "…";
        }
        return new ProviderException(type, status, null, "token endpoint answered HTTP " + status + detail);
    }

    private JsonNode parse(String body) {
        try {
            JsonNode root = json.readTree(body == null ? "" : body);
            return root == null ? json.createObjectNode() : root;
        } catch (Exception notJson) {
            return json.createObjectNode();
        }
    }

    private static String cacheKey(ServiceAccount account, URI tokenUri) {
        return account.clientEmail() + '\n' + account.privateKeyId() + '\n' + tokenUri;
    }
}

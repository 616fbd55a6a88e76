package dev.llmrotate.provider.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.provider.ProviderException;
import dev.llmrotate.provider.http.HttpResult;
import dev.llmrotate.provider.http.HttpTransport;
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

    /** A token and when to stop using it. */
    private record Token(String value, Instant refreshAt) {}

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
     */
    String accessToken(ServiceAccount account, URI tokenUri, String keyId, Duration connectTimeout, Duration timeout) {
        Slot slot = slots.computeIfAbsent(cacheKey(account, tokenUri), k -> new Slot());
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

    /** Forgets the cached token of {@code account} (the API refused it), so that the next call fetches another. */
    void invalidate(ServiceAccount account, URI tokenUri) {
        Slot slot = slots.get(cacheKey(account, tokenUri));
        if (slot != null) {
            synchronized (slot) {
                slot.token = null;
            }
        }
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
            Token token = fetch(account, tokenUri, keyId, connectTimeout, timeout);
            synchronized (slot) {
                slot.token = token;
                slot.inFlight = null;
            }
            pending.complete(token);
        } catch (RuntimeException e) {
            synchronized (slot) {
                slot.inFlight = null;
            }
            pending.completeExceptionally(e);
        }
    }

    private static Token await(CompletableFuture<Token> pending, Duration timeout) {
        try {
            return pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ProviderException(ErrorType.TIMEOUT, null, null, "no access token within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "interrupted waiting for a token");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProviderException failure) {
                throw failure;
            }
            throw new ProviderException(ErrorType.UNKNOWN, null, null, "token request failed: " + e.getCause());
        }
    }

    private Token fetch(ServiceAccount account, URI tokenUri, String keyId, Duration connectTimeout, Duration timeout) {
        Instant now = clock.instant();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", GRANT_TYPE);
        form.put("assertion", assertion(account, tokenUri, keyId, now));
        HttpResult response = transport.postForm(tokenUri, Map.of(), form, connectTimeout, timeout);
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
        return new Token(token, now.plus(lifetime).minus(margin));
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

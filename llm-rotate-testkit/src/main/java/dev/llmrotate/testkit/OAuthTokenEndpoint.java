package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Google OAuth 2.0 token endpoint for service accounts: the JWT bearer grant (RFC 7523) with RS256
 * assertions, verified against public keys registered by the test, issuing opaque access tokens.
 */
final class OAuthTokenEndpoint {

    static final String PATH = "/token";
    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    /** Google accepts assertions valid for at most an hour, and a little clock skew. */
    private static final long MAX_ASSERTION_SECONDS = 3600;

    private static final long SKEW_SECONDS = 300;

    private final Map<String, PublicKey> accounts = new ConcurrentHashMap<>();
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final Script script = new Script("tokenEndpoint");
    private volatile Duration lifetime = DEFAULT_LIFETIME;
    private volatile String audience;

    /** An access token this endpoint issued. */
    record Issued(String clientEmail, String scope, Instant expiresAt) {
        boolean isValid() {
            return Instant.now().isBefore(expiresAt);
        }
    }

    void audience(URI tokenUrl) {
        this.audience = tokenUrl.toString();
    }

    void accept(String clientEmail, PublicKey key) {
        Objects.requireNonNull(clientEmail, "clientEmail");
        Objects.requireNonNull(key, "key");
        if (!"RSA".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("service account keys are RSA keys, got " + key.getAlgorithm());
        }
        accounts.put(clientEmail, key);
    }

    void lifetime(Duration newLifetime) {
        Objects.requireNonNull(newLifetime, "lifetime");
        if (newLifetime.isNegative() || newLifetime.isZero()) {
            throw new IllegalArgumentException("token lifetime must be positive");
        }
        this.lifetime = newLifetime;
    }

    int requestCount() {
        return requests.get();
    }

    Script script() {
        return script;
    }

    void expireAll() {
        issued.replaceAll((token, i) -> new Issued(i.clientEmail(), i.scope(), Instant.EPOCH));
    }

    void reset() {
        requests.set(0);
        script.clear();
    }

    /** Issues a token for {@code account} without a grant, as a metadata server or another issuer would hand out. */
    String issue(String account, Duration tokenLifetime) {
        String token = "ya29.fake-" + Json.randomHex();
        issued.put(
                token,
                new Issued(
                        account,
                        "https://www.googleapis.com/auth/cloud-platform",
                        Instant.now().plus(tokenLifetime)));
        return token;
    }

    Issued lookup(String token) {
        return issued.get(token);
    }

    FakeResponse handle(RecordedRequest request) {
        requests.incrementAndGet();
        FakeResponse scripted = script.answer(request);
        if (scripted != null) {
            return scripted;
        }
        if (!request.method().equals("POST")) {
            return oauthError(405, "invalid_request", "The token endpoint only accepts POST.");
        }
        Map<String, String> form = form(request.body());
        String grantType = form.get("grant_type");
        if (!JWT_BEARER.equals(grantType)) {
            return oauthError(400, "unsupported_grant_type", "Invalid grant_type: " + grantType);
        }
        String assertion = form.get("assertion");
        if (assertion == null || assertion.isBlank()) {
            return oauthError(400, "invalid_request", "Missing required parameter: assertion");
        }
        return verifyAndIssue(assertion);
    }

    private FakeResponse verifyAndIssue(String assertion) {
        String[] parts = assertion.split("\\.", -1);
        if (parts.length != 3) {
            return invalidGrant("Invalid JWT: not three dot-separated parts.");
        }
        JsonNode header = decodeJson(parts[0]);
        JsonNode claims = decodeJson(parts[1]);
        if (header == null || claims == null || !claims.isObject()) {
            return invalidGrant("Invalid JWT: header or claim set is not base64url-encoded JSON.");
        }
        if (!"RS256".equals(header.path("alg").asText())) {
            return invalidGrant("Invalid JWT: the signing algorithm must be RS256.");
        }
        String issuer = claims.path("iss").asText("");
        PublicKey key = accounts.get(issuer);
        if (key == null) {
            return invalidGrant("Invalid grant: account not found");
        }
        if (!signatureValid(key, parts)) {
            return invalidGrant("Invalid JWT Signature.");
        }
        if (!claims.path("aud").isTextual() || !claims.path("aud").asText().equals(audience)) {
            return invalidGrant("Invalid JWT: Failed audience check. The right audience is " + audience);
        }
        long now = Instant.now().getEpochSecond();
        JsonNode exp = claims.path("exp");
        JsonNode iat = claims.path("iat");
        if (!exp.canConvertToLong()
                || !iat.canConvertToLong()
                || exp.asLong() <= now
                || iat.asLong() > now + SKEW_SECONDS
                || exp.asLong() - iat.asLong() > MAX_ASSERTION_SECONDS) {
            return invalidGrant("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable"
                    + " timeframe. Check your iat and exp values in the JWT claim.");
        }
        String scope = claims.path("scope").asText("");
        if (scope.isBlank()) {
            return oauthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
        }
        Duration tokenLifetime = lifetime;
        String token = "ya29.fake-" + Json.randomHex();
        issued.put(token, new Issued(issuer, scope, Instant.now().plus(tokenLifetime)));
        ObjectNode body = Json.object();
        body.put("access_token", token);
        body.put("expires_in", tokenLifetime.toSeconds());
        body.put("token_type", "Bearer");
        return FakeResponse.raw(200, Json.string(body)).header("content-type", "application/json; charset=utf-8");
    }

    private static boolean signatureValid(PublicKey key, String[] parts) {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(Base64.getUrlDecoder().decode(parts[2]));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonNode decodeJson(String part) {
        try {
            JsonNode node = Json.parse(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8));
            return node.isMissingNode() ? null : node;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static FakeResponse invalidGrant(String description) {
        return oauthError(400, "invalid_grant", description);
    }

    private static FakeResponse oauthError(int status, String error, String description) {
        ObjectNode body = Json.object();
        body.put("error", error);
        body.put("error_description", description);
        return FakeResponse.raw(status, Json.string(body)).header("content-type", "application/json; charset=utf-8");
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.putIfAbsent(name, value);
        }
        return form;
    }
}

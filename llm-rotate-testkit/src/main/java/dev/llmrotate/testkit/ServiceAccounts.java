package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Google service-account credentials for tests: a fresh RSA key pair and the JSON key file a client loads, as the
 * Google Cloud console hands it out. Register the public key with {@link FakeGeminiServer#acceptServiceAccount}, or
 * let {@link FakeGeminiServer#newServiceAccount} do both.
 *
 * <pre>{@code
 * ServiceAccounts.ServiceAccount account = gemini.newServiceAccount("rotate-1@my-project.iam.gserviceaccount.com");
 * String keyFile = account.json(); // type "service_account", project_id, private_key, client_email, token_uri
 * }</pre>
 */
public final class ServiceAccounts {

    /** Google's token endpoint, the {@code token_uri} of real key files. */
    public static final URI GOOGLE_TOKEN_URI = URI.create("https://oauth2.googleapis.com/token");

    private ServiceAccounts() {}

    /**
     * A new service account whose key file names Google's real token endpoint.
     *
     * @param clientEmail e.g. {@code name@project.iam.gserviceaccount.com}; the project id is taken from it
     * @return the account with a fresh 2048-bit RSA key
     */
    public static ServiceAccount generate(String clientEmail) {
        return generate(clientEmail, GOOGLE_TOKEN_URI);
    }

    /**
     * A new service account whose key file names this token endpoint, e.g. {@link FakeGeminiServer#tokenUrl()}.
     *
     * @param clientEmail e.g. {@code name@project.iam.gserviceaccount.com}; the project id is taken from it
     * @param tokenUri the key file's {@code token_uri}
     * @return the account with a fresh 2048-bit RSA key
     */
    public static ServiceAccount generate(String clientEmail, URI tokenUri) {
        Objects.requireNonNull(clientEmail, "clientEmail");
        Objects.requireNonNull(tokenUri, "tokenUri");
        if (clientEmail.isBlank()) {
            throw new IllegalArgumentException("clientEmail must not be blank");
        }
        KeyPair keyPair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keyPair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is not available", e);
        }
        String projectId = projectId(clientEmail);
        String privateKeyId =
                Json.randomHex().substring(0, 40 - 8) + Json.randomHex().substring(0, 8);
        ObjectNode json = Json.object();
        json.put("type", "service_account");
        json.put("project_id", projectId);
        json.put("private_key_id", privateKeyId);
        json.put("private_key", pem(keyPair.getPrivate()));
        json.put("client_email", clientEmail);
        json.put("client_id", Long.toString(Math.abs(privateKeyId.hashCode()) + 100_000_000_000_000_000L));
        json.put("auth_uri", "https://accounts.google.com/o/oauth2/auth");
        json.put("token_uri", tokenUri.toString());
        return new ServiceAccount(
                clientEmail, projectId, privateKeyId, keyPair, tokenUri, Json.string(json.deepCopy()));
    }

    /**
     * One service account: its identity, key pair and key file.
     *
     * @param clientEmail the account's email, the {@code iss} of its assertions
     * @param projectId the key file's {@code project_id}
     * @param privateKeyId the key file's {@code private_key_id}, the {@code kid} of its assertions
     * @param keyPair the RSA key pair; the private key is in the key file
     * @param tokenUri the key file's {@code token_uri}, the {@code aud} of its assertions
     * @param json the key file: {@code type}, {@code project_id}, {@code private_key_id}, {@code private_key} (PKCS#8
     *     PEM), {@code client_email}, {@code client_id}, {@code auth_uri}, {@code token_uri}
     */
    public record ServiceAccount(
            String clientEmail, String projectId, String privateKeyId, KeyPair keyPair, URI tokenUri, String json) {

        /**
         * The public key, to register with a token endpoint.
         *
         * @return the RSA public key
         */
        public PublicKey publicKey() {
            return keyPair.getPublic();
        }

        /**
         * The private key, as the key file has it in PEM.
         *
         * @return the RSA private key
         */
        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        /**
         * The key file's {@code private_key}: the private key in PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}).
         *
         * @return the PEM text, ending with a newline
         */
        public String privateKeyPem() {
            return pem(keyPair.getPrivate());
        }

        /**
         * A signed JWT-bearer assertion as a Google client sends it to the token endpoint: header {@code
         * {"alg":"RS256","typ":"JWT","kid":…}}, claims {@code iss}, {@code scope}, {@code aud} ({@link #tokenUri()}),
         * {@code iat} and {@code exp}.
         *
         * @param scope e.g. {@code https://www.googleapis.com/auth/cloud-platform}
         * @param issuedAt the {@code iat} claim
         * @param lifetime {@code exp - iat}; Google accepts at most an hour
         * @return the compact JWT
         */
        public String assertion(String scope, Instant issuedAt, Duration lifetime) {
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", clientEmail);
            claims.put("scope", scope);
            claims.put("aud", tokenUri.toString());
            claims.put("iat", issuedAt.getEpochSecond());
            claims.put("exp", issuedAt.plus(lifetime).getEpochSecond());
            return signJwt(claims);
        }

        /**
         * A JWT with these claims, signed RS256 with this account's private key, for tests that need malformed or
         * unusual claim sets.
         *
         * @param claims the claim set, serialized as JSON in the given order
         * @return the compact JWT
         */
        public String signJwt(Map<String, ?> claims) {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("alg", "RS256");
            header.put("typ", "JWT");
            header.put("kid", privateKeyId);
            String signingInput = base64Url(Json.bytes(Json.MAPPER.valueToTree(header)))
                    + "."
                    + base64Url(Json.bytes(Json.MAPPER.valueToTree(claims)));
            try {
                Signature signer = Signature.getInstance("SHA256withRSA");
                signer.initSign(keyPair.getPrivate());
                signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
                return signingInput + "." + base64Url(signer.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot sign with RS256", e);
            }
        }

        @Override
        public String toString() {
            return "ServiceAccount[" + clientEmail + ", key " + privateKeyId + "]"; // never the private key
        }
    }

    static String pem(PrivateKey key) {
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()); // PKCS#8 for the JDK's RSA keys
        return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String projectId(String clientEmail) {
        int at = clientEmail.indexOf('@');
        String domain = at < 0 ? "" : clientEmail.substring(at + 1);
        int dot = domain.indexOf('.');
        return dot > 0 && domain.endsWith(".iam.gserviceaccount.com") ? domain.substring(0, dot) : "fake-project";
    }
}

package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The parts of a Google service-account key file (the JSON a key's secret holds) that a token request needs.
 * {@link #toString()} never shows the private key.
 *
 * @param clientEmail the account, {@code name@project.iam.gserviceaccount.com}
 * @param privateKeyId the key's id, sent as the JWT {@code kid}; may be empty
 * @param privateKeyPem the PKCS#8 PEM private key
 * @param tokenUri the token endpoint named in the file, or null
 */
record ServiceAccount(String clientEmail, String privateKeyId, String privateKeyPem, String tokenUri) {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    /**
     * Reads a service-account JSON.
     *
     * @throws ProviderException {@code invalid_auth} naming what is missing, never quoting the secret
     */
    static ServiceAccount parse(String secret, String keyId, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(secret);
        } catch (Exception e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw invalid(keyId, "its secret is not a service-account JSON key file");
        }
        String email = root.path("client_email").asText("");
        String pem = root.path("private_key").asText("");
        if (email.isBlank() || pem.isBlank()) {
            throw invalid(keyId, "its service-account JSON lacks client_email or private_key");
        }
        String tokenUri = root.path("token_uri").asText("");
        return new ServiceAccount(
                email, root.path("private_key_id").asText(""), pem, tokenUri.isBlank() ? null : tokenUri);
    }

    /** The RSA private key, parsed from its PKCS#8 PEM. */
    PrivateKey privateKey(String keyId) {
        String pem = privateKeyPem.strip();
        int begin = pem.indexOf(BEGIN);
        int end = pem.indexOf(END);
        if (begin < 0 || end < begin) {
            throw invalid(keyId, "its private_key is not a PKCS#8 PEM (BEGIN PRIVATE KEY) key");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + BEGIN.length(), end));
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw invalid(keyId, "its private_key is not a readable RSA PKCS#8 key");
        }
    }

    private static ProviderException invalid(String keyId, String why) {
        return new ProviderException(ErrorType.INVALID_AUTH, null, null, "key " + keyId + ": " + why);
    }

    @Override
    public String toString() {
        return "ServiceAccount[" + clientEmail + ", key id " + privateKeyId + "]";
    }
}

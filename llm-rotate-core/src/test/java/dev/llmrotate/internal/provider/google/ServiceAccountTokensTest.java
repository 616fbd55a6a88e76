package dev.llmrotate.internal.provider.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.ProviderException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The signed assertion and the key-file parsing; the token exchange itself runs over loopback elsewhere. */
class ServiceAccountTokensTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private final ObjectMapper json = new ObjectMapper();
    private final ServiceAccountTokens tokens =
            new ServiceAccountTokens(new HttpTransport(), json, Clock.fixed(NOW, ZoneOffset.UTC));

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private String keyFile(KeyPair pair) {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode file = json.createObjectNode()
                .put("type", "service_account")
                .put("project_id", "p")
                .put("private_key_id", "kid-1")
                .put("private_key", pem)
                .put("client_email", "svc@p.iam.gserviceaccount.com")
                .put("token_uri", "https://oauth2.googleapis.com/token");
        return file.toString();
    }

    @Test
    void theAssertionIsAnRs256JwtWithTheClaimsGoogleAsksFor() throws Exception {
        KeyPair pair = rsa();
        ServiceAccount account = ServiceAccount.parse(keyFile(pair), "vx-1", json);
        URI tokenUri = URI.create("https://oauth2.googleapis.com/token");

        String jwt = tokens.assertion(account, tokenUri, "vx-1", NOW);

        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        Base64.Decoder url = Base64.getUrlDecoder();
        JsonNode header = json.readTree(url.decode(parts[0]));
        JsonNode claims = json.readTree(url.decode(parts[1]));
        assertThat(header.get("alg").asText()).isEqualTo("RS256");
        assertThat(header.get("typ").asText()).isEqualTo("JWT");
        assertThat(header.get("kid").asText()).isEqualTo("kid-1");
        assertThat(claims.get("iss").asText()).isEqualTo("svc@p.iam.gserviceaccount.com");
        assertThat(claims.get("scope").asText()).isEqualTo("https://www.googleapis.com/auth/cloud-platform");
        assertThat(claims.get("aud").asText()).isEqualTo(tokenUri.toString());
        assertThat(claims.get("iat").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(claims.get("exp").asLong()).isEqualTo(NOW.getEpochSecond() + 3600);
        assertThat(jwt).doesNotContain("=");
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(pair.getPublic());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verifier.verify(url.decode(parts[2]))).isTrue();
    }

    @Test
    void aBrokenKeyFileIsInvalidAuthWithoutQuotingIt() throws Exception {
        String secret = "not json at all -----BEGIN PRIVATE KEY----- abc";
        assertThatThrownBy(() -> ServiceAccount.parse(secret, "vx-1", json))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.INVALID_AUTH);
                    assertThat(e.getMessage()).contains("vx-1").doesNotContain("abc");
                });
        assertThatThrownBy(() -> ServiceAccount.parse("{\"client_email\":\"a@b\"}", "vx-1", json))
                .hasMessageContaining("lacks client_email or private_key");

        String garbledPem = json.createObjectNode()
                .put("client_email", "a@b")
                .put("private_key", "-----BEGIN PRIVATE KEY-----\nAAAAsecretish\n-----END PRIVATE KEY-----\n")
                .toString();
        ServiceAccount account = ServiceAccount.parse(garbledPem, "vx-1", json);
        assertThat(account.toString()).doesNotContain("PRIVATE KEY").contains("a@b");
        assertThatThrownBy(() -> account.privateKey("vx-1")).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.type()).isEqualTo(ErrorType.INVALID_AUTH);
            assertThat(e.getMessage()).doesNotContain("secretish");
        });
    }
}

package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Generated service-account key files and the assertions they sign. */
class ServiceAccountsTest {

    @Test
    void keyFileHasTheFieldsGoogleClientsRead() throws Exception {
        ServiceAccounts.ServiceAccount account = ServiceAccounts.generate("svc@my-proj.iam.gserviceaccount.com");

        JsonNode json = TestClient.json(account.json());
        assertThat(json.path("type").asText()).isEqualTo("service_account");
        assertThat(json.path("project_id").asText()).isEqualTo("my-proj");
        assertThat(json.path("private_key_id").asText())
                .isEqualTo(account.privateKeyId())
                .hasSize(40);
        assertThat(json.path("client_email").asText()).isEqualTo("svc@my-proj.iam.gserviceaccount.com");
        assertThat(json.path("client_id").asText()).matches("\\d+");
        assertThat(json.path("token_uri").asText()).isEqualTo("https://oauth2.googleapis.com/token");
        String pem = json.path("private_key").asText();
        assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("\n-----END PRIVATE KEY-----\n");
        assertThat(pem).isEqualTo(account.privateKeyPem());

        // The PEM is PKCS#8 and holds the account's private key.
        String base64 = pem.replace("-----BEGIN PRIVATE KEY-----", "")
                .replace("-----END PRIVATE KEY-----", "")
                .replaceAll("\\s", "");
        var parsed = KeyFactory.getInstance("RSA")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        assertThat(parsed).isEqualTo(account.privateKey());
        assertThat(account.toString()).doesNotContain(base64.substring(0, 40));
    }

    @Test
    void projectIdFallsBackForOtherEmails() {
        assertThat(ServiceAccounts.generate("someone@example.com").projectId()).isEqualTo("fake-project");
        assertThatThrownBy(() -> ServiceAccounts.generate(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void assertionIsAnRs256JwtWithGooglesClaims() throws Exception {
        ServiceAccounts.ServiceAccount account = ServiceAccounts.generate("svc@p.iam.gserviceaccount.com");
        Instant iat = Instant.ofEpochSecond(1_700_000_000L);

        String jwt = account.assertion("scope-a scope-b", iat, Duration.ofMinutes(30));

        String[] parts = jwt.split("\\.");
        assertThat(parts).hasSize(3);
        JsonNode header = TestClient.json(new String(Base64.getUrlDecoder().decode(parts[0])));
        JsonNode claims = TestClient.json(new String(Base64.getUrlDecoder().decode(parts[1])));
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(header.path("typ").asText()).isEqualTo("JWT");
        assertThat(header.path("kid").asText()).isEqualTo(account.privateKeyId());
        assertThat(claims.path("iss").asText()).isEqualTo("svc@p.iam.gserviceaccount.com");
        assertThat(claims.path("scope").asText()).isEqualTo("scope-a scope-b");
        assertThat(claims.path("aud").asText()).isEqualTo("https://oauth2.googleapis.com/token");
        assertThat(claims.path("iat").asLong()).isEqualTo(1_700_000_000L);
        assertThat(claims.path("exp").asLong()).isEqualTo(1_700_001_800L);
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(account.publicKey());
        verifier.update((parts[0] + "." + parts[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(verifier.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What {@link Secrets#scrub} takes out of a provider's message: the key's secret however it is echoed (any letter
 * case, encoded, cut to its first or last characters), the secret fields of a JSON secret, and secrets of known shapes
 * whoever's they are. The values here are made up.
 */
class SecretScrubTest {
    private static final String SECRET = "sk-proj-Xk29vQp7LmN3rT8wZy4bHc6jDf1gKs5e";
    private static final String MASK = "sk-…Ks5e";

    @Test
    void theSecretInAnyLetterCaseIsReplacedByItsMask() {
        assertThat(Secrets.scrub("Incorrect API key provided: " + SECRET + ".", SECRET))
                .isEqualTo("Incorrect API key provided: " + MASK + ".");
        assertThat(Secrets.scrub("key " + SECRET.toUpperCase() + " is invalid", SECRET))
                .isEqualTo("key " + MASK + " is invalid");
        assertThat(Secrets.scrub("key " + SECRET.toLowerCase() + " is invalid", SECRET))
                .isEqualTo("key " + MASK + " is invalid");
    }

    @Test
    void eightOrMoreOfItsFirstOrLastCharactersAloneAreScrubbed() {
        String head = SECRET.substring(0, 20);
        String tail = SECRET.substring(SECRET.length() - 12);
        assertThat(Secrets.scrub("key " + head + "... was revoked", SECRET))
                .isEqualTo("key " + MASK + "... was revoked");
        assertThat(Secrets.scrub("key ****" + tail + " was revoked", SECRET))
                .isEqualTo("key ****" + MASK + " was revoked");
        assertThat(Secrets.scrub("ends with " + SECRET.substring(SECRET.length() - 8), SECRET))
                .isEqualTo("ends with " + MASK);
        // Seven characters are not a run worth hiding (and would hide common words).
        assertThat(Secrets.scrub("tail " + SECRET.substring(SECRET.length() - 7) + ".", SECRET))
                .isEqualTo("tail " + SECRET.substring(SECRET.length() - 7) + ".");
    }

    @Test
    void encodedFormsOfTheSecretAreScrubbed() {
        String secret = "key-with-%-and-\"quotes\"-0123456789";
        String encoded = URLEncoder.encode(secret, StandardCharsets.UTF_8);
        String escaped = secret.replace("\"", "\\\"");

        String scrubbed = Secrets.scrub("url ?key=" + encoded + " body {\"key\":\"" + escaped + "\"}", secret);

        assertThat(scrubbed).doesNotContain(secret).doesNotContain(encoded).doesNotContain(escaped);
        assertThat(scrubbed).doesNotContain("0123456789");
    }

    @Test
    void theSecretFieldsOfAJsonSecretAreScrubbed() {
        String pemBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";
        String serviceAccount = "{\"type\":\"service_account\",\"private_key_id\":\"abc123def456\","
                + "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\n" + pemBody
                + "\\n-----END PRIVATE KEY-----\\n\",\"client_email\":\"svc@p.iam.gserviceaccount.com\"}";
        assertThat(Secrets.scrub(
                        "could not use key material " + pemBody + " of svc@p.iam.gserviceaccount.com", serviceAccount))
                // The account is no secret: kept for diagnosis.
                .isEqualTo("could not use key material … of svc@p.iam.gserviceaccount.com");

        String aws = "{\"access_key_id\":\"AKIAFAKEKEY00001\",\"secret_access_key\":\"Zm9vYmFyYmF6cXV4/0123+abcd\","
                + "\"session_token\":\"IQoJb3JpZ2luX2VjEFAKEtokenvalue\"}";
        assertThat(Secrets.scrub("signature by Zm9vYmFyYmF6cXV4/0123+abcd with IQoJb3JpZ2luX2VjEFAKEtokenvalue", aws))
                .doesNotContain("Zm9vYmFyYmF6")
                .doesNotContain("IQoJb3JpZ2lu");
    }

    @Test
    void secretsOfKnownShapesAreScrubbedWhoeverTheyBelongTo() {
        assertThat(Secrets.scrub(
                        "{\"AccessKeyId\":\"AKIAFAKE\",\"SecretAccessKey\":\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}",
                        null))
                .isEqualTo("{\"AccessKeyId\":\"AKIAFAKE\",\"SecretAccessKey\":\"***\"}");
        assertThat(Secrets.scrub("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", null))
                .isEqualTo("aws_secret_access_key = ***\n");
        assertThat(Secrets.scrub("X-Amz-Security-Token: IQoJb3JpZ2luX2VjEFAKE//token== rejected", null))
                .isEqualTo("X-Amz-Security-Token: *** rejected");
        assertThat(Secrets.scrub(
                        "got -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- end", null))
                .isEqualTo("got [private key] end");
        assertThat(Secrets.scrub("cut -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B", null))
                .isEqualTo("cut [private key]");
        assertThat(Secrets.scrub("header Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig0 refused", null))
                .isEqualTo("header Authorization: Bearer eyJ…sig0 refused");
        assertThat(Secrets.scrub("Authorization: Basic dXNlcjpwYXNzd29yZA==", null))
                .isEqualTo("Authorization: Basic ***");
        assertThat(Secrets.scrub("x-api-key: other-key-000111222333 is invalid", null))
                .isEqualTo("x-api-key: oth…2333 is invalid");
        assertThat(Secrets.scrub("api-key=\"azure0123456789abcdef\"", null)).isEqualTo("api-key=\"azu…cdef\"");
        assertThat(Secrets.scrub("x-goog-api-key: AIzaSyFAKEFAKEFAKEFAKEFAKEFAKEFAKE0001 bad", null))
                .doesNotContain("FAKEFAKE");
        assertThat(Secrets.scrub("the key sk-ant-api03-FAKEfake0123456789abcdefXYZ is revoked", null))
                .isEqualTo("the key sk-…fXYZ is revoked");
        assertThat(Secrets.scrub("see ?key=AIzaSyFAKEFAKEFAKEFAKEFAKEFAKEFAKE0001&alt=sse", null))
                .isEqualTo("see ?key=AIz…0001&alt=sse");
    }

    @Test
    void ordinaryMessagesAreLeftAsTheyAre() {
        String message = "The model `gpt-4o-mini-2024-07-18` does not exist or you do not have access to it."
                + " Request id req_9f2a7b. Rate limit reached for requests per min (RPM): Limit 500.";
        assertThat(Secrets.scrub(message, SECRET)).isSameAs(message);
        assertThat(Secrets.scrub(null, SECRET)).isNull();
        assertThat(Secrets.scrub("", SECRET)).isEmpty();
    }
}

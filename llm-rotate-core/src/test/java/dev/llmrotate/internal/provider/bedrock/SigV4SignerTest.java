package dev.llmrotate.internal.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The signer against AWS's published SigV4 test suite ({@code src/test/resources/sigv4/}, sources noted there): for
 * every vector the canonical request, the string to sign and the Authorization header must match byte for byte.
 */
class SigV4SignerTest {
    private static final JsonNode SUITE = suite();

    private static JsonNode suite() {
        try (InputStream in = SigV4SignerTest.class.getResourceAsStream("/sigv4/aws-sig-v4-test-suite.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> vectors() {
        List<Arguments> all = new ArrayList<>();
        SUITE.get("vectors").forEach(v -> all.add(Arguments.of(v.get("name").asText(), v)));
        return all.stream();
    }

    private static SigV4Signer suiteSigner() {
        return new SigV4Signer(Clock.fixed(Instant.parse(SUITE.get("time").asText()), ZoneOffset.UTC));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void reproducesThePublishedVector(String name, JsonNode vector) {
        Request req = Request.parse(vector.get("req").asText());
        String token = req.headers.remove("x-amz-security-token");
        AwsCredentials credentials = new AwsCredentials(
                SUITE.get("accessKeyId").asText(), SUITE.get("secretAccessKey").asText(), token);
        assertThat(req.headers.remove("x-amz-date")).isEqualTo("20150830T123600Z");
        String host = req.headers.remove("host");

        SigV4Signer.Signed signed = suiteSigner()
                .sign(
                        req.method,
                        host,
                        req.path,
                        req.query,
                        req.headers,
                        req.body.getBytes(StandardCharsets.UTF_8),
                        credentials,
                        SUITE.get("region").asText(),
                        SUITE.get("service").asText());

        assertThat(signed.canonicalRequest()).isEqualTo(vector.get("creq").asText());
        assertThat(signed.stringToSign()).isEqualTo(vector.get("sts").asText());
        assertThat(signed.authorization()).isEqualTo(vector.get("authz").asText());
        assertThat(signed.headers()).containsEntry("X-Amz-Date", "20150830T123600Z");
        assertThat(signed.headers())
                .containsEntry("Authorization", vector.get("authz").asText());
        if (token != null) {
            assertThat(signed.headers()).containsEntry("X-Amz-Security-Token", token);
        } else {
            assertThat(signed.headers()).doesNotContainKey("X-Amz-Security-Token");
        }
    }

    @Test
    void derivesTheSigningKeyOfAwsDocumentedIamExample() {
        // "Examples of how to derive a signing key for Signature Version 4" (AWS General Reference): the suite's
        // secret,
        // 20150830, us-east-1, iam.
        assertThat(HexFormat.of()
                        .formatHex(SigV4Signer.signingKey(
                                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam")))
                .isEqualTo("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
    }

    @Test
    void aBedrockModelIdIsSentEncodedOnceAndSignedEncodedTwice() {
        // AWS's own error text for a request sent with %253A shows the canonical path it expected: %25253A, i.e. the
        // path as sent, encoded once more (github.com/higress-group/higress issue 2396).
        URI uri = URI.create("https://bedrock-runtime.us-east-1.amazonaws.com/model/"
                + SigV4Signer.uriEncode("anthropic.claude-3-5-sonnet-20240620-v1:0", true) + "/converse");
        assertThat(uri.getRawPath()).isEqualTo("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse");

        SigV4Signer.Signed signed = suiteSigner()
                .sign(
                        "POST",
                        uri,
                        Map.of(),
                        "{}".getBytes(StandardCharsets.UTF_8),
                        new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null),
                        "us-east-1",
                        "bedrock");

        assertThat(signed.canonicalRequest())
                .startsWith("POST\n/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse\n\n"
                        + "host:bedrock-runtime.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                        + "host;x-amz-date\n");
        assertThat(signed.authorization())
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, Signature=");
    }

    @Test
    void anInferenceProfileArnIsOnePathSegment() {
        String arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-v1:0";
        String path = "/model/" + SigV4Signer.uriEncode(arn, true) + "/converse";
        assertThat(path)
                .isEqualTo("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F"
                        + "us.anthropic.claude-3-haiku-v1%3A0/converse");
        assertThat(SigV4Signer.canonicalUri(path))
                .isEqualTo("/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile"
                        + "%252Fus.anthropic.claude-3-haiku-v1%253A0/converse");
    }

    @Test
    void theHostHeaderCarriesOnlyANonDefaultPort() {
        assertThat(SigV4Signer.hostHeader(URI.create("https://bedrock-runtime.eu-west-1.amazonaws.com/x")))
                .isEqualTo("bedrock-runtime.eu-west-1.amazonaws.com");
        assertThat(SigV4Signer.hostHeader(URI.create("https://example.com:443/x")))
                .isEqualTo("example.com");
        assertThat(SigV4Signer.hostHeader(URI.create("http://127.0.0.1:8123/x")))
                .isEqualTo("127.0.0.1:8123");
    }

    @Test
    void credentialsNeverShowTheSecretOrTheToken() {
        AwsCredentials credentials = new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/SECRET", "TOKEN-VALUE");
        assertThat(credentials.toString())
                .contains("AKIDEXAMPLE")
                .doesNotContain("SECRET")
                .doesNotContain("TOKEN-VALUE");
    }

    /** A request in the suite's {@code .req} form: request line, header lines, blank line, body. */
    private static final class Request {
        String method;
        String path;
        String query;
        final Map<String, String> headers = new LinkedHashMap<>();
        String body = "";

        static Request parse(String text) {
            Request r = new Request();
            int blank = text.indexOf("\n\n");
            String head = blank < 0 ? text : text.substring(0, blank);
            r.body = blank < 0 ? "" : text.substring(blank + 2);
            String[] lines = head.split("\n");
            String requestLine = lines[0];
            r.method = requestLine.substring(0, requestLine.indexOf(' '));
            String target = requestLine.substring(r.method.length() + 1, requestLine.lastIndexOf(" HTTP/1.1"));
            int q = target.indexOf('?');
            r.path = q < 0 ? target : target.substring(0, q);
            r.query = q < 0 ? null : target.substring(q + 1);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = lines[i].substring(0, colon).toLowerCase(java.util.Locale.ROOT);
                String value = lines[i].substring(colon + 1).strip();
                r.headers.merge(name, value, (a, b) -> a + "," + b);
            }
            return r;
        }
    }
}

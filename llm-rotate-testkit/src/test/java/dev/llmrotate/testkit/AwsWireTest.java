package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The testkit's own event-stream encoder and SigV4 verifier against AWS's published vectors: the event-stream test
 * vectors of aws-sdk-js-v3 ({@code packages/eventstream-codec/src/TestVectors.fixture.ts}) and cases of the
 * aws-sig-v4-test-suite (https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html).
 */
class AwsWireTest {
    private static final byte[] FOO_BAR = "{'foo':'bar'}".getBytes(StandardCharsets.UTF_8);

    @Test
    void encodesAwsEventStreamVectorsByteForByte() {
        assertThat(HexFormat.of().formatHex(EventStreamEncoder.message(Map.of(), new byte[0])))
                .as("empty_message")
                .isEqualTo("0000001000000000" + "05c248eb" + "7d98c8ff");
        assertThat(HexFormat.of().formatHex(EventStreamEncoder.message(Map.of(), FOO_BAR)))
                .as("payload_no_headers")
                .isEqualTo("0000001d00000000fd528c5a7b27666f6f273a27626172277dc3653936");
        assertThat(HexFormat.of()
                        .formatHex(EventStreamEncoder.message(Map.of("content-type", "application/json"), FOO_BAR)))
                .as("payload_one_str_header")
                .isEqualTo("0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f"
                        + "6e7b27666f6f273a27626172277d8d9c08b1");
    }

    @Test
    void corruptsExactlyTheChecksumAskedFor() {
        byte[] good = EventStreamEncoder.event("messageStop", "{\"stopReason\":\"end_turn\"}");
        byte[] badMessage = EventStreamEncoder.withBadMessageCrc(good);
        byte[] badPrelude = EventStreamEncoder.withBadPreludeCrc(good);
        assertThat(badMessage).hasSameSizeAs(good);
        assertThat(java.util.Arrays.copyOf(badMessage, good.length - 4))
                .isEqualTo(java.util.Arrays.copyOf(good, good.length - 4));
        assertThat(badPrelude[11]).isNotEqualTo(good[11]);
        assertThat(java.util.Arrays.copyOfRange(badPrelude, 12, good.length))
                .isEqualTo(java.util.Arrays.copyOfRange(good, 12, good.length));
    }

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final String AUTHZ_PREFIX =
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=";

    private static Map<String, List<String>> headers(String... nameValues) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("host", List.of("example.amazonaws.com"));
        headers.put("x-amz-date", List.of("20150830T123600Z"));
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.put(nameValues[i], List.of(nameValues[i + 1]));
        }
        return headers;
    }

    @Test
    void acceptsTheSuitesSignatures() {
        SigV4Verifier verifier = new SigV4Verifier();
        verifier.accept("AKIDEXAMPLE", SECRET, null);
        assertThat(verifier.verify(
                        "GET",
                        "/",
                        null,
                        headers(
                                "authorization",
                                AUTHZ_PREFIX + "host;x-amz-date, Signature="
                                        + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
                        new byte[0]))
                .as("get-vanilla")
                .isNull();
        assertThat(verifier.verify(
                        "GET",
                        "/",
                        "Param2=value2&Param1=value1",
                        headers(
                                "authorization",
                                AUTHZ_PREFIX + "host;x-amz-date, Signature="
                                        + "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
                        new byte[0]))
                .as("get-vanilla-query-order-key-case")
                .isNull();
        assertThat(verifier.verify(
                        "GET",
                        "/example space/",
                        null,
                        headers(
                                "authorization",
                                AUTHZ_PREFIX + "host;x-amz-date, Signature="
                                        + "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
                        new byte[0]))
                .as("get-space")
                .isNull();
        assertThat(verifier.verify(
                        "POST",
                        "/",
                        null,
                        headers(
                                "content-type",
                                "application/x-www-form-urlencoded",
                                "authorization",
                                AUTHZ_PREFIX + "content-type;host;x-amz-date, Signature="
                                        + "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
                        "Param1=value1".getBytes(StandardCharsets.UTF_8)))
                .as("post-x-www-form-urlencoded")
                .isNull();
    }

    @Test
    void refusesAWrongSecretAnUnknownKeyAndATamperedBody() {
        SigV4Verifier verifier = new SigV4Verifier();
        verifier.accept("AKIDEXAMPLE", SECRET + "x", null);
        Map<String, List<String>> vanilla = headers(
                "authorization",
                AUTHZ_PREFIX + "host;x-amz-date, Signature="
                        + "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
        assertThat(verifier.verify("GET", "/", null, vanilla, new byte[0]).code())
                .isEqualTo("InvalidSignatureException");

        SigV4Verifier other = new SigV4Verifier();
        other.accept("AKIDOTHER", SECRET, null);
        assertThat(other.verify("GET", "/", null, vanilla, new byte[0]).code())
                .isEqualTo("UnrecognizedClientException");

        SigV4Verifier right = new SigV4Verifier();
        right.accept("AKIDEXAMPLE", SECRET, null);
        Map<String, List<String>> form = headers(
                "content-type",
                "application/x-www-form-urlencoded",
                "authorization",
                AUTHZ_PREFIX + "content-type;host;x-amz-date, Signature="
                        + "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
        assertThat(right.verify("POST", "/", null, form, "Param1=value2".getBytes(StandardCharsets.UTF_8))
                        .code())
                .isEqualTo("InvalidSignatureException");
        assertThat(right.verify("GET", "/", null, headers(), new byte[0]).code())
                .isEqualTo("MissingAuthenticationTokenException");
    }

    @Test
    void aBedrockPathIsVerifiedEncodedOnceMore() {
        assertThat(SigV4Verifier.canonicalPath("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"))
                .isEqualTo("/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse");
        assertThat(SigV4Verifier.canonicalPath("//example//")).isEqualTo("/example/");
    }
}

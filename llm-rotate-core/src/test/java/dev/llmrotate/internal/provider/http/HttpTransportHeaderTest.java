package dev.llmrotate.internal.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.testkit.FakeOpenAiServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Header values the JDK's HTTP client would refuse with an exception quoting the whole header (a secret, for an
 * {@code Authorization} or {@code x-api-key} header) fail as a classified {@link ProviderException} that names the
 * header and the character, never the value, and nothing is sent.
 */
class HttpTransportHeaderTest {
    private static final String SECRET_TAIL = "Zq4Rb6Tn1Vc5YdLm2Wx8";
    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

    private final HttpTransport transport = new HttpTransport();
    private FakeOpenAiServer server;
    private URI uri;

    @BeforeEach
    void start() {
        server = FakeOpenAiServer.start();
        uri = URI.create(server.baseUrl() + "/chat/completions");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ProviderException refused(Map<String, String> headers) {
        return catchThrowableOfType(
                ProviderException.class,
                () -> transport.postJson(uri, headers, BODY, Duration.ofSeconds(2), Duration.ofSeconds(5)));
    }

    @Test
    void aCredentialHeaderWithANewlineIsInvalidAuthAndNotQuoted() {
        ProviderException e = refused(Map.of("Authorization", "Bearer sk-live\n" + SECRET_TAIL));

        assertThat(e.type()).isEqualTo(ErrorType.INVALID_AUTH);
        assertThat(e.getMessage())
                .isEqualTo("header Authorization: the value contains a character not allowed in an HTTP header"
                        + " (U+000A at position 15)")
                .doesNotContain(SECRET_TAIL);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void everyCredentialHeaderIsInvalidAuthAndOtherHeadersInvalidRequest() {
        for (String name : new String[] {"x-api-key", "api-key", "x-goog-api-key", "X-Amz-Security-Token"}) {
            ProviderException e = refused(Map.of(name, "sk-\u200b" + SECRET_TAIL));
            assertThat(e.type()).as(name).isEqualTo(ErrorType.INVALID_AUTH);
            assertThat(e.getMessage()).as(name).contains("U+200B at position 4").doesNotContain(SECRET_TAIL);
        }
        ProviderException other = refused(Map.of("anthropic-version", "2023\u0000" + SECRET_TAIL));
        assertThat(other.type()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(other.getMessage()).doesNotContain(SECRET_TAIL);
        assertThat(server.requestCount()).isZero();
    }

    @Test
    void aHeaderTheClientRefusesForItsNameIsReportedWithoutTheJdkMessage() {
        // "host" is a restricted header: the JDK refuses it whatever the value, with a message of its own.
        ProviderException e = refused(Map.of("Host", "sk-" + SECRET_TAIL));

        assertThat(e.type()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(e.getMessage())
                .isEqualTo("header Host was refused by the HTTP client")
                .doesNotContain(SECRET_TAIL);
    }

    @Test
    void fitHeadersAreSent() {
        transport.postJson(
                uri,
                Map.of("Authorization", "Bearer sk-ok-" + SECRET_TAIL),
                BODY,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5));

        assertThat(server.requests())
                .singleElement()
                .satisfies(sent -> assertThat(sent.header("authorization")).isEqualTo("Bearer sk-ok-" + SECRET_TAIL));
    }
}

package dev.llmrotate.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmrotate.ChatStream;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Netty client over TLS, end to end through {@link LlmRotate}: the testkit's fake OpenAI server behind an HTTPS
 * front on loopback ({@link TlsFront}) whose self-signed certificate is made for the test. Trusted through {@link
 * NettyHttpClientProvider#sslContext}, plain, asynchronous and streamed calls succeed on one kept-alive connection;
 * a certificate the client does not trust, and a trusted one for another host name, fail the attempt at the
 * handshake as a {@code connection_error} saying why, long before any timeout, and nothing reaches the server.
 */
class NettyTlsLoopbackTest {
    private static final ChatRequest HI =
            ChatRequest.builder("gpt-4o-mini").user("hi").build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    static Path certificates;

    private static SelfSignedCertificates.Identity localhost;
    private static SelfSignedCertificates.Identity otherHost;

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        List<SelfSignedCertificates.Identity> made =
                SelfSignedCertificates.make(certificates, "localhost", "other.example");
        localhost = made.get(0);
        otherHost = made.get(1);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        openai.close();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    /** An HTTPS front for the fake OpenAI server, serving {@code identity}'s certificate. */
    private TlsFront front(SelfSignedCertificates.Identity identity) throws Exception {
        SslContext server = SslContextBuilder.forServer(identity.key(), identity.certificate())
                .build();
        return keep(new TlsFront(server, openai.baseUrl()));
    }

    /** A client context that trusts {@code identity}'s certificate (and nothing else). */
    private static SslContext trusting(SelfSignedCertificates.Identity identity) throws Exception {
        return SslContextBuilder.forClient()
                .trustManager(identity.certificate())
                .build();
    }

    private LlmRotate engine(URI baseUrl, NettyHttpClientProvider client) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(Keys.openai("a")))
                .provider("openai", s -> s.withBaseUrl(baseUrl).withRequestTimeout(REQUEST_TIMEOUT))
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO))
                .build();
        LlmRotate lm =
                keep(LlmRotate.builder().config(config).httpClient(client).build());
        lm.onCall(records::add);
        return lm;
    }

    @Test
    void plainAsyncAndStreamedCallsSucceedOverTlsWithATrustedCertificate() throws Exception {
        openai.byDefault()
                .respond(request -> request.stream()
                        ? FakeResponse.ok("one two three").withChunks("one ", "two ", "three")
                        : FakeResponse.ok("hello over TLS"));
        TlsFront front = front(localhost);
        LlmRotate lm =
                engine(front.uri("localhost", "/v1"), new NettyHttpClientProvider().sslContext(trusting(localhost)));

        assertThat(lm.chat(HI).content()).isEqualTo("hello over TLS");
        assertThat(lm.chatAsync(HI).get(5, TimeUnit.SECONDS).content()).isEqualTo("hello over TLS");
        List<String> deltas = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(HI)) {
            for (StreamChunk chunk : stream) {
                if (!chunk.delta().isEmpty()) {
                    deltas.add(chunk.delta());
                }
            }
        }
        assertThat(deltas).containsExactly("one ", "two ", "three");

        assertThat(openai.requests()).hasSize(3);
        assertThat(openai.requests().get(2).stream()).isTrue();
        assertThat(openai.requests().get(0).header("authorization")).isEqualTo("Bearer " + Keys.secret("a"));
        assertThat(front.handshakes)
                .as("one connection, kept alive across the three")
                .hasValue(1);
        assertThat(front.failedHandshakes).isEmpty();
        assertThat(records).extracting(CallRecord::outcome).containsOnly(CallRecord.SUCCESS);
    }

    @Test
    void aCertificateTheClientDoesNotTrustFailsTheAttemptAtTheHandshake() throws Exception {
        openai.byDefault().always(FakeResponse.ok("never sent"));
        TlsFront front = front(localhost);
        // The default context: the JDK's trust store, which knows no self-signed certificate.
        assertFailsAtTheHandshake(
                () -> engine(front.uri("localhost", "/v1"), new NettyHttpClientProvider()),
                "PKIX path building failed");
        assertThat(front.handshakes).hasValue(0);
        assertThat(front.failedHandshakes).isNotEmpty();
    }

    @Test
    void aTrustedCertificateForAnotherHostNameFailsHostNameVerification() throws Exception {
        openai.byDefault().always(FakeResponse.ok("never sent"));
        TlsFront front = front(otherHost);
        SslContext trusted = trusting(otherHost);
        assertFailsAtTheHandshake(
                () -> engine(front.uri("localhost", "/v1"), new NettyHttpClientProvider().sslContext(trusted)),
                "No subject alternative DNS name matching localhost found");

        // A context made without host name verification gets it all the same: the key never goes to such a host.
        SslContext unverified = SslContextBuilder.forClient()
                .trustManager(otherHost.certificate())
                .endpointIdentificationAlgorithm(null)
                .build();
        assertFailsAtTheHandshake(
                () -> engine(front.uri("localhost", "/v1"), new NettyHttpClientProvider().sslContext(unverified)),
                "No subject alternative DNS name matching localhost found");
        assertThat(front.handshakes).hasValue(0);
    }

    /**
     * A plain and a streamed call (each on an instance of its own, whose key no earlier failure has put out) fail
     * with a {@code connection_error} naming the TLS failure, every attempt too, each call well within one
     * request timeout (no attempt waited for a timer), and no request reaches the server.
     */
    private void assertFailsAtTheHandshake(Supplier<LlmRotate> engine, String why) {
        records.clear();
        LlmRotate forPlain = engine.get();
        long start = System.nanoTime();
        LlmRotateException plain = catchThrowableOfType(LlmRotateException.class, () -> forPlain.chat(HI));
        Duration plainTook = Duration.ofNanos(System.nanoTime() - start);
        LlmRotate forStream = engine.get();
        start = System.nanoTime();
        LlmRotateException streamed = catchThrowableOfType(LlmRotateException.class, () -> {
            try (ChatStream stream = forStream.chatStream(HI)) {
                stream.forEach(chunk -> {});
            }
        });
        Duration streamTook = Duration.ofNanos(System.nanoTime() - start);

        assertThat(plain).as("the plain call failed").isNotNull();
        assertThat(streamed).as("the streamed call failed").isNotNull();
        for (LlmRotateException e : List.of(plain, streamed)) {
            assertThat(e.errorType()).isEqualTo(ErrorType.CONNECTION_ERROR);
            assertThat(e.getMessage()).contains("TLS failed: ").contains(why).doesNotContain("0123456789abcdef");
        }
        assertThat(plainTook).isLessThan(REQUEST_TIMEOUT);
        assertThat(streamTook).isLessThan(REQUEST_TIMEOUT);
        assertThat(records).hasSize(2).allSatisfy(record -> {
            assertThat(record.outcome()).isEqualTo(CallRecord.ERROR);
            assertThat(record.attemptDetails())
                    .isNotEmpty()
                    .allSatisfy(attempt ->
                            assertThat(attempt.errorType()).isEqualTo(ErrorType.CONNECTION_ERROR.wireName()));
        });
        assertThat(openai.requestCount()).isZero();
    }
}

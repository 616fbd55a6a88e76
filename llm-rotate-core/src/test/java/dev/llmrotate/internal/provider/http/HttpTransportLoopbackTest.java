package dev.llmrotate.internal.provider.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.openai.OpenAiAdapter;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How plain exchanges end, blocking ({@code send}) and asynchronous ({@code sendAsync}), through the OpenAI adapter
 * over loopback: stalled bodies and silent servers time out at the attempt's timeout, bodies are bounded, an
 * interrupted caller or a cancelled future aborts the exchange (the server sees its connection closed).
 */
class HttpTransportLoopbackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "gpt-4o-mini";

    private FakeOpenAiServer openai;

    @BeforeEach
    void start() {
        openai = FakeOpenAiServer.start();
    }

    @AfterEach
    void stop() {
        openai.close();
    }

    private static ProviderAdapter adapter(HttpTransport transport) {
        return new OpenAiAdapter(transport, JSON, Clock.systemUTC());
    }

    private static Attempt attempt(URI baseUrl, Duration timeout) {
        KeySpec key = KeySpec.builder("a", "openai")
                .secretRef(SecretRef.parse("env://UNUSED", name -> null))
                .models(MODEL)
                .build();
        return new Attempt(
                ChatRequest.builder(MODEL).user("hi").build(),
                key,
                "sk-test-a-0123456789abcdef",
                ProviderCatalog.defaults("openai").withBaseUrl(baseUrl),
                null,
                timeout);
    }

    /** The reply of a blocking or an asynchronous send; a failure is thrown as it came (not wrapped). */
    private static ProviderReply send(ProviderAdapter adapter, Attempt attempt, boolean async) throws Exception {
        if (!async) {
            return adapter.send(attempt);
        }
        CompletableFuture<ProviderReply> future = adapter.sendAsync(attempt, Runnable::run);
        Throwable failure = future.handle((reply, error) -> error).get(20, TimeUnit.SECONDS);
        if (failure != null) {
            throw (RuntimeException) failure;
        }
        return future.join();
    }

    private static ProviderException failure(ProviderAdapter adapter, Attempt attempt, boolean async) {
        Throwable thrown = catchThrowable(() -> send(adapter, attempt, async));
        assertThat(thrown).isInstanceOf(ProviderException.class);
        return (ProviderException) thrown;
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void aBodyThatStallsAfterTheHeadersTimesOutAtTheAttemptTimeout(boolean async) {
        openai.byDefault().always(FakeResponse.stallAfterHeaders());
        Duration timeout = Duration.ofMillis(400);

        long start = System.nanoTime();
        ProviderException failure = failure(adapter(new HttpTransport()), attempt(openai.baseUrl(), timeout), async);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure.type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(failure.getMessage()).contains("no complete response within PT0.4S");
        assertThat(took).isBetween(timeout, timeout.plusSeconds(3));
    }

    @Test
    void aBodyThatStallsOnceTheDeadlineWatcherHasGoneIdleStillTimesOut() throws Exception {
        // A first exchange starts the watcher; it parks after a second without bodies; the next body must wake it.
        send(adapter(new HttpTransport()), attempt(openai.baseUrl(), Duration.ofSeconds(5)), false);
        await().atMost(Duration.ofSeconds(10)).until(() -> watcherState() == Thread.State.WAITING);
        openai.byDefault().always(FakeResponse.stallAfterHeaders());
        Duration timeout = Duration.ofMillis(300);

        long start = System.nanoTime();
        // Asynchronous, so that a watcher that does not wake fails the test (at 20 s) instead of hanging it.
        ProviderException failure = failure(adapter(new HttpTransport()), attempt(openai.baseUrl(), timeout), true);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure.type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(took).isBetween(timeout, timeout.plusSeconds(3));
    }

    /** The state of the thread watching body deadlines (started by the JVM's first exchange), or null. */
    private static Thread.State watcherState() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("llm-rotate-http-timeouts"))
                .map(Thread::getState)
                .findFirst()
                .orElse(null);
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void aServerThatNeverAnswersTimesOutAtTheAttemptTimeout(boolean async) {
        openai.byDefault().always(FakeResponse.noResponse());
        Duration timeout = Duration.ofMillis(400);

        long start = System.nanoTime();
        ProviderException failure = failure(adapter(new HttpTransport()), attempt(openai.baseUrl(), timeout), async);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(failure.type()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(took).isBetween(timeout, timeout.plusSeconds(3));
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void aTimedOutBodyHasItsConnectionClosed(boolean async) throws Exception {
        try (HoldingServer server = HoldingServer.stallingBody()) {
            ProviderException failure =
                    failure(adapter(new HttpTransport()), attempt(server.baseUrl(), Duration.ofMillis(300)), async);

            assertThat(failure.type()).isEqualTo(ErrorType.TIMEOUT);
            assertThat(server.awaitClientClose())
                    .as("the server saw the connection closed")
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void aSuccessBodyLongerThanTheLimitFailsAsAMalformedAnswer(boolean async) {
        openai.byDefault().always(FakeResponse.ok("x".repeat(5000)));

        ProviderException failure =
                failure(adapter(new HttpTransport(1024, 256)), attempt(openai.baseUrl(), Duration.ofSeconds(5)), async);

        assertThat(failure.type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR);
        assertThat(failure.httpStatus()).isEqualTo(200);
        assertThat(failure.getMessage()).isEqualTo("response body longer than the limit of 1024 bytes");
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void aChunkedBodyLongerThanTheLimitFailsOnceItPassesTheLimit(boolean async) throws Exception {
        try (HoldingServer server = HoldingServer.chunkedBody(5000)) {
            ProviderException failure = failure(
                    adapter(new HttpTransport(1024, 256)), attempt(server.baseUrl(), Duration.ofSeconds(5)), async);

            assertThat(failure.type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR);
            assertThat(failure.getMessage()).isEqualTo("response body longer than the limit of 1024 bytes");
            assertThat(server.awaitClientClose())
                    .as("the rest of the body is dropped with its connection")
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void anErrorBodyLongerThanItsLimitIsCutThereAndClassifiedByItsStatus(boolean async) {
        openai.byDefault()
                .always(FakeResponse.error(429, "requests", "rate_limit_exceeded", "slow down ".repeat(500))
                        .header("retry-after", "7"));

        ProviderException failure =
                failure(adapter(new HttpTransport(1024, 256)), attempt(openai.baseUrl(), Duration.ofSeconds(5)), async);

        assertThat(failure.type()).isEqualTo(ErrorType.RATE_LIMIT);
        assertThat(failure.httpStatus()).isEqualTo(429);
        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @ParameterizedTest(name = "async={0}")
    @ValueSource(booleans = {false, true})
    void aRefusedConnectionIsAConnectionError(boolean async) throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        ProviderException failure = failure(
                adapter(new HttpTransport()),
                attempt(URI.create("http://127.0.0.1:" + port + "/v1"), Duration.ofSeconds(5)),
                async);

        assertThat(failure.type()).isEqualTo(ErrorType.CONNECTION_ERROR);
    }

    @ParameterizedTest(name = "headers sent={0}")
    @ValueSource(booleans = {false, true})
    void anInterruptedCallerGetsCallCancelledAndTheExchangeIsAborted(boolean headersSent) throws Exception {
        try (HoldingServer server = headersSent ? HoldingServer.stallingBody() : HoldingServer.silent()) {
            ProviderAdapter adapter = adapter(new HttpTransport());
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread caller = new Thread(() -> {
                try {
                    adapter.send(attempt(server.baseUrl(), Duration.ofSeconds(30)));
                } catch (Throwable e) {
                    thrown.set(e);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            caller.start();
            assertThat(server.awaitRequest()).isTrue();

            caller.interrupt();
            caller.join(10_000);

            assertThat(caller.isAlive()).isFalse();
            assertThat(thrown.get()).isInstanceOf(CallCancelledException.class);
            assertThat(stillInterrupted).as("the interrupt flag is set again").isTrue();
            assertThat(server.awaitClientClose())
                    .as("the server saw the connection closed")
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "headers sent={0}")
    @ValueSource(booleans = {false, true})
    void cancellingTheAsyncFutureAbortsTheExchange(boolean headersSent) throws Exception {
        try (HoldingServer server = headersSent ? HoldingServer.stallingBody() : HoldingServer.silent()) {
            CompletableFuture<ProviderReply> future = adapter(new HttpTransport())
                    .sendAsync(attempt(server.baseUrl(), Duration.ofSeconds(30)), Runnable::run);
            assertThat(server.awaitRequest()).isTrue();

            assertThat(future.cancel(true)).isTrue();

            assertThat(future).isCancelled();
            assertThat(server.awaitClientClose())
                    .as("the server saw the connection closed")
                    .isTrue();
        }
    }

    @Test
    void sendAsyncReturnsBeforeTheAnswerArrives() throws Exception {
        openai.byDefault().always(FakeResponse.ok("late").delay(Duration.ofSeconds(1)));

        long start = System.nanoTime();
        CompletableFuture<ProviderReply> future = adapter(new HttpTransport())
                .sendAsync(attempt(openai.baseUrl(), Duration.ofSeconds(10)), Runnable::run);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofSeconds(1));
        assertThat(future.get(10, TimeUnit.SECONDS).content()).isEqualTo("late");
    }

    @Test
    void replyLimitsMustBePositive() {
        assertThat(catchThrowable(() -> new HttpTransport(0, 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply limits must be at least 1 byte, got maxBodyBytes=0, maxErrorBodyBytes=10,"
                        + " maxStreamLineBytes=8388608");
        assertThat(catchThrowable(() -> new HttpTransport(10, 10, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxStreamLineBytes=0");
    }
}

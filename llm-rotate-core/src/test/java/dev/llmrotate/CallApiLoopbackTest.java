package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.GenerateContentRequest;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.LogNames;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The call surface under the new call loop: chatAsync without blocking, cancellation, close, message order. */
class CallApiLoopbackTest extends EngineTestSupport {
    private static final String A = "gpt-4o";
    private static final String B = "gpt-4o-mini";
    private final ListAppender<ILoggingEvent> usage = new ListAppender<>();
    private final Logger usageLogger = (Logger) LoggerFactory.getLogger(LogNames.USAGE);
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void warmUp() throws Exception {
        WarmUp.once();
    }

    @BeforeEach
    void captureRecords() {
        usage.start();
        usageLogger.addAppender(usage);
        usageLogger.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        usageLogger.detachAppender(usage);
    }

    private List<JsonNode> records() throws Exception {
        List<String> lines;
        synchronized (usage.list) {
            lines = usage.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
        List<JsonNode> out = new ArrayList<>();
        for (String line : lines) {
            out.add(json.readTree(line));
        }
        return out;
    }

    private static ChatRequest ask(String model) {
        return ChatRequest.builder(model).user("hi").build();
    }

    // 11. chatAsync.

    @Test
    void chatAsyncSchedulesItsWaitsInsteadOfBlockingAThread() throws Exception {
        // Both models of key a are rate-limited for 3 s first; the calls wait for them on ONE executor thread.
        openai.forKeyAndModel(secret("a"), A).next(FakeResponse.rateLimited(Duration.ofSeconds(3)));
        openai.forKeyAndModel(secret("a"), B).next(FakeResponse.rateLimited(Duration.ofSeconds(3)));
        LlmRotate lm = realClockEngine(config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", A, B))
                .defaults(d -> d.withMaxWaitForKey(Duration.ofSeconds(10)).withCallDeadline(Duration.ofSeconds(30)))
                .build());
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            long start = System.nanoTime();
            CompletableFuture<ChatResponse> first = lm.chatAsync(ask(A), one);
            CompletableFuture<ChatResponse> second = lm.chatAsync(ask(B), one);
            Duration returned = Duration.ofNanos(System.nanoTime() - start);
            assertThat(returned).as("chatAsync returns before the answer").isLessThan(Duration.ofMillis(2_000));
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();

            assertThat(first.get(30, TimeUnit.SECONDS).model()).isEqualTo(A);
            assertThat(second.get(30, TimeUnit.SECONDS).model()).isEqualTo(B);
        } finally {
            one.shutdownNow();
        }
        List<RecordedRequest> toA = requestsFor(A);
        List<RecordedRequest> toB = requestsFor(B);
        assertThat(toA).hasSize(2);
        assertThat(toB).hasSize(2);
        // Each call waited its 3 s before asking again...
        assertThat(Duration.between(toA.get(0).receivedAt(), toA.get(1).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(Duration.between(toB.get(0).receivedAt(), toB.get(1).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        // ...and the two waits ran at once: waits that blocked the one thread would take 6 s in all.
        Instant firstAsked = min(toA.get(0).receivedAt(), toB.get(0).receivedAt());
        Instant lastAsked = max(toA.get(1).receivedAt(), toB.get(1).receivedAt());
        assertThat(Duration.between(firstAsked, lastAsked)).isLessThan(Duration.ofMillis(5_000));
    }

    private List<RecordedRequest> requestsFor(String model) {
        return openai.requests().stream().filter(r -> model.equals(r.model())).toList();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @Test
    void manyAsyncCallsOnSlowAnswersAreInFlightAtOnce() throws Exception {
        openai.byDefault().always(FakeResponse.ok("slow").delay(Duration.ofSeconds(1)));
        LlmRotate lm = realClockEngine(
                config(SelectionStrategyType.HEALTH_AWARE, Keys.openai("a", B)).build());
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            long start = System.nanoTime();
            List<CompletableFuture<ChatResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(lm.chatAsync(ask(B), one));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            Duration all = Duration.ofNanos(System.nanoTime() - start);
            // One second each; sixteen in a row would take sixteen.
            assertThat(all).isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofMillis(3_000));
        } finally {
            one.shutdownNow();
        }
        assertThat(openai.requestCount()).isEqualTo(16);
    }

    @Test
    void cancellingChatAsyncEndsTheCallAndRecordsOneCancelledCall() throws Exception {
        openai.forKey(secret("a")).next(FakeResponse.ok("too late").delay(Duration.ofSeconds(3)));
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("a", B)).build(), recordingTelemetry());

        CompletableFuture<ChatResponse> call = lm.chatAsync(ask(B));
        await().atMost(Duration.ofSeconds(5)).until(() -> openai.requestCount() == 1);
        assertThat(call.cancel(true)).isTrue();

        assertThat(call).isCancelled();
        assertThatThrownBy(() -> call.get(1, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> !usage.list.isEmpty());
        List<JsonNode> recorded = records();
        assertThat(recorded).hasSize(1);
        assertThat(recorded.get(0).get("outcome").asText()).isEqualTo("cancelled");
        assertThat(recorded.get(0).get("key_id").asText()).isEqualTo("a");
        assertThat(recorded.get(0).get("attempts").asInt()).isEqualTo(1);
        // The attempt in flight is ended for telemetry too (its span would stay open otherwise), exactly once.
        await().atMost(Duration.ofSeconds(5)).until(() -> !attemptEnds.isEmpty());
        assertThat(attemptEnds).containsExactly("failed unknown");

        // No verdict on the key, and the key serves the next call.
        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(a.consecutiveFailures()).isZero();
        assertThat(a.lastErrorType()).isNull();
        assertThat(a.models().get(B).state()).isEqualTo(KeyState.ACTIVE);
        assertThat(lm.chat(ask(B)).content()).isEqualTo("fake reply");
        assertThat(openai.requestCount()).isEqualTo(2);
        assertThat(records()).hasSize(2);
        assertThat(records().get(1).get("outcome").asText()).isEqualTo("success");
    }

    @Test
    void cancellingChatAsyncClosesTheConnectionInFlight() throws Exception {
        // The testkit cannot tell when a client hangs up; a raw socket that never answers can.
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch requestRead = new CountDownLatch(1);
            CountDownLatch hungUp = new CountDownLatch(1);
            Thread silent = new Thread(() -> {
                try (Socket socket = server.accept()) {
                    InputStream in = socket.getInputStream();
                    byte[] buffer = new byte[8192];
                    while (in.read(buffer) >= 0) {
                        requestRead.countDown();
                    }
                } catch (IOException reset) {
                    // a reset is a hang-up too
                }
                hungUp.countDown();
            });
            silent.setDaemon(true);
            silent.start();
            LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a", B))
                    .provider(
                            "openai",
                            s -> s.withBaseUrl(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1")))
                    .build());

            CompletableFuture<ChatResponse> call = lm.chatAsync(ask(B));
            assertThat(requestRead.await(5, TimeUnit.SECONDS)).isTrue();
            call.cancel(true);

            assertThat(hungUp.await(1_500, TimeUnit.MILLISECONDS))
                    .as("the connection is closed soon after the cancel, long before request_timeout")
                    .isTrue();
        }
    }

    // 13. Use after close; message order.

    @Test
    void aClosedInstanceRefusesEveryCallWithIllegalStateException() {
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("a", B)).build());
        lm.close();

        assertThatThrownBy(() -> lm.chat(ask(B))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> lm.chatAsync(ask(B))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> lm.chatStream(ask(B))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> lm.chatStreamPublisher(ask(B))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> lm.generateContent(
                        GenerateContentRequest.builder(B).contents("hi").build()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> lm.acquire("openai", B)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> lm.reloadConfig(lm.config())).isInstanceOf(IllegalStateException.class);
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void theRequestBuilderKeepsEveryMessageInOrder() {
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("a", B)).build());

        lm.chat(ChatRequest.builder(B).system("s").user("u").user("v").build());

        JsonNode messages = openai.requests().get(0).json().get("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
        assertThat(messages.get(0).get("content").asText()).isEqualTo("s");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(1).get("content").asText()).isEqualTo("u");
        assertThat(messages.get(2).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(2).get("content").asText()).isEqualTo("v");
    }

    /** How each attempt ended, as telemetry saw it. */
    private final List<String> attemptEnds = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A telemetry that writes how each attempt ended into {@link #attemptEnds}. */
    private dev.llmrotate.spi.Telemetry recordingTelemetry() {
        return new dev.llmrotate.spi.Telemetry() {
            @Override
            public Attempt attemptStarted(
                    String operation,
                    String provider,
                    String requestedModel,
                    String model,
                    String keyId,
                    int attemptNumber,
                    boolean afterRotation) {
                return new Attempt() {
                    @Override
                    public void succeeded(
                            String responseModel,
                            dev.llmrotate.chat.Usage usage,
                            dev.llmrotate.chat.FinishReason finishReason) {
                        attemptEnds.add("succeeded");
                    }

                    @Override
                    public void failed(dev.llmrotate.error.ErrorType type, Integer httpStatus) {
                        attemptEnds.add("failed " + type.wireName());
                    }
                };
            }

            @Override
            public void keyRotated(String provider, String keyId, dev.llmrotate.error.ErrorType cause) {}

            @Override
            public void callEnded(dev.llmrotate.observe.CallRecord record) {}
        };
    }
}

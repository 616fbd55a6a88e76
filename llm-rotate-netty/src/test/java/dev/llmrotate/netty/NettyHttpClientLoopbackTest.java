package dev.llmrotate.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.ChatStream;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What only the Netty client has, over loopback: kept-alive connections, the bound on connections per host,
 * idle connections closed, a cancelled future closing its connection, a stream's chunks handed over as they arrive
 * and a call's continuation run without any other thread. (The contracts shared with the JDK client are proved by
 * the core loopback tests run again over Netty: {@code dev.llmrotate.Netty*LoopbackTest}.)
 */
class NettyHttpClientLoopbackTest {
    private static final ChatRequest HI =
            ChatRequest.builder("gpt-4o-mini").user("hi").build();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(0, resource);
        return resource;
    }

    private LlmRotate engine(URI baseUrl, NettyHttpClientProvider client) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(Keys.openai("a")))
                .provider("openai", s -> s.withBaseUrl(baseUrl).withRequestTimeout(Duration.ofSeconds(5)))
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO))
                .build();
        LlmRotate lm =
                keep(LlmRotate.builder().config(config).httpClient(client).build());
        lm.eventBuffer(100);
        return lm;
    }

    @Test
    void sequentialCallsShareOneKeptAliveConnection() throws Exception {
        CountingServer server = keep(new CountingServer());
        LlmRotate lm = engine(server.baseUrl(), new NettyHttpClientProvider());
        for (int i = 0; i < 50; i++) {
            assertThat(lm.chat(HI).content()).isEqualTo(CountingServer.ANSWER);
        }
        assertThat(lm.chatAsync(HI).get(5, TimeUnit.SECONDS).content()).isEqualTo(CountingServer.ANSWER);
        assertThat(server.requests).hasValue(51);
        assertThat(server.opened).hasValue(1);
    }

    @Test
    void sequentialStreamsShareOneKeptAliveConnection() throws Exception {
        CountingServer server = keep(new CountingServer());
        LlmRotate lm = engine(server.baseUrl(), new NettyHttpClientProvider());
        for (int i = 0; i < 50; i++) {
            try (ChatStream stream = lm.chatStream(HI)) {
                assertThat(stream.collect().content()).isEqualTo(CountingServer.ANSWER);
            }
        }
        assertThat(server.requests).hasValue(50);
        // The stream's [DONE] and the body's end arrive together: closing the stream after [DONE] keeps the
        // connection when its end is in hand (a new connection per stream would cost a connect every time).
        assertThat(server.opened).hasValue(1);
    }

    @Test
    void concurrentCallsBeyondThePoolWaitForAConnectionAndAllSucceed() throws Exception {
        CountingServer server = keep(new CountingServer()).delay(Duration.ofMillis(30));
        LlmRotate lm = engine(server.baseUrl(), new NettyHttpClientProvider().maxConnectionsPerHost(3));
        List<CompletableFuture<ChatResponse>> calls = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            calls.add(lm.chatAsync(HI));
        }
        for (CompletableFuture<ChatResponse> call : calls) {
            assertThat(call.get(10, TimeUnit.SECONDS).content()).isEqualTo(CountingServer.ANSWER);
        }
        assertThat(server.opened.get()).isBetween(1, 3);
        assertThat(server.mostInHand.get()).isBetween(1, 3);
        assertThat(server.requests).hasValue(30);
    }

    @Test
    void anIdleConnectionIsClosedAndTheNextCallOpensAnother() throws Exception {
        CountingServer server = keep(new CountingServer());
        LlmRotate lm = engine(server.baseUrl(), new NettyHttpClientProvider().idleTimeout(Duration.ofMillis(200)));
        assertThat(lm.chat(HI).content()).isEqualTo(CountingServer.ANSWER);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.closed.get() == 1);
        assertThat(lm.chat(HI).content()).isEqualTo(CountingServer.ANSWER);
        assertThat(server.opened).hasValue(2);
    }

    @Test
    void cancellingAnAsyncCallClosesItsConnectionAndRecordsItCancelled() throws Exception {
        CountingServer server = keep(new CountingServer()).delay(Duration.ofSeconds(5));
        LlmRotate lm = engine(server.baseUrl(), new NettyHttpClientProvider());
        CompletableFuture<ChatResponse> call = lm.chatAsync(HI);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests.get() == 1);
        call.cancel(true);
        await().atMost(Duration.ofSeconds(2)).until(() -> server.closed.get() == 1);
        await().atMost(Duration.ofSeconds(2)).until(() -> lm.recentCalls(10).size() == 1);
        assertThat(lm.recentCalls(10).get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
        // The key is not blamed: the next call is served (on a new connection).
        server.delay(Duration.ZERO);
        assertThat(lm.chat(HI).content()).isEqualTo(CountingServer.ANSWER);
    }

    @Test
    void streamedChunksAreHandedOverAsTheyArrive() {
        FakeOpenAiServer openai = keep(FakeOpenAiServer.start());
        openai.byDefault()
                .always(FakeResponse.ok("one two three")
                        .withChunks("one ", "two ", "three")
                        .withChunkDelay(Duration.ofMillis(400)));
        LlmRotate lm = engine(openai.baseUrl(), new NettyHttpClientProvider());
        long start = System.nanoTime();
        List<Long> arrivals = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        try (ChatStream stream = lm.chatStream(HI)) {
            for (StreamChunk chunk : stream) {
                if (!chunk.delta().isEmpty()) {
                    arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    text.append(chunk.delta());
                }
            }
        }
        assertThat(text).hasToString("one two three");
        // Each chunk came when it was sent, not when the body ended (at 800 ms or more).
        assertThat(arrivals).hasSize(3);
        assertThat(arrivals.get(0)).isLessThan(arrivals.get(2) - 600);
        assertThat(arrivals.get(1)).isLessThan(arrivals.get(2) - 200);
    }

    @Test
    void anAsyncCallOnADirectExecutorCompletesOnTheClientsEventLoop() throws Exception {
        CountingServer server = keep(new CountingServer());
        LlmRotate lm = engine(server.baseUrl(), new NettyHttpClientProvider());
        String thread = lm.chatAsync(HI, Runnable::run)
                .thenApply(response -> Thread.currentThread().getName())
                .get(5, TimeUnit.SECONDS);
        assertThat(thread).startsWith("llm-rotate-http");
    }

    @Test
    void anAsyncCallMadeOnAnEventLoopIsAnsweredOnThatLoopAndABlockingOneStillWorksThere() throws Exception {
        CountingServer server = keep(new CountingServer());
        LlmRotate lm = engine(server.baseUrl(), new NettyHttpClientProvider());
        EventLoopGroup callers = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("caller-loop", true), NioIoHandler.newFactory());
        keep(() -> callers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        CompletableFuture<String> answeredOn = new CompletableFuture<>();
        callers.execute(() -> lm.chatAsync(HI, Runnable::run).whenComplete((response, failure) -> {
            if (failure != null) {
                answeredOn.completeExceptionally(failure);
            } else {
                answeredOn.complete(Thread.currentThread().getName());
            }
        }));
        assertThat(answeredOn.get(5, TimeUnit.SECONDS)).startsWith("caller-loop");
        // A blocking call there takes the client's own loops: it is answered, not stuck waiting for its own thread.
        assertThat(callers.submit(() -> lm.chat(HI).content()).get(5, TimeUnit.SECONDS))
                .isEqualTo(CountingServer.ANSWER);
    }

    @Test
    void aRefusedConnectionIsAConnectionError() throws Exception {
        int port;
        try (java.net.ServerSocket unused = new java.net.ServerSocket(0)) {
            port = unused.getLocalPort();
        }
        LlmRotate lm = engine(URI.create("http://127.0.0.1:" + port + "/v1"), new NettyHttpClientProvider());
        ExecutionException failed = catchThrowableOfType(
                ExecutionException.class, () -> lm.chatAsync(HI).get(5, TimeUnit.SECONDS));
        assertThat(failed.getCause()).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.CONNECTION_ERROR);
            assertThat(e.getMessage()).contains("connection refused");
        });
    }
}

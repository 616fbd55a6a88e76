package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's admission queue over real HTTP on loopback: calls over {@code max_concurrent_calls} wait in order
 * and are served as calls in flight end; a full queue, a wait over {@code max_queue_wait} and a closing gateway
 * answer at once; a client that goes leaves the queue.
 */
class GatewayQueueTest {
    private static final String MINI = "gpt-4o-mini";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();
    // HTTP/1.1: a connection of its own per call (an h2c upgrade would hold the others back until it is decided).
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    private LlmRotate lm;
    private Gateway gateway;

    @AfterEach
    void closeAll() {
        if (gateway != null) {
            gateway.close();
        }
        if (lm != null) {
            lm.close();
        }
        openai.close();
    }

    private void start(Consumer<GatewayOptions.Builder> options) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .key(KeySpec.builder("oa-1", "openai")
                        .secretRef(SecretRef.parse("env://GW_QUEUE", name -> "sk-queue-0123456789abcdef"))
                        .models(MINI)
                        .build())
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withRequestTimeout(Duration.ofSeconds(10)))
                .build();
        lm = LlmRotate.create(config);
        lm.onCall(records::add);
        GatewayOptions.Builder builder = GatewayOptions.builder().port(0);
        options.accept(builder);
        gateway = Gateway.start(lm, builder.build());
    }

    /** Sends a chat call asking for {@code content} without waiting for its answer. */
    private CompletableFuture<HttpResponse<String>> send(String content) {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(
                HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(30))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MINI
                                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        sent.add(answer);
        return answer;
    }

    private static String content(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body())
                .path("choices")
                .path(0)
                .path("message")
                .path("content")
                .asText();
    }

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).path("error");
    }

    /** Answers each call with its own prompt after {@code delay}. */
    private void echoAfter(Duration delay) {
        openai.byDefault()
                .respond(request -> FakeResponse.ok(request.json()
                                .path("messages")
                                .path(0)
                                .path("content")
                                .asText())
                        .delay(delay));
    }

    @Test
    void callsOverTheLimitWaitAndAreServedInOrderAsCallsEnd() throws Exception {
        start(o -> o.maxConcurrentCalls(1).maxQueuedCalls(3));
        Semaphore gate = new Semaphore(0); // the provider answers a call only when the test lets it
        openai.byDefault().respond(request -> {
            try {
                assertThat(gate.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return FakeResponse.ok(
                    request.json().path("messages").path(0).path("content").asText());
        });
        send("first");
        await().until(() -> gateway.callsInFlight() == 1);
        for (String name : List.of("second", "third", "fourth")) {
            send(name);
            int queued = sent.size() - 1;
            await().until(() -> gateway.callsQueued() == queued);
        }
        gate.release(4);

        List<String> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : sent) {
            HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            answers.add(content(response));
        }
        assertThat(answers).containsExactly("first", "second", "third", "fourth");
        // The provider saw them one at a time, in the order they came.
        assertThat(openai.requests())
                .extracting(
                        r -> r.json().path("messages").path(0).path("content").asText())
                .containsExactly("first", "second", "third", "fourth");
        await().until(() -> records.size() == 4);
        assertThat(gateway.callsInFlight()).isZero();
        assertThat(gateway.callsQueued()).isZero();
    }

    @Test
    void aFullQueueIs429AtOnce() throws Exception {
        start(o -> o.maxConcurrentCalls(1).maxQueuedCalls(1));
        echoAfter(Duration.ofSeconds(1));
        send("first");
        await().until(() -> gateway.callsInFlight() == 1);
        send("second");
        await().until(() -> gateway.callsQueued() == 1);

        HttpResponse<String> third = send("third").get(5, TimeUnit.SECONDS);

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("retry-after")).hasValue("1");
        assertThat(error(third).path("code").asText()).isEqualTo("gateway_busy");
        assertThat(error(third).path("message").asText()).contains("1 calls in flight and 1 waiting");
        assertThat(content(sent.get(0).get(10, TimeUnit.SECONDS))).isEqualTo("first");
        assertThat(content(sent.get(1).get(10, TimeUnit.SECONDS))).isEqualTo("second");
        assertThat(openai.requestCount()).isEqualTo(2);
    }

    @Test
    void aCallThatWaitsLongerThanMaxQueueWaitIs429AndIsNeverMade() throws Exception {
        start(o -> o.maxConcurrentCalls(1).maxQueuedCalls(4).maxQueueWait(Duration.ofMillis(300)));
        echoAfter(Duration.ofSeconds(2));
        send("first");
        await().until(() -> gateway.callsInFlight() == 1);

        HttpResponse<String> second = send("second").get(10, TimeUnit.SECONDS);

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(error(second).path("message").asText()).contains("waited 300 ms in the queue");
        assertThat(gateway.callsQueued()).isZero();
        assertThat(content(sent.get(0).get(10, TimeUnit.SECONDS))).isEqualTo("first");
        assertThat(openai.requestCount()).isEqualTo(1);
        await().until(() -> records.size() == 1);
    }

    @Test
    void aClientThatGoesWhileQueuedLeavesTheQueueAndItsCallIsNeverMade() throws Exception {
        start(o -> o.maxConcurrentCalls(1).maxQueuedCalls(4));
        echoAfter(Duration.ofMillis(800));
        send("first");
        await().until(() -> gateway.callsInFlight() == 1);
        try (Socket leaving = GatewayWire.sendChat(
                gateway.port(),
                "{\"model\":\"" + MINI + "\",\"messages\":[{\"role\":\"user\",\"content\":\"leaving\"}]}")) {
            await().until(() -> gateway.callsQueued() == 1);
        } // the client goes

        await().atMost(Duration.ofSeconds(5)).until(() -> gateway.callsQueued() == 0);

        assertThat(content(sent.get(0).get(10, TimeUnit.SECONDS))).isEqualTo("first");
        HttpResponse<String> after = send("after").get(10, TimeUnit.SECONDS);
        assertThat(content(after)).isEqualTo("after");
        assertThat(openai.requests())
                .extracting(
                        r -> r.json().path("messages").path(0).path("content").asText())
                .containsExactly("first", "after");
        await().until(() -> gateway.callsInFlight() == 0);
    }

    @Test
    void closingFinishesTheCallInFlightAndRefusesTheQueuedOnesWith503() throws Exception {
        start(o -> o.maxConcurrentCalls(1).maxQueuedCalls(4));
        echoAfter(Duration.ofMillis(800));
        send("first");
        await().until(() -> gateway.callsInFlight() == 1);
        send("second");
        send("third");
        await().until(() -> gateway.callsQueued() == 2);

        gateway.close();

        assertThat(content(sent.get(0).get(10, TimeUnit.SECONDS))).isEqualTo("first");
        for (CompletableFuture<HttpResponse<String>> queued : sent.subList(1, 3)) {
            HttpResponse<String> response = queued.get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(error(response).path("code").asText()).isEqualTo("shutting_down");
        }
        assertThat(openai.requestCount()).isEqualTo(1);
        assertThat(records).hasSize(1);
    }
}

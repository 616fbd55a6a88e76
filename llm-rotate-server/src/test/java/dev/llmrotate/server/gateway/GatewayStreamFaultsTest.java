package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.config.StreamRecovery;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every stream fault of a provider, seen by a client of the gateway over real HTTP on loopback: before the first
 * chunk the fault is rotated away unseen (the client gets the next key's whole answer), after it the answer ends with
 * one error event and no {@code [DONE]}, and with {@code stream_recovery} on the client gets one uninterrupted answer.
 */
class GatewayStreamFaultsTest {
    private static final String MINI = "gpt-4o-mini";
    private static final String ANSWER = "one two three";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
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

    private static String secret(String keyId) {
        return "sk-faults-" + keyId + "-0123456789abcdef";
    }

    private static KeySpec key(String id) {
        return KeySpec.builder(id, "openai")
                .secretRef(SecretRef.parse("env://GW_" + id, name -> secret(id)))
                .models(MINI)
                .build();
    }

    /** Two OpenAI keys tried in order (oa-1 first), with short stream timeouts and the given stream recovery. */
    private void start(StreamRecovery recovery) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(key("oa-1"), key("oa-2")))
                .provider(
                        "openai",
                        s -> s.withBaseUrl(openai.baseUrl())
                                .withRequestTimeout(Duration.ofSeconds(5))
                                .withFirstChunkTimeout(Duration.ofMillis(500))
                                .withStreamIdleTimeout(Duration.ofMillis(500))
                                .withStreamRecovery(recovery))
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO))
                .build();
        lm = LlmRotate.create(config);
        lm.onCall(records::add);
        gateway = Gateway.start(lm, GatewayOptions.builder().port(0).build());
    }

    private HttpResponse<String> stream() throws Exception {
        String body = "{\"model\":\"" + MINI + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}";
        return http.send(
                HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(20))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The text of every content delta, joined. */
    private static String text(List<String> events) throws Exception {
        StringBuilder text = new StringBuilder();
        for (String event : events) {
            if (event.equals("[DONE]")) {
                continue;
            }
            JsonNode choices = JSON.readTree(event).path("choices");
            for (JsonNode choice : choices) {
                text.append(choice.path("delta").path("content").asText(""));
            }
        }
        return text.toString();
    }

    private static FakeResponse counting() {
        return FakeResponse.ok(ANSWER).withChunks("one ", "two ", "three");
    }

    static Stream<Arguments> faultsBeforeTheFirstChunk() {
        return Stream.of(
                Arguments.of("slow first chunk", (UnaryOperator<FakeResponse>)
                        r -> r.firstChunkDelay(Duration.ofSeconds(3))),
                Arguments.of("keep-alives but no content", (UnaryOperator<FakeResponse>)
                        r -> r.keepAlivesBeforeFirstChunk(Duration.ofMillis(50))),
                Arguments.of("reset before data", (UnaryOperator<FakeResponse>) r -> FakeResponse.connectionDrop()),
                Arguments.of("cut before data", (UnaryOperator<FakeResponse>) r -> r.cutAfterChunks(0)),
                Arguments.of(
                        "429", (UnaryOperator<FakeResponse>) r -> FakeResponse.rateLimited(Duration.ofSeconds(30))),
                Arguments.of("503", (UnaryOperator<FakeResponse>) r -> FakeResponse.overloaded()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsBeforeTheFirstChunk")
    void aFaultBeforeTheFirstChunkIsRotatedAwayUnseen(String fault, UnaryOperator<FakeResponse> broken)
            throws Exception {
        start(StreamRecovery.OFF);
        openai.forKey(secret("oa-1")).always(broken.apply(counting()));
        openai.forKey(secret("oa-2")).always(counting());

        HttpResponse<String> response = stream();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(GatewayHeaders.KEY)).hasValue("oa-2");
        List<String> events = GatewayWire.events(response.body());
        assertThat(text(events)).isEqualTo(ANSWER);
        assertThat(events).last().isEqualTo("[DONE]");
        assertThat(response.body()).doesNotContain("\"error\"");
        await().until(() -> records.size() == 1);
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(records.get(0).attempts()).isEqualTo(2);
    }

    static Stream<Arguments> faultsAfterTheFirstChunk() {
        return Stream.of(
                Arguments.of("cut", (UnaryOperator<FakeResponse>) r -> r.cutAfterChunks(2)),
                Arguments.of("stall", (UnaryOperator<FakeResponse>) r -> r.stallAfterChunks(2)),
                Arguments.of("keep-alives but no more content", (UnaryOperator<FakeResponse>)
                        r -> r.keepAlivesAfterChunks(2, Duration.ofMillis(50))),
                Arguments.of("malformed event", (UnaryOperator<FakeResponse>) r -> r.malformedEventAfterChunks(2)),
                Arguments.of("in-band error", (UnaryOperator<FakeResponse>)
                        r -> r.errorEventAfterChunks(2, "server_error")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsAfterTheFirstChunk")
    void aFaultAfterTheFirstChunkEndsTheAnswerWithOneErrorEventAndNoDone(
            String fault, UnaryOperator<FakeResponse> broken) throws Exception {
        start(StreamRecovery.OFF);
        openai.forKey(secret("oa-1")).always(broken.apply(counting()));
        openai.forKey(secret("oa-2")).always(counting());

        HttpResponse<String> response = stream();

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = GatewayWire.events(response.body());
        assertThat(events).doesNotContain("[DONE]");
        assertThat(text(events.subList(0, events.size() - 1))).isEqualTo("one two ");
        JsonNode last = JSON.readTree(events.get(events.size() - 1));
        assertThat(last.path("error").path("code").asText()).isEqualTo("stream_interrupted");
        assertThat(events).filteredOn(e -> e.contains("\"error\"")).hasSize(1);
        await().until(() -> records.size() == 1);
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.INTERRUPTED);
        assertThat(openai.requestCount(secret("oa-2"))).isZero();
    }

    @Test
    void aStreamWithoutItsEndMarkerIsCompleteWhenItsFinishReasonCame() throws Exception {
        start(StreamRecovery.OFF);
        openai.byDefault().always(counting().missingEndMarker());

        HttpResponse<String> response = stream();

        List<String> events = GatewayWire.events(response.body());
        assertThat(text(events)).isEqualTo(ANSWER);
        assertThat(response.body()).doesNotContain("\"error\"");
        JsonNode finish = JSON.readTree(events.get(events.size() - 2));
        assertThat(finish.path("choices").path(0).path("finish_reason").asText())
                .isEqualTo("stop");
        assertThat(events).last().isEqualTo("[DONE]");
        await().until(() -> records.size() == 1);
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.SUCCESS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsAfterTheFirstChunk")
    void withStreamRecoveryTheClientGetsOneUninterruptedAnswer(String fault, UnaryOperator<FakeResponse> broken)
            throws Exception {
        start(StreamRecovery.REPLAY);
        openai.forKey(secret("oa-1")).always(broken.apply(counting()));
        openai.forKey(secret("oa-2")).always(counting());

        HttpResponse<String> response = stream();

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = GatewayWire.events(response.body());
        assertThat(response.body()).doesNotContain("\"error\"");
        assertThat(text(events)).isEqualTo(ANSWER);
        assertThat(events).last().isEqualTo("[DONE]");
        // One answer to the client: every chunk carries the same id.
        assertThat(events.subList(0, events.size() - 1).stream()
                        .map(e -> {
                            try {
                                return JSON.readTree(e).path("id").asText();
                            } catch (Exception ex) {
                                throw new AssertionError(e, ex);
                            }
                        })
                        .distinct())
                .hasSize(1);
        await().until(() -> records.size() == 1);
        CallRecord record = records.get(0);
        assertThat(record.outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(record.recoveries())
                .extracting(CallRecord.Recovery::outcome)
                .containsExactly(CallRecord.Recovery.RECOVERED);
        assertThat(openai.requestCount(secret("oa-2"))).isEqualTo(1);
    }
}

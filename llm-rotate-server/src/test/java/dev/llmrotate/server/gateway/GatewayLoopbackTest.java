package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import dev.llmrotate.testkit.FakeAnthropicServer;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway over real HTTP on loopback, with the testkit's fake OpenAI and Anthropic servers behind an {@link
 * LlmRotate}: plain and streamed answers in OpenAI's shape, rotation and fallback unseen by the client, model
 * addressing and pinning, the error statuses, gateway keys, stream faults after the first chunk, a client that goes,
 * the concurrency limit and a graceful close.
 */
class GatewayLoopbackTest {
    static final String MINI = "gpt-4o-mini";
    static final String CLAUDE = "claude-3-5-haiku-latest";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final FakeAnthropicServer anthropic = FakeAnthropicServer.start();
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private LlmRotate lm;
    private Gateway gateway;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        openai.close();
        anthropic.close();
    }

    static String secret(String keyId) {
        return "sk-gateway-" + keyId + "-0123456789abcdef";
    }

    private static KeySpec key(String id, String provider, String... models) {
        return KeySpec.builder(id, provider)
                .secretRef(SecretRef.parse("env://GW_" + id, name -> secret(id)))
                .models(models)
                .build();
    }

    /** Two OpenAI keys and one Anthropic key; gpt-4o-mini falls back to Claude. */
    private void start(Consumer<GatewayOptions.Builder> options) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(
                        key("oa-1", "openai", MINI, "openai/gpt-4o-mini"),
                        key("oa-2", "openai", MINI),
                        key("an-1", "anthropic", CLAUDE)))
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .provider(
                        "anthropic", s -> s.withBaseUrl(anthropic.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .strategy(SelectionStrategyType.PRIORITY)
                .modelFallback(MINI, FallbackTarget.to("anthropic").withModel(CLAUDE))
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO))
                .build();
        lm = LlmRotate.create(config);
        opened.add(lm);
        lm.onCall(records::add);
        GatewayOptions.Builder builder = GatewayOptions.builder().port(0);
        options.accept(builder);
        gateway = Gateway.start(lm, builder.build());
        opened.add(gateway);
    }

    private void start() {
        start(o -> {});
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri().resolve(path))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(gateway.uri().resolve(path)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void aPlainCallIsAnsweredInOpenAisShapeWithTheCallsHeaders() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.ok("hello there", 12, 3));
        HttpResponse<String> response = post("/v1/chat/completions", chat(MINI, false));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = json(response);
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo("hello there");
        assertThat(body.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(12);
        assertThat(body.get("usage").get("completion_tokens").asInt()).isEqualTo(3);
        await().until(() -> records.size() == 1);
        CallRecord record = records.get(0);
        assertThat(response.headers().firstValue(GatewayHeaders.REQUEST_ID)).hasValue(record.callId());
        assertThat(body.get("id").asText()).isEqualTo("chatcmpl-" + record.callId());
        assertThat(response.headers().firstValue(GatewayHeaders.PROVIDER)).hasValue("openai");
        assertThat(response.headers().firstValue(GatewayHeaders.KEY)).hasValue("oa-1");
        assertThat(response.headers().firstValue(GatewayHeaders.ATTEMPTS)).hasValue("1");
        assertThat(response.headers().firstValue(GatewayHeaders.FALLBACK)).hasValue("false");
        assertThat(openai.requests().get(0).body()).contains("\"model\":\"gpt-4o-mini\"");
    }

    @Test
    void rateLimitsAndAFallbackAcrossProvidersAreUnseenByTheClient() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.ok("from claude", 8, 2));

        HttpResponse<String> plain = post("/v1/chat/completions", chat(MINI, false));
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(json(plain)
                        .get("choices")
                        .get(0)
                        .get("message")
                        .get("content")
                        .asText())
                .isEqualTo("from claude");
        assertThat(json(plain).get("model").asText()).isEqualTo(CLAUDE);
        assertThat(plain.headers().firstValue(GatewayHeaders.PROVIDER)).hasValue("anthropic");
        assertThat(plain.headers().firstValue(GatewayHeaders.FALLBACK)).hasValue("true");
        assertThat(plain.headers().firstValue(GatewayHeaders.ATTEMPTS)).hasValue("3");

        anthropic.byDefault().always(FakeResponse.ok("streamed claude").withChunks("streamed ", "claude"));
        HttpResponse<String> streamed = post("/v1/chat/completions", chat(MINI, true));
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue(GatewayHeaders.PROVIDER)).hasValue("anthropic");
        List<String> events = GatewayWire.events(streamed.body());
        assertThat(events).last().isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            if (chunk.get("choices").size() > 0) {
                text.append(
                        chunk.get("choices").get(0).get("delta").path("content").asText(""));
            }
        }
        assertThat(text.toString()).isEqualTo("streamed claude");
    }

    /** Fields the library has no place for reach OpenAI-format upstreams and are left out for Anthropic. */
    @Test
    void passThroughFieldsGoToOpenAiFormatUpstreamsOnly() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.ok("from openai"));
        anthropic.byDefault().always(FakeResponse.ok("from claude"));
        String body = "{\"model\":\"gpt-4o-mini\",\"seed\":7,\"user\":\"end-user-1\",\"x_vendor_flag\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertThat(post("/v1/chat/completions", body).statusCode()).isEqualTo(200);
        JsonNode sent = JSON.readTree(openai.requests().get(0).body());
        assertThat(sent.get("seed").asInt()).isEqualTo(7);
        assertThat(sent.get("user").asText()).isEqualTo("end-user-1");
        assertThat(sent.get("x_vendor_flag").asBoolean()).isTrue();

        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        HttpResponse<String> fellBack = post("/v1/chat/completions", body);
        assertThat(fellBack.statusCode()).isEqualTo(200);
        assertThat(fellBack.headers().firstValue(GatewayHeaders.PROVIDER)).hasValue("anthropic");
        JsonNode toClaude = JSON.readTree(anthropic.requests().get(0).body());
        assertThat(toClaude.has("seed") || toClaude.has("user") || toClaude.has("x_vendor_flag"))
                .as("Anthropic would refuse OpenAI's fields: " + toClaude)
                .isFalse();
    }

    @Test
    void aStreamRelaysChunksAndEndsWithUsageThenDone() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.ok("a b c", 5, 3).withChunks("a ", "b ", "c"));
        HttpResponse<String> response = post("/v1/chat/completions", chat(MINI, true));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
        List<String> events = GatewayWire.events(response.body());
        assertThat(events).last().isEqualTo("[DONE]");
        JsonNode usage = JSON.readTree(events.get(events.size() - 2));
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.get("usage").get("prompt_tokens").asInt()).isEqualTo(5);
        JsonNode finish = JSON.readTree(events.get(events.size() - 3));
        assertThat(finish.get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
        await().until(() -> records.size() == 1);
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(response.headers().firstValue(GatewayHeaders.REQUEST_ID))
                .hasValue(records.get(0).callId());

        // Without include_usage the usage chunk stays upstream.
        HttpResponse<String> noUsage = post(
                "/v1/chat/completions",
                "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(GatewayWire.events(noUsage.body())).noneMatch(e -> e.contains("\"usage\""));
        assertThat(openai.requests().get(1).body()).contains("\"include_usage\":true");
    }

    @Test
    void aFailureAfterTheFirstChunkEndsWithOneErrorEventAndNoDone() throws Exception {
        start();
        openai.byDefault()
                .always(FakeResponse.ok("one two three")
                        .withChunks("one ", "two ", "three")
                        .cutAfterChunks(2));
        HttpResponse<String> response = post("/v1/chat/completions", chat(MINI, true));

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = GatewayWire.events(response.body());
        assertThat(events).doesNotContain("[DONE]");
        JsonNode last = JSON.readTree(events.get(events.size() - 1));
        assertThat(last.get("error").get("code").asText()).isEqualTo("stream_interrupted");
        assertThat(events.stream().filter(e -> e.contains("\"error\"")).count()).isEqualTo(1);
        await().until(() -> records.size() == 1);
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.INTERRUPTED);
    }

    @Test
    void aClientThatGoesCancelsTheUpstreamStream() throws Exception {
        start();
        openai.byDefault()
                .always(FakeResponse.ok("slow").withChunks("s", "l", "o", "w").withChunkDelay(Duration.ofSeconds(2)));
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(chat(MINI, true)))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(reader.readLine()).startsWith("data: ");
        } // closing the body closes the connection
        await().atMost(Duration.ofSeconds(10)).until(() -> records.size() == 1);
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
        await().until(() -> gateway.callsInFlight() == 0);
    }

    @Test
    void aClientThatGoesDuringAPlainCallCancelsIt() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.ok("slow").delay(Duration.ofSeconds(5)));
        try (Socket client = GatewayWire.sendChat(gateway.port(), chat(MINI, false))) {
            await().until(() -> openai.requestCount() == 1);
        } // the client goes while the provider thinks

        await().atMost(Duration.ofSeconds(3)).until(() -> records.size() == 1);
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
        await().until(() -> gateway.callsInFlight() == 0);
    }

    @Test
    void everyFailureHasItsStatusAndAnOpenAiError() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.invalidApiKey());
        anthropic.byDefault().always(FakeResponse.invalidApiKey());
        HttpResponse<String> none = post("/v1/chat/completions", chat(MINI, false));
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(json(none).get("error").get("code").asText()).isEqualTo("no_available_key");
        assertThat(none.headers().firstValue("retry-after")).isPresent();
        assertThat(none.body()).doesNotContain("0123456789abcdef");

        HttpResponse<String> unknown = post("/v1/chat/completions", chat("no-such-model", false));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).get("error").get("code").asText()).isEqualTo("model_not_found");

        HttpResponse<String> malformed = post("/v1/chat/completions", "{\"model\": \"gpt-4o-mini\", \"messages\": 5}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("error").get("param").asText()).isEqualTo("messages");
        assertThat(json(malformed).get("error").get("type").asText()).isEqualTo("invalid_request_error");

        HttpResponse<String> notJson = post("/v1/chat/completions", "{not json");
        assertThat(notJson.statusCode()).isEqualTo(400);

        HttpResponse<String> embeddings = post("/v1/embeddings", "{}");
        assertThat(embeddings.statusCode()).isEqualTo(404);
        assertThat(json(embeddings).get("error").get("message").asText())
                .contains("/v1/embeddings", "POST /v1/chat/completions", "GET /v1/models");

        HttpResponse<String> wrongMethod = get("/v1/chat/completions");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        start(o -> o.maxBodyBytes(1024));
        String big = chat(MINI, false).replace("\"hi\"", "\"" + "x".repeat(2000) + "\"");
        HttpResponse<String> response = post("/v1/chat/completions", big);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void modelsAreListedAndAddressedExactlyThenByProviderPrefixThenByHeader() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.ok("openai answers"));
        anthropic.byDefault().always(FakeResponse.ok("anthropic answers"));

        JsonNode models = json(get("/v1/models"));
        assertThat(models.get("object").asText()).isEqualTo("list");
        List<String> ids = new ArrayList<>();
        models.get("data")
                .forEach(m ->
                        ids.add(m.get("id").asText() + "@" + m.get("owned_by").asText()));
        assertThat(ids)
                .containsExactly(
                        "claude-3-5-haiku-latest@anthropic", "gpt-4o-mini@openai", "openai/gpt-4o-mini@openai");

        // A configured id containing '/' is that model, even though "openai" is a provider too.
        post("/v1/chat/completions", chat("openai/gpt-4o-mini", false));
        assertThat(openai.requests().get(0).body()).contains("\"model\":\"openai/gpt-4o-mini\"");

        // provider/model pins the provider: no fallback to Claude when OpenAI is out.
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        HttpResponse<String> pinned = post("/v1/chat/completions", chat("anthropic/" + CLAUDE, false));
        assertThat(pinned.statusCode()).isEqualTo(200);
        assertThat(pinned.headers().firstValue(GatewayHeaders.PROVIDER)).hasValue("anthropic");
        assertThat(anthropic.requests().get(0).body()).contains("\"model\":\"" + CLAUDE + "\"");
        HttpResponse<String> pinnedOut =
                post("/v1/chat/completions", chat(MINI, false), GatewayHeaders.PROVIDER, "openai");
        assertThat(pinnedOut.statusCode()).as("pinned: no fallback chain").isEqualTo(503);

        HttpResponse<String> badPin =
                post("/v1/chat/completions", chat(MINI, false), GatewayHeaders.PROVIDER, "opneai");
        assertThat(badPin.statusCode()).isEqualTo(400);
        assertThat(json(badPin).get("error").get("message").asText()).contains("opneai", "anthropic, openai");
    }

    @Test
    void gatewayKeysAreRequiredAndLimitTheModels() throws Exception {
        start(o -> o.keys(List.of(
                GatewayKey.of("team-a", "gw-secret-a", Set.of(), null),
                GatewayKey.of("team-b", "gw-secret-b", Set.of(CLAUDE), null))));
        openai.byDefault().always(FakeResponse.ok("ok"));
        anthropic.byDefault().always(FakeResponse.ok("ok"));

        HttpResponse<String> missing = post("/v1/chat/completions", chat(MINI, false));
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(json(missing).get("error").get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(post("/v1/chat/completions", chat(MINI, false), "authorization", "Bearer wrong")
                        .statusCode())
                .isEqualTo(401);
        assertThat(get("/v1/models").statusCode()).isEqualTo(401);
        assertThat(openai.requestCount()).isZero();

        assertThat(post("/v1/chat/completions", chat(MINI, false), "authorization", "Bearer gw-secret-a")
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> notAllowed =
                post("/v1/chat/completions", chat(MINI, false), "authorization", "Bearer gw-secret-b");
        assertThat(notAllowed.statusCode()).isEqualTo(403);
        assertThat(json(notAllowed).get("error").get("code").asText()).isEqualTo("model_not_allowed");
        assertThat(post("/v1/chat/completions", chat(CLAUDE, false), "authorization", "Bearer gw-secret-b")
                        .statusCode())
                .isEqualTo(200);
        await().until(() -> records.size() == 2);
        assertThat(records)
                .extracting(CallRecord::caller)
                .as("each record names the gateway key that made the call")
                .containsExactlyInAnyOrder("team-a", "team-b");
        JsonNode teamB = json(get("/v1/models", "authorization", "Bearer gw-secret-b"));
        assertThat(teamB.get("data")).hasSize(1);
        assertThat(GatewayKey.of("x", "gw-secret-a", Set.of(), null).toString()).doesNotContain("gw-secret");
    }

    /**
     * The control server shows usage per gateway key: {@code /usage/models?group_by=caller} and {@code /usage} count
     * each key's calls and tokens, in a time frame too, and {@code /timeseries?caller=} picks one key's calls.
     */
    @Test
    void theControlServerShowsUsagePerGatewayKey() throws Exception {
        start(o -> o.keys(List.of(
                GatewayKey.of("team-a", "gw-secret-a", Set.of(), null),
                GatewayKey.of("team-b", "gw-secret-b", Set.of(CLAUDE), null))));
        ControlServer control =
                ControlServer.start(lm, ControlServerOptions.builder().port(0).build());
        opened.add(control);
        openai.byDefault().always(FakeResponse.ok("hello there", 12, 3).withChunks("hello ", "there"));
        anthropic.byDefault().always(FakeResponse.ok("from claude", 8, 2));

        for (int i = 0; i < 2; i++) {
            assertThat(post("/v1/chat/completions", chat(MINI, false), "authorization", "Bearer gw-secret-a")
                            .statusCode())
                    .isEqualTo(200);
        }
        assertThat(post("/v1/chat/completions", chat(MINI, true), "authorization", "Bearer gw-secret-a")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat(CLAUDE, false), "authorization", "Bearer gw-secret-b")
                        .statusCode())
                .isEqualTo(200);
        assertThat(post("/v1/chat/completions", chat(MINI, false), "authorization", "Bearer wrong")
                        .statusCode())
                .as("refused before any call: counted nowhere")
                .isEqualTo(401);
        await().until(() -> records.size() == 4);

        JsonNode groups = json(controlGet(control, "/usage/models?group_by=caller&window=15m"));
        assertThat(groups.get("group_by").asText()).isEqualTo("caller");
        assertThat(groups.get("frame").get("window").asText()).isEqualTo("15m");
        assertThat(names(groups.get("groups"))).containsExactlyInAnyOrder("team-a", "team-b");
        for (String team : List.of("team-a", "team-b")) {
            JsonNode totals = groups.get("groups").get(team);
            List<CallRecord> own =
                    records.stream().filter(r -> team.equals(r.caller())).toList();
            assertThat(totals.get("calls").asLong()).as(team).isEqualTo(own.size());
            assertThat(totals.get("successes").asLong()).as(team).isEqualTo(own.size());
            assertThat(totals.get("input_tokens").asLong())
                    .as(team)
                    .isEqualTo(own.stream().mapToLong(CallRecord::inputTokens).sum());
            assertThat(totals.get("output_tokens").asLong())
                    .as(team)
                    .isEqualTo(own.stream().mapToLong(CallRecord::outputTokens).sum());
        }
        assertThat(groups.get("groups").get("team-a").get("calls").asInt()).isEqualTo(3);
        assertThat(groups.get("groups").get("team-a").get("input_tokens").asInt())
                .isEqualTo(36);
        assertThat(groups.get("groups").get("team-b").get("input_tokens").asInt())
                .isEqualTo(8);

        JsonNode usage = json(controlGet(control, "/usage"));
        assertThat(usage.get("by_caller")).isEqualTo(groups.get("groups"));
        assertThat(usage.get("overall").get("calls").asInt()).isEqualTo(4);
        JsonNode series = json(controlGet(control, "/timeseries?window=15m&bucket=1m&caller=team-a"));
        assertThat(series.get("filter").get("caller").asText()).isEqualTo("team-a");
        long teamACalls = 0;
        for (JsonNode point : series.get("points")) {
            teamACalls += point.get("totals").get("calls").asLong();
        }
        assertThat(teamACalls).isEqualTo(3);
        java.time.Instant hourAgo =
                java.time.Instant.now().minus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        assertThat(json(controlGet(
                                control,
                                "/usage/models?group_by=caller&since=" + hourAgo.minus(Duration.ofHours(1)) + "&until="
                                        + hourAgo))
                        .get("groups"))
                .as("a frame before the calls")
                .isEmpty();
    }

    private HttpResponse<String> controlGet(ControlServer control, String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(control.uri().resolve(path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void aGatewayKeyOverItsRateLimitIs429WithRetryAfter() throws Exception {
        start(o -> o.keys(List.of(GatewayKey.of("batch", "gw-batch", Set.of(), 2))));
        openai.byDefault().always(FakeResponse.ok("ok"));
        for (int i = 0; i < 2; i++) {
            assertThat(post("/v1/chat/completions", chat(MINI, false), "authorization", "Bearer gw-batch")
                            .statusCode())
                    .isEqualTo(200);
        }
        HttpResponse<String> over = post("/v1/chat/completions", chat(MINI, false), "authorization", "Bearer gw-batch");
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(json(over).get("error").get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(Long.parseLong(over.headers().firstValue("retry-after").orElseThrow()))
                .isBetween(1L, 61L);
        assertThat(openai.requestCount()).isEqualTo(2);
    }

    @Test
    void oneCallOverTheConcurrencyLimitWithoutAQueueIs429() throws Exception {
        start(o -> o.maxConcurrentCalls(1).maxQueuedCalls(0));
        openai.byDefault().always(FakeResponse.ok("slow").delay(Duration.ofSeconds(2)));
        var first = http.sendAsync(
                HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(chat(MINI, false)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        await().until(() -> gateway.callsInFlight() == 1);
        HttpResponse<String> second = post("/v1/chat/completions", chat(MINI, false));
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(json(second).get("error").get("code").asText()).isEqualTo("gateway_busy");
        assertThat(first.get().statusCode()).isEqualTo(200);
    }

    @Test
    void closingLetsCallsInFlightFinish() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.ok("finished").delay(Duration.ofMillis(800)));
        var inFlight = http.sendAsync(
                HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(chat(MINI, false)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        await().until(() -> gateway.callsInFlight() == 1);
        gateway.close();
        HttpResponse<String> answer = inFlight.get();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(json(answer)
                        .get("choices")
                        .get(0)
                        .get("message")
                        .get("content")
                        .asText())
                .isEqualTo("finished");
        assertThat(records).hasSize(1);
    }

    @Test
    void aNonLoopbackHostNeedsGatewayKeysOrTheExplicitFlag() {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(key("oa-1", "openai", MINI)))
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                .build();
        lm = LlmRotate.create(config);
        opened.add(lm);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Gateway.start(
                        lm, GatewayOptions.builder().host("0.0.0.0").port(0).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs gateway keys");
        Gateway open = Gateway.start(
                lm,
                GatewayOptions.builder()
                        .host("0.0.0.0")
                        .port(0)
                        .allowUnauthenticated(true)
                        .build());
        try {
            org.assertj.core.api.Assertions.assertThat(open.uri().toString()).startsWith("http://127.0.0.1:");
        } finally {
            open.close();
        }
    }

    static URI uri(Gateway gateway, String path) {
        return gateway.uri().resolve(path);
    }
}

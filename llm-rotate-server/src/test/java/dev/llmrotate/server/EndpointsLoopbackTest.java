package dev.llmrotate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.testkit.FakeResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every endpoint over real HTTP on loopback: its shape, HEAD, 405, 404 and the 400s of its parameters. */
class EndpointsLoopbackTest {
    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void close() {
        f.close();
    }

    static final List<String> PATHS = List.of(
            "/",
            "/health",
            "/keys",
            "/keys/openai-a",
            "/keys/openai-a/history",
            "/usage",
            "/usage/models",
            "/events",
            "/config",
            "/livez",
            "/readyz",
            "/version",
            "/openapi.json",
            "/metrics");

    @Test
    void theIndexListsEveryEndpoint() {
        JsonNode index = f.get("/").json();
        List<String> endpoints = new ArrayList<>();
        index.get("endpoints").forEach(e -> endpoints.add(e.asText()));
        assertThat(endpoints)
                .containsExactly(
                        "/",
                        "/health",
                        "/keys",
                        "/keys/{key_id}",
                        "/keys/{key_id}/history",
                        "/usage",
                        "/usage/models",
                        "/timeseries",
                        "/events",
                        "/config",
                        "/livez",
                        "/readyz",
                        "/version",
                        "/openapi.json",
                        "/metrics");
        assertThat(index.get("openapi").asText()).isEqualTo("/openapi.json");
    }

    @Test
    void healthIsTheReportWithAStatus() {
        f.call(ServerFixture.MINI);
        ServerFixture.Reply reply = f.get("/health");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).isEqualTo("application/json; charset=utf-8");
        assertThat(reply.header("cache-control")).isEqualTo("no-store");
        JsonNode health = reply.json();
        assertThat(health.get("status").asText()).isEqualTo("ok");
        assertThat(health.get("generated_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(health.get("available_keys").asInt()).isEqualTo(3);
        assertThat(health.get("total_keys").asInt()).isEqualTo(3);
        assertThat(health.get("providers").get("openai").get("available_keys").asInt())
                .isEqualTo(2);
        JsonNode first = health.get("keys").get(0);
        assertThat(first.get("key_id").asText()).isEqualTo("openai-a");
        assertThat(first.get("key_mask").asText()).isEqualTo("sk-…bbbb");
        assertThat(first.get("state").asText()).isEqualTo("ACTIVE");
        assertThat(first.get("last_success_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(first.get("models").get("gpt-4o").get("state").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void keysJoinHealthConfigurationAndUsage() {
        f.openai
                .forKey(ServerFixture.ENV.get("OPENAI_A"))
                .always(FakeResponse.rateLimited(java.time.Duration.ofSeconds(20)));
        f.call(ServerFixture.MINI);
        JsonNode keys = f.get("/keys").json().get("keys");
        assertThat(keys).hasSize(3);
        JsonNode a = keys.get(0);
        assertThat(a.get("key_id").asText()).isEqualTo("openai-a");
        assertThat(a.get("priority").asInt()).isEqualTo(10);
        assertThat(a.get("budgets").get("rate_limit_rpm").asInt()).isEqualTo(600);
        assertThat(a.get("budgets").get("rate_limit_tpm").isNull()).isTrue();
        JsonNode mini = a.get("models").get(ServerFixture.MINI);
        assertThat(mini.get("state").asText()).isEqualTo("COOLDOWN");
        assertThat(mini.get("available").asBoolean()).isFalse();
        assertThat(mini.get("available_in_seconds").asDouble()).isEqualTo(20.0);
        assertThat(mini.get("last_error_type").asText()).isEqualTo("rate_limit");
        assertThat(a.get("models").get("gpt-4o").get("available").asBoolean()).isTrue();
        assertThat(a.get("available").asBoolean()).isTrue();
        JsonNode b = keys.get(1);
        assertThat(b.get("usage").get("calls").asInt()).isEqualTo(1);
        assertThat(b.get("usage").get("successes").asInt()).isEqualTo(1);
        assertThat(b.get("usage").get("total_tokens").asInt()).isEqualTo(15);

        JsonNode one = f.get("/keys/openai-b").json();
        assertThat(one.get("key_id").asText()).isEqualTo("openai-b");
        assertThat(one.get("key_mask").asText()).isEqualTo("sk-…dddd");
        assertThat(f.get("/keys?provider=openrouter").json().get("keys")).hasSize(1);
        assertThat(f.get("/keys?state=active").json().get("keys")).hasSize(3);
        assertThat(f.get("/keys?state=quarantine").json().get("keys")).isEmpty();
    }

    @Test
    void aKeyIdWithAnEncodedSlashOrColonIsFound() {
        try (ServerFixture special = new ServerFixture(
                c -> c.key(ServerFixture.key("team/prod:1", "openai", "OPENAI_A", ServerFixture.MINI)
                        .build()),
                o -> {})) {
            assertThat(special.get("/keys/team%2Fprod%3A1").json().get("key_id").asText())
                    .isEqualTo("team/prod:1");
        }
    }

    @Test
    void usageAndItsGroups() {
        f.call(ServerFixture.MINI);
        f.call("gpt-4o");
        f.call("openai/gpt-4o-mini");
        JsonNode usage = f.get("/usage").json();
        assertThat(usage.get("frame").isNull()).isTrue();
        assertThat(usage.get("overall").get("calls").asInt()).isEqualTo(3);
        assertThat(usage.get("by_provider").get("openrouter").get("calls").asInt())
                .isEqualTo(1);
        assertThat(usage.get("by_model").get("gpt-4o").get("calls").asInt()).isEqualTo(1);
        assertThat(usage.get("by_key").get("router-1").get("calls").asInt()).isEqualTo(1);
        assertThat(usage.get("by_caller").isObject())
                .as("no call named a caller")
                .isTrue();
        assertThat(usage.get("by_caller")).isEmpty();

        JsonNode models = f.get("/usage/models").json();
        assertThat(models.get("group_by").asText()).isEqualTo("model");
        assertThat(names(models.get("groups"))).containsExactly("gpt-4o", "gpt-4o-mini", "openai/gpt-4o-mini");
        assertThat(names(f.get("/usage/models?group_by=provider").json().get("groups")))
                .containsExactly("openai", "openrouter");
        assertThat(names(f.get("/usage/models?group_by=KEY").json().get("groups")))
                .containsExactly("openai-a", "router-1");
    }

    /**
     * Callers named by an application (not the gateway's configured keys) are bounded: the first {@link
     * StateStore#MAX_CALLERS} are grouped apart, the one after them under {@code _other}.
     */
    @Test
    void usagePerCallerKeepsAtMostTheBoundApart() {
        for (int i = 0; i <= StateStore.MAX_CALLERS; i++) {
            f.lm.chat(ChatRequest.builder(ServerFixture.MINI)
                    .user("hi")
                    .caller("tenant-" + i)
                    .build());
        }
        JsonNode groups =
                f.get("/usage/models?group_by=caller&window=15m").json().get("groups");
        assertThat(groups.size()).isEqualTo(StateStore.MAX_CALLERS + 1);
        assertThat(groups.get("tenant-0").get("calls").asInt()).isEqualTo(1);
        assertThat(groups.has("tenant-" + StateStore.MAX_CALLERS)).isFalse();
        assertThat(groups.get(StateStore.OTHER_CALLER).get("calls").asInt()).isEqualTo(1);
        assertThat(f.get("/usage").json().get("by_caller"))
                .isEqualTo(f.get("/usage/models?group_by=caller").json().get("groups"));
    }

    @Test
    void usageOverATimeFrameCountsTheCallsInIt() {
        f.call(ServerFixture.MINI);
        f.clock.advance(Duration.ofHours(2));
        f.call(ServerFixture.MINI);
        f.call("gpt-4o");

        JsonNode lastHour = f.get("/usage?window=1h").json();
        assertThat(lastHour.get("frame").get("window").asText()).isEqualTo("1h");
        assertThat(lastHour.get("overall").get("calls").asInt()).isEqualTo(2);
        JsonNode sinceStart = f.get("/usage?since=2026-11-25T09:00:00Z").json();
        assertThat(sinceStart.get("overall").get("calls").asInt()).isEqualTo(3);
        JsonNode models = f.get("/usage/models?window=15m").json();
        assertThat(models.get("groups").get("gpt-4o").get("calls").asInt()).isEqualTo(1);
        assertThat(f.get("/usage?window=2h").status()).isEqualTo(400);
        ServerFixture.Reply tooOld = f.get("/usage?since=2026-09-01T00:00:00Z&until=2026-09-02T00:00:00Z");
        assertThat(tooOld.status()).isEqualTo(400);
        assertThat(tooOld.error().get("parameter").asText()).isEqualTo("since");
    }

    @Test
    void timeseriesHasEveryBucketOfTheFrame() {
        f.call(ServerFixture.MINI);
        f.clock.advance(Duration.ofMinutes(3));
        f.call(ServerFixture.MINI);
        f.call("gpt-4o");

        JsonNode series = f.get("/timeseries?window=15m&bucket=1m").json();
        assertThat(series.get("bucket").asText()).isEqualTo("1m");
        JsonNode points = series.get("points");
        assertThat(points.size()).isBetween(15, 16);
        long calls = 0;
        int nonEmpty = 0;
        for (JsonNode p : points) {
            int n = p.get("totals").get("calls").asInt();
            calls += n;
            nonEmpty += n > 0 ? 1 : 0;
        }
        assertThat(calls).isEqualTo(3);
        assertThat(nonEmpty).isEqualTo(2);

        JsonNode onlyGpt4o = f.get("/timeseries?window=15m&model=gpt-4o").json();
        long gpt4o = 0;
        for (JsonNode p : onlyGpt4o.get("points")) {
            gpt4o += p.get("totals").get("calls").asInt();
        }
        assertThat(gpt4o).isEqualTo(1);
        assertThat(onlyGpt4o.get("filter").get("model").asText()).isEqualTo("gpt-4o");

        JsonNode defaultFrame = f.get("/timeseries").json();
        assertThat(defaultFrame.get("bucket").asText()).isEqualTo("1m");
        assertThat(defaultFrame.get("points").size()).isBetween(60, 61);
        assertThat(f.get("/timeseries?window=7d").json().get("bucket").asText()).isEqualTo("1h");

        ServerFixture.Reply minuteBucketsAWeekBack = f.get("/timeseries?window=7d&bucket=1m");
        assertThat(minuteBucketsAWeekBack.status()).isEqualTo(400);
        assertThat(minuteBucketsAWeekBack.error().get("parameter").asText()).isEqualTo("bucket");
        assertThat(f.get("/timeseries?bucket=2m").status()).isEqualTo(400);
    }

    @Test
    void historyListsTheKeysStateChanges() {
        f.openai.forKey(ServerFixture.ENV.get("OPENAI_A")).always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        f.call(ServerFixture.MINI);

        JsonNode history = f.get("/keys/openai-a/history").json();
        assertThat(history.get("key_id").asText()).isEqualTo("openai-a");
        JsonNode changes = history.get("changes");
        assertThat(changes.size()).isGreaterThanOrEqualTo(1);
        JsonNode rateLimited = null;
        for (JsonNode c : changes) {
            if ("COOLDOWN".equals(c.get("to").asText())) {
                rateLimited = c;
            }
        }
        assertThat(rateLimited).as("a cooldown in %s", changes).isNotNull();
        assertThat(rateLimited.get("cause").asText()).isEqualTo("rate_limit");
        assertThat(rateLimited.get("model").asText()).isEqualTo(ServerFixture.MINI);

        assertThat(f.get("/keys/openai-a/history?limit=0").status()).isEqualTo(400);
        assertThat(f.get("/keys/nope/history").status()).isEqualTo(404);
    }

    @Test
    void eventsAreTheUsageLogRecords() {
        f.call(ServerFixture.MINI);
        JsonNode events = f.get("/events").json();
        assertThat(events.get("event_buffer_capacity").asInt()).isEqualTo(500);
        assertThat(events.get("count").asInt()).isEqualTo(1);
        assertThat(events.get("next_cursor").isNull()).isTrue();
        JsonNode record = events.get("events").get(0);
        assertThat(record.fieldNames().next()).isEqualTo("record_version");
        assertThat(record.get("outcome").asText()).isEqualTo("success");
        assertThat(record.get("key_id").asText()).isEqualTo("openai-a");
        assertThat(record)
                .isEqualTo(new ServerFixture.Reply(
                                200, null, f.lm.recentCalls(1).get(0).toJson())
                        .json());
    }

    @Test
    void configIsSanitized() {
        JsonNode config = f.get("/config").json();
        JsonNode key = config.get("keys").get(0);
        assertThat(key.get("secret_ref").asText()).isEqualTo("env://***");
        assertThat(key.get("rate_limit_rpm").asInt()).isEqualTo(600);
        assertThat(config.get("providers").get("openai").get("base_url").asText())
                .isEqualTo(f.openai.baseUrl().toString().replaceAll("/$", ""));
        assertThat(config.get("defaults").get("selection_strategy").asText()).isEqualTo("health_aware");
        assertThat(config.get("state_store").get("type").asText()).isEqualTo("memory");
    }

    @Test
    void probesVersionAndOpenApi() {
        assertThat(f.get("/livez").json().get("status").asText()).isEqualTo("alive");
        assertThat(f.get("/readyz").json().get("status").asText()).isEqualTo("ready");
        JsonNode version = f.get("/version").json();
        assertThat(version.get("name").asText()).isEqualTo("llm-rotate-server");
        assertThat(version.get("version").asText())
                .isEqualTo(ServerVersion.get())
                .isNotEqualTo("unknown");
        assertThat(version.get("started_at").asText()).isEqualTo("2026-11-25T10:00:00Z");
        f.clock.advance(java.time.Duration.ofSeconds(90));
        assertThat(f.get("/version").json().get("uptime_seconds").asInt()).isEqualTo(90);
        JsonNode openApi = f.get("/openapi.json").json();
        assertThat(openApi.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(openApi.get("info").get("version").asText()).isEqualTo(ServerVersion.get());
    }

    @Test
    void headHasTheHeadersAndLengthOfGetAndNoBody() {
        f.call(ServerFixture.MINI);
        for (String path : PATHS) {
            ServerFixture.Reply get = f.get(path);
            ServerFixture.Reply head = f.send("HEAD", path);
            assertThat(head.status()).as(path).isEqualTo(get.status());
            assertThat(head.body()).as(path).isEmpty();
            assertThat(head.header("content-type")).as(path).isEqualTo(get.header("content-type"));
            if (!path.equals("/health")
                    && !path.equals("/keys")
                    && !path.equals("/keys/openai-a")
                    && !path.equals("/version")
                    && !path.equals("/metrics")) {
                // Health and keys carry no changing field under the frozen clock either, but keep to stable ones.
                assertThat(head.header("content-length"))
                        .as(path)
                        .isEqualTo(String.valueOf(get.body().getBytes(StandardCharsets.UTF_8).length));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"})
    void otherMethodsAre405WithAllow(String method) {
        ServerFixture.Reply reply = f.send(method, "/health");
        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.header("allow")).isEqualTo("GET, HEAD");
        assertThat(reply.error().get("type").asText()).isEqualTo("method_not_allowed");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"/nope", "/health/", "/keys/", "/keys/nope", "/usage/nope", "/keys/openai-a/x", "/metrics/"})
    void unknownPathsAndKeysAre404Json(String path) {
        ServerFixture.Reply reply = f.get(path);
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error().get("type").asText()).isEqualTo("not_found");
    }

    @Test
    void aKeyOutOfThePoolIsNamedAsSuch() {
        try (ServerFixture special = new ServerFixture(
                c -> c.key(ServerFixture.key("spare", "openai", "OPENAI_A", ServerFixture.MINI)
                        .enabled(false)
                        .build()),
                o -> {})) {
            ServerFixture.Reply reply = special.get("/keys/spare");
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.error().get("message").asText()).contains("configured but not in the pool");
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "/events?windw=1h|windw",
                "/events?window=2h|window",
                "/events?since=yesterday|since",
                "/events?since=2026-11-25T10:00:00|since",
                "/events?until=99999999999999999999|until",
                "/events?since=2026-11-25T10:00:00Z&until=2026-11-25T09:00:00Z|until",
                "/events?window=1h&since=2026-11-25T09:00:00Z|since",
                "/events?limit=0|limit",
                "/events?limit=1001|limit",
                "/events?limit=ten|limit",
                "/events?cursor=bm9wZQ|cursor",
                "/events?outcome=failed|outcome",
                "/events?provider=openai&provider=anthropic|provider",
                "/events?model=|model",
                "/events?model=%C3%28|model",
                "/usage/models?group_by=team|group_by",
                "/timeseries?caller=gw-a&model=gpt-4o|caller",
                "/keys?state=sleeping|state",
                "/health?verbose=1|verbose",
                "/usage?window=1h&window=6h|window"
            })
    void badParametersAre400NamingTheParameter(String path, String parameter) {
        ServerFixture.Reply reply = f.get(path);
        assertThat(reply.status()).as(path).isEqualTo(400);
        JsonNode error = reply.error();
        assertThat(error.get("type").asText()).isEqualTo("invalid_parameter");
        assertThat(error.get("parameter").asText()).as(path).isEqualTo(parameter);
        assertThat(error.get("message").asText()).isNotBlank();
    }

    @Test
    void aBadParameterSaysWhatIsAllowed() {
        JsonNode error = f.get("/events?window=2h").error();
        assertThat(error.get("allowed").toString()).isEqualTo("[\"15m\",\"1h\",\"6h\",\"24h\",\"7d\"]");
        JsonNode unknown = f.get("/events?windw=1h").error();
        assertThat(unknown.get("allowed").toString())
                .isEqualTo(
                        "[\"cursor\",\"key_id\",\"limit\",\"model\",\"outcome\",\"provider\",\"since\",\"until\",\"window\"]");
        JsonNode outcome = f.get("/events?outcome=failed").error();
        assertThat(outcome.get("allowed")).hasSize(5);
    }

    private static Set<String> namesSet(JsonNode object) {
        Set<String> names = new HashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        assertThat(namesSet(object)).hasSameSizeAs(names);
        return names;
    }
}

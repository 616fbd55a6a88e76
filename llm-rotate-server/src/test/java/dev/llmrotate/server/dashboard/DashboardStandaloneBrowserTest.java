package dev.llmrotate.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.ConfigLoader;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.redis.RedisServer;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fleet's view: a worker makes calls through a real {@code redis-server}, and the dashboard of a server that only
 * observes that store (standalone mode, as the {@code llm-rotate-server} command runs) shows the worker's keys, usage
 * and records, equal to what the server's endpoints say.
 */
@Tag("slow")
class DashboardStandaloneBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "dashboard-" + ProcessHandle.current().pid();

    private static String config(FakeOpenAiServer openai, RedisServer redis) {
        return "keys:\n"
                + "  - {key_id: revoked, provider: openai, models: [gpt-4o-mini], secret_ref: 'literal://sk-dash-revoked-1111'}\n"
                + "  - {key_id: w1, provider: openai, models: [gpt-4o-mini], secret_ref: 'literal://sk-dash-w1-2222',"
                + " rate_limit_rpm: 1000}\n"
                + "  - {key_id: w2, provider: openai, models: [gpt-4o-mini], secret_ref: 'literal://sk-dash-w2-3333'}\n"
                + "providers:\n  openai: {base_url: '" + openai.baseUrl() + "', request_timeout_seconds: 10}\n"
                + "defaults: {selection_strategy: round_robin, max_wait_for_key_seconds: 0, backoff_base_seconds: 0.01}\n"
                + "event_buffer: {enabled: true, capacity: 100}\n"
                + "state_store: {type: redis, url: '" + redis.url() + "?timeout=5s', prefix: " + PREFIX + "}\n";
    }

    @Test
    void theDashboardOfAnObserverShowsWhatTheWorkerDid() throws Exception {
        try (RedisServer redis = RedisServer.start();
                FakeOpenAiServer openai = FakeOpenAiServer.start();
                Browser browser = Browser.launch()) {
            openai.forKey("sk-dash-revoked-1111").always(FakeResponse.invalidApiKey());
            openai.byDefault().always(FakeResponse.ok("hello", 10, 5));
            String yaml = config(openai, redis);
            try (LlmRotate worker = LlmRotate.create(ConfigLoader.fromYaml(yaml))) {
                for (int i = 0; i < 30; i++) {
                    try {
                        worker.chat(ChatRequest.of("gpt-4o-mini", List.of(ChatMessage.user("hi"))));
                    } catch (LlmRotateException e) {
                        // recorded like any call
                    }
                }
            }
            try (LlmRotate observer = LlmRotate.observe(ConfigLoader.fromYaml(yaml));
                    ControlServer server = ControlServer.start(
                            observer, ControlServerOptions.builder().port(0).build());
                    Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
                Page page = tab.page;
                page.navigate(server.uri().toString());
                DashboardBrowserTest.ready(page);
                page.selectOption("#refresh-interval", "0");
                DashboardBrowserTest.reloadingAfter(page, () -> page.click("#refresh-now"));

                String base = server.uri().toString().replaceAll("/$", "");
                JsonNode keys = get(base + "/keys").get("keys");
                assertThat(keys).hasSize(3);
                for (JsonNode k : keys) {
                    Locator row = page.locator(
                            "tr.key-row[data-key='" + k.get("key_id").asText() + "']");
                    assertThat(row.getAttribute("data-state"))
                            .isEqualTo(k.get("state").asText());
                    assertThat(row.locator(".mask").textContent())
                            .isEqualTo(k.get("key_mask").asText());
                }
                assertThat(page.locator("tr.key-row[data-key='revoked']").getAttribute("data-state"))
                        .isEqualTo("QUARANTINE");

                JsonNode overall = get(base + "/usage?window=1h").get("overall");
                assertThat(overall.get("successes").asInt()).isEqualTo(30);
                Locator total = page.locator("#usage-table tfoot tr");
                assertThat(total.locator("[data-col=calls]").getAttribute("data-value"))
                        .isEqualTo(overall.get("calls").asText());
                assertThat(total.locator("[data-col=input_tokens]").getAttribute("data-value"))
                        .isEqualTo(overall.get("input_tokens").asText());
                assertThat(page.locator("#series-totals dd").first().getAttribute("data-value"))
                        .isEqualTo(overall.get("calls").asText());

                JsonNode events = get(base + "/events?window=1h&limit=50");
                assertThat(events.get("events").size()).isPositive();
                assertThat(page.locator("#events-table tbody tr.event").count())
                        .isEqualTo(events.get("events").size());
                assertThat(page.locator(".lane[data-subject='revoked']").count())
                        .isEqualTo(1);
            }
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }
}

package dev.llmrotate.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.Cookie;
import dev.llmrotate.testkit.FakeResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real headless Chromium over a control server with traffic and faults (see
 * {@link DashboardScenario}): the numbers it shows are the JSON endpoints', a key in cooldown counts down and comes
 * back, filters and time frames change what is shown, the token prompt, both viewports and themes, the keyboard, the
 * empty and error states; and no page logs a console error.
 */
@Tag("slow")
class DashboardBrowserTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path SHOTS = Path.of("target/dashboard-screenshots");
    private static Browser browser;

    @BeforeAll
    static void launch() throws IOException {
        browser = Browser.launch();
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void quit() {
        if (browser != null) {
            browser.close();
        }
    }

    static JsonNode json(DashboardScenario s, String path) {
        return json(s, path, null);
    }

    static JsonNode json(DashboardScenario s, String path, String token) {
        try {
            return JSON.readTree(s.json(path, token));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int loads(Page page) {
        return Integer.parseInt(page.getAttribute("main", "data-loads"));
    }

    /** Waits for the page's first data. */
    static void ready(Page page) {
        page.waitForSelector("main[data-state=ready][aria-busy=false]");
    }

    /** Does {@code action} and waits until the page has loaded again and shows it. */
    static void reloadingAfter(Page page, Runnable action) {
        int before = loads(page);
        action.run();
        page.waitForFunction(
                "n => { const m = document.querySelector('main');"
                        + " return Number(m.dataset.loads) > n && m.getAttribute('aria-busy') === 'false'; }",
                before);
    }

    static String value(Locator l) {
        return l.getAttribute("data-value");
    }

    @Test
    void theNumbersShownAreThoseOfTheEndpoints() {
        try (DashboardScenario s = new DashboardScenario();
                Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            Page page = tab.page;
            s.calls(40);
            s.startTraffic();
            page.navigate(s.base() + "/");
            ready(page);
            page.selectOption("#refresh-interval", "2");
            int before = loads(page);
            page.waitForFunction("n => Number(document.querySelector('main').dataset.loads) >= n + 2", before);

            s.pauseTraffic();
            reloadingAfter(page, () -> page.click("#refresh-now"));
            page.selectOption("#refresh-interval", "0"); // nothing changes while the numbers are compared

            JsonNode health = json(s, "/health");
            assertThat(page.textContent("#status"))
                    .contains(health.get("status").asText())
                    .contains(health.get("available_keys").asInt() + " / "
                            + health.get("total_keys").asInt() + " keys serving");
            health.get("providers").fields().forEachRemaining(p -> {
                Locator card = page.locator(".provider[data-provider='" + p.getKey() + "']");
                assertThat(value(card.locator(".provider-count strong")))
                        .isEqualTo(p.getValue().get("available_keys").asText());
                assertThat(value(card.locator(".provider-count span")))
                        .isEqualTo(p.getValue().get("total_keys").asText());
            });

            JsonNode keys = json(s, "/keys").get("keys");
            assertThat(page.locator("tr.key-row").count()).isEqualTo(keys.size());
            for (JsonNode k : keys) {
                Locator row =
                        page.locator("tr.key-row[data-key='" + k.get("key_id").asText() + "']");
                assertThat(row.locator(".mask").textContent())
                        .isEqualTo(k.get("key_mask").asText());
                assertThat(value(row.locator("td[data-label='Failures in a row']")))
                        .isEqualTo(k.get("consecutive_failures").asText());
                assertThat(value(row.locator("td.calls")))
                        .isEqualTo(k.get("usage").get("calls").asText());
                if (k.get("state").asText().equals("ACTIVE")) {
                    assertThat(row.getAttribute("data-state")).isIn("ACTIVE", "COOLDOWN", "PROBATION");
                } else {
                    assertThat(row.getAttribute("data-state"))
                            .isEqualTo(k.get("state").asText());
                }
                k.get("models")
                        .fields()
                        .forEachRemaining(m -> assertThat(row.locator("li[data-model='" + m.getKey() + "'] .badge")
                                        .textContent())
                                .isEqualTo(m.getValue().get("state").asText()));
                if (!k.get("available").asBoolean()
                        && !k.get("available_in_seconds").isNull()) {
                    int shown =
                            Integer.parseInt(row.locator(".back-in .countdown").getAttribute("data-seconds"));
                    int expected = (int) Math.ceil(k.get("available_in_seconds").asDouble());
                    // The browser's clock runs on from the answer while the server's stands still.
                    assertThat(shown).isBetween(expected - 3, expected);
                }
                JsonNode rpm = k.get("budgets").get("rate_limit_rpm");
                if (!rpm.isNull()) {
                    assertThat(value(row.locator(".budget-text span")))
                            .isEqualTo(k.get("budgets").get("rpm_used").asText());
                }
            }

            JsonNode points = json(s, "/timeseries?window=1h").get("points");
            long calls = 0;
            long failures = 0;
            long in = 0;
            long out = 0;
            double cost = 0;
            for (JsonNode p : points) {
                calls += p.get("totals").get("calls").asLong();
                failures += p.get("totals").get("failures").asLong();
                in += p.get("totals").get("input_tokens").asLong();
                out += p.get("totals").get("output_tokens").asLong();
                cost += p.get("totals").get("cost_usd").asDouble();
            }
            assertThat(calls).isEqualTo(s.callsMade());
            Locator totals = page.locator("#series-totals dd");
            assertThat(value(totals.nth(0))).isEqualTo(String.valueOf(calls));
            assertThat(value(totals.nth(1))).isEqualTo(String.valueOf(failures));
            assertThat(value(totals.nth(2))).isEqualTo(String.valueOf(in));
            assertThat(value(totals.nth(3))).isEqualTo(String.valueOf(out));
            assertThat(Double.parseDouble(value(totals.nth(4)))).isCloseTo(cost, within(1e-12));
            assertThat(totals.nth(0).textContent()).isEqualTo(String.format("%,d", calls));

            JsonNode usage = json(s, "/usage?window=1h");
            Locator total = page.locator("#usage-table tfoot tr");
            JsonNode overall = usage.get("overall");
            assertThat(value(total.locator("[data-col=calls]")))
                    .isEqualTo(overall.get("calls").asText());
            assertThat(value(total.locator("[data-col=failures]")))
                    .isEqualTo(overall.get("failures").asText());
            assertThat(value(total.locator("[data-col=input_tokens]")))
                    .isEqualTo(overall.get("input_tokens").asText());
            assertThat(value(total.locator("[data-col=output_tokens]")))
                    .isEqualTo(overall.get("output_tokens").asText());
            assertThat(Double.parseDouble(value(total.locator("[data-col=cost_usd]"))))
                    .isEqualTo(overall.get("cost_usd").asDouble());
            usage.get("by_provider")
                    .fields()
                    .forEachRemaining(p -> assertThat(value(page.locator(
                                    "#usage-table tbody tr[data-name='" + p.getKey() + "'] [data-col=calls]")))
                            .isEqualTo(p.getValue().get("calls").asText()));

            JsonNode events = json(s, "/events?window=1h&limit=50").get("events");
            Locator rows = page.locator("#events-table tbody tr.event");
            assertThat(rows.count()).isEqualTo(events.size());
            for (int i = 0; i < events.size(); i += 7) {
                assertThat(rows.nth(i).getAttribute("data-call"))
                        .isEqualTo(events.get(i).get("call_id").asText());
            }

            // By key, sorted by calls, most first, then fewest first.
            page.click("#usage button.toggle:has-text('Key')");
            page.click("#usage-table th button.sort:has-text('Calls')");
            List<Long> byCalls = page.locator("#usage-table tbody [data-col=calls]").all().stream()
                    .map(c -> Long.parseLong(value(c)))
                    .toList();
            assertThat(byCalls).hasSize(usage.get("by_key").size()).isSortedAccordingTo((a, b) -> Long.compare(b, a));
            page.click("#usage-table th button.sort:has-text('Calls')");
            assertThat(page.locator("#usage-table tbody [data-col=calls]").all().stream()
                            .map(c -> Long.parseLong(value(c)))
                            .toList())
                    .isSorted();

            // Every record opened: the page holds masks, never a secret.
            for (Locator expand : page.locator("#events-table button.expand").all()) {
                expand.click();
            }
            page.locator("#events-table details summary").first().click();
            String content = page.content();
            assertThat(content).contains("sk-…");
            for (String secret : DashboardScenario.SECRETS.values()) {
                assertThat(content).doesNotContain(secret).doesNotContain(secret.substring(0, 16));
            }
        }
    }

    @Test
    void aKeyInCooldownCountsDownAndComesBackWhileTheFallbackCarriesTheCalls() {
        try (DashboardScenario s = new DashboardScenario();
                Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            for (String secret : List.of("PRIMARY", "SECONDARY", "FLAKY")) {
                s.openai
                        .forKey(DashboardScenario.SECRETS.get(secret))
                        .always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
            }
            for (int i = 0; i < 3; i++) {
                s.call(DashboardScenario.MINI);
            }
            JsonNode flaky = json(s, "/keys/openai-flaky");
            assertThat(flaky.get("available").asBoolean()).isFalse();
            assertThat(flaky.get("available_in_seconds").asDouble()).isEqualTo(20.0);

            Page page = tab.page;
            long serverNow = s.clock.millis();
            page.clock().setFixedTime(serverNow);
            page.navigate(s.base() + "/");
            ready(page);
            page.selectOption("#refresh-interval", "0");
            Locator row = page.locator("tr.key-row[data-key='openai-flaky']");
            assertThat(row.getAttribute("data-state")).isEqualTo("COOLDOWN");
            assertThat(row.locator(".back-in .countdown").textContent()).isEqualTo("20 s");
            assertThat(row.locator("li[data-model='gpt-4o-mini'] .why").textContent())
                    .isEqualTo("rate limit");
            assertThat(page.locator("tr.key-row[data-key='openai-primary'] li[data-model='gpt-4o-mini'] .countdown")
                            .textContent())
                    .isEqualTo("20 s");
            assertThat(page.locator(".provider[data-provider='openrouter'] .fallback-note")
                            .textContent())
                    .isEqualTo("fallback: carried 3 of the last 3 calls");
            // The one in docs/dashboard.png (the README's): keys out, their countdowns, the fallback carrying calls.
            page.screenshot(new Page.ScreenshotOptions()
                    .setPath(SHOTS.resolve("cooldown-1280-light.png"))
                    .setClip(0, 0, 1280, 700));

            // The browser's clock moves 12 s: the countdown follows without asking the server.
            page.clock().setFixedTime(serverNow + 12_000);
            page.waitForFunction(
                    "() => document.querySelector(\"tr[data-key='openai-flaky'] .back-in .countdown\").textContent === '8 s'");

            // The rest is over on the server: after a refresh the key serves again.
            for (String secret : List.of("PRIMARY", "SECONDARY", "FLAKY")) {
                s.openai.forKey(DashboardScenario.SECRETS.get(secret)).always(FakeResponse.ok("hello", 12, 8));
            }
            s.clock.advance(Duration.ofSeconds(21));
            page.clock().setFixedTime(serverNow + 21_000);
            reloadingAfter(page, () -> page.click("#refresh-now"));
            assertThat(row.locator(".back-in").textContent()).isEqualTo("serving");
            assertThat(row.getAttribute("data-state")).isNotEqualTo("COOLDOWN");
            assertThat(json(s, "/keys/openai-flaky").get("available").asBoolean())
                    .isTrue();
        }
    }

    @Test
    void pauseStopsTheAutoRefreshAndResumeStartsItAgain() {
        try (DashboardScenario s = new DashboardScenario();
                Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            Page page = tab.page;
            page.clock().install();
            page.navigate(s.base() + "/");
            page.clock().runFor(500);
            ready(page);
            page.selectOption("#refresh-interval", "5");
            page.clock().runFor(500);
            ready(page);
            int before = loads(page);
            page.clock().runFor(10_000);
            page.waitForFunction("n => Number(document.querySelector('main').dataset.loads) >= n + 2", before);

            page.click("#pause");
            page.clock().runFor(500);
            assertThat(page.getAttribute("#pause", "aria-pressed")).isEqualTo("true");
            assertThat(page.textContent("#pause")).isEqualTo("Resume");
            ready(page);
            int paused = loads(page);
            page.clock().runFor(30_000);
            assertThat(loads(page)).isEqualTo(paused);

            page.click("#pause");
            page.clock().runFor(500);
            page.waitForFunction("n => Number(document.querySelector('main').dataset.loads) > n", paused);
        }
    }

    @Test
    void filtersAndTimeFramesChangeWhatIsShown() {
        try (DashboardScenario s = new DashboardScenario();
                Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            s.calls(60);
            s.clock.advance(Duration.ofMinutes(30)); // the calls are 30 minutes old
            Page page = tab.page;
            page.navigate(s.base() + "/");
            ready(page);
            page.selectOption("#refresh-interval", "0");

            page.selectOption("#key-provider", "openrouter");
            assertThat(page.locator("tr.key-row").count()).isEqualTo(1);
            assertThat(page.locator("tr.key-row").getAttribute("data-key")).isEqualTo("openrouter-1");
            page.selectOption("#key-provider", "");
            page.selectOption("#key-state", "QUARANTINE");
            List<String> quarantined = new ArrayList<>();
            for (JsonNode k : json(s, "/keys?state=quarantine").get("keys")) {
                quarantined.add(k.get("key_id").asText());
            }
            assertThat(page.locator("tr.key-row").all().stream()
                            .map(r -> r.getAttribute("data-key"))
                            .toList())
                    .containsExactlyInAnyOrderElementsOf(quarantined);
            page.selectOption("#key-state", "");

            String hour = value(page.locator("#series-totals dd").first());
            assertThat(hour).isEqualTo(String.valueOf(s.callsMade()));
            reloadingAfter(page, () -> page.selectOption("#frame", "15m"));
            assertThat(value(page.locator("#series-totals dd").first())).isEqualTo("0");
            assertThat(page.locator("#traffic .empty").textContent()).startsWith("No calls in this time frame");
            assertThat(page.locator("#usage .empty").textContent()).isEqualTo("No calls in this time frame yet.");
            assertThat(page.locator("#calls .empty").textContent()).startsWith("No calls recorded in this time frame");

            // A custom range around the calls (the page's zone is UTC here; the scenario starts at 10:00 UTC).
            reloadingAfter(page, () -> page.selectOption("#frame", "custom"));
            page.fill("#since", "2026-11-25T09:59");
            page.fill("#until", "2026-11-25T10:05");
            reloadingAfter(page, () -> page.click("#apply-range"));
            assertThat(value(page.locator("#series-totals dd").first())).isEqualTo(hour);

            reloadingAfter(page, () -> page.selectOption("#frame", "1h"));
            reloadingAfter(page, () -> page.selectOption("#series-key", "openai-secondary"));
            long secondary = 0;
            for (JsonNode p :
                    json(s, "/timeseries?window=1h&key_id=openai-secondary").get("points")) {
                secondary += p.get("totals").get("calls").asLong();
            }
            assertThat(value(page.locator("#series-totals dd").first())).isEqualTo(String.valueOf(secondary));
            assertThat(page.locator(".timeline-key").count()).isEqualTo(1);

            reloadingAfter(page, () -> page.selectOption("#event-key", "openai-secondary"));
            List<String> keysShown =
                    page.locator("#events-table tbody tr.event td:nth-child(5)").allTextContents();
            assertThat(keysShown).isNotEmpty().allMatch("openai-secondary"::equals);

            // A call that took more than one attempt opens to its attempts: which keys, and why each failed.
            reloadingAfter(page, () -> page.selectOption("#event-key", ""));
            JsonNode events = json(s, "/events?window=1h&limit=50").get("events");
            JsonNode retried = null;
            for (JsonNode e : events) {
                if (e.get("attempts").asInt() > 1) {
                    retried = e;
                    break;
                }
            }
            assertThat(retried).as("a call with more than one attempt").isNotNull();
            Locator event =
                    page.locator("tr.event[data-call='" + retried.get("call_id").asText() + "']");
            event.locator("button.expand").click();
            assertThat(event.locator("button.expand").getAttribute("aria-expanded"))
                    .isEqualTo("true");
            Locator attempts =
                    page.locator("#attempts-" + retried.get("call_id").asText() + " tr.attempt");
            assertThat(attempts.count())
                    .isEqualTo(retried.get("attempt_details").size());
            JsonNode first = retried.get("attempt_details").get(0);
            assertThat(attempts.first().textContent())
                    .contains(first.get("key_id").asText())
                    .contains(first.get("error_type").asText().replace('_', ' '));
        }
    }

    @Test
    void aServerWithATokenAsksForItOnceAndKeepsItForTheTab() {
        String token = "dashboard-browser-token-5150";
        try (DashboardScenario s = new DashboardScenario(o -> o.token(token));
                Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            s.calls(10);
            Page page = tab.page;
            // Chromium logs every answer of 401 as a console error: here they are the point.
            tab.allowErrors("status of 401");
            page.navigate(s.base() + "/");
            page.waitForSelector("#token");
            assertThat(page.getAttribute("main", "data-state")).isEqualTo("token");
            assertThat(page.locator("tr.key-row").count()).isZero();

            page.fill("#token", "not-the-token");
            page.click("#token-submit");
            page.waitForSelector("text=The server refused that token.");

            page.fill("#token", token);
            page.click("#token-submit");
            ready(page);
            assertThat(page.locator("tr.key-row").count()).isEqualTo(5);
            assertThat(page.evaluate("() => sessionStorage.getItem('llm-rotate.token')"))
                    .isEqualTo(token);
            assertThat(page.content()).doesNotContain(token);
            List<Cookie> cookies = tab.context.cookies();
            assertThat(cookies).isEmpty();

            page.reload();
            ready(page);
            assertThat(page.locator("#token").count()).isZero();
            page.click("#forget-token");
            page.waitForSelector("#token");
        }
    }

    @Test
    void phoneAndDesktopInLightAndDark() {
        try (DashboardScenario s = new DashboardScenario()) {
            s.calls(80);
            for (int width : new int[] {1280, 390}) {
                for (ColorScheme scheme : new ColorScheme[] {ColorScheme.LIGHT, ColorScheme.DARK}) {
                    try (Browser.Tab tab = browser.open(width, width == 390 ? 844 : 900, scheme)) {
                        Page page = tab.page;
                        page.navigate(s.base() + "/");
                        ready(page);
                        page.selectOption("#refresh-interval", "0");
                        page.waitForSelector("#chart-calls .uplot");
                        Object overflow = page.evaluate(
                                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
                        assertThat(((Number) overflow).intValue())
                                .as("horizontal overflow at " + width + " px")
                                .isLessThanOrEqualTo(0);
                        assertThat(page.locator("tr.key-row").first().isVisible())
                                .isTrue();
                        String background =
                                (String) page.evaluate("() => getComputedStyle(document.body).backgroundColor");
                        assertThat(background)
                                .isEqualTo(scheme == ColorScheme.DARK ? "rgb(17, 18, 20)" : "rgb(246, 247, 249)");
                        String name = (scheme == ColorScheme.DARK ? "dark" : "light") + "-" + width + ".png";
                        page.screenshot(new Page.ScreenshotOptions()
                                .setPath(SHOTS.resolve(name))
                                .setFullPage(true));
                    }
                }
            }
            // The theme chosen on the page wins over the system's.
            try (Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
                Page page = tab.page;
                page.navigate(s.base() + "/");
                ready(page);
                page.selectOption("#theme", "dark");
                page.waitForSelector(
                        "html[data-theme=dark]",
                        new Page.WaitForSelectorOptions()
                                .setState(com.microsoft.playwright.options.WaitForSelectorState.ATTACHED));
                assertThat(page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
                        .isEqualTo("rgb(17, 18, 20)");
            }
        }
    }

    @Test
    void tabReachesEveryControl() {
        try (DashboardScenario s = new DashboardScenario(o -> o.eventCapacity(500));
                Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            s.calls(12);
            Page page = tab.page;
            page.navigate(s.base() + "/");
            ready(page);
            page.selectOption("#refresh-interval", "0");
            page.evaluate("() => { let i = 0; for (const el of document.querySelectorAll("
                    + "'a[href], button, select, input, summary, [tabindex]')) el.dataset.focusId = 'c' + (i++); }");
            @SuppressWarnings("unchecked")
            List<String> controls =
                    (List<String>) page.evaluate("() => [...document.querySelectorAll('[data-focus-id]')]"
                            + ".filter(el => !el.disabled && el.getClientRects().length > 0 && el.tabIndex >= 0)"
                            + ".map(el => el.dataset.focusId)");
            Set<String> reached = new LinkedHashSet<>();
            page.locator("body").focus();
            for (int i = 0; i < controls.size() + 20 && !reached.containsAll(controls); i++) {
                page.keyboard().press("Tab");
                Object id = page.evaluate("() => document.activeElement && document.activeElement.dataset.focusId");
                if (id != null) {
                    reached.add((String) id);
                }
            }
            List<String> missed = new ArrayList<>(controls);
            missed.removeAll(reached);
            assertThat(missed)
                    .as("controls Tab does not reach: "
                            + page.evaluate(
                                    "ids => ids.map(id => document.querySelector(`[data-focus-id=${id}]`)"
                                            + ".outerHTML.slice(0, 80))",
                                    missed))
                    .isEmpty();
            assertThat(controls).hasSizeGreaterThan(20);

            // The keyboard alone opens a call's attempts.
            page.locator("#events-table button.expand").first().focus();
            page.keyboard().press("Enter");
            assertThat(page.locator("#events-table button.expand").first().getAttribute("aria-expanded"))
                    .isEqualTo("true");
        }
    }

    @Test
    void emptyStatesSayWhatToDo() {
        try (DashboardScenario s = new DashboardScenario(o -> o.eventCapacity(0));
                Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            Page page = tab.page;
            page.navigate(s.base() + "/");
            ready(page);
            assertThat(page.locator("#traffic .empty").textContent()).startsWith("No calls in this time frame yet");
            assertThat(page.locator("#usage .empty").textContent()).isEqualTo("No calls in this time frame yet.");
            assertThat(page.locator("#events-off").textContent())
                    .contains("The event buffer is off")
                    .contains("event_buffer: {enabled: true, capacity: 1000}")
                    .contains("ControlServerOptions.eventCapacity");
            assertThat(page.locator(".timeline-key").count()).isEqualTo(5);
            assertThat(page.locator(".outside").textContent())
                    .contains("openai-spare")
                    .contains("enabled: false");
        }
    }

    @Test
    void anUnreachableServerIsSaidAndTheLastAnswersStay() {
        DashboardScenario s = new DashboardScenario();
        try (Browser.Tab tab = browser.open(1280, 900, ColorScheme.LIGHT)) {
            // Chromium logs every refused connection as a console error: here they are the point.
            tab.allowErrors("net::ERR_CONNECTION_REFUSED");
            s.calls(10);
            Page page = tab.page;
            page.navigate(s.base() + "/");
            ready(page);
            page.selectOption("#refresh-interval", "2");
            s.close();
            page.waitForSelector("#error-banner");
            assertThat(page.textContent("#error-banner"))
                    .contains("Cannot reach the control server")
                    .contains("Showing what it said at")
                    .contains("Trying again every 2 s");
            assertThat(page.textContent("#status")).contains("offline");
            assertThat(page.getAttribute("main", "data-state")).isEqualTo("stale");
            assertThat(page.locator("tr.key-row").count()).isEqualTo(5);
        } finally {
            s.close();
        }
    }
}

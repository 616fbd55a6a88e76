package dev.llmrotate.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.ColorScheme;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Debian's headless Chromium driven by Playwright for Java: the driver ships in Playwright's jar, the browser is the
 * system's ({@code /usr/bin/chromium}, or {@code CHROMIUM_PATH}), and Playwright is told never to download one.
 * Without the browser the tests are skipped with a message, unless {@code REQUIRE_BROWSER} is set (as in CI), where
 * that is a failure. Every page records its console errors and uncaught exceptions; {@link Tab#close()} fails the test
 * when there were any.
 */
final class Browser implements AutoCloseable {
    static final String REQUIRE_BROWSER = "REQUIRE_BROWSER";

    private final Playwright playwright;
    private final com.microsoft.playwright.Browser chromium;

    private Browser(Playwright playwright, com.microsoft.playwright.Browser chromium) {
        this.playwright = playwright;
        this.chromium = chromium;
    }

    /** The system's Chromium, or null when there is none. */
    static Path executable() {
        String configured = System.getenv("CHROMIUM_PATH");
        Path path = Path.of(configured != null && !configured.isBlank() ? configured : "/usr/bin/chromium");
        return Files.isExecutable(path) ? path : null;
    }

    static Browser launch() {
        Path executable = executable();
        if (executable == null) {
            String message = "no Chromium at "
                    + (System.getenv("CHROMIUM_PATH") != null ? "$CHROMIUM_PATH" : "/usr/bin/chromium")
                    + " (Debian: apt-get install chromium); the dashboard's browser tests need it";
            String required = System.getenv(REQUIRE_BROWSER);
            if (required != null && !required.isBlank()) {
                fail(message + ", and " + REQUIRE_BROWSER + " is set");
            }
            abort(message + "; skipped (set " + REQUIRE_BROWSER + "=1 to make this a failure)");
        }
        Playwright playwright = Playwright.create(
                new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            return new Browser(
                    playwright,
                    playwright
                            .chromium()
                            .launch(new BrowserType.LaunchOptions()
                                    .setExecutablePath(executable)
                                    .setHeadless(true)));
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /** A new tab in a fresh context (no storage shared with other tabs) of this width, height and color scheme. */
    Tab open(int width, int height, ColorScheme scheme) {
        BrowserContext context = chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(width, height)
                .setColorScheme(scheme)
                .setLocale("en-US")
                .setTimezoneId("UTC"));
        context.setDefaultTimeout(15_000);
        return new Tab(context, context.newPage());
    }

    @Override
    public void close() {
        chromium.close();
        playwright.close();
    }

    /** One page and what it reported as errors. */
    static final class Tab implements AutoCloseable {
        final BrowserContext context;
        final Page page;
        private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        private final List<String> allowed = new CopyOnWriteArrayList<>();

        Tab(BrowserContext context, Page page) {
            this.context = context;
            this.page = page;
            page.onConsoleMessage(m -> {
                if (m.type().equals("error") && allowed.stream().noneMatch(m.text()::contains)) {
                    errors.add("console: " + m.text() + " at " + m.location());
                }
            });
            page.onPageError(e -> errors.add("uncaught: " + e));
        }

        /** The console errors so far. */
        List<String> errors() {
            synchronized (errors) {
                return List.copyOf(errors);
            }
        }

        /** Ignores console errors that contain this text (a test that provokes them: a refused token, a dead server). */
        void allowErrors(String text) {
            allowed.add(text);
        }

        /** Closes the tab; fails when the page logged a console error or threw. */
        @Override
        public void close() {
            List<String> seen = errors();
            context.close();
            assertThat(seen)
                    .as("console errors and uncaught exceptions of the page")
                    .isEmpty();
        }
    }
}

package dev.llmrotate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard's page and files over real HTTP: content types, caching, gzip, the Content-Security-Policy, no token
 * for the page while the data keeps its token, and path traversal on the asset paths.
 */
class DashboardAssetsLoopbackTest {
    private static final String TOKEN = "dashboard-assets-token-0123456789";
    private static final String SECRET = "sk-dashboard-assets-secret-4242abcd";
    private final LlmRotate lm = LlmRotate.builder()
            .config(LlmRotateConfig.builder()
                    .key(KeySpec.builder("k1", "openai")
                            .secretRef(SecretRef.parse("env://K1", name -> SECRET))
                            .models("gpt-4o-mini")
                            .build())
                    .build())
            .build();
    private final ControlServer server = ControlServer.start(
            lm, ControlServerOptions.builder().port(0).token(TOKEN).build());
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void close() {
        server.close();
        lm.close();
    }

    private HttpResponse<byte[]> get(String target, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + target))
                .timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aBrowserGetsThePageWithoutTheTokenAndAJsonClientStillNeedsIt() {
        HttpResponse<byte[]> page = get("/", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(header(page, "content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(header(page, "vary")).contains("Accept");
        assertThat(text(page)).contains("<script type=\"module\" src=\"/ui/app.js\"></script>");

        assertThat(get("/").statusCode()).isEqualTo(401);
        assertThat(get("/", "Accept", "application/json").statusCode()).isEqualTo(401);
        for (String data : List.of("/keys", "/health", "/usage", "/events", "/config")) {
            assertThat(get(data, "Accept", "text/html").statusCode()).as(data).isEqualTo(401);
        }
        HttpResponse<byte[]> index = get("/", "Authorization", "Bearer " + TOKEN);
        assertThat(header(index, "content-type")).isEqualTo(ControlResponse.JSON);
    }

    @Test
    void thePolicyAllowsThisOriginOnlyAndNoInlineScript() {
        HttpResponse<byte[]> page = get("/", "Accept", "text/html");
        String csp = header(page, "content-security-policy");
        assertThat(csp)
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
        assertThat(header(page, "x-frame-options")).isEqualTo("DENY");
        assertThat(header(page, "x-content-type-options")).isEqualTo("nosniff");
        assertThat(header(page, "referrer-policy")).isEqualTo("no-referrer");

        String html = text(page);
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE)
                        .matcher(html)
                        .find())
                .as("an inline script")
                .isFalse();
        assertThat(html).doesNotContainPattern("(?i)\\son[a-z]+=").doesNotContain("style=");
        Matcher refs = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        List<String> references = new ArrayList<>();
        while (refs.find()) {
            references.add(refs.group(1));
        }
        assertThat(references).isNotEmpty().allMatch(ref -> ref.startsWith("/") && !ref.startsWith("//"));
        for (String ref : references) {
            assertThat(get(ref).statusCode()).as(ref).isEqualTo(200);
        }
        // The data keep their stricter policy.
        assertThat(header(get("/livez"), "content-security-policy"))
                .isEqualTo("default-src 'none'; frame-ancestors 'none'");
    }

    @Test
    void everyFileHasItsTypeAndCachingAndNoneHoldsASecret() {
        List<String> paths = new ArrayList<>(DashboardAssets.VENDOR_FILES.keySet());
        DashboardAssets.OWN_FILES.forEach(name -> paths.add("/ui/" + name));
        for (String path : paths) {
            HttpResponse<byte[]> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            String type = header(r, "content-type");
            if (path.endsWith(".js")) {
                assertThat(type).as(path).isEqualTo("text/javascript; charset=utf-8");
            } else if (path.endsWith(".css")) {
                assertThat(type).as(path).isEqualTo("text/css; charset=utf-8");
            } else {
                assertThat(type).as(path).isEqualTo("image/svg+xml");
            }
            assertThat(header(r, "cache-control"))
                    .as(path)
                    .isEqualTo(path.startsWith("/ui/vendor/") ? "public, max-age=31536000, immutable" : "no-cache");
            assertThat(header(r, "etag")).as(path).matches("\"[A-Za-z0-9_-]{22}\"");
            assertThat(header(r, "content-encoding")).as(path).isNull();
            assertThat(text(r)).as(path).doesNotContain(SECRET, TOKEN);
        }
        assertThat(text(get("/", "Accept", "text/html"))).doesNotContain(SECRET, TOKEN);
    }

    @Test
    void anUnchangedFileIsA304AndGzipIsSentToWhoAsks() throws IOException {
        HttpResponse<byte[]> plain = get("/ui/app.js");
        String etag = header(plain, "etag");
        HttpResponse<byte[]> again = get("/ui/app.js", "If-None-Match", etag);
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(header(again, "etag")).isEqualTo(etag);
        assertThat(get("/ui/app.js", "If-None-Match", "\"other\", W/" + etag).statusCode())
                .isEqualTo(304);
        assertThat(get("/ui/app.js", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);

        HttpResponse<byte[]> gzipped = get("/ui/app.js", "Accept-Encoding", "br, gzip");
        assertThat(header(gzipped, "content-encoding")).isEqualTo("gzip");
        assertThat(header(gzipped, "vary")).contains("Accept-Encoding");
        assertThat(gzipped.body().length).isLessThan(plain.body().length);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain.body());
        }
        assertThat(header(get("/ui/app.js", "Accept-Encoding", "gzip;q=0"), "content-encoding"))
                .isNull();

        HttpResponse<byte[]> head = send("HEAD", "/ui/app.js");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(header(head, "content-length")).isEqualTo(String.valueOf(plain.body().length));
    }

    private HttpResponse<byte[]> send(String method, String target) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + target))
                            .method(method, HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Only the listed paths exist; traversal, odd spellings and class-path names reach neither a file nor the data. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "/ui/../config",
                "/ui/%2e%2e/config",
                "/ui/%2E%2E%2Fconfig",
                "/ui/vendor/../../config",
                "/ui/vendor/uplot/1.6.30/..%2F..%2F..%2Fconfig",
                "/ui/app.js/..",
                "/ui//app.js",
                "/ui/./app.js",
                "/ui/app.js%00",
                "/ui/app.js%2F",
                "/ui/APP.JS",
                "/ui/app%2Ejs",
                "/ui/%61pp.js",
                "/ui/%5C..%5Capp.js",
                "/ui/",
                "/ui",
                "/ui/index.html",
                "/ui/dev/llmrotate/server/dashboard/app.js",
                "/ui/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
                "/ui/vendor/uplot/1.6.30/uPlot.esm.js",
                "/ui/vendor/uplot/1.6.30/../1.6.30/uPlot.min.css",
                "/ui/dashboard.css/../../health",
                "/dev/llmrotate/server/dashboard/app.js",
                "/META-INF/MANIFEST.MF"
            })
    void traversalOnTheAssetPathIsNoFile(String target) {
        HttpResponse<byte[]> r = get(target, "Accept", "text/html");
        assertThat(r.statusCode()).as(target).isIn(401, 404);
        assertThat(header(r, "content-type")).as(target).isEqualTo(ControlResponse.JSON);
        assertThat(text(r)).as(target).doesNotContain("llm-rotate", "keys", "import");
    }

    @Test
    void everyFileOfTheFolderIsServedAndEveryServedFileIsInTheFolder() throws IOException {
        Path folder = Path.of("src/main/resources/dev/llmrotate/server/dashboard");
        Set<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(folder)) {
            list.forEach(p -> files.add(p.getFileName().toString()));
        }
        Set<String> listed = new TreeSet<>(DashboardAssets.OWN_FILES);
        listed.add("index.html");
        assertThat(files).isEqualTo(listed);
    }
}

package dev.llmrotate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The router alone, without a server: paths, methods, HEAD, tokens and CORS are decided here. */
class ControlRouterTest {
    private final MutableClock clock = MutableClock.atEpochDay();
    private final LlmRotate lm = LlmRotate.builder()
            .clock(clock)
            .config(LlmRotateConfig.builder()
                    .key(KeySpec.builder("k1", "openai")
                            .secretRef(SecretRef.parse("env://K1", name -> "sk-router-test-00001111"))
                            .models("gpt-4o-mini")
                            .build())
                    .build())
            .build();

    @AfterEach
    void close() {
        lm.close();
    }

    private ControlRouter router(String token, String cors) {
        return new ControlRouter(lm, new ControlRouter.Settings(token, cors, clock, "test", null));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/../config",
                "/keys/..",
                "/keys/%2e%2e",
                "/keys/%2E%2E%2Fconfig",
                "/keys/k1%2F..%2F..",
                "/keys/%2Fk1",
                "/./health",
                "//health",
                "/health%00",
                "/keys/k1%5C..",
                "/keys/a\\b",
                "/keys/%ZZ",
                "/keys/%C3%28",
                "health",
                "http://127.0.0.1/health",
                "*",
                "/a/b/c/d/e/f/g/h/i/j"
            })
    void traversalAndOddPathsAre404(String target) {
        ControlResponse r = router(null, null).handle(ControlRequest.of("GET", target));
        assertThat(r.status()).as(target).isEqualTo(404);
        assertThat(r.bodyText()).contains("\"not_found\"");
    }

    @Test
    void headKeepsTheBodyLengthButOmitsTheBody() {
        ControlResponse get = router(null, null).handle(ControlRequest.of("GET", "/config"));
        ControlResponse head = router(null, null).handle(ControlRequest.of("HEAD", "/config"));
        assertThat(head.omitBody()).isTrue();
        assertThat(head.body()).hasSameSizeAs(get.body());
        assertThat(get.omitBody()).isFalse();
    }

    @Test
    void aTokenGuardsEverythingButTheProbes() {
        ControlRouter router = router("s3cret-token", null);
        assertThat(router.handle(ControlRequest.of("GET", "/health")).status()).isEqualTo(401);
        assertThat(router.handle(ControlRequest.of("GET", "/nope")).status())
                .as("an unknown path tells nothing before the token")
                .isEqualTo(401);
        assertThat(router.handle(ControlRequest.of("GET", "/livez")).status()).isEqualTo(200);
        assertThat(router.handle(ControlRequest.of("GET", "/readyz")).status()).isEqualTo(200);
        assertThat(router.handle(new ControlRequest("GET", "/health", Map.of("authorization", "Bearer s3cret-token")))
                        .status())
                .isEqualTo(200);
        assertThat(router.handle(new ControlRequest("GET", "/health", Map.of("authorization", "bearer  s3cret-token ")))
                        .status())
                .isEqualTo(200);
        for (String wrong :
                List.of("Bearer s3cret-toke", "Bearer s3cret-token2", "Basic s3cret-token", "s3cret-token", "Bearer")) {
            ControlResponse r = router.handle(new ControlRequest("GET", "/health", Map.of("authorization", wrong)));
            assertThat(r.status()).as(wrong).isEqualTo(401);
            assertThat(r.headers()).containsEntry("www-authenticate", "Bearer realm=\"llm-rotate-server\"");
        }
    }

    @Test
    void corsOnlyForTheConfiguredOrigin() {
        Map<String, String> fromDash = Map.of("origin", "https://dash.example.com");
        ControlResponse off = router(null, null).handle(new ControlRequest("GET", "/health", fromDash));
        assertThat(off.headers()).doesNotContainKey("access-control-allow-origin");

        ControlRouter cors = router(null, "https://dash.example.com");
        assertThat(cors.handle(new ControlRequest("GET", "/health", fromDash)).headers())
                .containsEntry("access-control-allow-origin", "https://dash.example.com")
                .containsEntry("vary", "Origin");
        assertThat(cors.handle(new ControlRequest("GET", "/health", Map.of("origin", "https://evil.example.com")))
                        .headers())
                .doesNotContainKey("access-control-allow-origin");
        ControlResponse preflight = cors.handle(new ControlRequest("OPTIONS", "/health", fromDash));
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.headers())
                .containsEntry("access-control-allow-methods", "GET, HEAD")
                .containsEntry("access-control-allow-headers", "Authorization");
        assertThat(router(null, null)
                        .handle(new ControlRequest("OPTIONS", "/health", fromDash))
                        .status())
                .isEqualTo(405);
    }

    @Test
    void everyRouteButMetricsAnswersJson() {
        ControlRouter router = router(null, null);
        for (ControlRouter.Route route : router.routes()) {
            if (route.template().equals("/metrics")) {
                continue; // text, and only when the server has metrics: a 404 here (MetricsEndpointLoopbackTest)
            }
            String path = route.template().replace("{key_id}", "k1");
            ControlResponse r = router.handle(ControlRequest.of("GET", path));
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.headers()).containsEntry("content-type", ControlResponse.JSON);
        }
    }

    @Test
    void metricsIsNotFoundWithoutPrometheusMetrics() {
        ControlResponse r = router(null, null).handle(ControlRequest.of("GET", "/metrics"));
        assertThat(r.status()).isEqualTo(404);
    }
}

package dev.llmrotate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.server.http.ControlRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Bearer token, loopback by default, what the server says at start, CORS: over real HTTP. */
class SecurityLoopbackTest {
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger serverLog = (Logger) LoggerFactory.getLogger(ControlRouter.LOG_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        serverLog.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        serverLog.detachAppender(logs);
    }

    @Test
    void aTokenIsRequiredEverywhereButTheProbes() {
        try (ServerFixture f = new ServerFixture(c -> {}, o -> o.token("t0ken-for-the-test"))) {
            for (String path : EndpointsLoopbackTest.PATHS) {
                ServerFixture.Reply reply = f.get(path);
                boolean probe = path.equals("/livez") || path.equals("/readyz");
                assertThat(reply.status()).as(path).isEqualTo(probe ? 200 : 401);
                if (!probe) {
                    assertThat(reply.error().get("type").asText()).isEqualTo("unauthorized");
                    assertThat(reply.header("www-authenticate")).startsWith("Bearer");
                }
            }
            assertThat(f.get("/health", "Authorization", "Bearer t0ken-for-the-test")
                            .status())
                    .isEqualTo(200);
            assertThat(f.get("/health", "Authorization", "Bearer wrong").status())
                    .isEqualTo(401);
            assertThat(f.send("HEAD", "/config").status()).isEqualTo(401);
            assertThat(f.send("POST", "/config").status())
                    .as("405 before the token")
                    .isEqualTo(405);
            assertThat(messages()).anyMatch(m -> m.contains("needs the bearer token") && !m.contains("t0ken"));
        }
    }

    @Test
    void loopbackByDefaultAndSaysItHasNoAuthentication() {
        try (ServerFixture f = new ServerFixture()) {
            assertThat(f.server.address().getAddress().isLoopbackAddress()).isTrue();
            assertThat(f.server.uri().toString()).startsWith("http://127.0.0.1:");
            assertThat(messages()).anyMatch(m -> m.contains("no authentication (loopback only)"));
        }
    }

    @Test
    void anotherAddressNeedsATokenOrAnExplicitChoice() {
        assertThatThrownBy(() -> new ServerFixture(c -> {}, o -> o.host("0.0.0.0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address")
                .hasMessageContaining("--token-file")
                .hasMessageContaining("--allow-unauthenticated");

        try (ServerFixture f = new ServerFixture(c -> {}, o -> o.host("0.0.0.0").allowUnauthenticated(true))) {
            assertThat(f.get("/health").status()).isEqualTo(200);
            assertThat(logs.list)
                    .anyMatch(e -> e.getLevel() == Level.WARN
                            && e.getFormattedMessage().contains("NO AUTHENTICATION on a non-loopback address"));
        }
        try (ServerFixture f = new ServerFixture(c -> {}, o -> o.host("0.0.0.0").token("another-token"))) {
            assertThat(f.get("/keys").status()).isEqualTo(401);
            assertThat(f.get("/keys", "Authorization", "Bearer another-token").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void corsIsOffByDefaultAndAllowsOneOrigin() {
        try (ServerFixture f = new ServerFixture()) {
            assertThat(f.get("/health", "Origin", "https://dash.example.com").header("access-control-allow-origin"))
                    .isNull();
        }
        try (ServerFixture f = new ServerFixture(c -> {}, o -> o.corsOrigin("https://dash.example.com"))) {
            assertThat(f.get("/health", "Origin", "https://dash.example.com").header("access-control-allow-origin"))
                    .isEqualTo("https://dash.example.com");
            assertThat(f.get("/health", "Origin", "https://other.example.com").header("access-control-allow-origin"))
                    .isNull();
            ServerFixture.Reply preflight = f.send(
                    "OPTIONS",
                    "/keys",
                    "Origin",
                    "https://dash.example.com",
                    "Access-Control-Request-Method",
                    "GET",
                    "Access-Control-Request-Headers",
                    "authorization");
            assertThat(preflight.status()).isEqualTo(204);
            assertThat(preflight.header("access-control-allow-headers")).isEqualTo("Authorization");
            assertThat(messages()).anyMatch(m -> m.contains("cross-origin reads from https://dash.example.com"));
        }
        assertThatThrownBy(() -> ControlServerOptions.builder()
                        .corsOrigin("dash.example.com/path")
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsNeverShowTheToken() {
        assertThat(ControlServerOptions.builder().token("t0ken-xyz").build().toString())
                .doesNotContain("t0ken-xyz")
                .contains("token=***");
    }

    private java.util.List<String> messages() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}

package dev.llmrotate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.server.http.ControlRouter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The command's main logic in-process: exit codes, its one-line messages on stderr, and a server it starts. */
class ServerCliTest {
    static final String CONFIG = """
            keys:
              - key_id: openai-1
                provider: openai
                secret_ref: env://CLI_TEST_OPENAI_KEY
                models: [gpt-4o-mini]
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private ServerCli.Launch run(Map<String, String> env, String... args) {
        return ServerCli.launch(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env);
    }

    private ServerCli.Launch run(String... args) {
        return run(Map.of(), args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path config(String text) throws IOException {
        Path file = dir.resolve("llm-rotate.yaml");
        Files.writeString(file, text);
        return file;
    }

    private void assertRefused(ServerCli.Launch launch, int code, String... messageParts) {
        assertThat(launch.exitCode()).as(err()).isEqualTo(code);
        assertThat(launch.server()).isNull();
        assertThat(err()).startsWith("llm-rotate-server: ").contains(messageParts);
        assertThat(err()).doesNotContain("\tat ", "Exception");
    }

    @Test
    void helpAndVersion() {
        assertThat(run("--help").exitCode()).isZero();
        assertThat(out())
                .contains("Usage: llm-rotate-server", "-c, --config=FILE", "--host=ADDRESS", "--port=PORT")
                .contains("--event-capacity=N", "--token-file=FILE", "--allow-unauthenticated", "--cors-origin")
                .contains("Exit codes:", "LLM_ROTATE_CONFIG", "LLM_ROTATE_SERVER_TOKEN")
                .contains("default: 127.0.0.1");
        assertThat(out().replaceAll("\\s+", " ")).contains("(default: 8200)", "else 1000)");
        out.reset();
        assertThat(run("--version").exitCode()).isZero();
        assertThat(out().strip()).matches("llm-rotate-server \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void anUnknownOptionOrABadValueIsAUsageError() {
        assertRefused(run("--nope"), ServerCli.EXIT_USAGE, "Unknown option: '--nope'", "--help");
        err.reset();
        assertRefused(run("--port", "http"), ServerCli.EXIT_USAGE, "--port");
    }

    @Test
    void noConfigurationAnywhere() {
        assertRefused(run(), ServerCli.EXIT_USAGE, "no configuration: give --config FILE or set LLM_ROTATE_CONFIG");
    }

    @Test
    void aMissingConfigurationFile() {
        assertRefused(
                run("--config", dir.resolve("absent.yaml").toString()),
                ServerCli.EXIT_NO_INPUT,
                "configuration file " + dir.resolve("absent.yaml") + " does not exist");
        err.reset();
        assertRefused(
                run(Map.of("LLM_ROTATE_CONFIG", dir.resolve("gone.yaml").toString())),
                ServerCli.EXIT_NO_INPUT,
                "gone.yaml does not exist");
        err.reset();
        assertRefused(run("-c", dir.toString()), ServerCli.EXIT_NO_INPUT, "is not a regular file");
    }

    @Test
    void everyProblemOfABadConfigurationIsListed() throws IOException {
        Path file = config("""
                keys:
                  - key_id: a
                    provider: opneai
                    secret_ref: env://A
                    models: [m]
                  - key_id: b
                    provider: openai
                    secret_ref: env://B
                    modles: [m]
                defaults:
                  max_retries: -1
                """);
        ServerCli.Launch launch = run("--config", file.toString());
        assertRefused(launch, ServerCli.EXIT_USAGE, "invalid configuration in " + file);
        String[] lines = err().strip().split("\n");
        assertThat(lines[0]).endsWith("problems):");
        assertThat(err())
                .contains(
                        "  - keys[0].provider", "opneai", "  - keys[1].modles", "did you mean 'models'", "max_retries");
    }

    @Test
    void malformedYaml() throws IOException {
        Path file = config("keys: [\n");
        assertRefused(run("--config", file.toString()), ServerCli.EXIT_USAGE, "malformed YAML");
    }

    @Test
    void aPortInUse() throws IOException {
        Path file = config(CONFIG);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertRefused(
                    run("--config", file.toString(), "--port", String.valueOf(taken.getLocalPort())),
                    ServerCli.EXIT_CANNOT_LISTEN,
                    "cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": the port is in use",
                    "--port");
        }
    }

    @Test
    void aNonLoopbackHostNeedsATokenOrTheExplicitFlag() throws IOException {
        Path file = config(CONFIG);
        assertRefused(
                run("--config", file.toString(), "--host", "0.0.0.0", "--port", "0"),
                ServerCli.EXIT_USAGE,
                "not a loopback address",
                "--allow-unauthenticated");
        ServerCli.Launch open =
                run("--config", file.toString(), "--host", "0.0.0.0", "--port", "0", "--allow-unauthenticated");
        try {
            assertThat(open.exitCode()).isNull();
            assertThat(get(open, "/health", null).statusCode()).isEqualTo(200);
        } finally {
            open.close();
        }
    }

    @Test
    void tokenFileProblems() throws IOException {
        Path file = config(CONFIG);
        assertRefused(
                run(
                        "--config",
                        file.toString(),
                        "--token-file",
                        dir.resolve("no-token").toString()),
                ServerCli.EXIT_NO_INPUT,
                "token file",
                "does not exist");
        err.reset();
        Path empty = Files.writeString(dir.resolve("empty-token"), " \n");
        assertRefused(
                run("--config", file.toString(), "--token-file", empty.toString()), ServerCli.EXIT_USAGE, "is empty");
    }

    @Test
    void theTokenComesFromTheFileOrTheEnvironment() throws IOException {
        Path file = config(CONFIG);
        Path tokenFile = Files.writeString(dir.resolve("token"), "file-token-123\n");
        ServerCli.Launch withFile =
                run("--config", file.toString(), "--port", "0", "--token-file", tokenFile.toString());
        try {
            assertThat(out()).contains("bearer token required").doesNotContain("file-token-123");
            assertThat(get(withFile, "/keys", null).statusCode()).isEqualTo(401);
            assertThat(get(withFile, "/keys", "file-token-123").statusCode()).isEqualTo(200);
            assertThat(get(withFile, "/livez", null).statusCode()).isEqualTo(200);
        } finally {
            withFile.close();
        }
        ServerCli.Launch withEnv = run(
                Map.of("LLM_ROTATE_SERVER_TOKEN", "env-token-456", "LLM_ROTATE_CONFIG", file.toString()),
                "--port",
                "0");
        try {
            assertThat(get(withEnv, "/keys", "env-token-456").statusCode()).isEqualTo(200);
            assertThat(get(withEnv, "/keys", "file-token-123").statusCode()).isEqualTo(401);
        } finally {
            withEnv.close();
        }
    }

    @Test
    void badEventCapacityOrCorsOrigin() throws IOException {
        Path file = config(CONFIG);
        assertRefused(
                run("--config", file.toString(), "--event-capacity", "-1"), ServerCli.EXIT_USAGE, "--event-capacity");
        err.reset();
        assertRefused(
                run("--config", file.toString(), "--cors-origin", "not an origin"),
                ServerCli.EXIT_USAGE,
                "CORS origin");
    }

    @Test
    void startsServesAndStops() throws IOException {
        Path file = config(CONFIG);
        ServerCli.Launch launch = run("-c", file.toString(), "--port", "0");
        try {
            assertThat(launch.exitCode()).isNull();
            assertThat(out())
                    .startsWith("llm-rotate-server ")
                    .contains("listening on " + launch.server().uri(), "(1 keys in the pool)")
                    .contains("  dashboard: " + launch.server().uri() + " in a browser\n");
            assertThat(err()).isEmpty();
            assertThat(out()).contains("state_store is memory: no other process shares it");
            assertThat(launch.lm().isObserver())
                    .as("the command makes no calls: it observes the configured store")
                    .isTrue();
            HttpResponse<String> health = get(launch, "/health", null);
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(get(launch, "/events", null).body())
                    .as("the configuration's event_buffer, which the workers use: off here")
                    .contains("\"event_buffer_capacity\":0");
        } finally {
            launch.close();
        }
        out.reset();
        Path withBuffer = config(CONFIG + "event_buffer: {enabled: true, capacity: 70}\n");
        ServerCli.Launch small = run("-c", withBuffer.toString(), "--port", "0", "--event-capacity", "5");
        try {
            assertThat(get(small, "/events", null).body()).contains("\"event_buffer_capacity\":70");
            assertThat(out()).contains("--event-capacity is for calls this process makes");
        } finally {
            small.close();
        }
    }

    @Test
    void withAGatewayPortItHoldsTheKeysAndServesTheGatewayToo() throws IOException {
        Path file = config(CONFIG);
        ServerCli.Launch launch = run("-c", file.toString(), "--port", "0", "--gateway-port", "0");
        try {
            assertThat(launch.exitCode()).as(err()).isNull();
            assertThat(launch.lm().isObserver()).isFalse();
            assertThat(launch.gateway()).isNotNull();
            assertThat(out()).contains("gateway: " + launch.gateway().uri() + "v1 (OpenAI-compatible");
            HttpResponse<String> models = send(URI.create(launch.gateway().uri() + "v1/models"));
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.body()).contains("\"id\":\"gpt-4o-mini\"");
            assertThat(get(launch, "/events", null).body())
                    .as("the control server keeps this process's own calls")
                    .contains("\"event_buffer_capacity\":1000");
        } finally {
            launch.close();
        }
    }

    @Test
    void everyProblemOfTheGatewayBlockIsListed() throws IOException {
        Path file = config(CONFIG + """
                gateway:
                  port: high
                  keyz: []
                  keys:
                    - {id: team-a, secret_ref: env://CLI_TEST_UNSET_GATEWAY_KEY}
                    - {id: team-a, secret_ref: literal://x, models: [1]}
                """);
        assertRefused(
                run("-c", file.toString(), "--port", "0"),
                ServerCli.EXIT_USAGE,
                "invalid configuration in " + file + " (5 problems):",
                "gateway.keyz: unknown field; did you mean 'keys'?",
                "gateway.port: expected a whole number from 0 to 65535, got 'high'",
                "gateway.keys[0].secret_ref: environment variable CLI_TEST_UNSET_GATEWAY_KEY is not set or empty",
                "gateway.keys[1].id: 'team-a' is used by an earlier gateway key",
                "gateway.keys[1].models[0]: expected a model id, got 1");
    }

    @Test
    void theGatewayBlockStartsTheGatewayWithItsKeys() throws IOException {
        Path file = config(CONFIG + """
                gateway:
                  port: 0
                  keys:
                    - {id: team-a, secret_ref: env://CLI_TEST_GATEWAY_KEY}
                """);
        ServerCli.Launch launch =
                run(Map.of("CLI_TEST_GATEWAY_KEY", "gw-cli-secret"), "-c", file.toString(), "--port", "0");
        try {
            assertThat(launch.exitCode()).as(err()).isNull();
            assertThat(out()).contains("gateway keys required");
            URI models = URI.create(launch.gateway().uri() + "v1/models");
            assertThat(send(models).statusCode()).isEqualTo(401);
            assertThat(HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(models)
                                            .header("Authorization", "Bearer gw-cli-secret")
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            launch.close();
        }
        assertThat(out() + err()).doesNotContain("gw-cli-secret");
    }

    @Test
    void aChangedConfigurationFileIsReloadedAndABrokenOneIsNot() throws IOException {
        Path file = config(CONFIG);
        ServerCli.Launch launch = run("-c", file.toString(), "--port", "0", "--gateway-port", "0");
        try {
            Files.writeString(file, CONFIG + """
                      - key_id: openai-2
                        provider: openai
                        secret_ref: env://CLI_TEST_OPENAI_KEY_2
                        models: [gpt-4o-mini]
                    """);
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10_000));
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> launch.lm().config().activeKeys().size() == 2);
            ListAppender<ILoggingEvent> logs = new ListAppender<>();
            logs.start();
            Logger server = (Logger) LoggerFactory.getLogger(ControlRouter.LOG_NAME);
            server.addAppender(logs);
            try {
                Files.writeString(file, "keys: [oops");
                Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 20_000));
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> logs.list.stream()
                                .anyMatch(e -> e.getFormattedMessage().contains("not applied, the running one stays")));
            } finally {
                server.detachAppender(logs);
            }
            assertThat(launch.lm().config().activeKeys()).hasSize(2);
        } finally {
            launch.close();
        }
    }

    private static HttpResponse<String> send(URI uri) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(ServerCli.Launch launch, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + launch.server().port() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

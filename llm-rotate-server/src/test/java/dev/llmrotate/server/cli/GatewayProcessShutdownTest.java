package dev.llmrotate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command with its gateway as a real process, stopped by SIGTERM while calls are in flight: it stops accepting,
 * lets every call in flight finish and answer its client, writes one usage record each, and exits 143 (128 +
 * SIGTERM, the JVM's status after its shutdown hooks).
 */
@Tag("slow")
class GatewayProcessShutdownTest {
    private static final Pattern GATEWAY = Pattern.compile("gateway: (http://127\\.0\\.0\\.1:\\d+/v1)");
    private static final String SECRET = "sk-process-shutdown-0123456789abcdef";
    private static final int CALLS = 5;

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();

    @TempDir
    Path dir;

    @AfterEach
    void closeFake() {
        openai.close();
    }

    @Test
    void sigtermLetsEveryCallInFlightFinishWithOneRecordEach() throws Exception {
        openai.byDefault().always(FakeResponse.ok("finished").delay(Duration.ofMillis(1500)));
        Path config = Files.writeString(dir.resolve("llm-rotate.yaml"), """
                keys:
                  - key_id: openai-1
                    provider: openai
                    secret_ref: env://SHUTDOWN_TEST_OPENAI_KEY
                    models: [gpt-4o-mini]
                providers:
                  openai: {base_url: "%s"}
                gateway:
                  port: 0
                  shutdown_grace_seconds: 20
                """.formatted(openai.baseUrl()));
        Path errors = dir.resolve("stderr.txt");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                ServerCli.class.getName(),
                "--config",
                config.toString(),
                "--port",
                "0"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        builder.environment().put("SHUTDOWN_TEST_OPENAI_KEY", SECRET);
        Process process = builder.start();
        try {
            URI gateway = gatewayUri(process);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int i = 0; i < CALLS; i++) {
                calls.add(http.sendAsync(
                        HttpRequest.newBuilder(URI.create(gateway + "/chat/completions"))
                                .timeout(Duration.ofSeconds(30))
                                .header("content-type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> openai.requestCount() == CALLS);

            process.destroy(); // SIGTERM while every call waits on the provider

            for (CompletableFuture<HttpResponse<String>> call : calls) {
                HttpResponse<String> response = call.get(30, TimeUnit.SECONDS);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).contains("finished");
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
            String stderr = Files.readString(errors);
            List<String> records = stderr.lines()
                    .filter(line -> line.contains("[llm_rotate.observability.usage]"))
                    .toList();
            assertThat(records).hasSize(CALLS).allMatch(line -> line.contains("\"outcome\":\"success\""));
            assertThat(stderr).contains("gateway stopped").doesNotContain(SECRET);
            assertThat(openai.requestCount()).isEqualTo(CALLS);
        } finally {
            process.destroyForcibly();
        }
    }

    /** Reads the command's stdout until it prints the gateway's address. */
    private static URI gatewayUri(Process process) throws Exception {
        BufferedReader stdout =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String address = CompletableFuture.supplyAsync(() -> {
                    try {
                        for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                            Matcher m = GATEWAY.matcher(line);
                            if (m.find()) {
                                return m.group(1);
                            }
                        }
                        return null;
                    } catch (IOException e) {
                        return null;
                    }
                })
                .get(90, TimeUnit.SECONDS);
        assertThat(address).as("the command printed its gateway's address").isNotNull();
        return URI.create(address);
    }
}

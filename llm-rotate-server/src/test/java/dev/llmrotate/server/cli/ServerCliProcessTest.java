package dev.llmrotate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a real process: it prints where it listens, serves, and exits on SIGTERM; a bad start exits 2. */
class ServerCliProcessTest {
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+/)");

    @TempDir
    Path dir;

    private Process start(Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ServerCli.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    }

    @Test
    void runsUntilTerminated() throws Exception {
        Path config = Files.writeString(dir.resolve("llm-rotate.yaml"), ServerCliTest.CONFIG);
        Path errors = dir.resolve("stderr.txt");
        Process process = start(errors, "--config", config.toString(), "--port", "0");
        try {
            BufferedReader stdout =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                        try {
                            return stdout.readLine();
                        } catch (IOException e) {
                            return null;
                        }
                    })
                    .get(90, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            Matcher m = LISTENING.matcher(first);
            assertThat(m.find()).as(first).isTrue();
            HttpResponse<String> livez = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(m.group(1) + "livez"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(livez.statusCode()).isEqualTo(200);
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String stderr = Files.readString(errors);
            assertThat(stderr).contains("[llm_rotate.server] control server listening on", "stopped");
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aBadConfigurationExits2WithItsProblems() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), "keys: []\nbogus: 1\n");
        Path errors = dir.resolve("stderr.txt");
        Process process = start(errors, "--config", config.toString());
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
            String stderr = Files.readString(errors);
            assertThat(process.exitValue()).as(stderr).isEqualTo(2);
            assertThat(stderr)
                    .startsWith("llm-rotate-server: invalid configuration in ")
                    .contains("bogus");
            assertThat(stderr).doesNotContain("\tat ");
        } finally {
            process.destroyForcibly();
        }
    }
}

package dev.llmrotate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.redis.RedisServer;
import dev.llmrotate.redis.Worker;
import dev.llmrotate.server.cli.ServerCli;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone mode: two worker JVMs serve calls through one real {@code redis-server}, and the {@code llm-rotate-server}
 * command, in a third JVM with a configuration whose secret files do not exist on its host, shows what they did over
 * HTTP: health and masks, usage over a time frame, the time series, key history, the workers' records and the
 * fleet's Prometheus counters; no answer and no line it prints holds a secret.
 */
class StandaloneOverRedisTest {
    private static final String PREFIX = "standalone-" + ProcessHandle.current().pid();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");
    private static RedisServer redis;

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private static String secret(String keyId) {
        return "sk-standalone-" + keyId + "-0123456789abcdef";
    }

    /** Three keys (one revoked, one with an rpm budget), the event buffer on, the shared Redis. */
    private Path config(String name, Path secrets, FakeOpenAiServer openai) throws IOException {
        StringBuilder yaml = new StringBuilder("keys:\n");
        for (String keyId : List.of("revoked", "w1", "w2")) {
            yaml.append("  - {key_id: ")
                    .append(keyId)
                    .append(", provider: openai, models: [gpt-4o-mini], secret_ref: 'file://")
                    .append(secrets.resolve("secret-" + keyId))
                    .append("'")
                    .append(keyId.equals("w1") ? ", rate_limit_rpm: 1000" : "")
                    .append("}\n");
        }
        yaml.append("providers:\n  openai: {base_url: '")
                .append(openai.baseUrl())
                .append("', request_timeout_seconds: 10}\n")
                .append("defaults: {selection_strategy: round_robin, max_wait_for_key_seconds: 0,"
                        + " call_deadline_seconds: 30, backoff_base_seconds: 0.01}\n")
                .append("event_buffer: {enabled: true, capacity: 100}\n")
                .append("state_store: {type: redis, url: '")
                .append(redis.url())
                .append("?timeout=5s', prefix: ")
                .append(PREFIX)
                .append("}\n");
        Path file = dir.resolve(name);
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void theServerCommandShowsWhatTwoWorkerProcessesDid() throws Exception {
        FakeOpenAiServer openai = FakeOpenAiServer.start();
        opened.add(openai);
        openai.forKey(secret("revoked")).always(FakeResponse.invalidApiKey());
        openai.byDefault().always(FakeResponse.ok("hello", 10, 5));
        Path secrets = Files.createDirectory(dir.resolve("secrets"));
        for (String keyId : List.of("revoked", "w1", "w2")) {
            Files.writeString(secrets.resolve("secret-" + keyId), secret(keyId));
        }
        Path workerConfig = config("worker.yaml", secrets, openai);
        Path serverConfig = config("server.yaml", dir.resolve("not-on-this-host"), openai);

        Worker first = Worker.start(workerConfig, dir.resolve("worker-1.log"));
        opened.add(first);
        Worker second = Worker.start(workerConfig, dir.resolve("worker-2.log"));
        opened.add(second);
        first.send("calls 30 2");
        second.send("calls 30 2");
        assertThat(Worker.numbers(first.expect("done", 120))).containsExactly(30, 0, 0);
        assertThat(Worker.numbers(second.expect("done", 120))).containsExactly(30, 0, 0);

        ServerProcess server = ServerProcess.start(serverConfig, dir.resolve("server.log"));
        opened.add(server);
        assertThat(server.banner).contains("standalone: showing the workers that share state_store redis");

        JsonNode health = get(server, "/health", 200);
        assertThat(state(health, "revoked")).isEqualTo("QUARANTINE");
        assertThat(state(health, "w1")).isEqualTo("ACTIVE");
        for (JsonNode key : health.get("keys")) {
            assertThat(key.get("key_mask").asText())
                    .as("masks the workers published; the server cannot read the secret files")
                    .isEqualTo("sk-…cdef");
        }

        JsonNode usage = get(server, "/usage?window=1h", 200);
        assertThat(usage.get("overall").get("successes").asLong()).isEqualTo(60);
        assertThat(usage.get("overall").get("input_tokens").asLong()).isEqualTo(600);
        long w1 = usage.get("by_key").get("w1").get("successes").asLong();
        long w2 = usage.get("by_key").get("w2").get("successes").asLong();
        assertThat(w1).isPositive();
        assertThat(w1 + w2).isEqualTo(60);

        long inSeries = 0;
        for (JsonNode point :
                get(server, "/timeseries?window=1h&bucket=1m", 200).get("points")) {
            inSeries += point.get("totals").get("successes").asLong();
        }
        assertThat(inSeries).isEqualTo(60);

        JsonNode history = get(server, "/keys/revoked/history?window=1h", 200);
        assertThat(history.get("changes")).isNotEmpty();
        for (JsonNode change : history.get("changes")) {
            assertThat(change.get("to").asText()).isEqualTo("QUARANTINE");
            assertThat(change.get("cause").asText()).isEqualTo("invalid_auth");
        }

        JsonNode events = get(server, "/events?limit=200", 200);
        assertThat(events.get("event_buffer_capacity").asInt()).isEqualTo(100);
        Set<String> instances = new HashSet<>();
        int successes = 0;
        for (JsonNode event : events.get("events")) {
            String callId = event.get("call_id").asText();
            instances.add(callId.substring(0, callId.indexOf('-')));
            successes += event.get("outcome").asText().equals("success") ? 1 : 0;
        }
        assertThat(instances).as("records of both workers").hasSize(2);
        assertThat(successes).isEqualTo(60);

        JsonNode w1Key = get(server, "/keys/w1", 200);
        assertThat(w1Key.get("budgets").get("rate_limit_rpm").asInt()).isEqualTo(1000);
        assertThat(w1Key.get("budgets").get("rpm_remaining").asLong())
                .as("the admissions of both workers in the last minute, counted in Redis")
                .isEqualTo(1000 - w1);

        String metrics = text(server, "/metrics");
        assertThat(sample(
                        metrics,
                        "llm_rotate_fleet_key_calls_total{key_id=\"w1\",outcome=\"success\",provider=\"openai\"}"))
                .isEqualTo(w1);
        assertThat(sample(
                        metrics,
                        "llm_rotate_fleet_key_calls_total{key_id=\"w2\",outcome=\"success\",provider=\"openai\"}"))
                .isEqualTo(w2);
        assertThat(sample(metrics, "llm_rotate_fleet_model_tokens_total{model=\"gpt-4o-mini\",token_type=\"input\"}"))
                .isEqualTo(600);
        assertThat(sample(
                        metrics,
                        "llm_rotate_fleet_key_calls_total{key_id=\"revoked\",outcome=\"failure\",provider=\"openai\"}"))
                .as("a call counts under the key that ended it: every call rotated past the revoked key")
                .isZero();
        assertThat(sample(metrics, "llm_rotate_key_requests_remaining{key_id=\"w1\",provider=\"openai\"}"))
                .isEqualTo(1000 - w1);
        assertThat(metrics).doesNotContain("llm_rotate_calls_total");

        List<String> everything = new ArrayList<>();
        for (String path :
                List.of("/health", "/keys", "/usage", "/usage/models?group_by=key", "/events", "/config", "/metrics")) {
            everything.add(text(server, path));
        }
        server.close();
        everything.add(server.output());
        everything.add(Files.readString(dir.resolve("server.log")));
        for (String keyId : List.of("revoked", "w1", "w2")) {
            assertThat(everything).noneMatch(s -> s.contains(secret(keyId)));
        }
        assertThat(everything).noneMatch(s -> s.contains("0123456789abcdef"));
    }

    private static String state(JsonNode health, String keyId) {
        for (JsonNode key : health.get("keys")) {
            if (key.get("key_id").asText().equals(keyId)) {
                return key.get("state").asText();
            }
        }
        throw new AssertionError("no key " + keyId + " in " + health);
    }

    /** The value of one sample line of the text format. */
    private static long sample(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return (long)
                        Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + series + " in:\n" + metrics);
    }

    private JsonNode get(ServerProcess server, String path, int status) throws Exception {
        HttpResponse<String> response = send(server, path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private String text(ServerProcess server, String path) throws Exception {
        HttpResponse<String> response = send(server, path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return response.body();
    }

    private HttpResponse<String> send(ServerProcess server, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(server.uri + path))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code llm-rotate-server} in its own JVM, on this JVM's class path, on a free port. */
    private static final class ServerProcess implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuilder output = new StringBuilder();
        private String uri;
        private String banner = "";

        private ServerProcess(Process process) {
            this.process = process;
            Thread reader = new Thread(this::read, "server-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static ServerProcess start(Path config, Path log) throws Exception {
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(List.of(
                            java,
                            "-Xmx256m",
                            "-XX:+UseSerialGC",
                            "-cp",
                            System.getProperty("java.class.path"),
                            ServerCli.class.getName(),
                            "--config",
                            config.toString(),
                            "--port",
                            "0"))
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            ServerProcess server = new ServerProcess(process);
            StringBuilder banner = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (server.uri == null || !banner.toString().contains("stop with Ctrl-C")) {
                String line = server.lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null || line.equals("\u0000exited")) {
                    server.close();
                    throw new AssertionError("the server did not start: " + banner + Files.readString(log));
                }
                banner.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    server.uri = m.group(1);
                }
            }
            server.banner = banner.toString();
            return server;
        }

        private void read() {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
            lines.add("\u0000exited");
        }

        String output() {
            synchronized (output) {
                return output.toString();
            }
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy(); // SIGTERM: the shutdown hook closes the server
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}

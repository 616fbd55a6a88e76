package dev.llmrotate.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The demo with the control server: prints the URLs, serves them while traffic runs, stops after --duration. */
class LiveDemoTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private synchronized String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void servesTheEndpointsWhileTrafficRunsAndStopsAfterTheDuration() throws Exception {
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return LiveDemo.run(
                        new String[] {"--server", "--port", "0", "--gateway-port", "0", "--duration", "10s"}, out, out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        });
        Pattern health = Pattern.compile("health\\s+(http://127\\.0\\.0\\.1:\\d+/)health");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> health.matcher(output()).find());
        Matcher m = health.matcher(output());
        assertThat(m.find()).isTrue();
        String base = m.group(1);
        assertThat(output())
                .contains(base + "keys", base + "events?limit=20", base + "openapi.json", "running for 10 s");

        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> events = http.send(
                    HttpRequest.newBuilder(URI.create(base + "events?limit=5")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(events.statusCode()).isEqualTo(200);
            assertThat(events.body()).doesNotContain("\"count\":0,");
        });
        Matcher gateway = Pattern.compile("curl -s (http://127\\.0\\.0\\.1:\\d+/v1/chat/completions)")
                .matcher(output());
        assertThat(gateway.find()).as(output()).isTrue();
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(gateway.group(1)))
                        .header("content-type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isIn(200, 503);
        assertThat(answer.body()).contains(answer.statusCode() == 200 ? "chat.completion" : "no_available_key");
        assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(output()).containsPattern("stopped after \\d+ calls");
    }

    @Test
    void badOptionsExit2() throws Exception {
        assertThat(LiveDemo.run(new String[] {"--server", "--duration", "soon"}, out, out))
                .isEqualTo(2);
        assertThat(output()).contains("--duration must be like 90s");
        assertThat(LiveDemo.run(new String[] {"--server", "--bogus"}, out, out)).isEqualTo(2);
    }

    @Test
    void durations() {
        assertThat(LiveDemo.duration("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(LiveDemo.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(LiveDemo.duration("PT1H")).isEqualTo(Duration.ofHours(1));
    }
}

package dev.llmrotate.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.server.ControlServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The example as a user runs it: over HTTP on a random port, on the simulated providers, with the control server. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "llm-rotate.control-server.port=0")
@ActiveProfiles(SimulatedProviders.PROFILE)
@AutoConfigureObservability // Boot's tests keep metrics export off otherwise; the example shows /actuator/prometheus
class ChatApplicationTest {
    private static final long SEED = 42;
    private static final SimulatedProviders SIMULATED = SimulatedProviders.start(SEED);

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    int port;

    @Autowired
    ControlServer controlServer;

    @DynamicPropertySource
    static void simulatedProviders(DynamicPropertyRegistry registry) {
        SIMULATED.properties().forEach((name, value) -> registry.add(name, () -> value));
    }

    @AfterAll
    static void stopSimulated() {
        SIMULATED.close();
    }

    @Test
    void everyChatIsAnsweredWhileTheRateLimitedAndRevokedKeysAreRotatedAway() throws Exception {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = post("/chat", "{\"message\":\"Hello number " + i + "\"}");
            assertThat(response.statusCode()).as("seed %d, call %d: %s", SEED, i, response.body()).isEqualTo(200);
            answers.add(response.body());
        }
        assertThat(answers).allSatisfy(a -> assertThat(a).contains("\"answer\":\"Hello from simulated"));
        assertThat(answers).anySatisfy(a -> assertThat(a).contains("\"keyId\":\"openai-backup\""));
        assertThat(answers).noneSatisfy(a -> assertThat(a).contains("\"keyId\":\"openai-revoked\""));
        // The revoked key is tried once, then rests in quarantine instead of being retried on every call.
        assertThat(SIMULATED.openAiRequests("sim-openai-revoked")).isEqualTo(1);
    }

    @Test
    void theAssistantAnswersThroughSpringAisChatClient() throws Exception {
        HttpResponse<String> response = post("/assistant", "{\"message\":\"What time is it?\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"answer\":\"Hello from simulated").contains("after asking the clock");
    }

    @Test
    void streamsTheAnswerAsServerSentEvents() throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/chat/stream?message=hi")).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("text/event-stream"));
        assertThat(response.body()).contains("data:");
    }

    @Test
    void actuatorShowsHealthAndMetricsAndTheControlServerItsDashboard() throws Exception {
        post("/chat", "{\"message\":\"warm up\"}");
        HttpResponse<String> health = get(uri("/actuator/health"));
        assertThat(health.body()).contains("\"llmRotate\"", "\"openai-primary\"").doesNotContain("sim-openai-primary");

        HttpResponse<String> dashboard = http.send(
                HttpRequest.newBuilder(controlServer.uri().resolve("/"))
                        .header("Accept", "text/html")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(dashboard.statusCode()).isEqualTo(200);
        assertThat(dashboard.body()).contains("<html");
        assertThat(get(controlServer.uri().resolve("/usage")).body()).contains("\"calls\"");

        String prometheus = get(uri("/actuator/prometheus")).body();
        assertThat(prometheus)
                .contains("llm_rotate_calls_total{", "gen_ai_client_operation_duration_seconds_bucket{")
                .contains("llm_rotate_key_state{")
                .doesNotContain("sim-openai-primary");
        // The control server's own Prometheus endpoint, on the Prometheus client Boot's dependency management chose.
        assertThat(get(controlServer.uri().resolve("/metrics")).body()).contains("llm_rotate_calls_total{");
    }

    private HttpResponse<String> post(String path, String json) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

}

package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The example in README.md, kept compiling and passing. Keep the two in sync. */
class ReadmeExampleTest {

    static final FakeOpenAiServer openai = FakeOpenAiServer.start();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void forgetPreviousTest() {
        openai.reset();
    }

    @AfterAll
    static void stop() {
        openai.close();
    }

    @Test
    void rateLimitedKeyThenHealthyKey() throws Exception {
        openai.forKey("sk-limited").always(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        openai.forKey("sk-healthy").always(FakeResponse.ok("Hello from the fake"));

        HttpResponse<String> limited = http.send(chat("sk-limited"), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> healthy = http.send(chat("sk-healthy"), HttpResponse.BodyHandlers.ofString());

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("retry-after")).hasValue("20");
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).contains("Hello from the fake");
        assertThat(openai.requestCount("sk-limited")).isEqualTo(1);
        assertThat(openai.requests().get(1).model()).isEqualTo("gpt-4o-mini");
    }

    HttpRequest chat(String apiKey) {
        return HttpRequest.newBuilder(openai.chatCompletionsUrl())
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build();
    }
}

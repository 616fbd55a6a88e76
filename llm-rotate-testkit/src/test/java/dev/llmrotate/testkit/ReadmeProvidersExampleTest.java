package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The streaming, Anthropic and Gemini examples in README.md, kept compiling and passing. Keep them in sync. */
class ReadmeProvidersExampleTest {

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void streamWithoutEndMarker() throws Exception {
        try (FakeOpenAiServer openai = FakeOpenAiServer.start()) {
            openai.forKey("sk-a").always(FakeResponse.ok("Hello big world").missingEndMarker());

            HttpResponse<Stream<String>> response = http.send(
                    HttpRequest.newBuilder(openai.chatCompletionsUrl())
                            .header("Authorization", "Bearer sk-a")
                            .POST(BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"stream\":true,"
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                            .build(),
                    BodyHandlers.ofLines());

            List<String> events =
                    response.body().filter(line -> line.startsWith("data: ")).toList();
            assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
            assertThat(events).hasSize(5); // role chunk, "Hello", " big", " world", finish_reason chunk
            assertThat(events).doesNotContain("data: [DONE]");
        }
    }

    @Test
    void anthropicOverloaded() throws Exception {
        try (FakeAnthropicServer anthropic = FakeAnthropicServer.start()) {
            anthropic.forKey("sk-ant-a").always(FakeResponse.overloaded());

            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(anthropic.messagesUrl()) // = baseUrl() + "/messages"
                            .header("x-api-key", "sk-ant-a")
                            .header("anthropic-version", "2023-06-01")
                            .POST(BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                            .build(),
                    BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(529);
            assertThat(response.body()).contains("\"type\":\"overloaded_error\"");
        }
    }

    @Test
    void vertexServiceAccount() throws Exception {
        try (FakeGeminiServer gemini = FakeGeminiServer.start()) {
            ServiceAccounts.ServiceAccount account =
                    gemini.newServiceAccount("rotate-1@my-project.iam.gserviceaccount.com");
            gemini.forServiceAccount(account.clientEmail())
                    .next(GeminiResponses.rateLimitedPerMinute(Duration.ofSeconds(34)));

            // Your client loads account.json() and signs its own assertion; here the testkit signs it.
            String assertion = account.assertion(
                    "https://www.googleapis.com/auth/cloud-platform", Instant.now(), Duration.ofHours(1));
            HttpResponse<String> token = http.send(
                    HttpRequest.newBuilder(gemini.tokenUrl())
                            .header("content-type", "application/x-www-form-urlencoded")
                            .POST(BodyPublishers.ofString(
                                    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="
                                            + assertion))
                            .build(),
                    BodyHandlers.ofString());
            String accessToken = new ObjectMapper()
                    .readTree(token.body())
                    .path("access_token")
                    .asText();

            HttpResponse<String> limited = http.send(
                    HttpRequest.newBuilder(
                                    gemini.vertexGenerateContentUrl("my-project", "us-central1", "gemini-2.5-flash"))
                            .header("Authorization", "Bearer " + accessToken)
                            .POST(BodyPublishers.ofString(
                                    "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Hi\"}]}]}"))
                            .build(),
                    BodyHandlers.ofString());

            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.body()).contains("RESOURCE_EXHAUSTED", "\"retryDelay\":\"34s\"");
            RecordedRequest request = gemini.requests().get(0);
            assertThat(request.apiKey()).isEqualTo(account.clientEmail()); // the account, not the token
            assertThat(request.attribute("region")).isEqualTo("us-central1");
            assertThat(gemini.tokenRequestCount()).isEqualTo(1);
        }
    }
}

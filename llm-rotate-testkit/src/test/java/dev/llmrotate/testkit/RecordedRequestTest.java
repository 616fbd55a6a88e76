package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.TestClient.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the server records about each request. */
class RecordedRequestTest {

    @Test
    void recordsEveryRequestWithLowerCaseHeadersBodyKeyModelAndTimeInArrivalOrder() {
        TestClient client = new TestClient();
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            server.forKey("k2").always(FakeResponse.serverError());
            Instant before = Instant.now();

            client.send(post(server.chatCompletionsUrl(), "k1", TestClient.chatBody("m1"))
                    .header("X-Trace-Id", "trace-1")
                    .build());
            client.send(post(server.chatCompletionsUrl(), "k2", TestClient.chatBody("m2"))
                    .build());
            client.send(
                    post(server.chatCompletionsUrl(), null, "{\"messages\":[]}").build());

            List<RecordedRequest> requests = server.requests();
            assertThat(requests).hasSize(3);
            RecordedRequest first = requests.get(0);
            assertThat(first.method()).isEqualTo("POST");
            assertThat(first.path()).isEqualTo("/v1/chat/completions");
            assertThat(first.apiKey()).isEqualTo("k1");
            assertThat(first.model()).isEqualTo("m1");
            assertThat(first.body()).isEqualTo(TestClient.chatBody("m1"));
            assertThat(first.headers()).containsEntry("authorization", List.of("Bearer k1"));
            assertThat(first.headers()).containsEntry("x-trace-id", List.of("trace-1"));
            assertThat(first.headers().keySet())
                    .allSatisfy(name -> assertThat(name).isLowerCase());
            assertThat(first.header("Content-Type")).isEqualTo("application/json");
            assertThat(first.header("x-missing")).isNull();
            assertThat(first.json().path("messages").path(0).path("content").asText())
                    .isEqualTo("hi");
            assertThat(first.receivedAt()).isBetween(before, Instant.now());

            assertThat(requests.get(1).apiKey()).isEqualTo("k2");
            assertThat(requests.get(1).model()).isEqualTo("m2");
            assertThat(requests.get(1).receivedAt()).isAfterOrEqualTo(first.receivedAt());
            assertThat(requests.get(2).apiKey()).isNull();
            assertThat(requests.get(2).model()).isNull();

            assertThat(server.requestCount()).isEqualTo(3);
            assertThat(server.requestCount("k1")).isEqualTo(1);
            assertThat(server.requestCount("k2")).isEqualTo(1);
            assertThat(server.requestCount(null)).isEqualTo(1);
            assertThat(server.requestCount("never")).isZero();
        }
    }

    @Test
    void requestsIsASnapshot() {
        TestClient client = new TestClient();
        try (FakeOpenAiServer server = FakeOpenAiServer.start()) {
            client.chat(server, "k1", "m");
            List<RecordedRequest> snapshot = server.requests();

            client.chat(server, "k1", "m");

            assertThat(snapshot).hasSize(1);
            assertThat(server.requests()).hasSize(2);
            assertThatThrownBy(() -> snapshot.add(snapshot.get(0))).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void constructorNormalizesHeaderNamesAndCopiesThem() {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("X-One", List.of("a"));
        headers.put("x-one", List.of("b"));

        RecordedRequest request =
                new RecordedRequest("POST", "/v1/chat/completions", headers, "", null, null, Instant.EPOCH);
        headers.clear();

        assertThat(request.headers()).containsOnlyKeys("x-one");
        assertThat(request.headers().get("x-one")).containsExactlyInAnyOrder("a", "b");
        assertThatThrownBy(() -> request.headers().put("y", List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void jsonRejectsEmptyAndInvalidBodies() {
        RecordedRequest empty = new RecordedRequest("POST", "/", Map.of(), "", null, null, Instant.EPOCH);
        RecordedRequest invalid = new RecordedRequest("POST", "/", Map.of(), "{nope", null, null, Instant.EPOCH);

        assertThatThrownBy(empty::json)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(invalid::json)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not valid JSON");
    }
}

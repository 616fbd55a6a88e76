package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.TestClient.chatBody;
import static dev.llmrotate.testkit.TestClient.content;
import static dev.llmrotate.testkit.TestClient.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delays and network faults, and how close() releases what they hold. */
class NetworkFaultTest {

    /** close() must not take seconds; generous for slow CI machines, orders of magnitude above the real cost. */
    private static final Duration PROMPT = Duration.ofMillis(1500);

    private final FakeOpenAiServer server = FakeOpenAiServer.start();
    private final TestClient client = new TestClient();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void delayHoldsTheResponseBackAtLeastThatLong() {
        server.forKey("k1").always(FakeResponse.ok("late").delay(Duration.ofMillis(300)));

        long start = System.nanoTime();
        HttpResponse<String> response = client.chat(server, "k1", "m");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(response)).isEqualTo("late");
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(300);
    }

    @Test
    void delayedErrorKeepsItsStatus() {
        server.forKey("k1").always(FakeResponse.overloaded().delay(Duration.ofMillis(50)));

        assertThat(client.chat(server, "k1", "m").statusCode()).isEqualTo(503);
    }

    @Test
    void connectionDropMakesTheClientFailWithIOException() {
        server.forKey("k1").next(FakeResponse.connectionDrop());

        assertThatThrownBy(() -> client.http()
                        .send(
                                post(server.chatCompletionsUrl(), "k1", chatBody("m"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
        assertThat(server.requestCount("k1")).isEqualTo(1);
        // The server keeps serving after a drop.
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("fake reply");
    }

    @Test
    void noResponseLetsTheClientsOwnTimeoutFire() {
        server.forKey("k1").always(FakeResponse.noResponse());

        assertThatThrownBy(() -> client.http()
                        .send(
                                post(server.chatCompletionsUrl(), "k1", chatBody("m"))
                                        .timeout(Duration.ofMillis(200))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(server.requestCount("k1")).isEqualTo(1);

        assertClosesPromptly();
    }

    @Test
    void closeReleasesAClientWaitingOnNoResponse() {
        server.forKey("k1").always(FakeResponse.noResponse());
        CompletableFuture<HttpResponse<String>> pending = client.http()
                .sendAsync(
                        post(server.chatCompletionsUrl(), "k1", chatBody("m"))
                                .timeout(Duration.ofMinutes(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        await().until(() -> server.requestCount("k1") == 1);

        assertClosesPromptly();

        assertThat(pending)
                .failsWithin(PROMPT)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IOException.class);
    }

    @Test
    void closeInterruptsALongDelay() {
        server.forKey("k1").always(FakeResponse.ok("too late").delay(Duration.ofMinutes(10)));
        CompletableFuture<HttpResponse<String>> pending = client.http()
                .sendAsync(
                        post(server.chatCompletionsUrl(), "k1", chatBody("m"))
                                .timeout(Duration.ofMinutes(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        await().until(() -> server.requestCount("k1") == 1);

        assertClosesPromptly();

        assertThat(pending)
                .failsWithin(PROMPT)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IOException.class);
    }

    @Test
    void stallAfterHeadersSendsStatusAndHeadersButNoBodyUntilClose() throws Exception {
        server.forKey("k1").always(FakeResponse.stallAfterHeaders().header("x-stalled", "yes"));

        HttpResponse<InputStream> response = client.http()
                .send(
                        post(server.chatCompletionsUrl(), "k1", chatBody("m"))
                                .timeout(Duration.ofMinutes(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("x-stalled")).hasValue("yes");
        assertThat(response.headers().firstValueAsLong("content-length").orElse(-1))
                .isPositive();
        CompletableFuture<byte[]> body = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = response.body()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(body).isNotDone();

        assertClosesPromptly();

        assertThat(body)
                .failsWithin(PROMPT)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(UncheckedIOException.class);
    }

    @Test
    void closeIsIdempotentAndStopsAcceptingRequests() {
        server.close();
        server.close();

        assertThatThrownBy(() -> client.http()
                        .send(
                                post(server.chatCompletionsUrl(), "k1", chatBody("m"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void closeLeavesNoWorkerThreadsBehind() {
        server.forKey("held").always(FakeResponse.noResponse());
        for (int i = 0; i < 8; i++) {
            client.http()
                    .sendAsync(
                            post(server.chatCompletionsUrl(), "held", chatBody("m"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
        }
        client.chat(server, "free", "m");
        await().until(() -> server.requestCount("held") == 8);
        String prefix = "fake-openai-" + server.baseUrl().getPort() + "-worker-";
        assertThat(threadsNamed(prefix)).isGreaterThanOrEqualTo(8);
        long dispatchers = threadsNamed("HTTP-Dispatcher"); // the JDK server's accept thread, one per open server

        assertClosesPromptly();

        // Workers have finished their tasks when close() returns; give them a moment to actually die.
        await().atMost(PROMPT).until(() -> threadsNamed(prefix) == 0);
        assertThat(threadsNamed("HTTP-Dispatcher")).isEqualTo(dispatchers - 1);
    }

    private void assertClosesPromptly() {
        long start = System.nanoTime();
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(PROMPT);
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.isAlive() && thread.getName().startsWith(prefix))
                .count();
    }
}

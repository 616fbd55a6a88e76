package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.TestClient.post;
import static dev.llmrotate.testkit.TestClient.streamBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OpenAI chat completion streams and every stream fault, read event by event over real loopback HTTP. */
class OpenAiStreamingTest {

    /** How long a read that should succeed may take; generous for slow CI machines. */
    static final Duration PROMPT = Duration.ofSeconds(5);

    private final FakeOpenAiServer server = FakeOpenAiServer.start();
    private final TestClient client = new TestClient();

    @AfterEach
    void close() {
        server.close();
    }

    private HttpRequest streamRequest(String key, boolean includeUsage) {
        return post(server.chatCompletionsUrl(), key, streamBody("gpt-4o", includeUsage))
                .timeout(Duration.ofMinutes(5))
                .build();
    }

    private SseReader open(String key, boolean includeUsage) throws Exception {
        return SseReader.open(client.http(), streamRequest(key, includeUsage));
    }

    private static String content(SseReader.Event event) {
        return event.json()
                .path("choices")
                .path(0)
                .path("delta")
                .path("content")
                .asText(null);
    }

    @Test
    void streamIsServerSentChunksWithRoleThenDeltasThenFinishThenDone() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("Hello big world"));

        try (SseReader stream = open("k1", false)) {
            HttpResponse<?> response = stream.response();
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(response.headers().firstValue("content-length")).isEmpty();
            assertThat(response.headers().firstValue("transfer-encoding")).hasValue("chunked");

            List<SseReader.Event> events = stream.rest();

            assertThat(events).hasSize(6);
            assertThat(events).allSatisfy(event -> assertThat(event.name()).isNull());
            assertThat(events.get(5).data()).isEqualTo("[DONE]");
            List<JsonNode> chunks =
                    events.subList(0, 5).stream().map(SseReader.Event::json).toList();
            String id = chunks.get(0).path("id").asText();
            assertThat(id).startsWith("chatcmpl-");
            for (JsonNode chunk : chunks) {
                assertThat(chunk.path("id").asText()).isEqualTo(id);
                assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
                assertThat(chunk.path("created").asLong())
                        .isEqualTo(chunks.get(0).path("created").asLong());
                assertThat(chunk.path("model").asText()).isEqualTo("gpt-4o");
                assertThat(chunk.has("usage"))
                        .as("usage only with include_usage")
                        .isFalse();
                assertThat(chunk.path("choices").size()).isEqualTo(1);
                assertThat(chunk.path("choices").path(0).path("index").asInt(-1))
                        .isZero();
            }
            JsonNode first = chunks.get(0).path("choices").path(0);
            assertThat(first.path("delta").path("role").asText()).isEqualTo("assistant");
            assertThat(first.path("finish_reason").isNull()).isTrue();
            assertThat(chunks.subList(1, 4))
                    .extracting(c -> c.path("choices")
                            .path(0)
                            .path("delta")
                            .path("content")
                            .asText())
                    .containsExactly("Hello", " big", " world");
            JsonNode last = chunks.get(4).path("choices").path(0);
            assertThat(last.path("delta").isObject()).isTrue();
            assertThat(last.path("delta").size()).isZero();
            assertThat(last.path("finish_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void includeUsageAddsNullUsageToEveryChunkAndAFinalUsageChunkWithNoChoices() throws Exception {
        server.forKey("k1")
                .always(FakeResponse.ok("a b").withUsage(100, 20, 64, 8).withFinishReason("length"));

        List<SseReader.Event> events;
        try (SseReader stream = open("k1", true)) {
            events = stream.rest();
        }

        assertThat(events).hasSize(6); // role, "a", " b", finish, usage, [DONE]
        for (SseReader.Event event : events.subList(0, 4)) {
            assertThat(event.json().has("usage")).isTrue();
            assertThat(event.json().path("usage").isNull()).isTrue();
        }
        assertThat(events.get(3)
                        .json()
                        .path("choices")
                        .path(0)
                        .path("finish_reason")
                        .asText())
                .isEqualTo("length");
        JsonNode usageChunk = events.get(4).json();
        assertThat(usageChunk.path("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(usageChunk.path("id").asText())
                .isEqualTo(events.get(0).json().path("id").asText());
        assertThat(usageChunk.path("choices").isArray()).isTrue();
        assertThat(usageChunk.path("choices").size()).isZero();
        JsonNode usage = usageChunk.path("usage");
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(100);
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(20);
        assertThat(usage.path("total_tokens").asInt()).isEqualTo(120);
        assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt())
                .isEqualTo(64);
        assertThat(usage.path("completion_tokens_details")
                        .path("reasoning_tokens")
                        .asInt())
                .isEqualTo(8);
        assertThat(events.get(5).data()).isEqualTo("[DONE]");
    }

    @Test
    void explicitChunksAreStreamedAsGivenAndNonStreamingRequestsStillGetTheContent() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("Hello").withChunks("H", "el", "lo"));

        List<SseReader.Event> events;
        try (SseReader stream = open("k1", false)) {
            events = stream.rest();
        }

        assertThat(events.subList(1, 4))
                .extracting(OpenAiStreamingTest::content)
                .containsExactly("H", "el", "lo");
        assertThat(TestClient.content(client.chat(server, "k1", "m"))).isEqualTo("Hello");
    }

    @Test
    void nullContentStreamsNoContentChunks() throws Exception {
        server.forKey("k1").always(FakeResponse.ok(null).withFinishReason("tool_calls"));

        List<SseReader.Event> events;
        try (SseReader stream = open("k1", false)) {
            events = stream.rest();
        }

        assertThat(events).hasSize(3); // role, finish, [DONE]
        assertThat(events.get(1)
                        .json()
                        .path("choices")
                        .path(0)
                        .path("finish_reason")
                        .asText())
                .isEqualTo("tool_calls");
    }

    @Test
    void eventsArriveOneByOneWhileTheServerIsStillSending() throws Exception {
        // The second chunk is ten minutes away: whatever arrives before it was flushed on its own.
        server.forKey("k1").always(FakeResponse.ok("first second").withChunkDelay(Duration.ofMinutes(10)));

        try (SseReader stream = open("k1", false)) {
            CompletableFuture<List<SseReader.Event>> firstTwo = CompletableFuture.supplyAsync(() -> {
                try {
                    return List.of(stream.next(), stream.next());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(firstTwo).succeedsWithin(PROMPT);
            assertThat(firstTwo.join()
                            .get(0)
                            .json()
                            .path("choices")
                            .path(0)
                            .path("delta")
                            .path("role")
                            .asText())
                    .isEqualTo("assistant");
            assertThat(content(firstTwo.join().get(1))).isEqualTo("first");

            CompletableFuture<SseReader.Event> third = nextAsync(stream);
            assertThat(third).isNotDone();

            server.close(); // releases the pause at once and drops the connection mid-stream

            assertThat(third)
                    .failsWithin(PROMPT)
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(IllegalStateException.class)
                    .withRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void chunkDelayPausesBetweenContentChunks() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("a b c").withChunkDelay(Duration.ofMillis(150)));

        long start = System.nanoTime(); // before the request: a lower bound that needs no clock agreement
        try (SseReader stream = open("k1", false)) {
            stream.next(); // role
            assertThat(content(stream.next())).isEqualTo("a");
            assertThat(content(stream.next())).isEqualTo(" b");
            assertThat(content(stream.next())).isEqualTo(" c");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(stream.rest()).hasSize(2); // finish, [DONE]
        }
    }

    @Test
    void firstChunkDelaySendsHeadersAtOnceAndTheFirstEventLate() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("late").firstChunkDelay(Duration.ofMillis(300)));

        long start = System.nanoTime();
        try (SseReader stream = open("k1", false)) {
            long headersAfter = System.nanoTime() - start; // open() returned: the status and headers are here
            assertThat(stream.response().statusCode()).isEqualTo(200);
            SseReader.Event role = stream.next();
            long firstEventAfter = System.nanoTime() - start;
            assertThat(Duration.ofNanos(firstEventAfter)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(headersAfter).as("headers before the first event").isLessThan(firstEventAfter);
            assertThat(role.json()
                            .path("choices")
                            .path(0)
                            .path("delta")
                            .path("role")
                            .asText())
                    .isEqualTo("assistant");
            assertThat(stream.rest()).hasSize(3);
        }
    }

    @Test
    void aLongFirstChunkDelayHoldsTheBodyUntilCloseWhileTheHeadersAreAlreadyThere() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("never").firstChunkDelay(Duration.ofMinutes(10)));

        try (SseReader stream = open("k1", false)) {
            assertThat(stream.response().statusCode()).isEqualTo(200);
            CompletableFuture<SseReader.Event> first = nextAsync(stream);
            assertThat(first).isNotDone();

            server.close();

            assertThat(first).failsWithin(PROMPT).withThrowableOfType(ExecutionException.class);
        }
    }

    @Test
    void cutAfterChunksAbortsTheConnectionWithoutFinishOrDone() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two three four").cutAfterChunks(2));

        List<SseReader.Event> events = new ArrayList<>();
        IOException failure;
        try (SseReader stream = open("k1", false)) {
            failure = stream.drainInto(events);
        }

        assertThat(failure).isNotNull();
        assertThat(events).hasSize(3); // role, "one", " two"
        assertThat(events.subList(1, 3))
                .extracting(OpenAiStreamingTest::content)
                .containsExactly("one", " two");
        assertThat(events).noneMatch(event -> event.data().equals("[DONE]"));
        // The fault ends that connection only: the server keeps serving.
        assertThat(TestClient.content(client.chat(server, "k2", "m"))).isEqualTo("fake reply");
    }

    @Test
    void cutAfterZeroChunksSendsOnlyTheRoleChunk() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").cutAfterChunks(0));

        List<SseReader.Event> events = new ArrayList<>();
        try (SseReader stream = open("k1", false)) {
            assertThat(stream.drainInto(events)).isNotNull();
        }

        assertThat(events).hasSize(1);
        assertThat(events.get(0)
                        .json()
                        .path("choices")
                        .path(0)
                        .path("delta")
                        .path("role")
                        .asText())
                .isEqualTo("assistant");
    }

    @Test
    void aFaultBeyondTheLastChunkTakesEffectAfterTheLastChunk() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").cutAfterChunks(99));

        List<SseReader.Event> events = new ArrayList<>();
        try (SseReader stream = open("k1", false)) {
            assertThat(stream.drainInto(events)).isNotNull();
        }

        assertThat(events).hasSize(3); // role, "one", " two"; no finish chunk
        assertThat(events)
                .allSatisfy(event -> assertThat(event.json()
                                .path("choices")
                                .path(0)
                                .path("finish_reason")
                                .isNull())
                        .isTrue());
    }

    @Test
    void stallAfterChunksSendsThemThenNothingUntilClose() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two three").stallAfterChunks(1));

        try (SseReader stream = open("k1", false)) {
            stream.next(); // role
            assertThat(content(stream.next())).isEqualTo("one");
            CompletableFuture<SseReader.Event> next = nextAsync(stream);
            assertThat(next).isNotDone();

            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));

            assertThat(next)
                    .failsWithin(PROMPT)
                    .withThrowableOfType(ExecutionException.class)
                    .withRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void stallLetsTheClientsOwnTimeoutFire() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").stallAfterChunks(1));

        try (SseReader stream = open("k1", false)) {
            stream.next();
            stream.next();
            CompletableFuture<SseReader.Event> next = nextAsync(stream);
            // A client-side idle timeout: nothing within 200 ms.
            assertThatThrownBy(() -> next.get(200, TimeUnit.MILLISECONDS))
                    .isInstanceOf(java.util.concurrent.TimeoutException.class);
            server.close(); // releases the reader blocked in the other thread
            assertThat(next).failsWithin(PROMPT);
        }
    }

    @Test
    void keepAlivesAfterChunksAlternateCommentsAndRoleOnlyChunksUntilClose() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").keepAlivesAfterChunks(1, Duration.ofMillis(20)));

        try (SseReader stream = open("k1", false)) {
            stream.next(); // role
            assertThat(content(stream.next())).isEqualTo("one");
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                lines.add(stream.line());
            }
            assertThat(lines.subList(0, 2)).containsExactly(": keep-alive", "");
            assertThat(lines.get(4)).isEqualTo(": keep-alive");
            JsonNode roleOnly = TestClient.JSON.readTree(lines.get(2).substring("data: ".length()));
            assertThat(roleOnly.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(roleOnly.at("/choices/0/delta").toString()).isEqualTo("{\"role\":\"assistant\"}");
            assertThat(roleOnly.at("/choices/0/finish_reason").isNull()).isTrue();
            assertThat(lines).noneMatch(line -> line.contains("\"content\""));

            server.close();
            // Keep-alives already in flight may still be read; then the dropped connection fails the reader.
            CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
                try {
                    while (true) {
                        stream.next();
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(drained)
                    .failsWithin(PROMPT)
                    .withThrowableOfType(ExecutionException.class)
                    .withRootCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void keepAlivesBeforeFirstChunkFollowTheOpeningEventsAndNoContentEverComes() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").keepAlivesBeforeFirstChunk(Duration.ofMillis(20)));

        try (SseReader stream = open("k1", false)) {
            SseReader.Event opening = stream.next();
            assertThat(opening.json().at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            for (int i = 0; i < 3; i++) {
                assertThat(stream.line()).isEqualTo(": keep-alive");
                assertThat(stream.line()).isEmpty();
                SseReader.Event roleOnly = stream.next();
                assertThat(roleOnly.json().at("/choices/0/delta").has("content"))
                        .isFalse();
            }
        }
    }

    @Test
    void malformedEventIsSentAfterNChunksAndTheStreamCarriesOn() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two three").malformedEventAfterChunks(1));

        List<SseReader.Event> events;
        try (SseReader stream = open("k1", false)) {
            events = stream.rest();
        }

        assertThat(events).hasSize(7); // role, "one", malformed, " two", " three", finish, [DONE]
        assertThat(content(events.get(1))).isEqualTo("one");
        assertThat(events.get(2).isJson()).isFalse();
        assertThat(events.get(2).data()).startsWith("{\"id\":\"chatcmpl-");
        assertThat(content(events.get(3))).isEqualTo(" two");
        assertThat(events.get(6).data()).isEqualTo("[DONE]");
    }

    @Test
    void missingEndMarkerSendsFinishAndUsageThenEndsCleanlyWithoutDone() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").missingEndMarker());

        List<SseReader.Event> events;
        try (SseReader stream = open("k1", true)) {
            events = stream.rest(); // no IOException: the body ends cleanly
        }

        assertThat(events).hasSize(5); // role, "one", " two", finish, usage
        assertThat(events.get(3)
                        .json()
                        .path("choices")
                        .path(0)
                        .path("finish_reason")
                        .asText())
                .isEqualTo("stop");
        assertThat(events.get(4).json().path("usage").path("total_tokens").asInt())
                .isEqualTo(15);
        assertThat(events).noneMatch(event -> event.data().equals("[DONE]"));
    }

    @Test
    void errorEventAfterChunksSendsAnOpenAiErrorAndEndsTheStream() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("one two").errorEventAfterChunks(1, "server_error"));

        List<SseReader.Event> events;
        try (SseReader stream = open("k1", false)) {
            events = stream.rest();
        }

        assertThat(events).hasSize(3); // role, "one", error
        JsonNode error = events.get(2).json().path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    @Test
    void errorsAnswerStreamingRequestsWithAJsonErrorNotAStream() throws Exception {
        server.forKey("k1").always(FakeResponse.rateLimited(Duration.ofSeconds(3)));

        HttpResponse<String> response = client.send(streamRequest("k1", true));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(response.headers().firstValue("retry-after")).hasValue("3");
        assertThat(TestClient.json(response).path("error").path("code").asText())
                .isEqualTo("rate_limit_exceeded");
    }

    @Test
    void connectionDropWorksForStreamingRequests() {
        server.forKey("k1").always(FakeResponse.connectionDrop());

        assertThatThrownBy(() -> SseReader.open(client.http(), streamRequest("k1", false)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void stallAfterHeadersSendsStreamHeadersAndNoEvent() throws Exception {
        server.forKey("k1").always(FakeResponse.stallAfterHeaders());

        try (SseReader stream = open("k1", false)) {
            assertThat(stream.response().headers().firstValue("content-type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            assertThat(stream.response().headers().firstValue("content-length")).isEmpty();
            CompletableFuture<SseReader.Event> first = nextAsync(stream);
            assertThat(first).isNotDone();

            server.close();

            assertThat(first).failsWithin(PROMPT).withThrowableOfType(ExecutionException.class);
        }
    }

    @Test
    void delayHoldsBackTheHeadersOfAStream() throws Exception {
        server.forKey("k1").always(FakeResponse.ok("x").delay(Duration.ofMillis(200)));

        long start = System.nanoTime();
        try (SseReader stream = open("k1", false)) {
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(stream.rest()).hasSize(4);
        }
    }

    @Test
    void streamControlsDoNotAffectRequestsThatDoNotAskForAStream() {
        server.forKey("k1")
                .always(FakeResponse.ok("plain")
                        .cutAfterChunks(0)
                        .firstChunkDelay(Duration.ofMinutes(10))
                        .missingEndMarker());

        HttpResponse<String> response = client.chat(server, "k1", "m");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(TestClient.content(response)).isEqualTo("plain");
    }

    @Test
    void streamingRequestsAreRecordedAsSuch() throws Exception {
        try (SseReader stream = open("k1", false)) {
            stream.rest();
        }
        client.chat(server, "k1", "m");

        await().until(() -> server.requestCount() == 2);
        assertThat(server.requests()).extracting(RecordedRequest::stream).containsExactly(true, false);
    }

    static CompletableFuture<SseReader.Event> nextAsync(SseReader stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return stream.next();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}

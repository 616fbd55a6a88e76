package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.TestClient.chatBody;
import static dev.llmrotate.testkit.TestClient.content;
import static dev.llmrotate.testkit.TestClient.json;
import static dev.llmrotate.testkit.TestClient.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Many threads at once: every request answered, scripts consumed exactly, counts exact. */
class ConcurrencyTest {

    private static final int THREADS = 32;
    private static final int REQUESTS_PER_THREAD = 20;
    private static final List<String> KEYS = List.of("k0", "k1", "k2", "k3");

    private final FakeOpenAiServer server = FakeOpenAiServer.start();
    private final TestClient client = new TestClient();
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

    @AfterEach
    void close() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        server.close();
    }

    @Test
    void thirtyTwoThreadsTimesTwentyRequestsAreAllAnsweredAndCountedExactly() throws Exception {
        for (String key : KEYS) {
            server.forKey(key).always(FakeResponse.ok("reply for " + key));
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String key = KEYS.get(t % KEYS.size());
            results.add(pool.submit(() -> {
                go.await();
                List<String> contents = new ArrayList<>();
                for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                    HttpResponse<String> response = client.chat(server, key, "m");
                    assertThat(response.statusCode()).isEqualTo(200);
                    contents.add(
                            content(response) + "|" + json(response).path("id").asText());
                }
                return contents;
            }));
        }
        go.countDown();

        Set<String> ids = new HashSet<>();
        for (int t = 0; t < THREADS; t++) {
            String key = KEYS.get(t % KEYS.size());
            for (String result : results.get(t).get(60, TimeUnit.SECONDS)) {
                String[] parts = result.split("\\|");
                assertThat(parts[0]).isEqualTo("reply for " + key);
                ids.add(parts[1]);
            }
        }

        int total = THREADS * REQUESTS_PER_THREAD;
        assertThat(ids).hasSize(total);
        assertThat(server.requestCount()).isEqualTo(total);
        assertThat(server.requests()).hasSize(total);
        for (String key : KEYS) {
            assertThat(server.requestCount(key)).isEqualTo(total / KEYS.size());
        }
    }

    @Test
    void concurrentRequestsTakeEachOneShotResponseExactlyOnce() throws Exception {
        int oneShots = 100;
        FakeResponse[] queued = new FakeResponse[oneShots];
        for (int i = 0; i < oneShots; i++) {
            queued[i] = FakeResponse.ok("one-shot " + i);
        }
        server.forKey("k").next(queued).always(FakeResponse.ok("after"));
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                    String content = content(client.chat(server, "k", "m"));
                    seen.computeIfAbsent(content, c -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }

        for (int i = 0; i < oneShots; i++) {
            assertThat(seen.get("one-shot " + i)).as("one-shot %d", i).hasValue(1);
        }
        assertThat(seen.get("after")).hasValue(THREADS * REQUESTS_PER_THREAD - oneShots);
    }

    @Test
    void seededRandomFailureRateIsReproducibleUnderConcurrency() throws Exception {
        int total = THREADS * REQUESTS_PER_THREAD;
        Random reference = new Random(7);
        int expectedFailures = 0;
        for (int i = 0; i < total; i++) {
            if (reference.nextDouble() < 0.3) {
                expectedFailures++;
            }
        }
        Random random = new Random(7);
        // Random is thread-safe, but nextDouble() takes two steps of the generator: draws must not interleave.
        server.byDefault().respond(request -> {
            synchronized (random) {
                return random.nextDouble() < 0.3 ? FakeResponse.serverError() : null;
            }
        });
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger successes = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                    int status = client.chat(server, "k", "m").statusCode();
                    (status == 500 ? failures : successes).incrementAndGet();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> future : done) {
            future.get(60, TimeUnit.SECONDS);
        }

        // Which request fails depends on scheduling; how many fail does not: one draw per request.
        assertThat(failures.get()).isEqualTo(expectedFailures);
        assertThat(successes.get()).isEqualTo(total - expectedFailures);
    }

    @Test
    void sixtyFourHeldRequestsDoNotStarveOthersAndAreAllReleasedByClose() {
        int held = 64;
        server.forKey("held").always(FakeResponse.noResponse());
        server.forKey("stalled").always(FakeResponse.stallAfterHeaders());
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < held; i++) {
            String key = i % 2 == 0 ? "held" : "stalled";
            pending.add(client.http()
                    .sendAsync(
                            post(server.chatCompletionsUrl(), key, chatBody("m"))
                                    .timeout(Duration.ofMinutes(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> server.requestCount() == held);

        // With all 64 held, the server still answers.
        assertThat(content(client.chat(server, "free", "m"))).isEqualTo("fake reply");
        assertThat(pending).noneMatch(CompletableFuture::isDone);

        long start = System.nanoTime();
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));

        for (CompletableFuture<HttpResponse<String>> future : pending) {
            assertThat(future)
                    .failsWithin(Duration.ofSeconds(5))
                    .withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(IOException.class);
        }
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.testkit.FakeResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many threads, one key goes bad mid-run: no call is lost and nothing is counted twice. */
class ConcurrencyLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    @Test
    void oneKeyRevokedMidRunLosesNoCallAndCountsEveryAttemptOnce() throws Exception {
        int threads = 16;
        int callsPerThread = 40;
        AtomicInteger served = new AtomicInteger();
        openai.byDefault().always(FakeResponse.ok("ok"));
        // Key "bad" is revoked after it has answered 50 requests.
        openai.forKey(secret("bad"))
                .respond(request ->
                        served.incrementAndGet() <= 50 ? FakeResponse.ok("ok") : FakeResponse.invalidApiKey());
        LlmRotate lm = engine(config(
                        SelectionStrategyType.HEALTH_AWARE,
                        Keys.openai("bad"),
                        Keys.openai("k2"),
                        Keys.openai("k3"),
                        Keys.openai("k4"))
                .build());

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<ChatResponse>>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            results.add(pool.submit(() -> {
                start.await();
                List<ChatResponse> mine = new ArrayList<>();
                for (int i = 0; i < callsPerThread; i++) {
                    mine.add(lm.chat("gpt-4o-mini", HI));
                }
                return mine;
            }));
        }
        start.countDown();
        List<ChatResponse> all = new ArrayList<>();
        for (Future<List<ChatResponse>> result : results) {
            all.addAll(result.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();

        int total = threads * callsPerThread;
        assertThat(all).hasSize(total).allSatisfy(r -> assertThat(r.content()).isEqualTo("ok"));
        int attempts = all.stream().mapToInt(ChatResponse::attempts).sum();
        int rotations = all.stream().mapToInt(ChatResponse::rotations).sum();
        assertThat(openai.requestCount()).isEqualTo(attempts);
        assertThat(attempts - rotations).isEqualTo(total);
        // Calls already in flight when the key went bad may each see one 401; then it is quarantined.
        assertThat(openai.requestCount(secret("bad")) - 50).isBetween(1, threads);
        // Several in-flight 401s are one piece of news: quarantined, not disabled.
        assertThat(lm.health().key("bad").state()).isEqualTo(KeyState.QUARANTINE);

        UsageSummary usage = lm.usageSummary();
        assertThat(usage.overall().calls()).isEqualTo(total);
        assertThat(usage.overall().successes()).isEqualTo(total);
        assertThat(usage.overall().inputTokens()).isEqualTo(10L * total);
        assertThat(usage.byKey().values().stream()
                        .mapToLong(UsageSummary.Totals::successes)
                        .sum())
                .isEqualTo(total);
        assertThat(usage.byKey().get("bad").successes()).isEqualTo(50);
        assertThat(usage.byProvider().get("openai").calls()).isEqualTo(total);
    }
}

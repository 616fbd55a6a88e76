package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsageSeries;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standalone mode over Redis: two worker JVMs ({@link WorkerMain}, event buffer on) serve calls through one Redis, and
 * an observer in this JVM ({@link LlmRotate#observe}) that cannot resolve any of their secrets shows their health,
 * masks, usage over time, key history and recent calls.
 */
class ObserverOverRedisTest {
    private static final String PREFIX = "observe-" + ProcessHandle.current().pid();
    private static RedisServer redis;

    @TempDir
    Path dir;

    private final List<AutoCloseable> opened = new ArrayList<>();

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
        return "sk-observed-" + keyId + "-0123456789abcdef";
    }

    /**
     * The fleet's configuration: three keys (one of them revoked), the event buffer on, the shared
     * Redis. {@code secrets} holds the secret files; the observer's copy points at a directory that does not exist.
     */
    private Path config(String name, Path secrets, FakeOpenAiServer openai) throws IOException {
        StringBuilder yaml = new StringBuilder("keys:\n");
        for (String keyId : List.of("revoked", "w1", "w2")) {
            yaml.append("  - {key_id: ")
                    .append(keyId)
                    .append(", provider: openai, models: [gpt-4o-mini], secret_ref: 'file://")
                    .append(secrets.resolve("secret-" + keyId))
                    .append("'}\n");
        }
        yaml.append("providers:\n  openai: {base_url: '")
                .append(openai.baseUrl())
                .append("', request_timeout_seconds: 10}\n")
                .append(
                        "defaults: {selection_strategy: round_robin, max_wait_for_key_seconds: 0, call_deadline_seconds:"
                                + " 30, backoff_base_seconds: 0.01}\n")
                .append("event_buffer: {enabled: true, capacity: 50}\n")
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
    void anObserverShowsWhatTwoWorkerProcessesDid() throws Exception {
        FakeOpenAiServer openai = FakeOpenAiServer.start();
        opened.add(openai);
        openai.forKey(secret("revoked")).always(FakeResponse.invalidApiKey());
        openai.byDefault().always(FakeResponse.ok("hello", 10, 5));
        Path secrets = Files.createDirectory(dir.resolve("secrets"));
        for (String keyId : List.of("revoked", "w1", "w2")) {
            Files.writeString(secrets.resolve("secret-" + keyId), secret(keyId));
        }
        Path workerConfig = config("worker.yaml", secrets, openai);
        Path observerConfig = config("observer.yaml", dir.resolve("not-on-this-host"), openai);

        Instant start = Instant.now();
        Worker first = Worker.start(workerConfig, dir.resolve("worker-1.log"));
        opened.add(first);
        Worker second = Worker.start(workerConfig, dir.resolve("worker-2.log"));
        opened.add(second);
        first.send("calls 30 2");
        second.send("calls 30 2");
        assertThat(Worker.numbers(first.expect("done", 120))).containsExactly(30, 0, 0);
        assertThat(Worker.numbers(second.expect("done", 120))).containsExactly(30, 0, 0);

        LlmRotate observer = LlmRotate.observe(LlmRotateConfig.fromFile(observerConfig));
        opened.add(observer);
        Instant end = Instant.now().plusSeconds(1);

        HealthReport health = observer.health();
        assertThat(health.key("revoked").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(health.key("revoked").lastErrorType()).isEqualTo("invalid_auth");
        assertThat(health.key("w1").state()).isEqualTo(KeyState.ACTIVE);
        assertThat(health.keys())
                .as("masks published by the workers; the observer cannot read the secret files")
                .allSatisfy(k -> assertThat(k.keyMask()).isEqualTo("sk-…cdef"));

        UsageSummary sinceStart = observer.usageSummary();
        assertThat(sinceStart.overall().successes()).isEqualTo(60);
        UsageSummary frame = observer.usageSummary(start.minusSeconds(60), end);
        assertThat(frame.overall().successes()).isEqualTo(60);
        assertThat(frame.overall().inputTokens()).isEqualTo(600);
        assertThat(frame.byKey().get("w1").successes()).isPositive();
        assertThat(frame.byKey().get("w2").successes()).isPositive();
        assertThat(frame.byKey().get("w1").successes() + frame.byKey().get("w2").successes())
                .isEqualTo(60);
        assertThat(frame.byModel()).containsOnlyKeys("gpt-4o-mini");

        UsageSeries series = observer.usageSeries(start.minusSeconds(60), end, Duration.ofMinutes(1), UsageFilter.ALL);
        assertThat(series.points().stream().mapToLong(p -> p.totals().calls()).sum())
                .isEqualTo(60);
        UsageSeries w2 =
                observer.usageSeries(start.minusSeconds(60), end, Duration.ofMinutes(1), UsageFilter.key("w2"));
        assertThat(w2.points().stream().mapToLong(p -> p.totals().successes()).sum())
                .isEqualTo(frame.byKey().get("w2").successes());

        List<KeyStateChange> history = observer.keyHistory("revoked", start.minusSeconds(60), end, 10);
        assertThat(history).isNotEmpty().allSatisfy(c -> {
            assertThat(c.to()).isEqualTo(KeyState.QUARANTINE);
            assertThat(c.cause()).isEqualTo("invalid_auth");
            assertThat(c.model()).isNull();
        });

        List<CallRecord> recent = observer.recentCalls(100);
        assertThat(recent.size()).as("MAXLEN ~ 50 keeps at least 50 of the 60").isBetween(50, 60);
        assertThat(recent).extracting(CallRecord::timestamp).isSortedAccordingTo((a, b) -> b.compareTo(a));
        Set<String> instances = recent.stream()
                .map(r -> r.callId().substring(0, r.callId().indexOf('-')))
                .collect(Collectors.toSet());
        assertThat(instances).as("records of both workers").hasSize(2);
        assertThat(recent).allSatisfy(r -> assertThat(r.keyMask()).isEqualTo("sk-…cdef"));

        assertThatThrownBy(() -> observer.chat("gpt-4o-mini", List.of(ChatMessage.user("hi"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("observer");
        // The workers' calls only: 60 answers, and the revoked key tried by the first calls (2 threads each).
        assertThat(openai.requestCount()).isBetween(61, 64);
    }
}

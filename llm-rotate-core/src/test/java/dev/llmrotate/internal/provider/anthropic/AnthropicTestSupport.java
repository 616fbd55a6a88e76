package dev.llmrotate.internal.provider.anthropic;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.Seed;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeAnthropicServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A fake Anthropic server on loopback and engines against it with a controllable clock. */
abstract class AnthropicTestSupport {
    static final String MODEL = "claude-haiku-4-5";

    @RegisterExtension
    final Seed seed = new Seed();

    FakeAnthropicServer anthropic;
    final MutableClock clock = MutableClock.atEpochDay();
    private final List<LlmRotate> engines = new ArrayList<>();

    @BeforeEach
    void startFakeAnthropic() {
        anthropic = FakeAnthropicServer.start();
    }

    @AfterEach
    void stopEverything() {
        engines.forEach(LlmRotate::close);
        anthropic.close();
    }

    static KeySpec key(String keyId) {
        return Keys.key(keyId, "anthropic", MODEL).build();
    }

    static String secret(String keyId) {
        return Keys.secret(keyId);
    }

    /**
     * A configuration on the fake with fast backoff, no waiting for keys, a 10 s call deadline and short stream
     * timeouts (first chunk 2 s, idle 1 s).
     */
    LlmRotateConfig.Builder config(SelectionStrategyType strategy, KeySpec... keys) {
        return LlmRotateConfig.builder()
                .keys(List.of(keys))
                .provider(
                        "anthropic",
                        s -> s.withBaseUrl(anthropic.baseUrl())
                                .withRequestTimeout(Duration.ofSeconds(5))
                                .withFirstChunkTimeout(Duration.ofSeconds(2))
                                .withStreamIdleTimeout(Duration.ofSeconds(1)))
                .strategy(strategy)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO));
    }

    LlmRotate engine(LlmRotateConfig config) {
        LlmRotate engine = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .random(seed.random())
                .build();
        engines.add(engine);
        return engine;
    }

    /** Keys a, then b, tried in priority order. */
    LlmRotate twoKeys() {
        return engine(config(SelectionStrategyType.PRIORITY, key("a"), key("b")).build());
    }

    /** Key a alone, without backoff retries. */
    LlmRotate oneKeyNoRetries() {
        return engine(config(SelectionStrategyType.PRIORITY, key("a"))
                .defaults(d -> d.withMaxRetries(0))
                .build());
    }
}

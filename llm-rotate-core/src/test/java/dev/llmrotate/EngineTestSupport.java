package dev.llmrotate;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeOpenAiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Starts a fake OpenAI server on loopback and builds engines against it with a controllable clock. */
public abstract class EngineTestSupport {
    @RegisterExtension
    protected final Seed seed = new Seed();

    protected FakeOpenAiServer openai;
    protected final MutableClock clock = MutableClock.atEpochDay();
    private final List<LlmRotate> engines = new ArrayList<>();

    @BeforeEach
    void startFakeProvider() {
        openai = FakeOpenAiServer.start();
    }

    @AfterEach
    void stopEverything() {
        engines.forEach(LlmRotate::close);
        openai.close();
    }

    /**
     * A configuration on the fake server with fast backoff, no waiting for keys (neither before a fallback nor at
     * the end) and a 10 s call deadline.
     */
    protected LlmRotateConfig.Builder config(SelectionStrategyType strategy, KeySpec... keys) {
        return LlmRotateConfig.builder()
                .keys(List.of(keys))
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .strategy(strategy)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO));
    }

    /**
     * The builder every engine of these tests starts from: a subclass in another module runs the same tests over
     * another HTTP client ({@link LlmRotateBuilder#httpClient}).
     */
    protected LlmRotateBuilder builder() {
        return LlmRotate.builder();
    }

    protected LlmRotate engine(LlmRotateConfig config) {
        LlmRotate engine =
                builder().config(config).clock(clock).random(seed.random()).build();
        engines.add(engine);
        return engine;
    }

    /** {@link #engine(LlmRotateConfig)} reporting to {@code telemetry}. */
    protected LlmRotate engine(LlmRotateConfig config, dev.llmrotate.spi.Telemetry telemetry) {
        LlmRotate engine = builder()
                .telemetry(telemetry)
                .config(config)
                .clock(clock)
                .random(seed.random())
                .build();
        engines.add(engine);
        return engine;
    }

    /** An engine on the system clock, for runs whose rests must really pass. */
    protected LlmRotate realClockEngine(LlmRotateConfig config) {
        LlmRotate engine = builder().config(config).random(seed.random()).build();
        engines.add(engine);
        return engine;
    }

    protected static String secret(String keyId) {
        return Keys.secret(keyId);
    }
}

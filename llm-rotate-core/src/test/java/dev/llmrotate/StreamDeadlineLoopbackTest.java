package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeAnthropicServer;
import dev.llmrotate.testkit.FakeBedrockServer;
import dev.llmrotate.testkit.FakeGeminiServer;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import dev.llmrotate.testkit.Script;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stream deadlines count content, not bytes, for every stream reader (OpenAI format, Anthropic, Gemini, Bedrock),
 * over loopback against the testkit's fakes: keep-alives, pings, content-less events never hold a stream past
 * {@code first_chunk_timeout_seconds} before its first content, nor past {@code stream_idle_timeout_seconds} after
 * it; {@code request_timeout_seconds} bounds only the wait for the response headers.
 */
class StreamDeadlineLoopbackTest {
    private static final Duration FIRST_CHUNK = Duration.ofMillis(300);
    private static final Duration IDLE = Duration.ofMillis(300);
    private static final Duration KEEP_ALIVE_EVERY = Duration.ofMillis(50);
    /** Well above the timeouts under test, well below what a stream held by keep-alives would take (forever). */
    private static final Duration BOUND = Duration.ofSeconds(2);

    @RegisterExtension
    final Seed seed = new Seed();

    private final MutableClock clock = MutableClock.atEpochDay();
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** The builder of the engines: a subclass in another module runs these tests over another HTTP client. */
    protected LlmRotateBuilder builder() {
        return LlmRotate.builder();
    }

    /**
     * Warms the JVM up with one streamed call per wire format under the default (long) timeouts: a cold JVM can take
     * longer than the short timeouts under test for its first requests.
     */
    @BeforeAll
    static void warmUpTheJvm() throws Exception {
        StreamDeadlineLoopbackTest warm = new StreamDeadlineLoopbackTest();
        try {
            for (Wire wire : Wire.values()) {
                Fake fake = warm.start(wire);
                LlmRotate lm = warm.engine(fake.provider(), fake.baseUrl(), fake.key(), s -> s);
                try (ChatStream stream = lm.chatStream(request(fake))) {
                    stream.collect();
                }
            }
        } finally {
            warm.closeEverything();
        }
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    /** One wire format: its fake server, the keys a (tried first) and b on it, and what the fake records. */
    enum Wire {
        OPENAI,
        ANTHROPIC,
        GEMINI,
        BEDROCK
    }

    private record Fake(
            String provider,
            String model,
            URI baseUrl,
            Function<String, KeySpec.Builder> key,
            Function<String, String> recordedKey,
            Function<String, Script> forKey,
            Supplier<Script> byDefault,
            Supplier<List<RecordedRequest>> requests,
            Runnable reset) {}

    private static final Map<String, String> BEDROCK_CREDENTIALS = Map.of(
            "BEDROCK_A", "{\"access_key_id\":\"AKIAFAKEKEYAAAA1\",\"secret_access_key\":\"secret/a+0123456789\"}",
            "BEDROCK_B", "{\"access_key_id\":\"AKIAFAKEKEYBBBB2\",\"secret_access_key\":\"secret/b+0123456789\"}");

    private Fake start(Wire wire) {
        switch (wire) {
            case OPENAI -> {
                FakeOpenAiServer fake = FakeOpenAiServer.start();
                resources.add(fake);
                return new Fake(
                        "openai",
                        "gpt-4o-mini",
                        fake.baseUrl(),
                        id -> Keys.key(id, "openai", "gpt-4o-mini"),
                        Keys::secret,
                        fake::forKey,
                        fake::byDefault,
                        fake::requests,
                        fake::reset);
            }
            case ANTHROPIC -> {
                FakeAnthropicServer fake = FakeAnthropicServer.start();
                resources.add(fake);
                return new Fake(
                        "anthropic",
                        "claude-haiku-4-5",
                        fake.baseUrl(),
                        id -> Keys.key(id, "anthropic", "claude-haiku-4-5"),
                        Keys::secret,
                        fake::forKey,
                        fake::byDefault,
                        fake::requests,
                        fake::reset);
            }
            case GEMINI -> {
                FakeGeminiServer fake = FakeGeminiServer.start();
                resources.add(fake);
                return new Fake(
                        "google_ai_studio",
                        "gemini-2.5-flash",
                        URI.create(fake.baseUrl() + "/v1beta"),
                        id -> Keys.key(id, "google_ai_studio", "gemini-2.5-flash"),
                        Keys::secret,
                        fake::forKey,
                        fake::byDefault,
                        fake::requests,
                        fake::reset);
            }
            case BEDROCK -> {
                FakeBedrockServer fake = FakeBedrockServer.start()
                        .acceptCredentials("AKIAFAKEKEYAAAA1", "secret/a+0123456789")
                        .acceptCredentials("AKIAFAKEKEYBBBB2", "secret/b+0123456789");
                resources.add(fake);
                String model = "anthropic.claude-3-haiku-20240307-v1:0";
                return new Fake(
                        "aws_bedrock",
                        model,
                        fake.baseUrl(),
                        id -> KeySpec.builder(id, "aws_bedrock")
                                .secretRef(
                                        SecretRef.parse("env://BEDROCK_" + id.toUpperCase(), BEDROCK_CREDENTIALS::get))
                                .authConfig("region", "us-east-1")
                                .models(model),
                        id -> id.equals("a") ? "AKIAFAKEKEYAAAA1" : "AKIAFAKEKEYBBBB2",
                        fake::forKey,
                        fake::byDefault,
                        fake::requests,
                        fake::reset);
            }
            default -> throw new IllegalArgumentException(wire.name());
        }
    }

    /**
     * Keys a then b (priority), fast backoff, a 10 s call deadline, these stream timeouts. One streamed call is made
     * and forgotten first, so that the timings a test measures do not include warming up the client.
     */
    private LlmRotate engine(Fake fake, UnaryOperator<ProviderSettings> timeouts) {
        LlmRotate engine = engine(fake.provider(), fake.baseUrl(), fake.key(), timeouts);
        try (ChatStream warmUp = engine.chatStream(request(fake.model()))) {
            warmUp.collect();
        }
        fake.reset().run();
        return engine;
    }

    private LlmRotate engine(
            String provider,
            URI baseUrl,
            Function<String, KeySpec.Builder> key,
            UnaryOperator<ProviderSettings> timeouts) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(
                        key.apply("a").priority(2).build(),
                        key.apply("b").priority(1).build()))
                .provider(provider, s -> timeouts.apply(s.withBaseUrl(baseUrl)))
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(10))
                        .withMaxWaitForKey(Duration.ZERO))
                .build();
        LlmRotate engine =
                builder().config(config).clock(clock).random(seed.random()).build();
        resources.add(0, engine);
        return engine;
    }

    /** request timeout 5 s; first chunk 300 ms; idle 300 ms. */
    private LlmRotate engine(Fake fake) {
        return engine(fake, StreamDeadlineLoopbackTest::shortTimeouts);
    }

    private static ProviderSettings shortTimeouts(ProviderSettings settings) {
        return settings.withRequestTimeout(Duration.ofSeconds(5))
                .withFirstChunkTimeout(FIRST_CHUNK)
                .withStreamIdleTimeout(IDLE);
    }

    private static ChatRequest request(Fake fake) {
        return request(fake.model());
    }

    private static ChatRequest request(String model) {
        return ChatRequest.builder(model).user("Count to three").build();
    }

    private static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void keepAlivesBeforeAnyContentFailOverWithinTheFirstChunkTimeout(Wire wire) {
        Fake fake = start(wire);
        LlmRotate lm = engine(fake);
        fake.forKey()
                .apply(fake.recordedKey().apply("a"))
                .next(FakeResponse.ok("never sent").keepAlivesBeforeFirstChunk(KEEP_ALIVE_EVERY));
        fake.byDefault().get().always(FakeResponse.ok("the healthy answer"));

        long start = System.nanoTime();
        ChatResponse response;
        try (ChatStream stream = lm.chatStream(request(fake))) {
            response = stream.collect();
        }

        assertThat(since(start)).isBetween(FIRST_CHUNK, BOUND);
        assertThat(response.content()).isEqualTo("the healthy answer");
        assertThat(response.attempts()).isEqualTo(2);
        List<RecordedRequest> requests = fake.requests().get();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).apiKey()).isEqualTo(fake.recordedKey().apply("a"));
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("timeout");
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void keepAlivesAfterTheFirstChunkInterruptTheStreamWithinTheIdleTimeout(Wire wire) {
        Fake fake = start(wire);
        LlmRotate lm = engine(fake);
        fake.byDefault().get().always(FakeResponse.ok("one two three").keepAlivesAfterChunks(1, KEEP_ALIVE_EVERY));

        try (ChatStream stream = lm.chatStream(request(fake))) {
            assertThat(stream.next().delta()).isEqualTo("one");
            long start = System.nanoTime();
            LlmRotateException e = catchThrowableOfType(LlmRotateException.class, stream::next);

            assertThat(since(start)).isBetween(IDLE, BOUND);
            assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
            assertThat(e.getMessage())
                    .contains("interrupted after 1 chunks (timeout)")
                    .contains("no content within stream_idle_timeout_seconds (300 ms)");
        }
        assertThat(fake.requests().get()).hasSize(1);
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("stream_interrupted");
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aSlowButSteadyStreamLongerThanTheFirstChunkTimeoutCompletes(Wire wire) {
        Fake fake = start(wire);
        LlmRotate lm = engine(fake);
        fake.byDefault()
                .get()
                .always(FakeResponse.ok("abcdefgh")
                        .withChunks("a", "b", "c", "d", "e", "f", "g", "h")
                        .withChunkDelay(Duration.ofMillis(100)));

        long start = System.nanoTime();
        List<String> deltas = new ArrayList<>();
        try (ChatStream stream = lm.chatStream(request(fake))) {
            for (StreamChunk chunk : stream) {
                deltas.add(chunk.delta());
            }
            assertThat(stream.attempts()).isEqualTo(1);
        }

        assertThat(since(start)).isGreaterThan(Duration.ofMillis(700)); // well past the first-chunk timeout
        assertThat(String.join("", deltas)).isEqualTo("abcdefgh");
        assertThat(fake.requests().get()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void theRequestTimeoutNoLongerCapsTheWaitForTheFirstChunk(Wire wire) {
        Fake fake = start(wire);
        LlmRotate lm = engine(
                fake,
                s -> s.withRequestTimeout(Duration.ofMillis(300))
                        .withFirstChunkTimeout(Duration.ofSeconds(2))
                        .withStreamIdleTimeout(IDLE));
        fake.byDefault().get().always(FakeResponse.ok("late but fine").firstChunkDelay(Duration.ofMillis(800)));

        try (ChatStream stream = lm.chatStream(request(fake))) {
            assertThat(stream.timeToFirstChunk()).isGreaterThanOrEqualTo(Duration.ofMillis(800));
            assertThat(stream.attempts()).isEqualTo(1);
            assertThat(stream.collect().content()).isEqualTo("late but fine");
        }
        assertThat(fake.requests().get()).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void missingResponseHeadersFailOverAtTheFirstChunkDeadlineNotTheRequestTimeout(Wire wire) {
        Fake fake = start(wire);
        LlmRotate lm = engine(fake); // request timeout 5 s, first chunk 300 ms
        fake.forKey().apply(fake.recordedKey().apply("a")).next(FakeResponse.noResponse());
        fake.byDefault().get().always(FakeResponse.ok("from the next attempt"));

        long start = System.nanoTime();
        try (ChatStream stream = lm.chatStream(request(fake))) {
            assertThat(stream.attempts()).isEqualTo(2);
            assertThat(stream.collect().content()).isEqualTo("from the next attempt");
        }

        assertThat(since(start)).isBetween(FIRST_CHUNK, BOUND);
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("timeout");
    }

    /** An engine on the flooding server, keys a then b, short timeouts. */
    private LlmRotate floodedEngine(FloodingSseServer flood) {
        return engine("openai", flood.baseUrl(), id -> Keys.key(id, "openai", "gpt-4o-mini"), s -> shortTimeouts(s));
    }

    @Test
    void keepAlivesWrittenWithoutPauseCannotHoldTheWaitForTheFirstChunk() throws Exception {
        FloodingSseServer flood = FloodingSseServer.start(0);
        resources.add(flood);
        LlmRotate lm = floodedEngine(flood);

        long start = System.nanoTime();
        ChatResponse response;
        try (ChatStream stream = lm.chatStream(request("gpt-4o-mini"))) {
            response = stream.collect();
        }

        assertThat(since(start)).isBetween(FIRST_CHUNK, BOUND);
        assertThat(response.content()).isEqualTo("healthy");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(flood.requests()).isEqualTo(2);
        assertThat(flood.floodBytes()).as("the server kept writing").isGreaterThan(64 * 1024);
    }

    @Test
    void keepAlivesWrittenWithoutPauseCannotHoldAStartedStream() throws Exception {
        FloodingSseServer flood = FloodingSseServer.start(1);
        resources.add(flood);
        LlmRotate lm = floodedEngine(flood);

        try (ChatStream stream = lm.chatStream(request("gpt-4o-mini"))) {
            assertThat(stream.next().delta()).isEqualTo("flooded 0");
            long start = System.nanoTime();
            LlmRotateException e = catchThrowableOfType(LlmRotateException.class, stream::next);

            assertThat(since(start)).isBetween(IDLE, BOUND);
            assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
            assertThat(e.getMessage()).contains("no content within stream_idle_timeout_seconds (300 ms)");
        }
        assertThat(flood.requests()).isEqualTo(1);
        assertThat(flood.floodBytes()).as("the server kept writing").isGreaterThan(64 * 1024);
    }

    @Test
    void aStreamWithoutContentFailsAsATimeoutSayingSo() {
        Fake fake = start(Wire.OPENAI);
        LlmRotate lm = engine(fake);
        fake.byDefault().get().always(FakeResponse.ok("never sent").keepAlivesBeforeFirstChunk(KEEP_ALIVE_EVERY));

        LlmRotateException e = catchThrowableOfType(LlmRotateException.class, () -> lm.chatStream(request(fake)));

        assertThat(e.errorType()).isEqualTo(ErrorType.TIMEOUT);
        assertThat(e.getMessage())
                .contains("no content arrived within first_chunk_timeout_seconds (300 ms) of sending the request");
    }
}

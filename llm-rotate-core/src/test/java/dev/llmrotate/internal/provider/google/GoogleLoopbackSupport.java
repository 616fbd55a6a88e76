package dev.llmrotate.internal.provider.google;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.Seed;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeGeminiServer;
import dev.llmrotate.testkit.ServiceAccounts;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Starts a fake Gemini server (AI Studio, Vertex and its token endpoint) and builds engines against it. */
abstract class GoogleLoopbackSupport {
    static final String MODEL = "gemini-2.5-flash";
    static final String PROJECT = "my-project";
    static final String REGION = "us-central1";

    @RegisterExtension
    final Seed seed = new Seed();

    /**
     * The engine's clock. The fake token endpoint checks an assertion's {@code iat}/{@code exp} against the wall
     * clock (as Google does), so this one starts half an hour behind it: assertions signed now or after moving it up
     * to 25 minutes on are still acceptable, and moving it on is what expires cached tokens.
     */
    final MutableClock clock =
            new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(30)));

    FakeGeminiServer gemini;
    private final List<LlmRotate> engines = new ArrayList<>();
    private final Map<String, String> environment = new ConcurrentHashMap<>();

    @BeforeEach
    void startFakeGemini() {
        gemini = FakeGeminiServer.start();
    }

    @AfterEach
    void stopEverything() {
        engines.forEach(LlmRotate::close);
        gemini.close();
    }

    /** Both Google providers on the fake server, fast backoff, no waiting for keys, a 10 s call deadline. */
    LlmRotateConfig.Builder config(KeySpec... keys) {
        return LlmRotateConfig.builder()
                .keys(List.of(keys))
                .provider(
                        "google_ai_studio",
                        s -> s.withBaseUrl(URI.create(gemini.baseUrl() + "/v1beta"))
                                .withRequestTimeout(Duration.ofSeconds(5))
                                .withFirstChunkTimeout(Duration.ofMillis(500))
                                .withStreamIdleTimeout(Duration.ofMillis(500)))
                .provider(
                        "google_vertex",
                        s -> s.withBaseUrl(URI.create(gemini.baseUrl() + "/v1"))
                                .withRequestTimeout(Duration.ofSeconds(5))
                                .withFirstChunkTimeout(Duration.ofMillis(500))
                                .withStreamIdleTimeout(Duration.ofMillis(500)))
                .strategy(SelectionStrategyType.PRIORITY)
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

    /** An AI Studio key whose secret is {@link Keys#secret(String)}. */
    static KeySpec studio(String keyId, int priority) {
        return Keys.key(keyId, "google_ai_studio", MODEL).priority(priority).build();
    }

    /** A service account the fake's token endpoint accepts, its key file naming the fake's token endpoint. */
    ServiceAccounts.ServiceAccount account(String name) {
        return gemini.newServiceAccount(name + "@" + PROJECT + ".iam.gserviceaccount.com");
    }

    /** A Vertex key whose secret is the account's key file. */
    KeySpec.Builder vertex(String keyId, ServiceAccounts.ServiceAccount account) {
        String variable = "SA_" + keyId.toUpperCase().replace('-', '_');
        environment.put(variable, account.json());
        return KeySpec.builder(keyId, "google_vertex")
                .secretRef(SecretRef.parse("env://" + variable, environment::get))
                .models(MODEL)
                .authMethod("service_account")
                .authConfig("project", PROJECT)
                .authConfig("region", REGION);
    }
}

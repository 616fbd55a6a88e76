package dev.llmrotate.internal.provider.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.ChatStream;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.GenerateContentRequest;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.GeminiResponses;
import dev.llmrotate.testkit.RecordedRequest;
import dev.llmrotate.testkit.ServiceAccounts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Gemini on Vertex AI through LlmRotate: URLs, service-account tokens and their cache, against the fake server. */
class GoogleVertexLoopbackTest extends GoogleLoopbackSupport {
    private static final String VERTEX_PATH =
            "/v1/projects/" + PROJECT + "/locations/" + REGION + "/publishers/google/models/" + MODEL;

    private static ChatRequest hi() {
        return ChatRequest.builder(MODEL).user("hi").build();
    }

    @Test
    void aChatRoundTripCarriesATokenTheTokenEndpointIssuedForAVerifiedAssertion() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        // Only requests whose bearer token the fake issued to this account (after verifying the JWT) reach this.
        gemini.forServiceAccount(account.clientEmail())
                .always(FakeResponse.ok("Bonjour.").withUsage(12, 4, 0, 0));
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());

        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("Hello in French?")));

        assertThat(response.content()).isEqualTo("Bonjour.");
        assertThat(response.provider()).isEqualTo("google_vertex");
        assertThat(response.keyId()).isEqualTo("vx-1");
        assertThat(response.usage()).isEqualTo(new Usage(12, 4, 0, 0));
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        RecordedRequest sent = gemini.requests().get(0);
        assertThat(sent.path()).isEqualTo(VERTEX_PATH + ":generateContent");
        assertThat(sent.attribute("api")).isEqualTo("vertex");
        assertThat(sent.attribute("tokenStatus")).isEqualTo("valid");
        assertThat(sent.attribute("serviceAccount")).isEqualTo(account.clientEmail());
        assertThat(sent.header("authorization")).startsWith("Bearer ");
        assertThat(sent.header("x-goog-api-key")).isNull();
        assertThat(sent.json().at("/contents/0/parts/0/text").asText()).isEqualTo("Hello in French?");
        assertThat(gemini.tokenRequestCount()).isEqualTo(1);
    }

    @Test
    void aStreamRoundTripThroughGenerateContentStream() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        gemini.forServiceAccount(account.clientEmail())
                .always(FakeResponse.ok("x").withChunks("Bon", "jour").withUsage(8, 3, 0, 1));
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());

        List<StreamChunk> chunks = new ArrayList<>();
        try (ChatStream stream = lm.generateContentStream(GenerateContentRequest.builder(MODEL)
                .contents("Say hello.", ContentPart.file("gs://bucket/hello.wav", "audio/wav"))
                .provider("google_vertex")
                .build())) {
            stream.forEach(chunks::add);
        }

        assertThat(chunks.stream().map(StreamChunk::delta)).containsExactly("Bon", "jour", "");
        assertThat(chunks.get(2).finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(chunks.get(2).usage()).isEqualTo(new Usage(8, 3, 0, 1));
        RecordedRequest sent = gemini.requests().get(0);
        assertThat(sent.path()).isEqualTo(VERTEX_PATH + ":streamGenerateContent");
        assertThat(sent.query()).isEqualTo("alt=sse");
        assertThat(sent.attribute("tokenStatus")).isEqualTo("valid");
        assertThat(sent.json().at("/contents/0/parts/1/fileData/fileUri").asText())
                .isEqualTo("gs://bucket/hello.wav");
    }

    @Test
    void theTokenIsReusedAcrossCalls() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());
        for (int i = 0; i < 3; i++) {
            lm.chat(hi());
        }
        try (ChatStream stream = lm.chatStream(hi())) {
            stream.collect();
        }
        assertThat(gemini.requests())
                .hasSize(4)
                .allSatisfy(r -> assertThat(r.attribute("tokenStatus")).isEqualTo("valid"));
        assertThat(gemini.requests().stream()
                        .map(r -> r.header("authorization"))
                        .distinct())
                .hasSize(1);
        assertThat(gemini.tokenRequestCount()).isEqualTo(1);
    }

    @Test
    void theTokenIsRefreshedFiveMinutesBeforeItExpiresByTheInjectedClock() {
        gemini.tokenExpiresIn(Duration.ofMinutes(20)); // refreshed at 15 minutes
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());

        lm.chat(hi());
        clock.advance(Duration.ofMinutes(14).plusSeconds(59));
        lm.chat(hi());
        assertThat(gemini.tokenRequestCount()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        lm.chat(hi());
        assertThat(gemini.tokenRequestCount()).isEqualTo(2);
        assertThat(gemini.requests().get(2).attribute("tokenStatus")).isEqualTo("valid");
        assertThat(gemini.requests().get(2).header("authorization"))
                .isNotEqualTo(gemini.requests().get(1).header("authorization"));
    }

    @Test
    void sixteenConcurrentCallsShareOneTokenRequest() throws Exception {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        // A slow token endpoint, so that every call finds the token request still in flight.
        gemini.tokenEndpoint()
                .always(FakeResponse.raw(200, "{\"access_token\":\"ya29.shared\",\"expires_in\":3600}")
                        .delay(Duration.ofMillis(300)));
        gemini.byDefault().always(FakeResponse.ok("ok"));
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<ChatResponse>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                calls.add(CompletableFuture.supplyAsync(
                        () -> {
                            await(start);
                            return lm.chat(hi());
                        },
                        pool));
            }
            start.countDown();
            for (CompletableFuture<ChatResponse> call : calls) {
                assertThat(call.get(10, TimeUnit.SECONDS).content()).isEqualTo("ok");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(gemini.tokenRequestCount()).isEqualTo(1);
        assertThat(gemini.requests())
                .hasSize(16)
                .allSatisfy(r -> assertThat(r.header("authorization")).isEqualTo("Bearer ya29.shared"));
    }

    @Test
    void aRefusedGrantIsInvalidAuthAndNothingSecretLeaks() {
        // Never registered with the token endpoint: its assertions fail signature verification (invalid_grant).
        ServiceAccounts.ServiceAccount stranger =
                ServiceAccounts.generate("stranger@" + PROJECT + ".iam.gserviceaccount.com", gemini.tokenUrl());
        ServiceAccounts.ServiceAccount good = account("rotate-1");
        LlmRotate lm = engine(config(
                        vertex("vx-bad", stranger).priority(2).build(),
                        vertex("vx-good", good).build())
                .build());

        ChatResponse response = lm.chat(hi());

        assertThat(response.keyId()).isEqualTo("vx-good");
        assertThat(response.rotations()).isEqualTo(1);
        var bad = lm.health().key("vx-bad");
        assertThat(bad.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(bad.lastErrorType()).isEqualTo("invalid_auth");
        assertThat(gemini.requests()).hasSize(1); // the refused key never reached the API

        LlmRotate alone = engine(config(vertex("vx-bad", stranger).build()).build());
        assertThatThrownBy(() -> alone.chat(hi())).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_AUTH);
            assertThat(e.getMessage()).contains("invalid_grant").contains("vx-bad");
            assertNoSecretIn(e.getMessage(), stranger);
            assertNoSecretIn(e.maskedKey(), stranger);
        });
        assertNoSecretIn(alone.health().toJson(), stranger);
        assertNoSecretIn(alone.usageSummary().toJson(), stranger);
    }

    private static void assertNoSecretIn(String text, ServiceAccounts.ServiceAccount account) {
        String pemBody = account.privateKeyPem().split("\n")[1];
        assertThat(text)
                .doesNotContain("PRIVATE KEY")
                .doesNotContain(pemBody)
                .doesNotContain(Base64.getEncoder()
                        .encodeToString(account.privateKey().getEncoded())
                        .substring(0, 40))
                .doesNotContain("ya29.");
    }

    @Test
    void aTokenEndpointServerErrorIsTransientAndRetried() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        gemini.tokenEndpoint().next(FakeResponse.serverError());
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());

        ChatResponse response = lm.chat(hi());

        assertThat(response.attempts()).isEqualTo(2);
        assertThat(gemini.tokenRequestCount()).isEqualTo(2);
        var key = lm.health().key("vx-1");
        assertThat(key.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(key.lastErrorType()).isEqualTo("transient_server_error");
    }

    @Test
    void anUnreachableTokenEndpointIsAConnectionErrorAndRetried() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        gemini.tokenEndpoint().next(FakeResponse.connectionDrop());
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());

        assertThat(lm.chat(hi()).attempts()).isEqualTo(2);
        assertThat(lm.health().key("vx-1").lastErrorType()).isEqualTo("connection_error");
    }

    @Test
    void theTokenUriOfAuthConfigWinsOverTheKeyFile() {
        // A key file naming Google's real token endpoint; auth_config points at the fake one.
        ServiceAccounts.ServiceAccount account =
                ServiceAccounts.generate("rotate-2@" + PROJECT + ".iam.gserviceaccount.com");
        gemini.acceptServiceAccount(account.clientEmail(), account.publicKey());
        LlmRotate lm = engine(config(vertex("vx-1", account)
                        .authConfig("token_uri", gemini.tokenUrl().toString())
                        .build())
                .build());

        lm.chat(hi());

        assertThat(gemini.tokenRequestCount()).isEqualTo(1);
        assertThat(gemini.requests().get(0).attribute("serviceAccount")).isEqualTo(account.clientEmail());
    }

    @Test
    void aTokenTheApiRefusesIsRenewedWithinTheSameAttempt() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());
        lm.chat(hi());
        gemini.expireTokens(); // revoked early: the cache still thinks it fresh

        ChatResponse response = lm.chat(hi());

        assertThat(response.attempts()).isEqualTo(1);
        assertThat(gemini.tokenRequestCount()).isEqualTo(2);
        assertThat(gemini.requests().get(1).attribute("tokenStatus")).isEqualTo("expired");
        assertThat(gemini.requests().get(2).attribute("tokenStatus")).isEqualTo("valid");
        var key = lm.health().key("vx-1");
        assertThat(key.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(key.consecutiveFailures()).isZero();
    }

    @Test
    void vertexErrorsAreClassifiedLikeAiStudios() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        gemini.forServiceAccount(account.clientEmail())
                .next(GeminiResponses.rateLimitedPerMinute(Duration.ofSeconds(40)));
        LlmRotate lm = engine(config(vertex("vx-1", account).build()).build());
        assertThatThrownBy(() -> lm.chat(hi()))
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.RATE_LIMIT));
        assertThat(lm.health().key("vx-1").availableAt())
                .isEqualTo(clock.instant().plusSeconds(40));
    }

    @Test
    void theGlobalRegionKeepsLocationGlobalInThePath() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        LlmRotate lm = engine(
                config(vertex("vx-1", account).authConfig("region", "global").build())
                        .build());
        lm.chat(hi());
        assertThat(gemini.requests().get(0).path())
                .isEqualTo("/v1/projects/" + PROJECT + "/locations/global/publishers/google/models/" + MODEL
                        + ":generateContent");
        assertThat(gemini.requests().get(0).attribute("region")).isEqualTo("global");
    }

    @Test
    void withTheBuiltInBaseUrlTheRegionPicksTheHost() {
        GoogleVertexAdapter adapter = new GoogleVertexAdapter(
                new dev.llmrotate.internal.provider.http.HttpTransport(),
                new com.fasterxml.jackson.databind.ObjectMapper(),
                clock);
        KeySpec regional = Keys.key("vx-1", "google_vertex", MODEL)
                .authConfig("project", PROJECT)
                .authConfig("region", "europe-west4")
                .build();
        KeySpec global = Keys.key("vx-2", "google_vertex", MODEL)
                .authConfig("project", PROJECT)
                .authConfig("region", "global")
                .build();
        assertThat(adapter.methodUrl(attempt(regional), "generateContent").toString())
                .isEqualTo("https://europe-west4-aiplatform.googleapis.com/v1/projects/my-project/locations/"
                        + "europe-west4/publishers/google/models/" + MODEL + ":generateContent");
        assertThat(adapter.methodUrl(attempt(global), "streamGenerateContent").toString())
                .isEqualTo("https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/"
                        + "google/models/" + MODEL + ":streamGenerateContent");
    }

    private static Attempt attempt(KeySpec key) {
        return new Attempt(hi(), key, "{}", ProviderCatalog.defaults("google_vertex"), null, Duration.ofSeconds(1));
    }

    @Test
    void aVertexKeyWithoutRegionIsRejectedAtLoadNamingTheField() {
        KeySpec noRegion = KeySpec.builder("vx-1", "google_vertex")
                .secretRef("env://SA")
                .models(MODEL)
                .authConfig("project", PROJECT)
                .build();
        assertThatThrownBy(() -> LlmRotateConfig.builder().key(noRegion).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("keys[0].auth_config.region")
                .hasMessageContaining("google_vertex");
    }

    @Test
    void generateContentFallsBackFromAiStudioToVertex() {
        ServiceAccounts.ServiceAccount account = account("rotate-1");
        gemini.forKey(Keys.secret("a")).always(GeminiResponses.quotaLimitZero());
        LlmRotate lm = engine(config(studio("a", 0), vertex("vx-1", account).build())
                .fallbackChain("google_ai_studio", FallbackTarget.to("google_vertex"))
                .build());

        ChatResponse response = lm.generateContent(MODEL, List.of("hi", ContentPart.pdf(new byte[] {1})));

        assertThat(response.provider()).isEqualTo("google_vertex");
        assertThat(response.fallbackUsed()).isTrue();
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("quota_exhausted");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

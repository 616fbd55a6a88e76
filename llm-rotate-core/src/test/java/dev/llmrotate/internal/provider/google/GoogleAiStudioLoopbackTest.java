package dev.llmrotate.internal.provider.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.ChatStream;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.GenerateContentControls;
import dev.llmrotate.chat.GenerateContentRequest;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.GeminiResponses;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Google AI Studio (the Gemini Developer API) through LlmRotate, against the fake Gemini server. */
class GoogleAiStudioLoopbackTest extends GoogleLoopbackSupport {
    private static final String A = Keys.secret("a");

    private LlmRotate twoKeys() {
        return engine(config(studio("a", 2), studio("b", 1)).build());
    }

    @Test
    void aChatRoundTripIsNormalised() {
        gemini.byDefault().always(FakeResponse.ok("Paris.").withUsage(120, 30, 100, 12));

        ChatResponse response = twoKeys().chat(MODEL, List.of(ChatMessage.user("Capital of France?")));

        assertThat(response.content()).isEqualTo("Paris.");
        assertThat(response.provider()).isEqualTo("google_ai_studio");
        assertThat(response.keyId()).isEqualTo("a");
        assertThat(response.keyMask()).isEqualTo("sk-…cdef");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage()).isEqualTo(new Usage(120, 30, 100, 12));
        assertThat(response.model()).startsWith(MODEL);
        RecordedRequest sent = gemini.requests().get(0);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/v1beta/models/" + MODEL + ":generateContent");
        assertThat(sent.query()).isEmpty(); // the key travels in a header, never in the URL
        assertThat(sent.header("x-goog-api-key")).isEqualTo(A);
        assertThat(sent.header("authorization")).isNull();
        assertThat(sent.header("content-type")).isEqualTo("application/json");
        assertThat(sent.attribute("api")).isEqualTo("ai-studio");
        assertThat(sent.json().at("/contents/0/role").asText()).isEqualTo("user");
        assertThat(sent.json().at("/contents/0/parts/0/text").asText()).isEqualTo("Capital of France?");
    }

    @Test
    void aStreamRoundTripEndsWithTheFinishReasonAndUsage() {
        gemini.byDefault()
                .always(FakeResponse.ok("x").withChunks("Hel", "lo ", "there").withUsage(10, 5, 0, 2));
        List<StreamChunk> chunks = new ArrayList<>();
        try (ChatStream stream =
                twoKeys().chatStream(ChatRequest.builder(MODEL).user("hi").build())) {
            assertThat(stream.provider()).isEqualTo("google_ai_studio");
            stream.forEach(chunks::add);
        }
        assertThat(chunks.stream().map(StreamChunk::delta)).containsExactly("Hel", "lo ", "there", "");
        StreamChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(last.usage()).isEqualTo(new Usage(10, 5, 0, 2));
        assertThat(chunks.subList(0, 3)).allSatisfy(c -> assertThat(c.isFinal()).isFalse());
        RecordedRequest sent = gemini.requests().get(0);
        assertThat(sent.path()).isEqualTo("/v1beta/models/" + MODEL + ":streamGenerateContent");
        assertThat(sent.query()).isEqualTo("alt=sse");
        assertThat(sent.stream()).isTrue();
        assertThat(sent.header("accept")).isEqualTo("text/event-stream");
    }

    @Test
    void generateContentSendsEveryPartAndEveryControl() {
        byte[] pdf = "%PDF-1.7 fake".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
        LlmRotate lm = twoKeys();

        ChatResponse response = lm.generateContent(
                MODEL,
                List.of(
                        "Compare these.",
                        ContentPart.pdf(pdf),
                        ContentPart.image(png, "image/png"),
                        ContentPart.file("https://generativelanguage.googleapis.com/v1beta/files/abc", "video/mp4")),
                GenerateContentControls.builder()
                        .systemInstruction("You are terse.")
                        .responseMimeType("application/json")
                        .maxOutputTokens(256)
                        .temperature(0.25)
                        .topP(0.9)
                        .seed(42)
                        .thinkingBudget(1024)
                        .maxRetries(0)
                        .provider("google_ai_studio")
                        .build());

        assertThat(response.content()).isEqualTo("fake reply");
        JsonNode body = gemini.requests().get(0).json();
        assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("You are terse.");
        assertThat(body.get("contents")).hasSize(1);
        JsonNode turn = body.at("/contents/0");
        assertThat(turn.get("role").asText()).isEqualTo("user");
        assertThat(turn.get("parts")).hasSize(4);
        assertThat(turn.at("/parts/0/text").asText()).isEqualTo("Compare these.");
        assertThat(turn.at("/parts/1/inlineData/mimeType").asText()).isEqualTo("application/pdf");
        assertThat(turn.at("/parts/1/inlineData/data").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(pdf));
        assertThat(turn.at("/parts/2/inlineData/mimeType").asText()).isEqualTo("image/png");
        assertThat(turn.at("/parts/2/inlineData/data").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(png));
        assertThat(turn.at("/parts/3/fileData/mimeType").asText()).isEqualTo("video/mp4");
        assertThat(turn.at("/parts/3/fileData/fileUri").asText())
                .isEqualTo("https://generativelanguage.googleapis.com/v1beta/files/abc");
        JsonNode config = body.get("generationConfig");
        assertThat(config.get("responseMimeType").asText()).isEqualTo("application/json");
        assertThat(config.get("maxOutputTokens").asInt()).isEqualTo(256);
        assertThat(config.get("temperature").asDouble()).isEqualTo(0.25);
        assertThat(config.get("topP").asDouble()).isEqualTo(0.9);
        assertThat(config.get("seed").asInt()).isEqualTo(42);
        assertThat(config.at("/thinkingConfig/thinkingBudget").asInt()).isEqualTo(1024);
        assertThat(config).hasSize(6);
        // Nothing else at the top level: automatic function calling has no wire form, and no tools are declared.
        assertThat(iterable(body.fieldNames()))
                .containsExactlyInAnyOrder("contents", "systemInstruction", "generationConfig");
    }

    @Test
    void automaticFunctionCallingSendsTheSameBodyEitherWay() {
        LlmRotate lm = twoKeys();
        GenerateContentRequest.Builder request =
                GenerateContentRequest.builder(MODEL).contents("hi").temperature(0.5);
        lm.generateContent(request.build()); // default: disabled
        lm.generateContent(request.disableAutomaticFunctionCalling(false).build());
        assertThat(gemini.requests()).hasSize(2);
        assertThat(gemini.requests().get(1).json())
                .isEqualTo(gemini.requests().get(0).json());
        assertThat(gemini.requests().get(0).json().has("toolConfig")).isFalse();
    }

    @Test
    void generateContentStreamsLikeChatStream() {
        gemini.byDefault().always(FakeResponse.ok("x").withChunks("one ", "two"));
        try (ChatStream stream = twoKeys()
                .generateContentStream(GenerateContentRequest.builder(MODEL)
                        .contents("Count.", ContentPart.pdf(new byte[] {1, 2, 3}))
                        .build())) {
            ChatResponse whole = stream.collect();
            assertThat(whole.content()).isEqualTo("one two");
            assertThat(whole.finishReason()).isEqualTo(FinishReason.STOP);
        }
        RecordedRequest sent = gemini.requests().get(0);
        assertThat(sent.path()).endsWith(":streamGenerateContent");
        assertThat(sent.json().at("/contents/0/parts/1/inlineData/mimeType").asText())
                .isEqualTo("application/pdf");
    }

    @Test
    void aModelOfAnotherProviderIsAConfigurationErrorNamingIt() {
        LlmRotate lm = engine(config(studio("a", 0), Keys.openai("o")).build());
        assertThatThrownBy(() -> lm.generateContent("gpt-4o-mini", List.of("hi")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'openai'")
                .hasMessageContaining("google_ai_studio");
        assertThatThrownBy(() -> lm.generateContent(GenerateContentRequest.builder("gpt-4o-mini")
                        .contents("hi")
                        .provider("openai")
                        .build()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'openai'");
        assertThat(gemini.requestCount()).isZero();
    }

    @Test
    void fallbackEntriesOfOtherProvidersAreLeftOut() {
        try (FakeOpenAiServer openai = FakeOpenAiServer.start()) {
            gemini.byDefault().always(GeminiResponses.unavailable());
            LlmRotate lm = engine(config(
                            studio("a", 0),
                            Keys.key("o", "openai", "gpt-4o-mini").build())
                    .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                    .fallbackChain(
                            "google_ai_studio", FallbackTarget.to("openai").withModel("gpt-4o-mini"))
                    .defaults(d -> d.withMaxRetries(0))
                    .build());

            assertThatThrownBy(() -> lm.generateContent(MODEL, List.of("hi")))
                    .isInstanceOfSatisfying(
                            LlmRotateException.class,
                            e -> assertThat(e.errorType()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR));
            assertThat(openai.requestCount()).isZero();

            ChatResponse chat = lm.chat(MODEL, List.of(ChatMessage.user("hi")));
            assertThat(chat.provider()).isEqualTo("openai");
            assertThat(chat.fallbackUsed()).isTrue();
        }
    }

    @Test
    void contentThatIsNotAPartIsRejectedBeforeAnyRequest() {
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.generateContent(MODEL, Arrays.asList("hi", new byte[] {1})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("contents[1]");
        ChatRequest imageInSystem = ChatRequest.builder(MODEL)
                .messages(
                        new ChatMessage("system", List.of(ContentPart.image(new byte[] {1}, "image/png"))),
                        ChatMessage.user("hi"))
                .build();
        assertThatThrownBy(() -> lm.chat(imageInSystem)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(e.getMessage()).contains("system instruction");
        });
        ChatRequest cloudStorageFile = ChatRequest.builder(MODEL)
                .messages(ChatMessage.user(
                        ContentPart.text("summarise"),
                        new ContentPart.FileRef("gs://bucket/report.pdf", "application/pdf")))
                .build();
        assertThatThrownBy(() -> lm.chat(cloudStorageFile)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(e.getMessage()).contains("gs://").contains("google_vertex");
        });
        assertThat(gemini.requestCount()).isZero();
    }

    static Stream<Arguments> classifications() {
        return Stream.of(
                Arguments.of(
                        "429 per-minute quota",
                        GeminiResponses.rateLimitedPerMinute(Duration.ofSeconds(34)),
                        ErrorType.RATE_LIMIT),
                Arguments.of(
                        "429 per-day quota",
                        GeminiResponses.quotaExhaustedPerDay(Duration.ofHours(9)),
                        ErrorType.QUOTA_EXHAUSTED),
                Arguments.of("429 limit: 0", GeminiResponses.quotaLimitZero(), ErrorType.QUOTA_EXHAUSTED),
                Arguments.of(
                        "402 prepaid credit",
                        FakeResponse.error(402, "RESOURCE_EXHAUSTED", null, "Your prepayment credits are depleted."),
                        ErrorType.QUOTA_EXHAUSTED),
                Arguments.of("400 API_KEY_INVALID", GeminiResponses.apiKeyInvalid(), ErrorType.INVALID_AUTH),
                Arguments.of("401 UNAUTHENTICATED", GeminiResponses.unauthenticated(), ErrorType.INVALID_AUTH),
                Arguments.of("403 PERMISSION_DENIED", GeminiResponses.permissionDenied(), ErrorType.PERMISSION_DENIED),
                Arguments.of(
                        "404 NOT_FOUND",
                        FakeResponse.error(
                                404, "NOT_FOUND", null, "models/gemini-9 is not found for API version v1beta"),
                        ErrorType.MODEL_UNAVAILABLE),
                Arguments.of(
                        "400 input token count",
                        FakeResponse.error(
                                400,
                                "INVALID_ARGUMENT",
                                null,
                                "The input token count (3475108) exceeds the maximum number of tokens allowed (1048576)."),
                        ErrorType.CONTEXT_LENGTH_EXCEEDED),
                Arguments.of(
                        "400 INVALID_ARGUMENT",
                        FakeResponse.error(400, "INVALID_ARGUMENT", null, "Invalid JSON payload received."),
                        ErrorType.INVALID_REQUEST),
                Arguments.of(
                        "400 FAILED_PRECONDITION",
                        FakeResponse.error(
                                400, "FAILED_PRECONDITION", null, "User location is not supported for the API use."),
                        ErrorType.INVALID_REQUEST),
                Arguments.of("500 INTERNAL", GeminiResponses.internal(), ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of("503 UNAVAILABLE", GeminiResponses.unavailable(), ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of("504 DEADLINE_EXCEEDED", GeminiResponses.deadlineExceeded(), ErrorType.TIMEOUT));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("classifications")
    void everyErrorIsClassified(String name, FakeResponse answer, ErrorType expected) {
        gemini.byDefault().always(answer);
        LlmRotate lm =
                engine(config(studio("a", 0)).defaults(d -> d.withMaxRetries(0)).build());
        assertThatThrownBy(() -> lm.chat(MODEL, List.of(ChatMessage.user("x"))))
                .isInstanceOfSatisfying(LlmRotateException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(expected);
                    assertThat(e.getMessage()).doesNotContain(A);
                });
        assertThat(lm.health().key("a").lastErrorType()).isIn(expected.wireName(), null);
    }

    @Test
    void theRetryDelayLengthensTheCooldownAndThePerDayQuotaQuarantines() {
        gemini.forKey(A).always(GeminiResponses.rateLimitedPerMinute(Duration.ofSeconds(34)));
        gemini.forKey(Keys.secret("b")).next(GeminiResponses.quotaExhaustedPerDay(Duration.ofHours(9)));
        LlmRotate lm =
                engine(config(studio("a", 3), studio("b", 2), studio("c", 1)).build());

        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("x")));

        assertThat(response.keyId()).isEqualTo("c");
        assertThat(response.rotations()).isEqualTo(2);
        HealthReport health = lm.health();
        assertThat(health.key("a").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(health.key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(34));
        assertThat(health.key("b").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(health.key("b").lastErrorType()).isEqualTo("quota_exhausted");
    }

    /** What the caller gets for each stream fault. */
    enum Expect {
        /** The whole answer, after a retry or rotation that happened before the first chunk. */
        COMPLETE_AFTER_RETRY,
        /** Some chunks, then stream_interrupted. */
        INTERRUPTED
    }

    static Stream<Arguments> streamFaults() {
        FakeResponse answer = FakeResponse.ok("x").withChunks("alpha ", "beta ", "gamma");
        return Stream.of(
                Arguments.of(
                        "slow first chunk",
                        answer.firstChunkDelay(Duration.ofSeconds(3)),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "timeout"),
                Arguments.of(
                        "reset before headers",
                        FakeResponse.connectionDrop(),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "connection_error"),
                Arguments.of(
                        "cut before the first chunk",
                        answer.cutAfterChunks(0),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "connection_error"),
                Arguments.of(
                        "429 before the stream",
                        GeminiResponses.rateLimitedPerMinute(Duration.ofSeconds(5)),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "rate_limit"),
                Arguments.of(
                        "cut after 2 chunks", answer.cutAfterChunks(2), Expect.INTERRUPTED, 2, "stream_interrupted"),
                Arguments.of(
                        "stall after 1 chunk", answer.stallAfterChunks(1), Expect.INTERRUPTED, 1, "stream_interrupted"),
                Arguments.of(
                        "malformed event after 1 chunk",
                        answer.malformedEventAfterChunks(1),
                        Expect.INTERRUPTED,
                        1,
                        "stream_interrupted"),
                Arguments.of(
                        "error event after 2 chunks",
                        answer.errorEventAfterChunks(2, "UNAVAILABLE"),
                        Expect.INTERRUPTED,
                        2,
                        "stream_interrupted"),
                Arguments.of(
                        "no event with a finish reason",
                        answer.missingEndMarker(),
                        Expect.INTERRUPTED,
                        3,
                        "stream_interrupted"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamFaults")
    void streamFaults(String name, FakeResponse fault, Expect expect, int chunksBefore, String keyError) {
        gemini.forKey(A).next(fault);
        gemini.byDefault().always(FakeResponse.ok("x").withChunks("alpha ", "beta ", "gamma"));
        LlmRotate lm = twoKeys();
        List<String> received = new ArrayList<>();
        LlmRotateException failure = null;
        int attempts = 0;
        try (ChatStream stream =
                lm.chatStream(ChatRequest.builder(MODEL).user("hi").build())) {
            attempts = stream.attempts();
            for (StreamChunk chunk : stream) {
                received.add(chunk.delta());
            }
        } catch (LlmRotateException e) {
            failure = e;
        }
        if (expect == Expect.COMPLETE_AFTER_RETRY) {
            assertThat(failure).isNull();
            assertThat(String.join("", received)).isEqualTo("alpha beta gamma");
            assertThat(attempts).isEqualTo(2);
        } else {
            assertThat(failure).isNotNull();
            assertThat(failure.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
            assertThat(failure.maskedKey()).isEqualTo("a (sk-…cdef)");
            assertThat(received).hasSize(chunksBefore);
        }
        HealthReport.KeyReport a = lm.health().key("a");
        if (keyError.equals("rate_limit")) {
            assertThat(a.state()).isEqualTo(KeyState.COOLDOWN);
        } else {
            assertThat(a.lastErrorType()).isEqualTo(keyError);
            assertThat(a.recentFailures()).isEqualTo(1);
        }
        assertThat(lm.usageSummary().overall().calls()).isEqualTo(1);
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        return () -> iterator;
    }
}

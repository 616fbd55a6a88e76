package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.BedrockResponses;
import dev.llmrotate.testkit.EventStreamEncoder;
import dev.llmrotate.testkit.FakeBedrockServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** aws_bedrock through LlmRotate over real loopback HTTP: SigV4-signed Converse and ConverseStream calls. */
class BedrockLoopbackTest extends EngineTestSupport {
    private static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
    private static final Map<String, String> CREDENTIALS = Map.of(
            "BEDROCK_A", credentials("AKIAFAKEKEYAAAA1", "secret/a+0123456789abcdef", null),
            "BEDROCK_B", credentials("AKIAFAKEKEYBBBB2", "secret/b+0123456789abcdef", null),
            "BEDROCK_TEMP",
                    "{\"aws_access_key_id\":\"ASIAFAKETEMP0003\",\"aws_secret_access_key\":\"temp/secret\","
                            + "\"aws_session_token\":\"IQoJb3JpZ2luX2VjEFAKE//token==\"}",
            "BEDROCK_WRONG", credentials("AKIAFAKEKEYAAAA1", "not-the-secret-0123456789", null));

    private FakeBedrockServer bedrock;

    private static String credentials(String id, String secret, String token) {
        return "{\"access_key_id\":\"" + id + "\",\"secret_access_key\":\"" + secret + "\""
                + (token == null ? "" : ",\"session_token\":\"" + token + "\"") + "}";
    }

    @BeforeEach
    void startBedrock() {
        bedrock = FakeBedrockServer.start()
                .acceptCredentials("AKIAFAKEKEYAAAA1", "secret/a+0123456789abcdef")
                .acceptCredentials("AKIAFAKEKEYBBBB2", "secret/b+0123456789abcdef")
                .acceptCredentials("ASIAFAKETEMP0003", "temp/secret", "IQoJb3JpZ2luX2VjEFAKE//token==");
    }

    @AfterEach
    void stopBedrock() {
        bedrock.close();
    }

    private static KeySpec key(String keyId, String secretName, int priority) {
        return KeySpec.builder(keyId, "aws_bedrock")
                .secretRef(SecretRef.parse("env://" + secretName, CREDENTIALS::get))
                .authConfig("region", "us-east-1")
                .models(MODEL)
                .priority(priority)
                .build();
    }

    private LlmRotate engine(KeySpec... keys) {
        LlmRotateConfig config = config(SelectionStrategyType.PRIORITY, keys)
                .provider(
                        "aws_bedrock",
                        s -> s.withBaseUrl(bedrock.baseUrl())
                                .withRequestTimeout(Duration.ofSeconds(5))
                                .withFirstChunkTimeout(Duration.ofMillis(400))
                                .withStreamIdleTimeout(Duration.ofMillis(400)))
                .build();
        return engine(config);
    }

    private LlmRotate twoKeys() {
        return engine(key("a", "BEDROCK_A", 2), key("b", "BEDROCK_B", 1));
    }

    @Test
    void aConverseCallIsSignedSentAndNormalised() {
        bedrock.forKey("AKIAFAKEKEYAAAA1")
                .always(FakeResponse.ok("Hello from Bedrock").withUsage(20, 7, 5, 0));

        ChatResponse response = twoKeys().chat(MODEL, List.of(ChatMessage.user("Hi")));

        assertThat(response.content()).isEqualTo("Hello from Bedrock");
        assertThat(response.provider()).isEqualTo("aws_bedrock");
        assertThat(response.keyId()).isEqualTo("a");
        assertThat(response.keyMask()).isEqualTo("AKI…AAA1");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.usage()).isEqualTo(new Usage(20, 7, 5, 0));
        assertThat(response.attempts()).isEqualTo(1);
        assertThat(response.providerResponseId()).isNotBlank();
        RecordedRequest sent = bedrock.requests().get(0);
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
        assertThat(sent.model()).isEqualTo(MODEL);
        assertThat(sent.apiKey()).isEqualTo("AKIAFAKEKEYAAAA1");
        assertThat(sent.attributes()).containsEntry("region", "us-east-1").containsEntry("service", "bedrock");
        assertThat(sent.header("x-amz-date")).isEqualTo("20261125T100000Z"); // the engine's clock
        assertThat(sent.header("authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIAFAKEKEYAAAA1/20261125/us-east-1/bedrock/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, Signature=");
        assertThat(sent.header("x-amz-security-token")).isNull();
        assertThat(sent.header("content-type")).isEqualTo("application/json");
    }

    @Test
    void theRequestBodyCarriesEveryFieldOfAMultimodalRequest() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
        byte[] jpeg = {(byte) 0xff, (byte) 0xd8, 9};
        byte[] pdf = "%PDF-1.7 fake".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ChatRequest request = ChatRequest.builder(MODEL)
                .messages(
                        ChatMessage.system("Be brief."),
                        ChatMessage.user("Hi"),
                        ChatMessage.assistant("Hello!"),
                        ChatMessage.system("Answer in English."),
                        ChatMessage.user(
                                ContentPart.text("What is in these?"),
                                ContentPart.image(png, "image/png"),
                                ContentPart.image(jpeg, "image/jpeg"),
                                new ContentPart.PdfBytes(pdf, "application/pdf")))
                .maxTokens(64)
                .temperature(0.25)
                .topP(0.9)
                .extra("top_k", 40)
                .extra("guardrailConfig", Map.of("guardrailIdentifier", "gr-1", "guardrailVersion", "1"))
                .build();

        twoKeys().chat(request);

        JsonNode body = bedrock.requests().get(0).json();
        assertThat(body.has("modelId")).as("the model id goes in the path").isFalse();
        assertThat(body.get("system")).hasSize(2);
        assertThat(body.at("/system/0/text").asText()).isEqualTo("Be brief.");
        assertThat(body.at("/system/1/text").asText()).isEqualTo("Answer in English.");
        JsonNode messages = body.get("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).get("role").asText()).isEqualTo("user");
        assertThat(messages.get(0).get("content")).hasSize(1);
        assertThat(messages.at("/0/content/0/text").asText()).isEqualTo("Hi");
        assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/1/content/0/text").asText()).isEqualTo("Hello!");
        JsonNode parts = messages.at("/2/content");
        assertThat(parts).hasSize(4);
        assertThat(parts.at("/0/text").asText()).isEqualTo("What is in these?");
        assertThat(parts.at("/1/image/format").asText()).isEqualTo("png");
        assertThat(parts.at("/1/image/source/bytes").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(png));
        assertThat(parts.at("/2/image/format").asText()).isEqualTo("jpeg");
        assertThat(parts.at("/2/image/source/bytes").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(jpeg));
        assertThat(parts.at("/3/document/format").asText()).isEqualTo("pdf");
        assertThat(parts.at("/3/document/name").asText()).isEqualTo("document-1");
        assertThat(parts.at("/3/document/source/bytes").asText())
                .isEqualTo(Base64.getEncoder().encodeToString(pdf));
        assertThat(body.at("/inferenceConfig/maxTokens").asInt()).isEqualTo(64);
        assertThat(body.at("/inferenceConfig/temperature").asDouble()).isEqualTo(0.25);
        assertThat(body.at("/inferenceConfig/topP").asDouble()).isEqualTo(0.9);
        assertThat(body.at("/additionalModelRequestFields/top_k").asInt()).isEqualTo(40);
        assertThat(body.at("/additionalModelRequestFields").size()).isEqualTo(1);
        assertThat(body.at("/guardrailConfig/guardrailIdentifier").asText()).isEqualTo("gr-1");
    }

    @Test
    void aPlainRequestSendsNoInferenceConfigOrSystem() {
        twoKeys().chat(MODEL, List.of(ChatMessage.user("Hi")));
        JsonNode body = bedrock.requests().get(0).json();
        assertThat(body.has("system")).isFalse();
        assertThat(body.has("inferenceConfig")).isFalse();
        assertThat(body.has("additionalModelRequestFields")).isFalse();
    }

    static Stream<Arguments> unsupported() {
        return Stream.of(
                Arguments.of(
                        ChatMessage.user(
                                ContentPart.text("read this"),
                                new ContentPart.FileRef("gs://b/f.pdf", "application/pdf")),
                        "does not take FileRef parts"),
                Arguments.of(
                        new ChatMessage("assistant", List.of(ContentPart.image(new byte[] {1}, "image/png"))),
                        "images only in user messages"),
                Arguments.of(ChatMessage.user(ContentPart.image(new byte[] {1}, "image/bmp")), "not image/bmp"),
                Arguments.of(
                        ChatMessage.user(new ContentPart.PdfBytes(new byte[] {1}, "application/pdf")),
                        "needs a text part in every message that carries a PDF"));
    }

    @ParameterizedTest
    @MethodSource("unsupported")
    void unsupportedContentIsRefusedBeforeAnyRequest(ChatMessage message, String why) {
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.chat(MODEL, List.of(message)))
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST))
                .hasMessageContaining(why);
        assertThat(bedrock.requestCount()).isZero();
    }

    @Test
    void temporaryCredentialsSignAndSendTheirSessionToken() {
        ChatResponse response = engine(key("t", "BEDROCK_TEMP", 1)).chat(MODEL, List.of(ChatMessage.user("Hi")));
        assertThat(response.content()).isEqualTo("fake reply");
        assertThat(response.keyMask()).isEqualTo("ASI…0003");
        RecordedRequest sent = bedrock.requests().get(0);
        assertThat(sent.header("x-amz-security-token")).isEqualTo("IQoJb3JpZ2luX2VjEFAKE//token==");
        assertThat(sent.header("authorization")).contains("SignedHeaders=host;x-amz-date;x-amz-security-token,");
    }

    @Test
    void aKeyWhoseSignatureIsRefusedIsQuarantinedAndTheCallRotates() {
        LlmRotate lm = engine(key("wrong", "BEDROCK_WRONG", 2), key("b", "BEDROCK_B", 1));
        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("Hi")));
        assertThat(response.keyId()).isEqualTo("b");
        assertThat(response.rotations()).isEqualTo(1);
        assertThat(lm.health().key("wrong").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(lm.health().key("wrong").lastErrorType()).isEqualTo("invalid_auth");
    }

    @Test
    void aThrottledKeyCoolsDownAndTheCallRotates() {
        bedrock.forKey("AKIAFAKEKEYAAAA1").always(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        LlmRotate lm = twoKeys();
        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("Hi")));
        assertThat(response.keyId()).isEqualTo("b");
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.COOLDOWN);
    }

    @Test
    void aContextLengthErrorFailsFast() {
        bedrock.byDefault()
                .always(BedrockResponses.exception(
                        400, "ValidationException", "Input is too long for requested model."));
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.chat(MODEL, List.of(ChatMessage.user("Hi"))))
                .isInstanceOfSatisfying(
                        LlmRotateException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.CONTEXT_LENGTH_EXCEEDED))
                .hasMessageContaining("Input is too long for requested model.");
        assertThat(bedrock.requestCount()).isEqualTo(1);
    }

    @Test
    void aStreamDeliversEveryChunkAndEndsWithFinishReasonAndUsage() {
        bedrock.byDefault()
                .always(FakeResponse.ok("x")
                        .withChunks("Hello", " from", " Bedrock")
                        .withUsage(30, 3, 10, 0)
                        .withFinishReason("length"));
        List<StreamChunk> chunks = new ArrayList<>();
        try (ChatStream stream =
                twoKeys().chatStream(ChatRequest.builder(MODEL).user("Hi").build())) {
            assertThat(stream.provider()).isEqualTo("aws_bedrock");
            assertThat(stream.keyMask()).isEqualTo("AKI…AAA1");
            stream.forEach(chunks::add);
        }
        assertThat(chunks).extracting(StreamChunk::delta).containsExactly("Hello", " from", " Bedrock", "");
        StreamChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(last.usage()).isEqualTo(new Usage(30, 3, 10, 0));
        RecordedRequest sent = bedrock.requests().get(0);
        assertThat(sent.path()).isEqualTo("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream");
        assertThat(sent.header("accept")).isEqualTo("application/vnd.amazon.eventstream");
    }

    @Test
    void collectGathersAStreamedAnswer() {
        bedrock.byDefault().always(FakeResponse.ok("one two three"));
        try (ChatStream stream =
                twoKeys().chatStream(ChatRequest.builder(MODEL).user("Hi").build())) {
            ChatResponse response = stream.collect();
            assertThat(response.content()).isEqualTo("one two three");
            assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
            assertThat(response.usage()).isEqualTo(Usage.of(10, 5));
        }
    }

    /** What the caller gets for each stream fault. */
    enum Expect {
        COMPLETE,
        COMPLETE_AFTER_RETRY,
        INTERRUPTED
    }

    static Stream<Arguments> streamFaults() {
        FakeResponse answer = FakeResponse.ok("x").withChunks("alpha ", "beta ", "gamma");
        byte[] start = EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}");
        byte[] alpha = EventStreamEncoder.event(
                "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"alpha \"}}");
        byte[] beta = EventStreamEncoder.event(
                "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"beta \"}}");
        byte[] gamma = EventStreamEncoder.event(
                "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"gamma\"}}");
        byte[] stop = EventStreamEncoder.event("messageStop", "{\"stopReason\":\"end_turn\"}");
        return Stream.of(
                Arguments.of(
                        "cut before the first chunk",
                        answer.cutAfterChunks(0),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "connection_error"),
                Arguments.of(
                        "throttlingException before the first chunk",
                        answer.errorEventAfterChunks(0, "throttlingException", "Too many tokens"),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "rate_limit"),
                Arguments.of(
                        "corrupt frame before the first chunk",
                        answer.malformedEventAfterChunks(0),
                        Expect.COMPLETE_AFTER_RETRY,
                        0,
                        "connection_error"),
                Arguments.of(
                        "cut after 2 chunks", answer.cutAfterChunks(2), Expect.INTERRUPTED, 2, "stream_interrupted"),
                Arguments.of(
                        "stall after 1 chunk", answer.stallAfterChunks(1), Expect.INTERRUPTED, 1, "stream_interrupted"),
                Arguments.of(
                        "bad message CRC after 1 chunk",
                        answer.malformedEventAfterChunks(1),
                        Expect.INTERRUPTED,
                        1,
                        "stream_interrupted"),
                Arguments.of(
                        "bad prelude CRC after 1 chunk",
                        BedrockResponses.eventStream(
                                start, alpha, EventStreamEncoder.withBadPreludeCrc(beta), gamma, stop),
                        Expect.INTERRUPTED,
                        1,
                        "stream_interrupted"),
                Arguments.of(
                        "modelStreamErrorException after 2 chunks",
                        answer.errorEventAfterChunks(2, "modelStreamErrorException", "The model stream failed."),
                        Expect.INTERRUPTED,
                        2,
                        "stream_interrupted"),
                Arguments.of("no messageStop", answer.missingEndMarker(), Expect.INTERRUPTED, 3, "stream_interrupted"),
                Arguments.of(
                        "messageStop without metadata",
                        BedrockResponses.eventStream(start, alpha, beta, gamma, stop),
                        Expect.COMPLETE,
                        3,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("streamFaults")
    void streamFaults(String name, FakeResponse fault, Expect expect, int chunksBefore, String keyError) {
        bedrock.forKey("AKIAFAKEKEYAAAA1").next(fault);
        bedrock.byDefault().always(FakeResponse.ok("x").withChunks("alpha ", "beta ", "gamma"));
        LlmRotate lm = twoKeys();
        List<String> received = new ArrayList<>();
        LlmRotateException failure = null;
        int attempts = 0;
        StreamChunk last = null;
        try (ChatStream stream =
                lm.chatStream(ChatRequest.builder(MODEL).user("Hi").build())) {
            attempts = stream.attempts();
            for (StreamChunk chunk : stream) {
                if (!chunk.isFinal()) {
                    received.add(chunk.delta());
                }
                last = chunk;
            }
        } catch (LlmRotateException e) {
            failure = e;
        }
        switch (expect) {
            case COMPLETE, COMPLETE_AFTER_RETRY -> {
                assertThat(failure).isNull();
                assertThat(String.join("", received)).isEqualTo("alpha beta gamma");
                assertThat(attempts).isEqualTo(expect == Expect.COMPLETE ? 1 : 2);
                assertThat(last.finishReason()).isEqualTo(FinishReason.STOP);
                if (expect == Expect.COMPLETE) {
                    assertThat(last.usage()).as("no metadata, so no usage").isEqualTo(Usage.UNREPORTED);
                }
            }
            case INTERRUPTED -> {
                assertThat(failure).isNotNull();
                assertThat(failure.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
                assertThat(failure.maskedKey()).isEqualTo("a (AKI…AAA1)");
                assertThat(failure.getMessage()).doesNotContain("secret/a");
                assertThat(received).hasSize(chunksBefore);
            }
        }
        var a = lm.health().key("a");
        if (keyError == null) {
            assertThat(a.consecutiveFailures()).isZero();
        } else if (keyError.equals("rate_limit")) {
            assertThat(a.state()).isEqualTo(KeyState.COOLDOWN);
        } else {
            assertThat(a.lastErrorType()).isEqualTo(keyError);
        }
    }

    @Test
    void theInterruptionSaysWhatBrokeTheStream() {
        bedrock.byDefault().always(FakeResponse.ok("x").withChunks("a", "b").malformedEventAfterChunks(1));
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> {
                    try (ChatStream stream =
                            lm.chatStream(ChatRequest.builder(MODEL).user("Hi").build())) {
                        stream.forEach(c -> {});
                    }
                })
                .isInstanceOf(LlmRotateException.class)
                .hasMessageContaining("corrupt frame: message CRC mismatch");
        bedrock.reset();
        bedrock.byDefault().always(FakeResponse.ok("x").withChunks("a", "b").missingEndMarker());
        assertThatThrownBy(() -> {
                    try (ChatStream stream =
                            lm.chatStream(ChatRequest.builder(MODEL).user("Hi").build())) {
                        stream.forEach(c -> {});
                    }
                })
                .isInstanceOf(LlmRotateException.class)
                .hasMessageContaining("stream ended before messageStop");
    }

    @Test
    void secretKeysAndSessionTokensNeverShow() {
        bedrock.forKey("ASIAFAKETEMP0003").always(FakeResponse.serverError());
        LlmRotate lm = engine(key("wrong", "BEDROCK_WRONG", 3), key("t", "BEDROCK_TEMP", 2));
        List<String> shown = new ArrayList<>();
        try {
            lm.chat(ChatRequest.builder(MODEL).user("Hi").maxRetries(0).build());
        } catch (LlmRotateException e) {
            shown.add(e.getMessage());
            shown.add(String.valueOf(e.maskedKey()));
        }
        shown.add(lm.health().toJson());
        shown.add(lm.health().toString());
        shown.add(lm.usageSummary().toJson());
        assertThat(shown)
                .isNotEmpty()
                .allSatisfy(text -> assertThat(text)
                        .doesNotContain("not-the-secret")
                        .doesNotContain("temp/secret")
                        .doesNotContain("IQoJb3JpZ2luX2VjEFAKE")
                        .doesNotContain("secret_access_key"));
        assertThat(lm.health().key("t").keyMask()).isEqualTo("ASI…0003");
    }
}

package dev.llmrotate.internal.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.testkit.BedrockResponses;
import dev.llmrotate.testkit.FakeBedrockServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every row of {@link BedrockErrorClassifier}, over loopback against the fake Bedrock server: the status, the
 * {@code x-amzn-ErrorType} header and the {@code {"message":…}} body shaped as Bedrock Runtime sends them, and the
 * exception events of ConverseStream.
 */
class BedrockClassificationLoopbackTest {
    static final String ACCESS_KEY_ID = "AKIAFAKEBEDROCK01";
    static final String SECRET_ACCESS_KEY = "fake/Secret+Key-0123456789abcdef";
    static final String CREDENTIALS =
            "{\"access_key_id\":\"" + ACCESS_KEY_ID + "\",\"secret_access_key\":\"" + SECRET_ACCESS_KEY + "\"}";
    static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";

    private final HttpTransport transport = new HttpTransport();
    private final BedrockAdapter adapter = new BedrockAdapter(
            transport, new ObjectMapper(), Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC));
    private FakeBedrockServer bedrock;

    @BeforeEach
    void start() {
        bedrock = FakeBedrockServer.start().acceptCredentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY);
    }

    @AfterEach
    void stop() {
        bedrock.close();
    }

    private Attempt attempt(String secret) {
        KeySpec key = KeySpec.builder("bedrock-a", "aws_bedrock")
                .secretRef(SecretRef.parse("env://UNUSED", name -> null))
                .authConfig("region", "us-east-1")
                .models(MODEL)
                .build();
        return new Attempt(
                ChatRequest.builder(MODEL).user("hi").build(),
                key,
                secret,
                ProviderCatalog.defaults("aws_bedrock").withBaseUrl(bedrock.baseUrl()),
                null,
                Duration.ofSeconds(5));
    }

    private ProviderException failure(FakeResponse response) {
        bedrock.byDefault().always(response);
        return catchThrowableOfType(ProviderException.class, () -> adapter.send(attempt(CREDENTIALS)));
    }

    @ParameterizedTest(name = "{0} {1}: {3}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "429|ThrottlingException|Too many requests, please wait before trying again.|RATE_LIMIT",
                "400|ServiceQuotaExceededException|Your request exceeds the service quota for your account. You can"
                        + " view your quotas at Viewing service quotas. You can resubmit your request later."
                        + "|QUOTA_EXHAUSTED",
                "403|AccessDeniedException|You don't have access to the model with the specified model ID."
                        + "|PERMISSION_DENIED",
                "403|UnrecognizedClientException|The security token included in the request is invalid.|INVALID_AUTH",
                "403|ExpiredTokenException|The security token included in the request is expired|INVALID_AUTH",
                "404|ResourceNotFoundException|Could not resolve the foundation model from the provided model"
                        + " identifier.|MODEL_UNAVAILABLE",
                "429|ModelNotReadyException|Model is not ready for inference. Wait and try your request again."
                        + "|TRANSIENT_SERVER_ERROR",
                "408|ModelTimeoutException|Model has timed out in processing the request. Try your request again."
                        + "|TIMEOUT",
                "400|ValidationException|Input is too long for requested model.|CONTEXT_LENGTH_EXCEEDED",
                "400|ValidationException|The model returned the following errors: prompt is too long: 200049 tokens"
                        + " > 200000 maximum|CONTEXT_LENGTH_EXCEEDED",
                "400|ValidationException|Malformed input request: #: extraneous key [foo] is not permitted, please"
                        + " reformat your input and try again.|INVALID_REQUEST",
                "400|ValidationException|The provided model identifier is invalid.|MODEL_UNAVAILABLE",
                "400|ValidationException|Invocation of model ID anthropic.claude-3-5-sonnet-20241022-v2:0 with"
                        + " on-demand throughput isn’t supported. Retry your request with the ID or ARN of an"
                        + " inference profile that contains this model.|MODEL_UNAVAILABLE",
                "424|ModelErrorException|The model returned an error.|TRANSIENT_SERVER_ERROR",
                "500|InternalServerException|The system encountered an unexpected error during processing. Try your"
                        + " request again.|TRANSIENT_SERVER_ERROR",
                "503|ServiceUnavailableException|Bedrock is unable to process your request.|TRANSIENT_SERVER_ERROR"
            })
    void classifiesTheErrorBedrockSends(int status, String code, String message, ErrorType expected) {
        ProviderException e = failure(BedrockResponses.exception(status, code, message));
        assertThat(e.type()).isEqualTo(expected);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.getMessage()).isEqualTo("HTTP " + status + " " + code + ": " + message);
    }

    @Test
    void aWrongSecretIsARealSignatureMismatchAndInvalidAuth() {
        bedrock.byDefault().always(FakeResponse.ok("never"));
        String wrong = CREDENTIALS.replace(SECRET_ACCESS_KEY, SECRET_ACCESS_KEY + "x");
        ProviderException e = catchThrowableOfType(ProviderException.class, () -> adapter.send(attempt(wrong)));
        assertThat(e.type()).isEqualTo(ErrorType.INVALID_AUTH);
        assertThat(e.getMessage())
                .startsWith("HTTP 403 InvalidSignatureException: The request signature we calculated does not match")
                .doesNotContain(SECRET_ACCESS_KEY);
    }

    @Test
    void aGatewayPageWithoutAnErrorTypeClassifiesByStatus() {
        ProviderException e =
                failure(FakeResponse.raw(502, "<html>Bad Gateway</html>").header("content-type", "text/html"));
        assertThat(e.type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR);
        assertThat(e.httpStatus()).isEqualTo(502);
    }

    @Test
    void aSecretThatIsNotCredentialsJsonFailsTheKeyWithoutShowingIt() {
        ProviderException e = catchThrowableOfType(
                ProviderException.class, () -> adapter.send(attempt("sk-not-aws-credentials-0123456789")));
        assertThat(e.type()).isEqualTo(ErrorType.INVALID_AUTH);
        assertThat(e.getMessage())
                .startsWith("key 'bedrock-a': the secret is not JSON")
                .doesNotContain("sk-not");
        assertThat(bedrock.requestCount()).isZero();

        ProviderException noSecret = catchThrowableOfType(
                ProviderException.class, () -> adapter.send(attempt("{\"access_key_id\":\"" + ACCESS_KEY_ID + "\"}")));
        assertThat(noSecret.getMessage()).isEqualTo("key 'bedrock-a': the credentials JSON has no secret_access_key");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "throttlingException|Too many tokens, please wait before trying again.|RATE_LIMIT",
                "modelStreamErrorException|The model stream failed.|TRANSIENT_SERVER_ERROR",
                "internalServerException|Internal failure.|TRANSIENT_SERVER_ERROR",
                "serviceUnavailableException|Bedrock is unable to process your request.|TRANSIENT_SERVER_ERROR",
                "validationException|Input is too long for requested model.|CONTEXT_LENGTH_EXCEEDED",
                "validationException|Malformed input request.|INVALID_REQUEST"
            })
    void classifiesAStreamedException(String exceptionType, String message, ErrorType expected) {
        bedrock.byDefault().always(FakeResponse.ok("x").errorEventAfterChunks(0, exceptionType, message));
        try (ProviderStream stream = adapter.openStream(attempt(CREDENTIALS))) {
            ProviderException e = catchThrowableOfType(
                    ProviderException.class, () -> stream.next(ProviderStream.deadlineAfter(Duration.ofSeconds(2))));
            assertThat(e.type()).isEqualTo(expected);
            assertThat(e.httpStatus()).isNull();
            assertThat(e.getMessage()).isEqualTo("stream exception " + exceptionType + ": " + message);
        }
    }

    @Test
    void anErrorBeforeTheStreamIsClassifiedLikeAConverseError() {
        bedrock.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        ProviderException e =
                catchThrowableOfType(ProviderException.class, () -> adapter.openStream(attempt(CREDENTIALS)));
        assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMIT);
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(bedrock.requests().get(0).path()).endsWith("/converse-stream");
        assertThat(bedrock.requests().get(0).header("accept")).isEqualTo("application/vnd.amazon.eventstream");
    }
}

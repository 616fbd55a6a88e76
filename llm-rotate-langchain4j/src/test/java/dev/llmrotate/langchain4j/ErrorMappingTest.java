package dev.llmrotate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.ContentFilteredException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.NonRetriableException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.internal.RetryUtils;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.error.UnknownModelException;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a call fails, from a real provider answer over loopback, as the LangChain4j exception its retry code and
 * AI Services act on; llm-rotate's exception stays the cause.
 */
class ErrorMappingTest extends LangChain4jTestSupport {

    static Stream<Arguments> providerAnswers() {
        return Stream.of(
                Arguments.of(
                        "429 on every key",
                        FakeResponse.rateLimited(Duration.ofSeconds(30)),
                        RateLimitException.class,
                        ErrorType.RATE_LIMIT),
                Arguments.of(
                        "quota exhausted",
                        FakeResponse.insufficientQuota(),
                        RateLimitException.class,
                        ErrorType.QUOTA_EXHAUSTED),
                Arguments.of(
                        "401 on every key",
                        FakeResponse.invalidApiKey(),
                        AuthenticationException.class,
                        ErrorType.INVALID_AUTH),
                Arguments.of(
                        "403",
                        FakeResponse.error(403, "invalid_request_error", null, "You are not allowed to use this model"),
                        AuthenticationException.class,
                        ErrorType.PERMISSION_DENIED),
                Arguments.of(
                        "404 model_not_found",
                        FakeResponse.error(404, "invalid_request_error", "model_not_found", "The model does not exist"),
                        ModelNotFoundException.class,
                        ErrorType.MODEL_UNAVAILABLE),
                Arguments.of(
                        "500 until retries run out",
                        FakeResponse.serverError(),
                        InternalServerException.class,
                        ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of(
                        "connection dropped",
                        FakeResponse.connectionDrop(),
                        RetriableException.class,
                        ErrorType.CONNECTION_ERROR),
                Arguments.of(
                        "400",
                        FakeResponse.error(400, "invalid_request_error", null, "Invalid value for 'messages'"),
                        InvalidRequestException.class,
                        ErrorType.INVALID_REQUEST),
                Arguments.of(
                        "context too long",
                        FakeResponse.error(400, "invalid_request_error", "context_length_exceeded", "too long"),
                        InvalidRequestException.class,
                        ErrorType.CONTEXT_LENGTH_EXCEEDED),
                Arguments.of(
                        "content filter",
                        FakeResponse.error(400, "invalid_request_error", "content_policy_violation", "refused"),
                        ContentFilteredException.class,
                        ErrorType.CONTENT_FILTERED),
                Arguments.of(
                        "an unclassified status",
                        FakeResponse.error(418, "teapot", null, "I'm a teapot"),
                        LangChain4jException.class,
                        ErrorType.UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerAnswers")
    void aProviderFailureIsLangChain4jsExceptionWithOursAsTheCause(
            String name, FakeResponse answer, Class<? extends RuntimeException> expected, ErrorType type) {
        openai.byDefault().always(answer);
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(2)).modelName(GPT).build();

        Throwable thrown = catchThrowable(() -> model.chat("Hi"));

        assertThat(thrown).isExactlyInstanceOf(expected);
        assertThat(thrown.getCause()).isInstanceOf(LlmRotateException.class);
        assertThat(((LlmRotateException) thrown.getCause()).errorType()).isEqualTo(type);
        assertThat(thrown.getMessage()).isEqualTo(thrown.getCause().getMessage());
        assertThat(thrown.getMessage()).doesNotContain(secret(1)).doesNotContain(secret(2));
    }

    @Test
    void noResponseWithinTheRequestTimeoutIsATimeout() {
        openai.byDefault().always(FakeResponse.noResponse());
        LlmRotate lm = recorded(engine(config(SelectionStrategyType.PRIORITY, openAiKeys(1))
                .provider("openai", s -> s.withRequestTimeout(Duration.ofMillis(200)))
                .build()));
        ChatModel model = LlmRotateChatModel.builder(lm)
                .defaultRequestParameters(LlmRotateChatRequestParameters.builder()
                        .modelName(GPT)
                        .maxRetries(0)
                        .build())
                .build();

        Throwable thrown = catchThrowable(() -> model.chat("Hi"));

        assertThat(thrown).isExactlyInstanceOf(TimeoutException.class);
        assertThat(((LlmRotateException) thrown.getCause()).errorType()).isEqualTo(ErrorType.TIMEOUT);
    }

    @Test
    void everyKeyRestingBeforeTheCallIsARateLimitAndEveryKeyDisabledAnAuthenticationFailure() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        ChatModel model =
                LlmRotateChatModel.builder(openAiEngine(1)).modelName(GPT).build();
        catchThrowable(() -> model.chat("Hi"));

        Throwable resting = catchThrowable(() -> model.chat("Hi")); // no attempt: the key cools down
        assertThat(resting).isExactlyInstanceOf(RateLimitException.class);
        NoAvailableKeyException none = (NoAvailableKeyException) resting.getCause();
        assertThat(none.errorType()).isNull();
        assertThat(none.earliestRetryAt()).isNotNull();
        assertThat(openai.requestCount()).isEqualTo(1);

        // A key that fails auth again after its quarantine is disabled: nothing brings it back by itself.
        openai.byDefault().always(FakeResponse.invalidApiKey());
        clock.advance(Duration.ofMinutes(1));
        catchThrowable(() -> model.chat("Hi"));
        clock.advance(Duration.ofMinutes(10));
        catchThrowable(() -> model.chat("Hi"));
        Throwable disabled = catchThrowable(() -> model.chat("Hi"));
        assertThat(disabled).isExactlyInstanceOf(AuthenticationException.class);
        assertThat(((NoAvailableKeyException) disabled.getCause()).earliestRetryAt())
                .isNull();
    }

    @Test
    void aModelNoKeyServesIsNotFoundAndAnUnknownPinnedProviderAnInvalidRequest() {
        ChatModel model = LlmRotateChatModel.builder(openAiEngine(1)).build();

        Throwable unknown = catchThrowable(() -> model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Hi"))
                .modelName("no-such-model")
                .build()));
        Throwable pinned = catchThrowable(() -> model.chat(ChatRequest.builder()
                .messages(UserMessage.from("Hi"))
                .parameters(LlmRotateChatRequestParameters.builder()
                        .modelName(GPT)
                        .provider("no-such-provider")
                        .build())
                .build()));

        assertThat(unknown).isExactlyInstanceOf(ModelNotFoundException.class);
        assertThat(unknown.getCause()).isInstanceOf(UnknownModelException.class);
        assertThat(pinned).isExactlyInstanceOf(InvalidRequestException.class);
        assertThat(pinned.getCause()).isInstanceOf(ConfigurationException.class);
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void langChain4jsRetryRetriesWhatARetryCanFixAndNothingElse() {
        RetryUtils.RetryPolicy retry =
                RetryUtils.retryPolicyBuilder().maxRetries(2).delayMillis(1).build();
        ChatModel model = LlmRotateChatModel.builder(openAiEngine(1))
                .defaultRequestParameters(LlmRotateChatRequestParameters.builder()
                        .modelName(GPT)
                        .maxRetries(0) // one attempt per call, so that requests count calls
                        .build())
                .build();

        openai.byDefault().always(FakeResponse.serverError());
        Throwable serverError = catchThrowable(() -> retry.withRetry(() -> model.chat("Hi")));
        assertThat(serverError).isInstanceOf(RetriableException.class);
        assertThat(openai.requestCount()).isEqualTo(3);

        openai.byDefault().always(FakeResponse.error(400, "invalid_request_error", null, "Invalid 'messages'"));
        Throwable badRequest = catchThrowable(() -> retry.withRetry(() -> model.chat("Hi")));
        assertThat(badRequest).isInstanceOf(NonRetriableException.class);
        assertThat(openai.requestCount()).isEqualTo(4);
    }
}

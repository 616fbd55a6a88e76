package dev.llmrotate.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.error.UnknownModelException;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.retry.support.RetryTemplate;

/**
 * Every way a call fails, from a real provider answer over loopback, as the Spring AI exception its retry template and
 * users' code act on; llm-rotate's exception stays the cause, and no secret is in any message or metadata.
 */
class ErrorMappingTest extends SpringAiTestSupport {

    static Stream<Arguments> providerAnswers() {
        return Stream.of(
                Arguments.of(
                        "429 on every key",
                        FakeResponse.rateLimited(Duration.ofSeconds(30)),
                        TransientAiException.class,
                        ErrorType.RATE_LIMIT),
                Arguments.of(
                        "quota exhausted",
                        FakeResponse.insufficientQuota(),
                        TransientAiException.class,
                        ErrorType.QUOTA_EXHAUSTED),
                Arguments.of(
                        "503 overloaded until retries run out",
                        FakeResponse.overloaded(),
                        TransientAiException.class,
                        ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of(
                        "500 until retries run out",
                        FakeResponse.serverError(),
                        TransientAiException.class,
                        ErrorType.TRANSIENT_SERVER_ERROR),
                Arguments.of(
                        "connection dropped",
                        FakeResponse.connectionDrop(),
                        TransientAiException.class,
                        ErrorType.CONNECTION_ERROR),
                Arguments.of(
                        "an unclassified status",
                        FakeResponse.error(418, "teapot", null, "I'm a teapot"),
                        TransientAiException.class,
                        ErrorType.UNKNOWN),
                Arguments.of(
                        "401 on every key",
                        FakeResponse.invalidApiKey(),
                        NonTransientAiException.class,
                        ErrorType.INVALID_AUTH),
                Arguments.of(
                        "403",
                        FakeResponse.error(403, "invalid_request_error", null, "You are not allowed to use this model"),
                        NonTransientAiException.class,
                        ErrorType.PERMISSION_DENIED),
                Arguments.of(
                        "404 model_not_found",
                        FakeResponse.error(404, "invalid_request_error", "model_not_found", "The model does not exist"),
                        NonTransientAiException.class,
                        ErrorType.MODEL_UNAVAILABLE),
                Arguments.of(
                        "400",
                        FakeResponse.error(400, "invalid_request_error", null, "Invalid value for 'messages'"),
                        NonTransientAiException.class,
                        ErrorType.INVALID_REQUEST),
                Arguments.of(
                        "context too long",
                        FakeResponse.error(400, "invalid_request_error", "context_length_exceeded", "too long"),
                        NonTransientAiException.class,
                        ErrorType.CONTEXT_LENGTH_EXCEEDED),
                Arguments.of(
                        "content filter",
                        FakeResponse.error(400, "invalid_request_error", "content_policy_violation", "refused"),
                        NonTransientAiException.class,
                        ErrorType.CONTENT_FILTERED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerAnswers")
    void aProviderFailureIsSpringAisExceptionWithOursAsTheCause(
            String name, FakeResponse answer, Class<? extends RuntimeException> expected, ErrorType type) {
        openai.byDefault().always(answer);
        // An engine each: after the call, the first one's keys are resting.
        Throwable called = catchThrowable(() -> model(openAiEngine(2)).call(new Prompt("Hi")));
        Throwable streamed = catchThrowable(
                () -> model(openAiEngine(2)).stream(new Prompt("Hi")).blockLast(Duration.ofSeconds(10)));

        for (Throwable thrown : List.of(called, streamed)) {
            assertThat(thrown).isExactlyInstanceOf(expected);
            assertThat(thrown.getCause()).isInstanceOf(LlmRotateException.class);
            assertThat(((LlmRotateException) thrown.getCause()).errorType()).isEqualTo(type);
            assertThat(thrown.getMessage()).isEqualTo(thrown.getCause().getMessage());
            assertThat(thrown.getMessage()).doesNotContain(secret(1)).doesNotContain(secret(2));
        }
    }

    @Test
    void noResponseWithinTheRequestTimeoutIsTransient() {
        openai.byDefault().always(FakeResponse.noResponse());
        LlmRotate lm = recorded(engine(config(SelectionStrategyType.PRIORITY, openAiKeys(1))
                .provider("openai", s -> s.withRequestTimeout(Duration.ofMillis(200)))
                .build()));
        ChatModel model = LlmRotateSpringAiChatModel.builder(lm)
                .defaultOptions(
                        LlmRotateChatOptions.builder().model(GPT).maxRetries(0).build())
                .build();

        Throwable thrown = catchThrowable(() -> model.call(new Prompt("Hi")));

        assertThat(thrown).isExactlyInstanceOf(TransientAiException.class);
        assertThat(((LlmRotateException) thrown.getCause()).errorType()).isEqualTo(ErrorType.TIMEOUT);
    }

    @Test
    void everyKeyRestingBeforeTheCallIsTransientAndEveryKeyDisabledNonTransient() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        ChatModel model = model(openAiEngine(1));
        catchThrowable(() -> model.call("Hi"));

        Throwable resting = catchThrowable(() -> model.call("Hi")); // no attempt: the key cools down
        assertThat(resting).isExactlyInstanceOf(TransientAiException.class);
        NoAvailableKeyException none = (NoAvailableKeyException) resting.getCause();
        assertThat(none.errorType()).isNull();
        assertThat(none.earliestRetryAt()).isNotNull();
        assertThat(openai.requestCount()).isEqualTo(1);

        // A key that fails auth again after its quarantine is disabled: nothing brings it back by itself.
        openai.byDefault().always(FakeResponse.invalidApiKey());
        clock.advance(Duration.ofMinutes(1));
        catchThrowable(() -> model.call("Hi"));
        clock.advance(Duration.ofMinutes(10));
        catchThrowable(() -> model.call("Hi"));
        Throwable disabled = catchThrowable(() -> model.call("Hi"));
        assertThat(disabled).isExactlyInstanceOf(NonTransientAiException.class);
        assertThat(((NoAvailableKeyException) disabled.getCause()).earliestRetryAt())
                .isNull();
    }

    @Test
    void aModelNoKeyServesAndAnUnknownPinnedProviderAreNonTransient() {
        ChatModel model = LlmRotateSpringAiChatModel.builder(openAiEngine(1)).build();

        Throwable unknown = catchThrowable(() -> model.call(new Prompt(
                "Hi", LlmRotateChatOptions.builder().model("no-such-model").build())));
        Throwable pinned = catchThrowable(() -> model.call(new Prompt(
                "Hi",
                LlmRotateChatOptions.builder()
                        .model(GPT)
                        .provider("no-such-provider")
                        .build())));

        assertThat(unknown).isExactlyInstanceOf(NonTransientAiException.class);
        assertThat(unknown.getCause()).isInstanceOf(UnknownModelException.class);
        assertThat(pinned).isExactlyInstanceOf(NonTransientAiException.class);
        assertThat(pinned.getCause()).isInstanceOf(ConfigurationException.class);
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void springAisRetryTemplateRetriesWhatARetryCanFixAndNothingElse() {
        RetryTemplate retry = RetryTemplate.builder()
                .maxAttempts(3)
                .retryOn(TransientAiException.class)
                .fixedBackoff(1)
                .build();
        ChatModel model = LlmRotateSpringAiChatModel.builder(openAiEngine(1))
                .defaultOptions(LlmRotateChatOptions.builder()
                        .model(GPT)
                        .maxRetries(0) // one attempt per call, so that requests count calls
                        .build())
                .build();

        openai.byDefault().always(FakeResponse.serverError());
        Throwable serverError = catchThrowable(() -> retry.execute(context -> model.call("Hi")));
        assertThat(serverError).isInstanceOf(TransientAiException.class);
        assertThat(openai.requestCount()).isEqualTo(3);

        openai.byDefault().always(FakeResponse.error(400, "invalid_request_error", null, "Invalid 'messages'"));
        Throwable badRequest = catchThrowable(() -> retry.execute(context -> model.call("Hi")));
        assertThat(badRequest).isInstanceOf(NonTransientAiException.class);
        assertThat(openai.requestCount()).isEqualTo(4);
    }

    @Test
    void noSecretIsInAnyResponsesMetadataOrMessageOrAnyException() {
        openai.forKey(secret(1)).always(FakeResponse.invalidApiKey());
        openai.forKey(secret(2)).always(FakeResponse.ok("served", 3, 2));
        ChatModel model = model(openAiEngine(3));
        List<Object> seen = new ArrayList<>();

        ChatResponse called = model.call(new Prompt("Hi"));
        seen.add(called);
        seen.add(called.getMetadata());
        seen.add(called.getMetadata().entrySet());
        seen.add(called.getResult().getOutput().getMetadata());
        seen.add(called.getResult());
        seen.addAll(model.stream(new Prompt("Hi")).collectList().block(Duration.ofSeconds(10)));
        seen.add(ChatClient.create(model).prompt().user("Hi").call().chatResponse());
        openai.byDefault().always(FakeResponse.invalidApiKey());
        openai.forKey(secret(2)).always(FakeResponse.invalidApiKey());
        openai.forKey(secret(3)).always(FakeResponse.invalidApiKey());
        Throwable failed = catchThrowable(() -> model.call(new Prompt("Hi")));
        seen.add(failed);
        seen.add(failed.getCause());
        seen.add(model.getDefaultOptions());
        seen.add(model);

        for (Object item : seen) {
            String text = String.valueOf(item);
            for (int key = 1; key <= 3; key++) {
                assertThat(text).as("%s", item.getClass()).doesNotContain(secret(key));
            }
        }
        assertThat(failed).isExactlyInstanceOf(NonTransientAiException.class);
        // The scan looks for the strings that went over the wire.
        assertThat(openai.requests().get(0).header("Authorization")).isEqualTo("Bearer " + secret(1));
    }
}

package dev.llmrotate.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

/**
 * {@link LlmRotateSpringAiChatModel#stream} against the fake providers' server-sent events over loopback: a response
 * per piece of text then one with the rest, a call per subscription, demand honoured, rotation and fallback before the
 * first chunk, breaks, failures and cancellation.
 */
class StreamingTest extends SpringAiTestSupport {

    private static List<String> texts(List<ChatResponse> responses) {
        return responses.stream()
                .map(r -> String.valueOf(r.getResult().getOutput().getText()))
                .toList();
    }

    @Test
    void textStreamsPieceByPieceAndTheLastResponseHasTheFinishReasonUsageAndMetadata() {
        openai.byDefault().always(FakeResponse.ok("Hello big world", 7, 3));

        List<ChatResponse> responses =
                model(openAiEngine(1)).stream(new Prompt("Hi")).collectList().block(Duration.ofSeconds(10));

        assertThat(texts(responses)).containsExactly("Hello", " big", " world", "");
        ChatResponse last = responses.get(3);
        assertThat(last.getResult().getMetadata().getFinishReason()).isEqualTo("STOP");
        assertThat(last.getMetadata().getUsage().getPromptTokens()).isEqualTo(7);
        assertThat(last.getMetadata().getUsage().getCompletionTokens()).isEqualTo(3);
        assertThat(last.getMetadata().getModel()).isEqualTo(GPT);
        assertThat((String) last.getMetadata().get(LlmRotateSpringAiChatModel.KEY_ID))
                .isEqualTo("oa-1");
        // Every piece names its call, model, provider and key; usage comes with the last.
        assertThat(responses.get(0).getMetadata().getId())
                .isEqualTo(last.getMetadata().getId());
        assertThat(responses.get(0).getMetadata().getModel()).isEqualTo(GPT);
        assertThat((String) responses.get(0).getMetadata().get(LlmRotateSpringAiChatModel.PROVIDER))
                .isEqualTo("openai");
        assertThat(responses.get(0).getMetadata().getUsage().getTotalTokens()).isZero();
        CallRecord record = record(last.getMetadata().getId());
        assertThat(record.operation()).isEqualTo("chat_stream");
        assertThat(record.outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(record.totalTokens())
                .isEqualTo((long) last.getMetadata().getUsage().getTotalTokens());
        assertThat(openai.requests().get(0).stream()).isTrue();
    }

    @Test
    void theFluxIsColdAndEachSubscriptionIsOneCall() {
        openai.byDefault().respond(request -> FakeResponse.ok("call " + openai.requestCount()));
        Flux<ChatResponse> flux = model(openAiEngine(1)).stream(new Prompt("Hi"));

        assertThat(openai.requestCount()).isZero(); // nothing until a subscription
        List<ChatResponse> first = flux.collectList().block(Duration.ofSeconds(10));
        List<ChatResponse> second = flux.collectList().block(Duration.ofSeconds(10));

        assertThat(openai.requestCount()).isEqualTo(2);
        assertThat(first.get(0).getMetadata().getId())
                .isNotEqualTo(second.get(0).getMetadata().getId());
    }

    @Test
    void toolCallPiecesAreAssembledIntoTheLastResponse() {
        openai.byDefault()
                .always(FakeResponse.ok("Checking.")
                        .withToolCallChunks("call_1", "get_weather", "{\"ci", "ty\":\"Pa", "ris\"}")
                        .withToolCallChunks("call_2", "get_weather", "{\"city\":\"Rome\"}")
                        .withFinishReason("tool_calls"));
        Weather weather = new Weather();

        List<ChatResponse> responses = model(openAiEngine(1)).stream(new Prompt(
                        "Weather in Paris and Rome?",
                        ToolCallingChatOptions.builder()
                                .toolCallbacks(weather.callbacks())
                                .internalToolExecutionEnabled(false)
                                .build()))
                .collectList()
                .block(Duration.ofSeconds(10));

        assertThat(texts(responses)).containsExactly("Checking.", "null");
        AssistantMessage last = responses.get(1).getResult().getOutput();
        assertThat(last.getToolCalls())
                .containsExactly(
                        new AssistantMessage.ToolCall("call_1", "function", "get_weather", "{\"city\":\"Paris\"}"),
                        new AssistantMessage.ToolCall("call_2", "function", "get_weather", "{\"city\":\"Rome\"}"));
        assertThat(responses.get(1).getResult().getMetadata().getFinishReason()).isEqualTo("TOOL_CALLS");
        assertThat(weather.cities).isEmpty();
    }

    @Test
    void responsesAreReadOnlyAsTheSubscriberRequestsThem() {
        openai.byDefault().always(FakeResponse.ok("one two three four"));
        List<String> received = new CopyOnWriteArrayList<>();
        DemandingSubscriber subscriber = new DemandingSubscriber(received);

        model(openAiEngine(1)).stream(new Prompt("Count")).subscribe(subscriber);

        subscriber.request(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
        subscriber.request(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 3);
        // No more than asked for, however long we wait for the fourth: it is not read.
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> received.size() == 3);
        assertThat(received).containsExactly("one", " two", " three");
        assertThat(records).isEmpty(); // the stream is still open
        subscriber.request(Long.MAX_VALUE);
        await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.completed);
        assertThat(received).containsExactly("one", " two", " three", " four", "");
    }

    @Test
    void cancellingAfterTheFirstResponseReleasesTheStreamAndRecordsItCancelled() {
        openai.byDefault().always(FakeResponse.ok("one two three four five six").withChunkDelay(Duration.ofMillis(20)));

        List<ChatResponse> first = model(openAiEngine(1)).stream(new Prompt("Count"))
                .take(1)
                .collectList()
                .block(Duration.ofSeconds(10));

        assertThat(texts(first)).containsExactly("one");
        await().atMost(Duration.ofSeconds(5)).until(() -> !records.isEmpty());
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
        assertThat(records.get(0).callId()).isEqualTo(first.get(0).getMetadata().getId());
    }

    @Test
    void cancellingFromAnotherThreadStopsAStreamWaitingForTheProvider() {
        openai.byDefault().always(FakeResponse.ok("one two three").stallAfterChunks(1));
        List<String> received = new CopyOnWriteArrayList<>();
        DemandingSubscriber subscriber = new DemandingSubscriber(received);

        model(openAiEngine(1)).stream(new Prompt("Count")).subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);
        await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 1);
        subscriber.dispose(); // the reading thread is blocked on the stalled provider

        await().atMost(Duration.ofSeconds(2)).until(() -> !records.isEmpty());
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
        assertThat(received).containsExactly("one");
        assertThat(subscriber.error).isNull();
        assertThat(subscriber.completed).isFalse();
    }

    @Test
    void a429StormBeforeTheFirstChunkRotatesKeysAndTheSubscriberSeesOneAnswer() {
        openai.forKey(secret(1)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(2)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(3)).always(FakeResponse.ok("third key"));

        List<ChatResponse> responses =
                model(openAiEngine(3)).stream(new Prompt("Hi")).collectList().block(Duration.ofSeconds(10));

        assertThat(texts(responses)).containsExactly("third", " key", "");
        ChatResponse last = responses.get(2);
        assertThat((Integer) last.getMetadata().get(LlmRotateSpringAiChatModel.ROTATIONS))
                .isEqualTo(2);
        assertThat(record(last.getMetadata().getId()).rotations()).isEqualTo(2);
        assertThat(openai.requestCount()).isEqualTo(3);
    }

    @Test
    void aProviderWideStormFallsBackToAnthropic() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.ok("Claude streams", 4, 2));

        List<ChatResponse> responses =
                model(fallbackEngine(2)).stream(new Prompt("Hi")).collectList().block(Duration.ofSeconds(10));

        assertThat(texts(responses)).containsExactly("Claude", " streams", "");
        ChatResponse last = responses.get(2);
        assertThat(last.getMetadata().getModel()).isEqualTo(CLAUDE);
        assertThat(last.getMetadata().getUsage().getTotalTokens()).isEqualTo(6);
        assertThat((Boolean) last.getMetadata().get(LlmRotateSpringAiChatModel.FALLBACK_USED))
                .isTrue();
        assertThat(record(last.getMetadata().getId()).fallbackUsed()).isTrue();
    }

    @Test
    void aFailureBeforeTheFirstChunkIsTheFluxsErrorMapped() {
        openai.byDefault().always(FakeResponse.invalidApiKey());
        List<String> received = new CopyOnWriteArrayList<>();
        DemandingSubscriber subscriber = new DemandingSubscriber(received);

        model(openAiEngine(2)).stream(new Prompt("Hi")).subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);

        await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.error != null);
        assertThat(subscriber.error).isExactlyInstanceOf(NonTransientAiException.class);
        assertThat(((LlmRotateException) subscriber.error.getCause()).errorType())
                .isEqualTo(ErrorType.INVALID_AUTH);
        assertThat(subscriber.error.getMessage()).doesNotContain(secret(1)).doesNotContain(secret(2));
        assertThat(received).isEmpty();
    }

    @Test
    void aStreamThatBreaksAfterItsFirstChunkEndsWithATransientError() {
        openai.byDefault().always(FakeResponse.ok("Hello big world").cutAfterChunks(1));
        List<String> received = new CopyOnWriteArrayList<>();
        DemandingSubscriber subscriber = new DemandingSubscriber(received);

        model(openAiEngine(1)).stream(new Prompt("Hi")).subscribe(subscriber);
        subscriber.request(Long.MAX_VALUE);

        await().atMost(Duration.ofSeconds(5)).until(() -> subscriber.error != null);
        assertThat(received).containsExactly("Hello");
        assertThat(subscriber.error).isExactlyInstanceOf(TransientAiException.class);
        assertThat(((LlmRotateException) subscriber.error.getCause()).errorType())
                .isEqualTo(ErrorType.STREAM_INTERRUPTED);
    }

    @Test
    void aPromptLlmRotateCannotSendIsTheFluxsErrorAndStreamDoesNotThrow() {
        ChatModel model = model(openAiEngine(1));

        Flux<ChatResponse> flux =
                model.stream(new Prompt("Hi", ChatOptions.builder().topK(3).build()));

        assertThat(flux.materialize().collectList().block(Duration.ofSeconds(5)))
                .singleElement()
                .satisfies(signal -> assertThat(signal.getThrowable())
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("topK is not supported by llm-rotate"));
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void manyStreamsAtOnceEachGetTheirOwnAnswer() {
        openai.byDefault()
                .respond(request -> FakeResponse.ok(
                        "echo " + request.json().at("/messages/0/content").asText()));
        LlmRotate lm = openAiEngine(2);
        ChatModel model = model(lm);

        List<String> answers = Flux.range(0, 8)
                .flatMap(i -> model.stream(new Prompt("n" + i))
                        .map(r -> String.valueOf(r.getResult().getOutput().getText()))
                        .reduce("", String::concat))
                .collectList()
                .block(Duration.ofSeconds(20));

        assertThat(answers)
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, 8).mapToObj(i -> "echo n" + i).toList());
    }

    /** Asks for nothing by itself: the test requests. */
    private static final class DemandingSubscriber extends BaseSubscriber<ChatResponse> {
        private final List<String> received;
        volatile boolean completed;
        volatile Throwable error;

        DemandingSubscriber(List<String> received) {
            this.received = received;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            // no demand yet
        }

        @Override
        protected void hookOnNext(ChatResponse response) {
            received.add(String.valueOf(response.getResult().getOutput().getText()));
        }

        @Override
        protected void hookOnComplete() {
            completed = true;
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            error = throwable;
        }
    }
}

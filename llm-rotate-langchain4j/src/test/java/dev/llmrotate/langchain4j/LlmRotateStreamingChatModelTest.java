package dev.llmrotate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.TurnMetadata;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LlmRotateStreamingChatModel} against the fake providers' server-sent events over loopback: the handler's
 * callbacks in order, exactly one terminal callback (checked once the stream's task has ended, so that nothing can
 * follow), rotation and fallback before the first chunk, breaks, cancellation and throwing handlers.
 */
class LlmRotateStreamingChatModelTest extends LangChain4jTestSupport {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final AtomicInteger streamsEnded = new AtomicInteger();
    /** Counts the streams whose task has returned: after that, no callback can come. */
    private final Executor executor = task -> pool.execute(() -> {
        try {
            task.run();
        } finally {
            streamsEnded.incrementAndGet();
        }
    });

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    private StreamingChatModel model(LlmRotate lm) {
        return LlmRotateStreamingChatModel.builder(lm)
                .modelName(GPT)
                .executor(executor)
                .build();
    }

    private void awaitStreamsEnded(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> streamsEnded.get() == n);
    }

    @Test
    void textStreamsPieceByPieceAndTheCompleteResponseHasItAllWithUsage() throws Exception {
        openai.byDefault().always(FakeResponse.ok("Hello big world", 7, 3));
        RecordingHandler handler = new RecordingHandler();

        model(openAiEngine(1)).chat("Hi", handler);

        ChatResponse response = handler.response();
        awaitStreamsEnded(1);
        assertThat(handler.events).containsExactly("text:Hello", "text: big", "text: world", "complete");
        assertThat(response.aiMessage().text()).isEqualTo("Hello big world");
        assertThat(response.tokenUsage()).isEqualTo(new TokenUsage(7, 3, 10));
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.modelName()).isEqualTo(GPT);
        CallRecord record = record(response.id());
        assertThat(record.operation()).isEqualTo("chat_stream");
        assertThat(record.outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(openai.requests().get(0).stream()).isTrue();
    }

    @Test
    void toolCallsStreamPieceByPieceAndEachIsCompletedWhenTheNextBegins() throws Exception {
        openai.byDefault()
                .always(FakeResponse.ok("Checking.")
                        .withToolCallChunks("call_1", "get_weather", "{\"ci", "ty\":\"Pa", "ris\"}")
                        .withToolCallChunks("call_2", "get_time", "{\"city\":\"Paris\"}")
                        .withFinishReason("tool_calls"));
        RecordingHandler handler = new RecordingHandler();

        model(openAiEngine(1))
                .chat(
                        ChatRequest.builder()
                                .messages(UserMessage.from("Weather and time in Paris?"))
                                .toolSpecifications(ToolSpecs.WEATHER, ToolSpecs.TIME)
                                .build(),
                        handler);

        ChatResponse response = handler.response();
        awaitStreamsEnded(1);
        assertThat(handler.events)
                .containsExactly(
                        "text:Checking.",
                        "partial-tool:0:call_1:get_weather:{\"ci",
                        "partial-tool:0:call_1:get_weather:ty\":\"Pa",
                        "partial-tool:0:call_1:get_weather:ris\"}",
                        "tool:0:call_1:get_weather:{\"city\":\"Paris\"}",
                        "partial-tool:1:call_2:get_time:{\"city\":\"Paris\"}",
                        "tool:1:call_2:get_time:{\"city\":\"Paris\"}",
                        "complete");
        assertThat(response.aiMessage().text()).isEqualTo("Checking.");
        assertThat(response.aiMessage().toolExecutionRequests())
                .containsExactly(
                        ToolExecutionRequest.builder()
                                .id("call_1")
                                .name("get_weather")
                                .arguments("{\"city\":\"Paris\"}")
                                .build(),
                        ToolExecutionRequest.builder()
                                .id("call_2")
                                .name("get_time")
                                .arguments("{\"city\":\"Paris\"}")
                                .build());
        assertThat(response.finishReason()).isEqualTo(FinishReason.TOOL_EXECUTION);
    }

    @Test
    void signedReasoningStreamsAsThinkingAndIsKeptForTheNextTurn() throws Exception {
        anthropic.byDefault().always(FakeResponse.ok("Yes.").withReasoning("Let me see.", "sig-1"));
        RecordingHandler handler = new RecordingHandler();

        LlmRotateStreamingChatModel.builder(anthropicEngine())
                .modelName(CLAUDE)
                .executor(executor)
                .build()
                .chat("Is it?", handler);

        ChatResponse response = handler.response();
        assertThat(handler.events("thinking")).containsExactly("thinking:Let", "thinking: me", "thinking: see.");
        assertThat(response.aiMessage().thinking()).isEqualTo("Let me see.");
        assertThat(TurnMetadata.reasoning(response.aiMessage().attributes()))
                .containsExactly(new dev.llmrotate.chat.ContentPart.Reasoning("Let me see.", "sig-1", "anthropic"));
    }

    @Test
    void a429StormBeforeTheFirstChunkRotatesKeysAndTheHandlerSeesOneAnswer() throws Exception {
        openai.forKey(secret(1)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(2)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(3)).always(FakeResponse.ok("third key"));
        RecordingHandler handler = new RecordingHandler();

        model(openAiEngine(3)).chat("Hi", handler);

        ChatResponse response = handler.response();
        awaitStreamsEnded(1);
        assertThat(handler.events).containsExactly("text:third", "text: key", "complete");
        assertThat(record(response.id()).rotations()).isEqualTo(2);
        assertThat(openai.requestCount()).isEqualTo(3);
    }

    @Test
    void aProviderWideStormFallsBackToAnthropicMidConversation() throws Exception {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.ok("Claude streams", 4, 2));
        RecordingHandler handler = new RecordingHandler();

        model(fallbackEngine(2)).chat("Hi", handler);

        ChatResponse response = handler.response();
        assertThat(handler.events).containsExactly("text:Claude", "text: streams", "complete");
        assertThat(response.modelName()).isEqualTo(CLAUDE);
        assertThat(response.tokenUsage()).isEqualTo(new TokenUsage(4, 2, 6));
        assertThat(record(response.id()).fallbackUsed()).isTrue();
    }

    @Test
    void aFailureBeforeTheFirstChunkGoesToOnErrorOnce() throws Exception {
        openai.byDefault().always(FakeResponse.invalidApiKey());
        RecordingHandler handler = new RecordingHandler();

        model(openAiEngine(2)).chat("Hi", handler);

        assertThat(handler.error()).isExactlyInstanceOf(AuthenticationException.class);
        awaitStreamsEnded(1);
        assertThat(handler.events).containsExactly("error:AuthenticationException");
    }

    @Test
    void aStreamThatBreaksAfterItsFirstChunkEndsWithOneRetriableError() throws Exception {
        openai.byDefault().always(FakeResponse.ok("Hello big world").cutAfterChunks(1));
        RecordingHandler handler = new RecordingHandler();

        model(openAiEngine(1)).chat("Hi", handler);

        Throwable error = handler.error();
        awaitStreamsEnded(1);
        assertThat(error).isExactlyInstanceOf(RetriableException.class);
        assertThat(((LlmRotateException) error.getCause()).errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED);
        assertThat(handler.events).containsExactly("text:Hello", "error:RetriableException");
    }

    @Test
    void aRequestLlmRotateCannotSendGoesToOnErrorAndChatDoesNotThrow() throws Exception {
        RecordingHandler handler = new RecordingHandler();

        model(openAiEngine(1))
                .chat(
                        ChatRequest.builder()
                                .messages(UserMessage.from("Hi"))
                                .frequencyPenalty(0.5)
                                .build(),
                        handler);

        assertThat(handler.error()).isExactlyInstanceOf(UnsupportedFeatureException.class);
        assertThat(handler.events).containsExactly("error:UnsupportedFeatureException");
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void cancellingFromTheHandlerReleasesTheStreamAndNothingFollows() throws Exception {
        openai.byDefault().always(FakeResponse.ok("one two three four five six").withChunkDelay(Duration.ofMillis(20)));
        LlmRotate lm = openAiEngine(1);
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                super.onPartialResponse(partial, context);
                context.streamingHandle().cancel();
            }
        };

        model(lm).chat("Count", handler);

        awaitStreamsEnded(1);
        assertThat(handler.events).containsExactly("text:one");
        assertThat(handler.handle.isCancelled()).isTrue();
        assertThat(handler.done).isNotDone();
        await().atMost(Duration.ofSeconds(5)).until(() -> !records.isEmpty());
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
    }

    @Test
    void cancellingFromAnotherThreadStopsAStreamBeingRead() throws Exception {
        openai.byDefault().always(FakeResponse.ok("one two three").stallAfterChunks(1));
        RecordingHandler handler = new RecordingHandler();

        model(openAiEngine(1)).chat("Count", handler);
        await().atMost(Duration.ofSeconds(5)).until(() -> handler.handle != null);
        handler.handle.cancel();

        awaitStreamsEnded(1);
        assertThat(handler.events).containsExactly("text:one");
        assertThat(handler.done).isNotDone();
        await().atMost(Duration.ofSeconds(5)).until(() -> !records.isEmpty());
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
    }

    @Test
    void aHandlerThatThrowsEndsTheStreamAndHearsOfItOnce() throws Exception {
        openai.byDefault().always(FakeResponse.ok("one two three"));
        IllegalStateException boom = new IllegalStateException("the UI went away");
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                super.onPartialResponse(partial, context);
                throw boom;
            }
        };

        model(openAiEngine(1)).chat("Count", handler);

        assertThat(handler.error()).isSameAs(boom);
        awaitStreamsEnded(1);
        assertThat(handler.events).containsExactly("text:one", "error:IllegalStateException");
        await().atMost(Duration.ofSeconds(5)).until(() -> !records.isEmpty());
        assertThat(records.get(0).outcome()).isEqualTo(CallRecord.CANCELLED);
    }

    @Test
    void aCompleteResponseWhoseHandlerThrowsGoesToOnErrorAsWithLangChain4jsOwnModels() throws Exception {
        openai.byDefault().always(FakeResponse.ok("done"));
        IllegalStateException boom = new IllegalStateException("tool loop failed");
        RecordingHandler handler = new RecordingHandler() {
            @Override
            public void onCompleteResponse(ChatResponse response) {
                events.add("complete");
                throw boom;
            }
        };

        model(openAiEngine(1)).chat("Hi", handler);

        assertThat(handler.error()).isSameAs(boom);
        awaitStreamsEnded(1);
        assertThat(handler.events).containsExactly("text:done", "complete", "error:IllegalStateException");
    }

    @Test
    void manyStreamsAtOnceEachGetTheirOwnAnswer() throws Exception {
        openai.byDefault()
                .respond(request -> FakeResponse.ok(
                        "echo " + request.json().at("/messages/0/content").asText()));
        StreamingChatModel model = model(openAiEngine(2));
        List<RecordingHandler> handlers = java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> new RecordingHandler())
                .toList();

        for (int i = 0; i < handlers.size(); i++) {
            model.chat("n" + i, handlers.get(i));
        }

        for (int i = 0; i < handlers.size(); i++) {
            assertThat(handlers.get(i).response().aiMessage().text()).isEqualTo("echo n" + i);
        }
        awaitStreamsEnded(handlers.size());
    }
}

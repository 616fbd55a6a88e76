package dev.llmrotate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Listeners as LangChain4j calls them: {@code onRequest} with the request as sent (defaults merged in), then {@code
 * onResponse} with the answer or {@code onError} with the mapped exception, one attributes map per call (seeded by
 * {@link ChatRequestOptions}), the provider {@link ModelProvider#OTHER}; a listener that throws does not fail the call.
 */
class ListenerTest extends LangChain4jTestSupport {
    private final List<String> events = new CopyOnWriteArrayList<>();

    private final ChatModelListener recording = new ChatModelListener() {
        @Override
        public void onRequest(ChatModelRequestContext context) {
            events.add("request " + context.chatRequest().parameters().modelName() + " "
                    + context.chatRequest().parameters().maxOutputTokens() + " " + context.modelProvider() + " tenant="
                    + context.attributes().get("tenant"));
            context.attributes().put("started", "yes");
        }

        @Override
        public void onResponse(ChatModelResponseContext context) {
            events.add("response " + context.chatResponse().aiMessage().text() + " "
                    + context.chatResponse().modelName() + " started="
                    + context.attributes().get("started") + " tenant="
                    + context.attributes().get("tenant"));
        }

        @Override
        public void onError(ChatModelErrorContext context) {
            events.add("error " + context.error().getClass().getSimpleName() + " started="
                    + context.attributes().get("started"));
        }
    };

    private final ChatModelListener throwing = new ChatModelListener() {
        @Override
        public void onRequest(ChatModelRequestContext context) {
            throw new IllegalStateException("a broken listener");
        }

        @Override
        public void onResponse(ChatModelResponseContext context) {
            throw new IllegalStateException("a broken listener");
        }
    };

    private static final ChatRequestOptions TENANT =
            ChatRequestOptions.builder().addListenerAttribute("tenant", "t-1").build();

    private static ChatRequest hi() {
        return ChatRequest.builder().messages(UserMessage.from("Hi")).build();
    }

    @Test
    void aPlainCallIsSeenBeforeAndAfterWithOneAttributesMap() {
        openai.byDefault().always(FakeResponse.ok("Hello"));
        ChatModel model = LlmRotateChatModel.builder(openAiEngine(1))
                .modelName(GPT)
                .maxOutputTokens(64)
                .listeners(List.of(throwing, recording))
                .build();

        ChatResponse response = model.chat(hi(), TENANT);

        assertThat(response.aiMessage().text()).isEqualTo("Hello");
        assertThat(events)
                .containsExactly(
                        "request gpt-4o-mini 64 OTHER tenant=t-1", "response Hello gpt-4o-mini started=yes tenant=t-1");
    }

    @Test
    void aFailedCallIsSeenWithTheMappedException() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        ChatModel model = LlmRotateChatModel.builder(openAiEngine(1))
                .modelName(GPT)
                .listeners(List.of(recording))
                .build();

        Throwable thrown = catchThrowable(() -> model.chat(hi(), TENANT));

        assertThat(thrown).isInstanceOf(RateLimitException.class);
        assertThat(events)
                .containsExactly("request gpt-4o-mini null OTHER tenant=t-1", "error RateLimitException started=yes");
    }

    @Test
    void aStreamedCallIsSeenBeforeAndAfterItsCompleteResponse() throws Exception {
        openai.byDefault().always(FakeResponse.ok("Hello there"));
        StreamingChatModel model = LlmRotateStreamingChatModel.builder(openAiEngine(1))
                .modelName(GPT)
                .listeners(List.of(throwing, recording))
                .build();
        RecordingHandler handler = new RecordingHandler();

        model.chat(hi(), TENANT, handler);

        assertThat(handler.response().aiMessage().text()).isEqualTo("Hello there");
        assertThat(events)
                .containsExactly(
                        "request gpt-4o-mini null OTHER tenant=t-1",
                        "response Hello there gpt-4o-mini started=yes tenant=t-1");
    }

    @Test
    void aFailedStreamIsSeenOnceWithTheMappedException() throws Exception {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        StreamingChatModel model = LlmRotateStreamingChatModel.builder(openAiEngine(1))
                .modelName(GPT)
                .listeners(List.of(recording))
                .build();
        RecordingHandler handler = new RecordingHandler();

        model.chat(hi(), TENANT, handler);

        assertThat(handler.error()).isInstanceOf(RateLimitException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 2);
        assertThat(events)
                .containsExactly("request gpt-4o-mini null OTHER tenant=t-1", "error RateLimitException started=yes");
    }
}

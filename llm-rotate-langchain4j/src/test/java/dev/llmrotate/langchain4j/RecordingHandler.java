package dev.llmrotate.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** Writes down every callback in order, as text, and completes {@link #done} on the first terminal one. */
class RecordingHandler implements StreamingChatResponseHandler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    volatile StreamingHandle handle;

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        handle = context.streamingHandle();
        events.add("text:" + partial.text());
    }

    @Override
    public void onPartialThinking(PartialThinking partial, PartialThinkingContext context) {
        handle = context.streamingHandle();
        events.add("thinking:" + partial.text());
    }

    @Override
    public void onPartialToolCall(PartialToolCall call, PartialToolCallContext context) {
        handle = context.streamingHandle();
        events.add(
                "partial-tool:" + call.index() + ":" + call.id() + ":" + call.name() + ":" + call.partialArguments());
    }

    @Override
    public void onCompleteToolCall(CompleteToolCall call) {
        events.add("tool:" + call.index() + ":" + call.toolExecutionRequest().id() + ":"
                + call.toolExecutionRequest().name() + ":"
                + call.toolExecutionRequest().arguments());
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        events.add("complete");
        done.complete(response);
    }

    @Override
    public void onError(Throwable error) {
        events.add("error:" + error.getClass().getSimpleName());
        done.completeExceptionally(error);
    }

    ChatResponse response() throws Exception {
        return done.get(10, TimeUnit.SECONDS);
    }

    Throwable error() throws Exception {
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the stream completed: " + events);
    }

    /** Callbacks of one kind. */
    List<String> events(String kind) {
        return events.stream().filter(e -> e.startsWith(kind + ":")).toList();
    }

    long count(String event) {
        return events.stream()
                .filter(e -> e.equals(event) || e.startsWith(event + ":"))
                .count();
    }
}

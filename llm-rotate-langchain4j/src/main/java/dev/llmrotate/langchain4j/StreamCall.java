package dev.llmrotate.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.llmrotate.ChatStream;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.ToolCallDelta;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One streamed call, run on the model's executor: opens the stream (rotating, retrying and falling back until the
 * first chunk, like a plain call), hands each chunk to the handler as it comes, and ends with exactly one of {@code
 * onCompleteResponse} or {@code onError} (after a complete response whose handler throws, {@code onError} too, as
 * LangChain4j's own models do: an AI Service's tool loop reports its failures that way). Nothing follows a cancel.
 *
 * <p>A handler callback that throws ends the stream: the connection is released (the call is recorded as {@code
 * cancelled}) and the handler's {@code onError} gets that exception, once. Tool calls are completed ({@code
 * onCompleteToolCall}) when the next one starts and at the end of the stream: providers stream them one after
 * another.
 */
final class StreamCall implements Runnable, StreamingHandle {
    private static final Logger LOG = LoggerFactory.getLogger(LlmRotateStreamingChatModel.class);

    private final LlmRotate lm;
    private final ChatRequest request;
    private final StreamingChatResponseHandler handler;
    private final PartialResponseContext responseContext = new PartialResponseContext(this);
    private final PartialThinkingContext thinkingContext = new PartialThinkingContext(this);
    private final PartialToolCallContext toolCallContext = new PartialToolCallContext(this);
    /** The tool calls streamed so far and not yet completed, by index. */
    private final TreeMap<Integer, OpenCall> openCalls = new TreeMap<>();

    private volatile boolean cancelled;
    private volatile ChatStream stream;

    StreamCall(LlmRotate lm, ChatRequest request, StreamingChatResponseHandler handler) {
        this.lm = lm;
        this.request = request;
        this.handler = handler;
    }

    @Override
    public void run() {
        ChatStream chunks;
        try {
            chunks = lm.chatStream(request);
        } catch (RuntimeException e) {
            fail(Errors.map(e));
            return;
        }
        stream = chunks;
        dev.langchain4j.model.chat.response.ChatResponse response;
        try (chunks) {
            while (!cancelled && chunks.hasNext()) {
                deliver(chunks.next());
            }
            if (cancelled) {
                return;
            }
            try {
                completeToolCalls(Integer.MAX_VALUE);
            } catch (RuntimeException e) {
                throw new HandlerFailed(e);
            }
            response = Replies.toResponse(chunks.collect());
        } catch (HandlerFailed e) {
            fail(e.getCause());
            return;
        } catch (RuntimeException e) {
            if (!cancelled) {
                fail(Errors.map(e));
            }
            return;
        }
        try {
            handler.onCompleteResponse(response);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void deliver(StreamChunk chunk) {
        try {
            if (!chunk.reasoningDelta().isEmpty()) {
                handler.onPartialThinking(new PartialThinking(chunk.reasoningDelta()), thinkingContext);
            }
            if (!chunk.delta().isEmpty()) {
                handler.onPartialResponse(new PartialResponse(chunk.delta()), responseContext);
            }
            List<ToolCallDelta> deltas = chunk.toolCallDeltas();
            for (int i = 0; i < deltas.size(); i++) {
                toolCall(deltas.get(i));
            }
        } catch (RuntimeException e) {
            throw new HandlerFailed(e);
        }
    }

    private void toolCall(ToolCallDelta delta) {
        completeToolCalls(delta.index()); // the calls before this one are whole
        OpenCall call = openCalls.computeIfAbsent(delta.index(), i -> new OpenCall());
        if (call.id == null && delta.id() != null && !delta.id().isEmpty()) {
            call.id = delta.id();
        }
        if (call.name == null && delta.name() != null && !delta.name().isEmpty()) {
            call.name = delta.name();
        }
        if (!delta.argumentsDelta().isEmpty()) {
            call.arguments.append(delta.argumentsDelta());
            if (call.name != null) {
                handler.onPartialToolCall(
                        PartialToolCall.builder()
                                .index(delta.index())
                                .id(call.id)
                                .name(call.name)
                                .partialArguments(delta.argumentsDelta())
                                .build(),
                        toolCallContext);
            }
        }
    }

    /** Completes the open calls whose index is below {@code before}, in order; the handler's exceptions pass. */
    private void completeToolCalls(int before) {
        while (!openCalls.isEmpty()) {
            int index = openCalls.firstKey();
            if (index >= before) {
                return;
            }
            OpenCall call = openCalls.remove(index);
            if (call.id == null || call.name == null) {
                return; // a malformed stream: collect() reports it
            }
            handler.onCompleteToolCall(new CompleteToolCall(
                    index,
                    ToolExecutionRequest.builder()
                            .id(call.id)
                            .name(call.name)
                            .arguments(call.arguments.isEmpty() ? "{}" : call.arguments.toString())
                            .build()));
        }
    }

    private void fail(Throwable error) {
        fail(handler, error);
    }

    /** Hands {@code error} to the handler; an exception of its own is logged, as LangChain4j does. */
    static void fail(StreamingChatResponseHandler handler, Throwable error) {
        try {
            handler.onError(error);
        } catch (RuntimeException e) {
            LOG.warn("a streaming handler's onError threw; ignored", e);
        }
    }

    /** Stops the stream: it is closed (recorded as {@code cancelled}) and the handler hears nothing more. */
    @Override
    public void cancel() {
        cancelled = true;
        ChatStream open = stream;
        if (open != null) {
            open.close();
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }

    private static final class OpenCall {
        String id;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }

    /** A handler callback threw: the stream ends and the handler's {@code onError} gets the exception. */
    private static final class HandlerFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        HandlerFailed(RuntimeException cause) {
            super(cause);
        }
    }
}

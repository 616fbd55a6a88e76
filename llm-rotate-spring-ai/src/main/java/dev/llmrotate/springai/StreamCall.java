package dev.llmrotate.springai;

import dev.llmrotate.ChatStream;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.StreamChunk;
import org.springframework.ai.chat.model.ChatResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Scheduler;

/**
 * One streamed call, as a {@link Flux} of responses: a piece of text each, then one last response with no text, the
 * whole call's tool calls, finish reason, usage and metadata. Pulled: a response is read from the provider only when
 * the subscriber has asked for one ({@link Flux#generate}), on the model's scheduler, since reading blocks. The stream
 * is opened, rotating, retrying and falling back until the first chunk like a plain call, at the first request.
 *
 * <p>Cancelling closes the stream at once, also while a read is waiting for the provider (the call is recorded as
 * {@code cancelled}); a failure ends the flux with the mapped exception. Tool calls are not streamed piece by piece:
 * they come whole in the last response, which is what Spring AI's tool calling manager takes.
 */
final class StreamCall {
    private final LlmRotate lm;
    private final ChatRequest request;
    private final ChatResponse previous;

    private volatile boolean cancelled;
    private volatile ChatStream stream;
    /** The whole answer, once the stream has ended: what a tool loop sends back as the assistant's turn. */
    private volatile dev.llmrotate.chat.ChatResponse answer;

    /**
     * A call of {@code request}; {@code previous} is the last response of a tool loop's earlier turn (whose usage the
     * last response adds), or null.
     */
    StreamCall(LlmRotate lm, ChatRequest request, ChatResponse previous) {
        this.lm = lm;
        this.request = request;
        this.previous = previous;
    }

    /** The responses; subscribe once (the model makes a call per subscription, in {@code Flux.defer}). */
    Flux<ChatResponse> responses(Scheduler scheduler) {
        return Flux.<ChatResponse, StreamCall>generate(() -> this, StreamCall::next, StreamCall::close)
                .subscribeOn(scheduler)
                // Downstream of subscribeOn, so that it runs on the cancelling thread at once, not after a read.
                .doOnCancel(this::cancel);
    }

    /** The whole answer (its text included), once the last response has gone out; else null. */
    dev.llmrotate.chat.ChatResponse answer() {
        return answer;
    }

    /** Emits the next response, if there is one; called once per requested response. */
    private StreamCall next(SynchronousSink<ChatResponse> sink) {
        try {
            ChatStream chunks = stream;
            if (chunks == null) {
                chunks = lm.chatStream(request);
                stream = chunks;
                if (cancelled) { // cancelled while the stream was being opened
                    chunks.close();
                    return this;
                }
            }
            while (chunks.hasNext()) {
                StreamChunk chunk = chunks.next();
                if (!chunk.delta().isEmpty()) {
                    sink.next(Replies.chunk(chunk.delta(), chunks));
                    return this;
                }
            }
            if (cancelled) {
                return this;
            }
            dev.llmrotate.chat.ChatResponse whole = chunks.collect();
            answer = whole;
            sink.next(Replies.toResponse(whole, "", previous));
            sink.complete();
        } catch (RuntimeException e) {
            if (!cancelled) {
                sink.error(Errors.map(e));
            }
        }
        return this;
    }

    private void cancel() {
        cancelled = true;
        close(this);
    }

    /** Releases the stream: a no-op after it ended, else the call is recorded as {@code cancelled}. */
    private static void close(StreamCall call) {
        ChatStream open = call.stream;
        if (open != null) {
            open.close();
        }
    }
}

package dev.llmrotate;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.StreamAssembler;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamPiece;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A streamed answer, read once, chunk by chunk: {@code for (StreamChunk c : stream)}, {@link #forEach},
 * {@link #stream()}, or
 * {@link #collect()} for the whole answer. {@link LlmRotate#chatStream} returns it once the first chunk is in hand, so
 * the provider, model and key are known from the start. Chunks carry text, reasoning and tool-call deltas; the final
 * chunk carries the finish reason and usage.
 *
 * <p>After the first chunk there is no silent restart: a cut connection, a stall longer than the provider's
 * {@code stream_idle_timeout_seconds}, a malformed event or an answer that ends before it is complete throws
 * {@link LlmRotateException} with {@link ErrorType#STREAM_INTERRUPTED}. Close it (try-with-resources) to release the
 * connection; closing early is recorded as {@code cancelled}. Read from one thread; {@link #close()} may come from
 * any.
 */
public final class ChatStream implements Iterator<StreamChunk>, Iterable<StreamChunk>, AutoCloseable {
    private final Engine engine;
    private final Duration timeToFirstChunk;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Continues the answer on another attempt after a break, or null when stream recovery is off. */
    private final StreamResumer resumer;
    /** The attempt whose stream is being read (another one after a recovery). */
    private volatile CallLoop.Outcome<OpenedStream> outcome;

    private ProviderSettings settings;
    private StreamPiece pending;
    private String model;
    private String responseId;
    private int chunks;
    /** The answer so far, for {@link #collect()}. */
    private final StreamAssembler answer = new StreamAssembler();
    /** True once the broken attempt's failure was counted against its key (by a recovery). */
    private boolean breakCounted;

    ChatStream(
            Engine engine,
            EngineState state,
            ChatRequest request,
            UnaryOperator<List<Route>> routeFilter,
            CallLoop.Outcome<OpenedStream> outcome) {
        this.engine = engine;
        this.outcome = outcome;
        this.settings = outcome.route().settings();
        this.timeToFirstChunk = Duration.ofNanos(System.nanoTime() - outcome.trace().startNanos);
        outcome.trace().firstChunk();
        this.pending = outcome.value().first();
        this.model = pending.model() != null ? pending.model() : outcome.route().model();
        this.responseId = pending.responseId();
        this.resumer = StreamResumer.forCall(engine, state, request, routeFilter, outcome);
    }

    /** This stream itself: it can be iterated once. */
    @Override
    public Iterator<StreamChunk> iterator() {
        return this;
    }

    @Override
    public boolean hasNext() {
        if (pending != null) {
            return true;
        }
        if (ended.get()) {
            return false;
        }
        pending = read();
        return pending != null;
    }

    @Override
    public StreamChunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the stream has ended");
        }
        StreamPiece piece = pending;
        pending = null;
        chunks++;
        if (piece.model() != null) {
            model = piece.model();
        }
        if (piece.responseId() != null) {
            responseId = piece.responseId();
        }
        if (resumer != null) {
            resumer.delivered(piece);
        }
        List<ToolCallDelta> toolDeltas = piece.toolCallDeltas();
        for (int i = 0; i < toolDeltas.size(); i++) {
            if (toolDeltas.get(i).name() != null) { // a call's first delta names it
                outcome.trace().toolCall(toolDeltas.get(i).name());
            }
        }
        StreamChunk chunk;
        if (piece.isFinal()) {
            Usage usage = piece.usage() == null ? Usage.UNREPORTED : piece.usage();
            if (ended.compareAndSet(false, true)) {
                outcome.value().stream().close();
                engine.completeCall(outcome.trace(), outcome.key(), model, usage);
            }
            chunk = chunk(piece, piece.finishReason(), usage);
        } else {
            chunk = chunk(piece, null, null);
        }
        answer.add(chunk);
        return chunk;
    }

    private static StreamChunk chunk(StreamPiece piece, FinishReason reason, Usage usage) {
        return new StreamChunk(
                piece.delta(), reason, usage, piece.reasoningDelta(), piece.toolCallDeltas(), piece.reasoning());
    }

    /** The next piece: content (or the end) must come within the idle timeout; other bytes do not count. */
    private StreamPiece read() {
        Duration idleTimeout = settings.streamIdleTimeout();
        long deadline = ProviderStream.deadlineAfter(idleTimeout);
        try {
            StreamPiece piece = outcome.value().stream().next(deadline);
            if (piece == null) {
                throw new ProviderException(
                        ErrorType.STREAM_INTERRUPTED, null, null, "stream ended without its final chunk");
            }
            return piece;
        } catch (ProviderException e) {
            if (Thread.currentThread().isInterrupted()) {
                // The reader's thread was interrupted: the caller gave up, nothing is known about the key.
                close();
                throw new LlmRotateException(
                        "stream read interrupted",
                        provider(),
                        null,
                        outcome.trace().keyDescription());
            }
            ProviderException cause = e.type() == ErrorType.TIMEOUT && ProviderStream.passed(deadline)
                    ? new ProviderException(
                            ErrorType.TIMEOUT,
                            null,
                            null,
                            "no content within stream_idle_timeout_seconds (" + idleTimeout.toMillis() + " ms)")
                    : e;
            StreamPiece resumed = resume(cause);
            if (resumed != null) {
                return resumed;
            }
            throw interrupted(cause);
        }
    }

    /**
     * Stream recovery: the broken attempt counts against its key, and the answer continues on another attempt
     * (prefill or replay). Returns the continuation's first piece, or null when the stream cannot be recovered.
     */
    private StreamPiece resume(ProviderException cause) {
        if (resumer == null || ended.get() || !resumer.canResume()) {
            return null;
        }
        CallLoop.Outcome<OpenedStream> broken = outcome;
        broken.value().stream().close();
        countBreak(broken); // before the recovery, so that its new attempt prefers another key
        breakCounted = true;
        StreamResumer.Resumed resumed = resumer.resume(broken, cause);
        if (resumed == null) {
            return null;
        }
        outcome = resumed.outcome();
        settings = resumed.outcome().route().settings();
        breakCounted = false;
        if (ended.get()) {
            // Closed by another thread while the recovery ran: release the new connection too.
            resumed.outcome().value().stream().close();
            return null;
        }
        return resumed.first();
    }

    /** A broken stream counts against its (key, model), whether or not a recovery continues the answer. */
    private void countBreak(CallLoop.Outcome<OpenedStream> broken) {
        engine.healthBook()
                .failed(
                        broken.key(),
                        broken.modelScope(),
                        ErrorType.STREAM_INTERRUPTED,
                        null,
                        broken.route().settings(),
                        broken.callToken());
    }

    private LlmRotateException interrupted(ProviderException cause) {
        String detail = Secrets.scrub(cause.getMessage(), Secrets.scrubbable(outcome.key(), outcome.secret()));
        if (ended.compareAndSet(false, true)) {
            outcome.value().stream().close();
            if (!breakCounted) {
                countBreak(outcome);
            }
            engine.finish(outcome.trace()
                    .failure(engine.now(), CallRecord.INTERRUPTED, ErrorType.STREAM_INTERRUPTED.wireName(), model));
        }
        String describe = outcome.trace().keyDescription();
        return new LlmRotateException(
                "stream from " + outcome.route().provider() + " with key " + describe + " interrupted after " + chunks
                        + " chunks (" + cause.type().wireName() + "): " + detail,
                outcome.route().provider(),
                ErrorType.STREAM_INTERRUPTED,
                describe,
                cause.httpStatus());
    }

    /**
     * The chunks as a sequential {@link Stream}; closing it closes this.
     *
     * @return the chunks not read yet, in order
     */
    public Stream<StreamChunk> stream() {
        return StreamSupport.stream(
                        Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }

    /**
     * Reads the rest of the stream and returns the whole answer as one response: the text, reasoning and tool calls
     * of every chunk, those already read included.
     *
     * @return the whole answer; its {@code usage()} is never null ({@link Usage#UNREPORTED} without a usage report)
     * @throws LlmRotateException with {@link ErrorType#STREAM_INTERRUPTED} when the stream breaks, or when a tool
     *     call's deltas never gave its id or name
     */
    public ChatResponse collect() {
        while (hasNext()) {
            next();
        }
        List<ToolCall> toolCalls;
        try {
            toolCalls = answer.toolCalls();
        } catch (IllegalStateException e) {
            throw new LlmRotateException(
                    "stream from " + provider() + " was malformed: " + e.getMessage(),
                    provider(),
                    ErrorType.STREAM_INTERRUPTED,
                    outcome.trace().keyDescription());
        }
        return new ChatResponse(
                answer.text(),
                provider(),
                upstream(),
                model,
                keyId(),
                keyMask(),
                answer.finishReason(),
                answer.usage() == null ? Usage.UNREPORTED : answer.usage(),
                Duration.ofNanos(System.nanoTime() - outcome.trace().startNanos),
                attempts(),
                rotations(),
                fallbackUsed(),
                responseId,
                toolCalls,
                answer.reasoning(),
                callId());
    }

    /**
     * The call's id, as its usage record's {@code call_id}.
     *
     * @return the id, never null
     */
    public String callId() {
        return outcome.trace().callId;
    }

    /**
     * The provider's id of the response (e.g. {@code chatcmpl-…}, {@code msg_…}).
     *
     * @return the id, once a chunk has carried it; else null
     */
    public String responseId() {
        return responseId;
    }

    /**
     * The provider that answers. Like the key, it may change when {@code stream_recovery} continues a broken answer
     * on another attempt.
     *
     * @return the provider id ({@code openai}, ...)
     */
    public String provider() {
        return outcome.route().provider();
    }

    /**
     * For a broker (OpenRouter), the backend the route asked it to use.
     *
     * @return the backend's name, or null when the route names none
     */
    public String upstream() {
        return outcome.route().upstream();
    }

    /**
     * The model that answers.
     *
     * @return the model id as the provider reports it, else as the route asked for it
     */
    public String model() {
        return model;
    }

    /**
     * The key that answers.
     *
     * @return its {@code key_id}
     */
    public String keyId() {
        return outcome.key().keyId();
    }

    /**
     * The mask of the answering key's secret ({@code sk-…9f2a}), never the secret.
     *
     * @return the mask
     */
    public String keyMask() {
        return outcome.keyMask();
    }

    /**
     * Attempts the call has made so far: those before the first chunk, and any a stream recovery made since.
     *
     * @return the count, at least 1
     */
    public int attempts() {
        return outcome.trace().attempts;
    }

    /**
     * How often the call has moved to another key after a key-level failure (rate limit, auth, quota) so far.
     *
     * @return the count, 0 when the first key answered
     */
    public int rotations() {
        return outcome.trace().rotations;
    }

    /**
     * Whether a fallback route answers rather than the model's own provider.
     *
     * @return true when an entry of the fallback chain answers
     */
    public boolean fallbackUsed() {
        return outcome.route().fallback();
    }

    /**
     * How long the caller waited for the stream.
     *
     * @return the time from the call's start until the first chunk was in hand
     */
    public Duration timeToFirstChunk() {
        return timeToFirstChunk;
    }

    /** Releases the connection. Closing before the final chunk ends the call as {@code cancelled}. */
    @Override
    public void close() {
        if (ended.compareAndSet(false, true)) {
            outcome.value().stream().close();
            engine.finish(outcome.trace().failure(engine.now(), CallRecord.CANCELLED, null, model));
        }
    }

    @Override
    public String toString() {
        return "ChatStream[" + provider() + ":" + model + ", key " + keyId() + " (" + keyMask() + ")]";
    }
}

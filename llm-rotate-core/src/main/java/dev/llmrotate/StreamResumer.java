package dev.llmrotate;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.StreamRecovery;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamPiece;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Stream recovery ({@code stream_recovery}): continues an answer whose stream broke after its first chunk on another
 * attempt, so that the caller's {@link ChatStream} goes on as one answer.
 *
 * <ul>
 *   <li><b>prefill</b>: the request again with the text delivered so far as a trailing assistant message, sent to a
 *       provider that continues such a prefill (Anthropic, Bedrock, OpenRouter); the continuation's text follows
 *       the delivered text. A provider that refuses it (400 {@code invalid_request}) neither fails the call nor
 *       touches key health; the model is remembered so that later recoveries skip the prefill.
 *   <li><b>replay</b>: the request again as it was; when the new answer begins with exactly the delivered text, only
 *       the rest is passed on, otherwise the stream ends with {@code stream_interrupted}.
 *   <li><b>auto</b>: prefill where the provider and model take one, else replay.
 * </ul>
 *
 * A recovery is an attempt like any other: the broken attempt counts against its key, the continuation avoids that
 * (key, model) while another key can serve (whatever the strategy), and the continuation rotates, retries and falls
 * back until its first chunk, within a fresh call deadline. At most {@value #MAX_RECOVERIES} recoveries per call, and
 * none once reasoning or a tool call has reached the caller.
 */
final class StreamResumer {
    static final int MAX_RECOVERIES = 2;

    /** A continuation that produced its first piece of new text (or the final piece). */
    record Resumed(CallLoop.Outcome<OpenedStream> outcome, StreamPiece first) {}

    private final Engine engine;
    private final EngineState state;
    private final ChatRequest request;
    private final UnaryOperator<List<Route>> routeFilter;
    private final StreamRecovery mode;
    private final StringBuilder delivered = new StringBuilder();
    private int recoveries;
    private boolean deliveredNonText;

    private StreamResumer(
            Engine engine,
            EngineState state,
            ChatRequest request,
            UnaryOperator<List<Route>> routeFilter,
            StreamRecovery mode) {
        this.engine = engine;
        this.state = state;
        this.request = request;
        this.routeFilter = routeFilter;
        this.mode = mode;
    }

    /** The resumer of a streamed call, or null when recovery is off for it (the call's, else the route's setting). */
    static StreamResumer forCall(
            Engine engine,
            EngineState state,
            ChatRequest request,
            UnaryOperator<List<Route>> routeFilter,
            CallLoop.Outcome<OpenedStream> opened) {
        StreamRecovery mode = request.streamRecovery() != null
                ? request.streamRecovery()
                : opened.route().settings().streamRecovery();
        return mode == StreamRecovery.OFF ? null : new StreamResumer(engine, state, request, routeFilter, mode);
    }

    /** A piece that reached the caller. */
    void delivered(StreamPiece piece) {
        delivered.append(piece.delta());
        deliveredNonText |= piece.hasNonText();
    }

    /**
     * Whether another recovery may be tried for this call: not after reasoning or a tool call reached the caller,
     * since neither a prefill nor a replay of text can continue them.
     */
    boolean canResume() {
        return recoveries < MAX_RECOVERIES && !deliveredNonText;
    }

    /**
     * Continues the answer after a break (which the stream has counted against the broken attempt's key); null when
     * it cannot be continued (the stream then ends with {@code stream_interrupted}).
     */
    Resumed resume(CallLoop.Outcome<OpenedStream> broken, ProviderException cause) {
        recoveries++;
        Route route = broken.route();
        CallTrace trace = broken.trace();
        String text = delivered.toString();
        if (mode == StreamRecovery.PREFILL || mode == StreamRecovery.AUTO) {
            if (prefillPossible(route)) {
                try {
                    Resumed resumed = prefill(broken, text);
                    trace.firstChunk(); // ends the continuation's attempt as a success
                    trace.recovery(StreamRecovery.PREFILL.wireName(), "recovered", text.length());
                    return resumed;
                } catch (LlmRotateException e) {
                    if (e.errorType() != ErrorType.INVALID_REQUEST) {
                        trace.recovery(StreamRecovery.PREFILL.wireName(), "failed", text.length());
                        return null;
                    }
                    // The provider refuses a prefill for this model: not the key's fault, and not worth asking again.
                    engine.prefillRefused(route.model());
                    trace.recovery(StreamRecovery.PREFILL.wireName(), "refused", text.length());
                }
            } else {
                trace.recovery(StreamRecovery.PREFILL.wireName(), "refused", text.length());
            }
            if (mode == StreamRecovery.PREFILL) {
                return null;
            }
        }
        return replay(broken, text);
    }

    private boolean prefillPossible(Route route) {
        return engine.adapter(route.provider()).continuesPrefill() && !engine.refusesPrefill(route.model());
    }

    private Resumed prefill(CallLoop.Outcome<OpenedStream> broken, String text) {
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        messages.add(ChatMessage.assistant(text));
        CallLoop.Outcome<OpenedStream> outcome = CallLoop.continuation(
                        engine, state, request.withMessages(messages), routeFilter, broken)
                .run(OpenedStream::open);
        return new Resumed(outcome, outcome.value().first());
    }

    /** The request again; passes on only what follows the delivered text, or null when the answers differ. */
    private Resumed replay(CallLoop.Outcome<OpenedStream> broken, String text) {
        String wire = StreamRecovery.REPLAY.wireName();
        CallLoop.Outcome<OpenedStream> outcome;
        try {
            outcome = CallLoop.continuation(engine, state, request, routeFilter, broken)
                    .run(OpenedStream::open);
        } catch (LlmRotateException e) {
            broken.trace().recovery(wire, "failed", text.length());
            return null;
        }
        StringBuilder replayed = new StringBuilder();
        StreamPiece piece = outcome.value().first();
        try {
            while (true) {
                replayed.append(piece.delta());
                int common = Math.min(replayed.length(), text.length());
                if (!text.regionMatches(0, replayed.toString(), 0, common)) {
                    break; // a different answer
                }
                if (replayed.length() >= text.length()) {
                    String rest = replayed.substring(text.length());
                    if (!rest.isEmpty() || piece.isFinal() || piece.hasNonText()) {
                        broken.trace().firstChunk();
                        broken.trace().recovery(wire, "recovered", text.length());
                        return new Resumed(
                                outcome,
                                new StreamPiece(
                                        rest,
                                        piece.finishReason(),
                                        piece.usage(),
                                        piece.model(),
                                        piece.responseId(),
                                        piece.reasoningDelta(),
                                        piece.toolCallDeltas(),
                                        piece.reasoning()));
                    }
                } else if (piece.hasNonText()) {
                    break; // reasoning or a tool call where the delivered text was: a different answer
                }
                if (piece.isFinal()) {
                    break; // ended before it caught up
                }
                piece = outcome.value().stream()
                        .next(ProviderStream.deadlineAfter(
                                outcome.route().settings().streamIdleTimeout()));
                if (piece == null) {
                    break;
                }
            }
        } catch (ProviderException e) {
            outcome.value().stream().close();
            broken.trace().recovery(wire, "failed", text.length());
            return null;
        }
        outcome.value().stream().close();
        broken.trace().recovery(wire, "mismatch", text.length());
        return null;
    }
}

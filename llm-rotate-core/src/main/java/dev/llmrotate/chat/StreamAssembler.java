package dev.llmrotate.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts a streamed answer back together from its chunks: the text, the reasoning, and the tool calls from their
 * deltas (by index: id and name from the first delta that has them, the arguments joined). {@link
 * dev.llmrotate.ChatStream#collect()} uses one; feed one yourself when you read chunks another way (a {@code
 * Flow.Publisher}, a gateway) and need the assistant message for the next turn. Not thread-safe.
 *
 * <pre>{@code
 * StreamAssembler answer = new StreamAssembler();
 * for (StreamChunk chunk : stream) {
 *     System.out.print(chunk.delta());
 *     answer.add(chunk);
 * }
 * messages.add(answer.message());
 * }</pre>
 */
public final class StreamAssembler {
    private final StringBuilder text = new StringBuilder();
    /** Reasoning text not yet covered by a completed block (a provider that sends no blocks: all of it). */
    private final StringBuilder openReasoning = new StringBuilder();

    private final List<ContentPart> reasoning = new ArrayList<>(0);
    private final Map<Integer, PartialCall> calls = new TreeMap<>();
    private FinishReason finishReason;
    private Usage usage;

    /**
     * Takes the next chunk in.
     *
     * @param chunk the next chunk of the stream, in order
     */
    public void add(StreamChunk chunk) {
        text.append(chunk.delta());
        openReasoning.append(chunk.reasoningDelta());
        if (!chunk.reasoning().isEmpty()) {
            reasoning.addAll(chunk.reasoning());
            openReasoning.setLength(0);
        }
        for (ToolCallDelta delta : chunk.toolCallDeltas()) {
            calls.computeIfAbsent(delta.index(), i -> new PartialCall()).add(delta);
        }
        if (chunk.isFinal()) {
            finishReason = chunk.finishReason();
            usage = chunk.usage();
        }
    }

    /**
     * The text so far.
     *
     * @return every delta joined, empty before any text
     */
    public String text() {
        return text.toString();
    }

    /**
     * The reasoning so far: completed blocks, then any reasoning text no block covers (without a signature).
     *
     * @return the reasoning parts, unmodifiable; empty when there is none
     */
    public List<ContentPart> reasoning() {
        if (openReasoning.isEmpty()) {
            return List.copyOf(reasoning);
        }
        List<ContentPart> parts = new ArrayList<>(reasoning);
        parts.add(new ContentPart.Reasoning(openReasoning.toString(), null, null));
        return List.copyOf(parts);
    }

    /**
     * The reasoning text so far.
     *
     * @return the text of the reasoning parts, joined; empty when there is none
     */
    public String reasoningText() {
        return ChatResponse.reasoningText(reasoning());
    }

    /**
     * The tool calls so far, by index.
     *
     * @return the tool calls, ordered by index; empty when there are none
     * @throws IllegalStateException when a call's deltas never gave its id or name (a malformed stream)
     */
    public List<ToolCall> toolCalls() {
        List<ToolCall> result = new ArrayList<>(calls.size());
        calls.forEach((index, call) -> result.add(call.toToolCall(index)));
        return result;
    }

    /**
     * The assistant message of the answer so far (see {@link ChatResponse#message()}).
     *
     * @return the assistant message
     * @throws IllegalStateException when a call's deltas never gave its id or name (a malformed stream)
     */
    public ChatMessage message() {
        return ChatResponse.assistantMessage(reasoning(), text(), toolCalls());
    }

    /**
     * The finish reason, once the final chunk was added; else null.
     *
     * @return the finish reason, or null
     */
    public FinishReason finishReason() {
        return finishReason;
    }

    /**
     * The usage, once the final chunk was added; else null.
     *
     * @return the usage, or null
     */
    public Usage usage() {
        return usage;
    }

    private static final class PartialCall {
        private String id;
        private String name;
        private String signature;
        private final StringBuilder arguments = new StringBuilder();

        void add(ToolCallDelta delta) {
            if (id == null && delta.id() != null && !delta.id().isEmpty()) {
                id = delta.id();
            }
            if (name == null && delta.name() != null && !delta.name().isEmpty()) {
                name = delta.name();
            }
            if (signature == null && delta.signature() != null) {
                signature = delta.signature();
            }
            arguments.append(delta.argumentsDelta());
        }

        ToolCall toToolCall(int index) {
            if (id == null || name == null) {
                throw new IllegalStateException(
                        "the stream never gave the " + (id == null ? "id" : "name") + " of tool call " + index);
            }
            return new ToolCall(id, name, arguments.toString(), signature);
        }
    }
}

package dev.llmrotate.chat;

/**
 * A piece of a tool call in a stream. Calls are told apart by {@code index}; the first piece of a call carries its
 * id and name, later pieces add to its arguments. {@link dev.llmrotate.ChatStream#collect()} and {@link
 * StreamAssembler} put the calls together.
 *
 * @param index the call's position in the answer, from 0
 * @param id the call's id on its first piece, else null
 * @param name the tool's name on the first piece, else null
 * @param argumentsDelta more of the arguments' JSON text, possibly empty
 * @param signature the call's {@link ToolCall#signature() signature}, on the piece that brings it; else null
 */
public record ToolCallDelta(int index, String id, String name, String argumentsDelta, String signature) {
    /**
     * Checks the index; null arguments become empty.
     *
     * @param index the call's position in the answer, 0 or more
     * @param id the call's id, or null
     * @param name the tool's name, or null
     * @param argumentsDelta more of the arguments' JSON text; null for none
     * @param signature the call's signature, or null
     */
    public ToolCallDelta {
        if (index < 0) {
            throw new IllegalArgumentException("a tool call index must not be negative, got " + index);
        }
        argumentsDelta = argumentsDelta == null ? "" : argumentsDelta;
    }

    /**
     * A piece without a signature.
     *
     * @param index the call's position in the answer, 0 or more
     * @param id the call's id, or null
     * @param name the tool's name, or null
     * @param argumentsDelta more of the arguments' JSON text; null for none
     */
    public ToolCallDelta(int index, String id, String name, String argumentsDelta) {
        this(index, id, name, argumentsDelta, null);
    }
}

package dev.llmrotate.chat;

import java.util.Objects;

/**
 * A call of a tool the model asked for, on an assistant message. Send the result back in a {@link
 * ChatMessage#toolResult tool message} with the same {@code id}.
 *
 * <p>The id is the one the provider gave (OpenAI {@code call_…}, Anthropic {@code toolu_…}, Bedrock {@code
 * tooluse_…}). When the conversation goes on with another provider (a fallback), every adapter sends an id that
 * provider rejects (bad characters, too long) as a fixed function of it, the same for the call and its result, so
 * that they still match: no table is kept, in this process or any other.
 *
 * @param id the provider's id of the call
 * @param name the tool's name
 * @param arguments the arguments as JSON text, as the model wrote them (usually a JSON object; not checked, since a
 *     model may write invalid JSON without a strict schema)
 * @param signature opaque data the provider asked to get back with this call (Gemini's {@code thoughtSignature});
 *     null for most providers
 */
public record ToolCall(String id, String name, String arguments, String signature) {
    /**
     * Checks the id and the name; null or empty arguments become {@code {}}.
     *
     * @param id the provider's id of the call, not empty
     * @param name the tool's name, not empty
     * @param arguments the arguments as JSON text; null or empty for {@code {}}
     * @param signature opaque data to send back with the call, or null
     */
    public ToolCall {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("a tool call id must not be empty");
        }
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a tool call's name must not be empty");
        }
        arguments = arguments == null || arguments.isEmpty() ? "{}" : arguments;
    }

    /**
     * A call without a signature.
     *
     * @param id the provider's id of the call, not empty
     * @param name the tool's name, not empty
     * @param arguments the arguments as JSON text; null or empty for {@code {}}
     */
    public ToolCall(String id, String name, String arguments) {
        this(id, name, arguments, null);
    }
}

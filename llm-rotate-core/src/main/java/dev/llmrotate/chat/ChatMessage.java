package dev.llmrotate.chat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One message of a conversation. Content is a list of parts; most messages have a single {@link ContentPart.Text}.
 *
 * <ul>
 *   <li>{@code system}, {@code user}: content parts.
 *   <li>{@code assistant}: content parts (text, and the model's {@link ContentPart.Reasoning reasoning}) and the
 *       {@link ToolCall tool calls} the model made; the content may be empty when there are tool calls. Append
 *       {@link ChatResponse#message()} to continue a conversation: it keeps all of that.
 *   <li>{@code tool}: the result of one tool call, {@code toolCallId} naming the call; content is text (or parts a
 *       provider takes in a tool result, such as images for Anthropic).
 * </ul>
 *
 * <pre>{@code
 * messages.add(response.message());                        // the assistant turn with its tool calls
 * for (ToolCall call : response.toolCalls()) {
 *     messages.add(ChatMessage.toolResult(call.id(), run(call.name(), call.arguments())));
 * }
 * }</pre>
 *
 * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content the parts; never empty, except for an assistant message with tool calls
 * @param toolCalls the tool calls of an assistant message, in order; empty for other roles
 * @param toolCallId the call a {@code tool} message answers; null for other roles
 */
public record ChatMessage(String role, List<ContentPart> content, List<ToolCall> toolCalls, String toolCallId) {
    /**
     * Checks the message against its role (see above) and copies the lists, unmodifiable.
     *
     * @param role {@code system}, {@code user}, {@code assistant} or {@code tool}
     * @param content the parts; empty only for an assistant message with tool calls
     * @param toolCalls the tool calls, ids unique, for an assistant message only; null for none
     * @param toolCallId the call a {@code tool} message answers, not empty; null for other roles
     * @throws IllegalArgumentException naming what does not fit the role
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant") && !role.equals("tool")) {
            throw new IllegalArgumentException("role must be system, user, assistant or tool, got '" + role + "'");
        }
        content = List.copyOf(content);
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        if (!toolCalls.isEmpty() && !role.equals("assistant")) {
            throw new IllegalArgumentException("only assistant messages carry tool calls, not " + role + " messages");
        }
        if (role.equals("tool")) {
            if (toolCallId == null || toolCallId.isEmpty()) {
                throw new IllegalArgumentException("a tool message needs the id of the tool call it answers");
            }
        } else if (toolCallId != null) {
            throw new IllegalArgumentException("only tool messages name a tool call id, not " + role + " messages");
        }
        if (content.isEmpty() && toolCalls.isEmpty()) {
            throw new IllegalArgumentException(
                    role.equals("assistant")
                            ? "an assistant message needs content or tool calls"
                            : "a " + role + " message needs at least one content part");
        }
        for (ContentPart part : content) {
            if (isReasoning(part) && !role.equals("assistant")) {
                throw new IllegalArgumentException("reasoning parts belong to assistant messages, not " + role);
            }
        }
        Set<String> ids = new HashSet<>();
        for (ToolCall call : toolCalls) {
            if (!ids.add(call.id())) {
                throw new IllegalArgumentException("tool call id " + call.id() + " appears twice in one message");
            }
        }
    }

    /**
     * A message of content parts only (no tool calls).
     *
     * @param role {@code system}, {@code user} or {@code assistant}
     * @param content the parts, at least one
     */
    public ChatMessage(String role, List<ContentPart> content) {
        this(role, content, List.of(), null);
    }

    /**
     * A system message of one text part.
     *
     * @param text the instructions
     * @return the message
     */
    public static ChatMessage system(String text) {
        return new ChatMessage("system", List.of(new ContentPart.Text(text)));
    }

    /**
     * A user message of one text part.
     *
     * @param text the message's text
     * @return the message
     */
    public static ChatMessage user(String text) {
        return new ChatMessage("user", List.of(new ContentPart.Text(text)));
    }

    /**
     * A user message of these parts (text, images, PDFs, files).
     *
     * @param parts the parts, at least one
     * @return the message
     */
    public static ChatMessage user(ContentPart... parts) {
        return new ChatMessage("user", List.of(parts));
    }

    /**
     * An assistant message of one text part, e.g. an earlier answer or a prefill.
     *
     * @param text the message's text
     * @return the message
     */
    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", List.of(new ContentPart.Text(text)));
    }

    /**
     * An assistant message with these tool calls, after this text (null or empty: none).
     *
     * @param text the text before the calls, or null
     * @param toolCalls the calls, ids unique; may be empty only when there is text
     * @return the message
     */
    public static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
        List<ContentPart> content = text == null || text.isEmpty() ? List.of() : List.of(new ContentPart.Text(text));
        return new ChatMessage("assistant", content, toolCalls, null);
    }

    /**
     * The text result of the tool call {@code toolCallId}.
     *
     * @param toolCallId the {@link ToolCall#id() id} of the call it answers
     * @param text the result
     * @return the message
     */
    public static ChatMessage toolResult(String toolCallId, String text) {
        return new ChatMessage("tool", List.of(new ContentPart.Text(text)), List.of(), toolCallId);
    }

    /**
     * The result of the tool call {@code toolCallId}, as parts.
     *
     * @param toolCallId the {@link ToolCall#id() id} of the call it answers
     * @param parts the result, at least one part
     * @return the message
     */
    public static ChatMessage toolResult(String toolCallId, ContentPart... parts) {
        return new ChatMessage("tool", List.of(parts), List.of(), toolCallId);
    }

    /**
     * The concatenated text parts of this message (reasoning is not text).
     *
     * @return the text, empty when there is none
     */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (ContentPart part : content) {
            if (part instanceof ContentPart.Text t) {
                out.append(t.text());
            }
        }
        return out.toString();
    }

    /**
     * The reasoning parts ({@link ContentPart.Reasoning}, {@link ContentPart.RedactedReasoning}), in order.
     *
     * @return the reasoning parts, empty when there are none
     */
    public List<ContentPart> reasoning() {
        List<ContentPart> parts = new ArrayList<>(0);
        for (ContentPart part : content) {
            if (isReasoning(part)) {
                parts.add(part);
            }
        }
        return parts;
    }

    static boolean isReasoning(ContentPart part) {
        return part instanceof ContentPart.Reasoning || part instanceof ContentPart.RedactedReasoning;
    }
}

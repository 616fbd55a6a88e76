package dev.llmrotate.chat;

import java.util.List;
import java.util.Objects;

/**
 * One message of a conversation. Content is a list of parts; most messages have a single {@link ContentPart.Text}.
 *
 * @param role {@code system}, {@code user} or {@code assistant}
 * @param content the parts, never empty
 */
public record ChatMessage(String role, List<ContentPart> content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
            throw new IllegalArgumentException("role must be system, user or assistant, got '" + role + "'");
        }
        content = List.copyOf(content);
        if (content.isEmpty()) {
            throw new IllegalArgumentException("a " + role + " message needs at least one content part");
        }
    }

    public static ChatMessage system(String text) {
        return new ChatMessage("system", List.of(new ContentPart.Text(text)));
    }

    public static ChatMessage user(String text) {
        return new ChatMessage("user", List.of(new ContentPart.Text(text)));
    }

    public static ChatMessage user(ContentPart... parts) {
        return new ChatMessage("user", List.of(parts));
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", List.of(new ContentPart.Text(text)));
    }

    /** The concatenated text parts of this message. */
    public String text() {
        StringBuilder out = new StringBuilder();
        for (ContentPart part : content) {
            if (part instanceof ContentPart.Text t) {
                out.append(t.text());
            }
        }
        return out.toString();
    }
}

package dev.llmrotate.chat;

import java.util.Objects;

/**
 * Whether and which tools the model must call: {@link #AUTO} (the model decides), {@link #NONE} (no tool), {@link
 * #REQUIRED} (at least one tool, any), or {@link #tool(String)} (this tool). OpenAI {@code tool_choice} {@code
 * auto}/{@code none}/{@code required}/a function; Anthropic {@code tool_choice} {@code auto}/{@code none}/{@code
 * any}/{@code tool}; Gemini {@code functionCallingConfig.mode} {@code AUTO}/{@code NONE}/{@code ANY} (with {@code
 * allowedFunctionNames}); Bedrock {@code toolChoice} {@code auto}/{@code any}/{@code tool}.
 *
 * @param type the kind of choice
 * @param toolName the tool to call, for {@link Type#TOOL} only
 */
public record ToolChoice(Type type, String toolName) {
    /** The model decides whether to call tools. */
    public static final ToolChoice AUTO = new ToolChoice(Type.AUTO, null);
    /** The model calls no tool. */
    public static final ToolChoice NONE = new ToolChoice(Type.NONE, null);
    /** The model calls at least one tool. */
    public static final ToolChoice REQUIRED = new ToolChoice(Type.REQUIRED, null);

    /** The kinds of tool choice. */
    public enum Type {
        /** The model decides whether to call tools. */
        AUTO,
        /** The model calls no tool. */
        NONE,
        /** The model calls at least one tool, any. */
        REQUIRED,
        /** The model calls the tool {@link ToolChoice#toolName()} names. */
        TOOL
    }

    /**
     * Checks that only a {@link Type#TOOL} choice names a tool, and that it does.
     *
     * @param type the kind of choice, not null
     * @param toolName the tool to call (1 to 64 letters, digits, {@code _} or {@code -}) for {@link Type#TOOL}; else
     *     null
     */
    public ToolChoice {
        Objects.requireNonNull(type, "type");
        if (type == Type.TOOL) {
            ToolDefinition.checkName(toolName, "tool choice");
        } else if (toolName != null) {
            throw new IllegalArgumentException("only a TOOL choice names a tool, not " + type);
        }
    }

    /**
     * The model must call this tool.
     *
     * @param name the tool's name, one of the request's tools
     * @return the choice
     */
    public static ToolChoice tool(String name) {
        return new ToolChoice(Type.TOOL, name);
    }
}

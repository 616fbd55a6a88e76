package dev.llmrotate.internal.provider.anthropic;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ToolChoice;

/**
 * Claude's rules for its reasoning controls, wherever Claude is served (Anthropic's API, Bedrock's
 * {@code additionalModelRequestFields}): {@code output_config.effort} takes low, medium, high or max; thinking does
 * not go with a tool choice that forces tool use; and {@code max_tokens} must exceed the thinking budget.
 */
public final class ClaudeReasoning {
    private ClaudeReasoning() {}

    /**
     * @param provider the provider named in the messages
     * @param freeChoices the tool choices that do go with thinking, for the message ("AUTO or NONE")
     * @throws IllegalArgumentException naming the first rule {@code request} breaks
     */
    public static void check(ChatRequest request, String provider, String freeChoices) {
        ReasoningEffort effort = request.reasoningEffort();
        if (effort == ReasoningEffort.NONE || effort == ReasoningEffort.MINIMAL || effort == ReasoningEffort.XHIGH) {
            throw new IllegalArgumentException("reasoningEffort " + effort + " is not supported by " + provider
                    + ", which sends Claude's output_config.effort: low, medium, high or max");
        }
        Integer budget = request.thinkingBudget();
        ToolChoice choice = request.toolChoice();
        if (budget != null
                && budget != 0
                && choice != null
                && (choice.type() == ToolChoice.Type.REQUIRED || choice.type() == ToolChoice.Type.TOOL)) {
            throw new IllegalArgumentException(provider + " does not take a tool choice that forces tool use ("
                    + choice.type() + ") together with thinking; use " + freeChoices + ", or turn thinking off");
        }
        if (budget != null && budget > 0 && request.maxTokens() != null && request.maxTokens() <= budget) {
            throw new IllegalArgumentException(provider + " needs maxTokens (" + request.maxTokens()
                    + ") greater than the thinking budget (" + budget + ")");
        }
    }
}

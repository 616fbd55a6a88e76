package dev.llmrotate.internal.provider.tools;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;

/** Checks shared by the adapters that map tools, structured output and reasoning only in part, or not yet. */
public final class ToolSupport {
    private ToolSupport() {}

    /**
     * Rejects a request that uses tools, a response format or reasoning controls, for an adapter that does not map
     * them yet: sending it without them would be a different request. Reasoning parts of earlier answers are not
     * rejected: no provider reads another's reasoning, and adapters leave it out.
     *
     * @throws IllegalArgumentException naming the first such feature and the provider
     */
    public static void rejectAll(ChatRequest request, String provider) {
        String feature = null;
        if (!request.tools().isEmpty()) {
            feature = "tools";
        } else if (request.toolChoice() != null) {
            feature = "toolChoice";
        } else if (request.responseFormat() != null) {
            feature = "responseFormat";
        } else if (request.reasoningEffort() != null) {
            feature = "reasoningEffort";
        } else if (request.thinkingBudget() != null) {
            feature = "thinkingBudget";
        } else {
            for (ChatMessage message : request.messages()) {
                if (!message.toolCalls().isEmpty() || message.role().equals("tool")) {
                    feature = "tool calls and tool results in messages";
                    break;
                }
            }
        }
        if (feature != null) {
            throw unsupported(feature, provider);
        }
    }

    /** The failure for a feature a provider (or this build's adapter for it) cannot send. */
    public static IllegalArgumentException unsupported(String feature, String provider) {
        return new IllegalArgumentException(feature + " is not supported by " + provider + " in this build");
    }
}

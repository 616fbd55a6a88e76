package dev.llmrotate.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.TurnMetadata;
import dev.llmrotate.chat.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Our answer as LangChain4j's: the AI message (text, thinking, tool execution requests) and the metadata (id: our
 * call id, the usage record's {@code call_id}; model: the model that actually answered, a fallback's included; token
 * usage when the provider reported it; the finish reason, null when the provider gave none).
 *
 * <p>What a provider needs back on the next turn and LangChain4j has no field for travels in the AI message's
 * attributes, as plain strings, lists and maps, so that a chat memory that stores messages as JSON keeps it:
 * {@value TurnMetadata#REASONING} (the reasoning blocks with their signatures: Anthropic and Bedrock verify them during a tool
 * loop with thinking) and {@value TurnMetadata#TOOL_CALL_SIGNATURES} (tool-call id to Gemini's thought signature).
 */
final class Replies {
    /** AI message attribute: a list of reasoning blocks, each a map of {@code text}/{@code data}, {@code signature}, {@code origin}. */
    /** AI message attribute: a map of tool-call id to the signature the provider asked to get back with it. */
    private Replies() {}

    static ChatResponse toResponse(dev.llmrotate.chat.ChatResponse response) {
        return ChatResponse.builder()
                .aiMessage(aiMessage(response.content(), response.toolCalls(), response.reasoning()))
                .id(response.callId())
                .modelName(response.model())
                .tokenUsage(tokenUsage(response.usage()))
                .finishReason(finishReason(response.finishReason()))
                .build();
    }

    static AiMessage aiMessage(String content, List<ToolCall> toolCalls, List<ContentPart> reasoning) {
        AiMessage.Builder message = AiMessage.builder();
        // As LangChain4j's own models answer: no text (null) when the model only called tools.
        message.text(content.isEmpty() && !toolCalls.isEmpty() ? null : content);
        if (!toolCalls.isEmpty()) {
            List<ToolExecutionRequest> requests = new ArrayList<>(toolCalls.size());
            for (ToolCall call : toolCalls) {
                requests.add(ToolExecutionRequest.builder()
                        .id(call.id())
                        .name(call.name())
                        .arguments(call.arguments())
                        .build());
            }
            message.toolExecutionRequests(requests);
        }
        Map<String, Object> attributes = TurnMetadata.of(toolCalls, reasoning);
        if (!attributes.isEmpty()) {
            message.attributes(attributes);
        }
        if (!reasoning.isEmpty()) {
            StringBuilder thinking = new StringBuilder();
            for (ContentPart part : reasoning) {
                if (part instanceof ContentPart.Reasoning r) {
                    thinking.append(r.text());
                }
            }
            if (!thinking.isEmpty()) {
                message.thinking(thinking.toString());
            }
        }
        return message.build();
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }

    /** The provider's counts, or null when it reported none (LangChain4j's "unknown"). */
    static TokenUsage tokenUsage(Usage usage) {
        if (usage == null || !usage.reported()) {
            return null;
        }
        return new TokenUsage(
                saturated(usage.inputTokens()), saturated(usage.outputTokens()), saturated(usage.totalTokens()));
    }

    private static int saturated(long count) {
        return (int) Math.min(count, Integer.MAX_VALUE);
    }

    /** LangChain4j has no "ended cleanly, reason not given" ({@code UNKNOWN}): null, as for no reason at all. */
    static FinishReason finishReason(dev.llmrotate.chat.FinishReason reason) {
        if (reason == null) {
            return null;
        }
        return switch (reason) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CONTENT_FILTER -> FinishReason.CONTENT_FILTER;
            case TOOL_CALLS -> FinishReason.TOOL_EXECUTION;
            case OTHER -> FinishReason.OTHER;
            case UNKNOWN -> null;
        };
    }
}

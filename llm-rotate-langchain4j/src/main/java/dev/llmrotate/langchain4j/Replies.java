package dev.llmrotate.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our answer as LangChain4j's: the AI message (text, thinking, tool execution requests) and the metadata (id: our
 * call id, the usage record's {@code call_id}; model: the model that actually answered, a fallback's included; token
 * usage when the provider reported it; the finish reason, null when the provider gave none).
 *
 * <p>What a provider needs back on the next turn and LangChain4j has no field for travels in the AI message's
 * attributes, as plain strings, lists and maps, so that a chat memory that stores messages as JSON keeps it:
 * {@value #REASONING} (the reasoning blocks with their signatures: Anthropic and Bedrock verify them during a tool
 * loop with thinking) and {@value #TOOL_CALL_SIGNATURES} (tool-call id to Gemini's thought signature).
 */
final class Replies {
    /** AI message attribute: a list of reasoning blocks, each a map of {@code text}/{@code data}, {@code signature}, {@code origin}. */
    static final String REASONING = "llm_rotate_reasoning";
    /** AI message attribute: a map of tool-call id to the signature the provider asked to get back with it. */
    static final String TOOL_CALL_SIGNATURES = "llm_rotate_tool_call_signatures";

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
        Map<String, Object> attributes = attributes(toolCalls, reasoning);
        if (attributes != null) {
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

    /** The attributes to carry, or null for none (most answers). */
    private static Map<String, Object> attributes(List<ToolCall> toolCalls, List<ContentPart> reasoning) {
        Map<String, Object> attributes = null;
        if (!reasoning.isEmpty()) {
            List<Map<String, String>> blocks = new ArrayList<>(reasoning.size());
            for (ContentPart part : reasoning) {
                Map<String, String> block = new LinkedHashMap<>();
                if (part instanceof ContentPart.Reasoning r) {
                    block.put("text", r.text());
                    putIfSet(block, "signature", r.signature());
                    putIfSet(block, "origin", r.origin());
                } else if (part instanceof ContentPart.RedactedReasoning redacted) {
                    block.put("data", redacted.data());
                    putIfSet(block, "origin", redacted.origin());
                }
                blocks.add(block);
            }
            attributes = new HashMap<>(4);
            attributes.put(REASONING, blocks);
        }
        Map<String, String> signatures = null;
        for (ToolCall call : toolCalls) {
            if (call.signature() != null) {
                if (signatures == null) {
                    signatures = new LinkedHashMap<>();
                }
                signatures.put(call.id(), call.signature());
            }
        }
        if (signatures != null) {
            attributes = attributes == null ? new HashMap<>(4) : attributes;
            attributes.put(TOOL_CALL_SIGNATURES, signatures);
        }
        return attributes;
    }

    private static void putIfSet(Map<String, String> block, String name, String value) {
        if (value != null) {
            block.put(name, value);
        }
    }

    /** The reasoning blocks an AI message of ours carries, as content parts; none for any other. */
    static List<ContentPart> reasoningParts(Map<String, Object> attributes) {
        if (attributes == null || !(attributes.get(REASONING) instanceof List<?> blocks)) {
            return List.of();
        }
        List<ContentPart> parts = new ArrayList<>(blocks.size());
        for (Object item : blocks) {
            if (item instanceof Map<?, ?> block) {
                String origin = string(block.get("origin"));
                if (block.get("data") instanceof String data) {
                    parts.add(new ContentPart.RedactedReasoning(data, origin));
                } else if (block.get("text") instanceof String text) {
                    parts.add(new ContentPart.Reasoning(text, string(block.get("signature")), origin));
                }
            }
        }
        return parts;
    }

    /** The tool-call signatures an AI message of ours carries, by call id; empty for any other. */
    static Map<String, String> toolCallSignatures(Map<String, Object> attributes) {
        if (attributes == null || !(attributes.get(TOOL_CALL_SIGNATURES) instanceof Map<?, ?> map)) {
            return Map.of();
        }
        Map<String, String> signatures = new HashMap<>();
        map.forEach((id, signature) -> {
            if (id instanceof String i && signature instanceof String s) {
                signatures.put(i, s);
            }
        });
        return signatures;
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

package dev.llmrotate.springai;

import dev.llmrotate.ChatStream;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatGenerationMetadata;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.EmptyUsage;
import org.springframework.ai.chat.metadata.Usage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.support.UsageCalculator;

/**
 * Our answer as Spring AI's: one generation (the assistant message with its text and tool calls; the finish reason)
 * and the metadata (id: our call id, the usage record's {@code call_id}; model: the model that actually answered, a
 * fallback's included; usage; the provider, key id, attempts, rotations, whether a fallback served it and the
 * provider's own response id, under the keys of {@link LlmRotateSpringAiChatModel}).
 *
 * <p>What a provider needs back on the next turn and Spring AI has no field for travels in the assistant message's
 * metadata, as plain strings, lists and maps, so that a chat memory keeps it: {@value #REASONING} (the reasoning
 * blocks with their signatures: Anthropic and Bedrock verify them during a tool loop with thinking) and {@value
 * #TOOL_CALL_SIGNATURES} (tool-call id to Gemini's thought signature). The reasoning's text is also under {@value
 * #REASONING_CONTENT}, the key Spring AI's OpenAI model uses.
 */
final class Replies {
    /** Assistant message metadata: a list of reasoning blocks, each a map of {@code text}/{@code data}, {@code signature}, {@code origin}. */
    static final String REASONING = "llm_rotate_reasoning";
    /** Assistant message metadata: a map of tool-call id to the signature the provider asked to get back with it. */
    static final String TOOL_CALL_SIGNATURES = "llm_rotate_tool_call_signatures";
    /** Assistant message metadata: the reasoning's text. */
    static final String REASONING_CONTENT = "reasoningContent";

    private Replies() {}

    /**
     * The response for {@code response}; its usage adds {@code previous}'s (the earlier turns of a tool loop), as
     * Spring AI's own models count it. {@code text} is the message's text: the answer's, or none for the last
     * response of a stream, whose text went out chunk by chunk.
     */
    static ChatResponse toResponse(dev.llmrotate.chat.ChatResponse response, String text, ChatResponse previous) {
        List<ToolCall> toolCalls = response.toolCalls();
        AssistantMessage message = AssistantMessage.builder()
                // As Spring AI's own models answer: no text (null) when the model only called tools.
                .content(text.isEmpty() && !toolCalls.isEmpty() ? null : text)
                .properties(properties(toolCalls, response.reasoning()))
                .toolCalls(toolCalls(toolCalls))
                .build();
        ChatGenerationMetadata generation = ChatGenerationMetadata.builder()
                .finishReason(finishReason(response.finishReason()))
                .build();
        ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder()
                .id(response.callId())
                .model(response.model())
                .usage(UsageCalculator.getCumulativeUsage(usage(response.usage()), previous))
                .keyValue(LlmRotateSpringAiChatModel.PROVIDER, response.provider())
                .keyValue(LlmRotateSpringAiChatModel.KEY_ID, response.keyId())
                .keyValue(LlmRotateSpringAiChatModel.ATTEMPTS, response.attempts())
                .keyValue(LlmRotateSpringAiChatModel.ROTATIONS, response.rotations())
                .keyValue(LlmRotateSpringAiChatModel.FALLBACK_USED, response.fallbackUsed())
                .keyValue(LlmRotateSpringAiChatModel.PROVIDER_RESPONSE_ID, response.providerResponseId());
        return new ChatResponse(List.of(new Generation(message, generation)), metadata.build());
    }

    /** A streamed piece of text, with the metadata known so far (no usage: it comes with the last response). */
    static ChatResponse chunk(String delta, ChatStream stream) {
        ChatResponseMetadata metadata = ChatResponseMetadata.builder()
                .id(stream.callId())
                .model(stream.model())
                .keyValue(LlmRotateSpringAiChatModel.PROVIDER, stream.provider())
                .keyValue(LlmRotateSpringAiChatModel.KEY_ID, stream.keyId())
                .build();
        return new ChatResponse(List.of(new Generation(new AssistantMessage(delta))), metadata);
    }

    private static List<AssistantMessage.ToolCall> toolCalls(List<ToolCall> calls) {
        if (calls.isEmpty()) {
            return List.of();
        }
        List<AssistantMessage.ToolCall> out = new ArrayList<>(calls.size());
        for (ToolCall call : calls) {
            out.add(new AssistantMessage.ToolCall(call.id(), "function", call.name(), call.arguments()));
        }
        return out;
    }

    /** The message metadata to carry: none for most answers. */
    private static Map<String, Object> properties(List<ToolCall> toolCalls, List<ContentPart> reasoning) {
        Map<String, Object> properties = Map.of();
        if (!reasoning.isEmpty()) {
            List<Map<String, String>> blocks = new ArrayList<>(reasoning.size());
            StringBuilder text = new StringBuilder();
            for (ContentPart part : reasoning) {
                Map<String, String> block = new LinkedHashMap<>();
                if (part instanceof ContentPart.Reasoning r) {
                    block.put("text", r.text());
                    putIfSet(block, "signature", r.signature());
                    putIfSet(block, "origin", r.origin());
                    text.append(r.text());
                } else if (part instanceof ContentPart.RedactedReasoning redacted) {
                    block.put("data", redacted.data());
                    putIfSet(block, "origin", redacted.origin());
                }
                blocks.add(block);
            }
            properties = new HashMap<>(4);
            properties.put(REASONING, blocks);
            if (!text.isEmpty()) {
                properties.put(REASONING_CONTENT, text.toString());
            }
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
            properties = properties.isEmpty() ? new HashMap<>(4) : properties;
            properties.put(TOOL_CALL_SIGNATURES, signatures);
        }
        return properties;
    }

    private static void putIfSet(Map<String, String> block, String name, String value) {
        if (value != null) {
            block.put(name, value);
        }
    }

    /** The reasoning blocks an assistant message of ours carries, as content parts; none for any other. */
    static List<ContentPart> reasoningParts(Map<String, Object> properties) {
        if (!(properties.get(REASONING) instanceof List<?> blocks)) {
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

    /** The tool-call signatures an assistant message of ours carries, by call id; empty for any other. */
    static Map<String, String> toolCallSignatures(Map<String, Object> properties) {
        if (!(properties.get(TOOL_CALL_SIGNATURES) instanceof Map<?, ?> map)) {
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

    /**
     * The provider's counts, with ours (cached and reasoning tokens too) as the native usage; {@link EmptyUsage}
     * when it reported none, as Spring AI's own models answer.
     */
    static Usage usage(dev.llmrotate.chat.Usage usage) {
        if (usage == null || !usage.reported()) {
            return new EmptyUsage();
        }
        return new DefaultUsage(
                saturated(usage.inputTokens()), saturated(usage.outputTokens()), saturated(usage.totalTokens()), usage);
    }

    private static int saturated(long count) {
        return (int) Math.min(count, Integer.MAX_VALUE);
    }

    /**
     * Our reason's name ({@code STOP}, {@code LENGTH}, {@code TOOL_CALLS}, {@code CONTENT_FILTER}, {@code OTHER}: the
     * names Spring AI's OpenAI model gives too); empty, as there, when the provider gave none.
     */
    static String finishReason(FinishReason reason) {
        return reason == null || reason == FinishReason.UNKNOWN ? "" : reason.name();
    }
}

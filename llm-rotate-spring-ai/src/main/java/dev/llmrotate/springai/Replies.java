package dev.llmrotate.springai;

import dev.llmrotate.ChatStream;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.TurnMetadata;
import java.util.ArrayList;
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
 * metadata, as plain strings, lists and maps, so that a chat memory keeps it: {@value TurnMetadata#REASONING} (the reasoning
 * blocks with their signatures: Anthropic and Bedrock verify them during a tool loop with thinking) and {@value
 * TurnMetadata#TOOL_CALL_SIGNATURES} (tool-call id to Gemini's thought signature). The reasoning's text is also under {@value
 * #REASONING_CONTENT}, the key Spring AI's OpenAI model uses.
 */
final class Replies {
    /** Assistant message metadata: a list of reasoning blocks, each a map of {@code text}/{@code data}, {@code signature}, {@code origin}. */
    /** Assistant message metadata: a map of tool-call id to the signature the provider asked to get back with it. */
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
        Map<String, Object> properties = TurnMetadata.of(toolCalls, reasoning);
        StringBuilder text = new StringBuilder();
        for (ContentPart part : reasoning) {
            if (part instanceof ContentPart.Reasoning r) {
                text.append(r.text());
            }
        }
        if (!text.isEmpty()) {
            properties.put(REASONING_CONTENT, text.toString());
        }
        return properties;
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

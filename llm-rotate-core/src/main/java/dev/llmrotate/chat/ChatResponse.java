package dev.llmrotate.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The answer to a call, normalised across providers.
 *
 * <p>An answer may carry text, tool calls and the model's reasoning at once. To go on with the conversation, append
 * {@link #message()} (which keeps all three, reasoning signatures included) and, after a {@link
 * FinishReason#TOOL_CALLS} answer, one {@link ChatMessage#toolResult tool result} per call.
 *
 * @param content the generated text (the answer, without reasoning); empty when the model only called tools
 * @param provider the provider that answered
 * @param upstream the backend a broker routed to (OpenRouter), or null
 * @param model the model that actually answered (a fallback may use another id than requested)
 * @param keyId the key that served the call
 * @param keyMask the key's masked secret, e.g. {@code sk-…9f2a}
 * @param finishReason why the model stopped; {@link FinishReason#TOOL_CALLS} when it waits for tool results
 * @param usage token usage as reported by the provider, never null; {@link Usage#UNREPORTED} (counts 0,
 *     {@link Usage#reported()} false) when the provider reported none; {@link Usage#reasoningTokens()} counts the
 *     reasoning where the provider reports it apart
 * @param latency wall time of the whole call, retries and rotations included
 * @param attempts how many attempts the call made (1 when the first one succeeded)
 * @param rotations how many times the call moved to another key after a key-level failure
 * @param fallbackUsed true when a fallback target, not the native provider, answered
 * @param providerResponseId the provider's own id of the response, or null
 * @param toolCalls the tool calls the model made, in order; empty when none
 * @param reasoning the model's reasoning ({@link ContentPart.Reasoning}, {@link ContentPart.RedactedReasoning}), in
 *     order; empty when the provider returned none
 * @param callId the call's id, as its usage record's {@code call_id} (to find the record of an answer); null for an
 *     answer the engine did not make
 */
public record ChatResponse(
        String content,
        String provider,
        String upstream,
        String model,
        String keyId,
        String keyMask,
        FinishReason finishReason,
        Usage usage,
        Duration latency,
        int attempts,
        int rotations,
        boolean fallbackUsed,
        String providerResponseId,
        List<ToolCall> toolCalls,
        List<ContentPart> reasoning,
        String callId) {

    /**
     * Null content becomes empty, null lists empty; the lists are copied, unmodifiable.
     *
     * @param content the generated text, or null for none
     * @param provider the provider that answered
     * @param upstream the backend a broker routed to, or null
     * @param model the model that answered
     * @param keyId the key that served the call
     * @param keyMask the key's masked secret
     * @param finishReason why the model stopped
     * @param usage token usage, {@link Usage#UNREPORTED} when the provider reported none
     * @param latency wall time of the whole call
     * @param attempts how many attempts the call made
     * @param rotations how many times the call moved to another key
     * @param fallbackUsed whether a fallback target answered
     * @param providerResponseId the provider's id of the response, or null
     * @param toolCalls the tool calls, or null for none
     * @param reasoning reasoning parts only, or null for none
     * @param callId the call's id, or null
     * @throws IllegalArgumentException when {@code reasoning} holds a part that is not reasoning
     */
    public ChatResponse {
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        reasoning = reasoning == null ? List.of() : List.copyOf(reasoning);
        for (ContentPart part : reasoning) {
            if (!ChatMessage.isReasoning(part)) {
                throw new IllegalArgumentException("reasoning holds reasoning parts only, not " + part);
            }
        }
    }

    /**
     * An answer without a call id.
     *
     * @param content the generated text, or null for none
     * @param provider the provider that answered
     * @param upstream the backend a broker routed to, or null
     * @param model the model that answered
     * @param keyId the key that served the call
     * @param keyMask the key's masked secret
     * @param finishReason why the model stopped
     * @param usage token usage, {@link Usage#UNREPORTED} when the provider reported none
     * @param latency wall time of the whole call
     * @param attempts how many attempts the call made
     * @param rotations how many times the call moved to another key
     * @param fallbackUsed whether a fallback target answered
     * @param providerResponseId the provider's id of the response, or null
     * @param toolCalls the tool calls, or null for none
     * @param reasoning reasoning parts only, or null for none
     */
    public ChatResponse(
            String content,
            String provider,
            String upstream,
            String model,
            String keyId,
            String keyMask,
            FinishReason finishReason,
            Usage usage,
            Duration latency,
            int attempts,
            int rotations,
            boolean fallbackUsed,
            String providerResponseId,
            List<ToolCall> toolCalls,
            List<ContentPart> reasoning) {
        this(
                content,
                provider,
                upstream,
                model,
                keyId,
                keyMask,
                finishReason,
                usage,
                latency,
                attempts,
                rotations,
                fallbackUsed,
                providerResponseId,
                toolCalls,
                reasoning,
                null);
    }

    /**
     * A text answer without tool calls or reasoning.
     *
     * @param content the generated text, or null for none
     * @param provider the provider that answered
     * @param upstream the backend a broker routed to, or null
     * @param model the model that answered
     * @param keyId the key that served the call
     * @param keyMask the key's masked secret
     * @param finishReason why the model stopped
     * @param usage token usage, {@link Usage#UNREPORTED} when the provider reported none
     * @param latency wall time of the whole call
     * @param attempts how many attempts the call made
     * @param rotations how many times the call moved to another key
     * @param fallbackUsed whether a fallback target answered
     * @param providerResponseId the provider's id of the response, or null
     */
    public ChatResponse(
            String content,
            String provider,
            String upstream,
            String model,
            String keyId,
            String keyMask,
            FinishReason finishReason,
            Usage usage,
            Duration latency,
            int attempts,
            int rotations,
            boolean fallbackUsed,
            String providerResponseId) {
        this(
                content,
                provider,
                upstream,
                model,
                keyId,
                keyMask,
                finishReason,
                usage,
                latency,
                attempts,
                rotations,
                fallbackUsed,
                providerResponseId,
                List.of(),
                List.of(),
                null);
    }

    /**
     * The assistant message of this answer, to append to the conversation: the reasoning parts, then the text (when
     * there is any), and the tool calls.
     *
     * @return the assistant message
     */
    public ChatMessage message() {
        return assistantMessage(reasoning, content, toolCalls);
    }

    /**
     * The reasoning text, joined; empty when there is none (or it is all redacted).
     *
     * @return the reasoning text
     */
    public String reasoningText() {
        return reasoningText(reasoning);
    }

    /**
     * Whether the model called tools.
     *
     * @return true when {@link #toolCalls()} is not empty
     */
    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }

    static ChatMessage assistantMessage(List<ContentPart> reasoning, String text, List<ToolCall> toolCalls) {
        List<ContentPart> parts = new ArrayList<>(reasoning.size() + 1);
        parts.addAll(reasoning);
        if (!text.isEmpty() || (parts.isEmpty() && toolCalls.isEmpty())) {
            parts.add(new ContentPart.Text(text));
        }
        return new ChatMessage("assistant", parts, toolCalls, null);
    }

    static String reasoningText(List<ContentPart> reasoning) {
        StringBuilder text = new StringBuilder();
        for (ContentPart part : reasoning) {
            if (part instanceof ContentPart.Reasoning r) {
                text.append(r.text());
            }
        }
        return text.toString();
    }
}

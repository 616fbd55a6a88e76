package dev.llmrotate.chat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an assistant turn must carry back to its provider on the next turn, as plain values (maps, lists, strings)
 * for a framework's message metadata, which chat memories keep as JSON: the reasoning blocks with their signatures
 * (Anthropic refuses a tool loop whose thinking comes back unsigned) and the tool calls' signatures (Gemini's thought
 * signatures). The framework adapters ({@code llm-rotate-langchain4j}, {@code llm-rotate-spring-ai}) store it on the
 * assistant message they return and read it from the messages they are given.
 */
public final class TurnMetadata {
    /**
     * The entry holding the reasoning blocks: a list of maps with {@code text}, {@code signature}, {@code data} and
     * {@code origin}.
     */
    public static final String REASONING = "llm_rotate_reasoning";

    /** The entry holding the tool calls' signatures: a map from call id to signature. */
    public static final String TOOL_CALL_SIGNATURES = "llm_rotate_tool_call_signatures";

    private TurnMetadata() {}

    /**
     * The entries for a turn with {@code toolCalls} and {@code reasoning}: empty (and immutable) for most answers.
     *
     * @param toolCalls the turn's tool calls (their signatures are kept)
     * @param reasoning the turn's reasoning parts
     * @return the {@link #REASONING} and {@link #TOOL_CALL_SIGNATURES} entries the turn needs, possibly none
     */
    public static Map<String, Object> of(List<ToolCall> toolCalls, List<ContentPart> reasoning) {
        Map<String, Object> entries = Map.of();
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
            entries = new HashMap<>(4);
            entries.put(REASONING, blocks);
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
            entries = entries.isEmpty() ? new HashMap<>(4) : entries;
            entries.put(TOOL_CALL_SIGNATURES, signatures);
        }
        return entries;
    }

    /**
     * The reasoning blocks {@code metadata} carries, as content parts; none when it is null or carries none.
     *
     * @param metadata a message's metadata, or null
     * @return the reasoning parts, in order; blocks that are not maps with a {@code text} or {@code data} string are
     *     skipped
     */
    public static List<ContentPart> reasoning(Map<String, ?> metadata) {
        if (metadata == null || !(metadata.get(REASONING) instanceof List<?> blocks)) {
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

    /**
     * The tool calls' signatures {@code metadata} carries, by call id; empty when it is null or carries none.
     *
     * @param metadata a message's metadata, or null
     * @return the signature of each call id; entries that are not strings are skipped
     */
    public static Map<String, String> toolCallSignatures(Map<String, ?> metadata) {
        if (metadata == null || !(metadata.get(TOOL_CALL_SIGNATURES) instanceof Map<?, ?> map)) {
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

    private static void putIfSet(Map<String, String> block, String name, String value) {
        if (value != null) {
            block.put(name, value);
        }
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }
}

package dev.llmrotate.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TurnMetadataTest {
    private static final List<ContentPart> REASONING = List.of(
            new ContentPart.Reasoning("Let me think.", "sig-1", "anthropic"),
            new ContentPart.RedactedReasoning("opaque", "anthropic"));
    private static final List<ToolCall> CALLS =
            List.of(new ToolCall("call_1", "now", "{}", "thought-sig"), new ToolCall("call_2", "now", "{}"));

    @Test
    void survivesAJsonChatMemoryAndComesBackAsItWent() throws Exception {
        Map<String, Object> entries = TurnMetadata.of(CALLS, REASONING);
        ObjectMapper json = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> stored = json.readValue(json.writeValueAsString(entries), Map.class);

        assertThat(TurnMetadata.reasoning(stored)).isEqualTo(REASONING);
        assertThat(TurnMetadata.toolCallSignatures(stored)).isEqualTo(Map.of("call_1", "thought-sig"));
    }

    @Test
    void mostAnswersCarryNothingAndForeignOrBrokenMetadataReadsAsNothing() {
        assertThat(TurnMetadata.of(List.of(new ToolCall("c", "f", "{}")), List.of()))
                .isEmpty();
        assertThat(TurnMetadata.reasoning(null)).isEmpty();
        assertThat(TurnMetadata.toolCallSignatures(null)).isEmpty();
        Map<String, Object> broken = Map.of(
                TurnMetadata.REASONING, List.of("not a block", Map.of("text", 42), Map.of("text", "kept")),
                TurnMetadata.TOOL_CALL_SIGNATURES, Map.of("call", 7));
        assertThat(TurnMetadata.reasoning(broken)).containsExactly(new ContentPart.Reasoning("kept", null, null));
        assertThat(TurnMetadata.toolCallSignatures(broken)).isEmpty();
    }
}

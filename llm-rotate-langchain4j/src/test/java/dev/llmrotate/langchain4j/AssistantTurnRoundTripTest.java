package dev.llmrotate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.Usage;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An assistant turn goes to LangChain4j and comes back as the same message of ours, with what a provider needs back
 * (reasoning signatures, redacted reasoning, Gemini's tool-call signatures), also through a chat memory that stores
 * messages as JSON (LangChain4j's own serializer). The fakes over HTTP do not render Gemini's signed tool calls, so
 * this part is checked on the mapping itself.
 */
class AssistantTurnRoundTripTest {

    private static ChatResponse answer(List<ToolCall> calls, List<ContentPart> reasoning) {
        return new ChatResponse(
                "Looking it up.",
                "google_ai_studio",
                null,
                "gemini-2.5-flash",
                "g-1",
                "AIza…9f2a",
                FinishReason.TOOL_CALLS,
                Usage.of(10, 5),
                Duration.ofMillis(12),
                1,
                0,
                false,
                "resp-1",
                calls,
                reasoning,
                "call-1");
    }

    @Test
    void signaturesAndReasoningSurviveTheTripAndAJsonChatMemory() {
        List<ToolCall> calls = List.of(
                new ToolCall("fc_1", "get_weather", "{\"city\":\"Paris\"}", "thought-sig-1"),
                new ToolCall("fc_2", "get_time", "{}"));
        List<ContentPart> reasoning = List.of(
                new ContentPart.Reasoning("Two lookups.", "sig-r", "google_ai_studio"),
                new ContentPart.RedactedReasoning("opaque", "anthropic"));
        ChatResponse ours = answer(calls, reasoning);

        AiMessage message = Replies.toResponse(ours).aiMessage();
        AiMessage remembered =
                (AiMessage) ChatMessageDeserializer.messageFromJson(ChatMessageSerializer.messageToJson(message));

        assertThat(message.thinking()).isEqualTo("Two lookups.");
        for (AiMessage turn : List.of(message, remembered)) {
            ChatMessage back = Requests.messages(List.of(turn)).get(0);
            assertThat(back).isEqualTo(ours.message());
        }
    }

    @Test
    void aPlainAnswerCarriesNoAttributes() {
        ChatResponse ours = answer(List.of(new ToolCall("call_1", "get_weather", "{}")), List.of());

        AiMessage message = Replies.toResponse(ours).aiMessage();

        assertThat(message.attributes()).isEmpty();
        assertThat(message.thinking()).isNull();
        assertThat(Requests.messages(List.of(message)).get(0)).isEqualTo(ours.message());
    }
}

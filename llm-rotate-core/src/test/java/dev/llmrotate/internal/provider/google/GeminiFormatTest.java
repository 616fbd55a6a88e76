package dev.llmrotate.internal.provider.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Gemini JSON mapping on its own; the wire round trips are in the loopback tests. */
class GeminiFormatTest {
    private final ObjectMapper json = new ObjectMapper();
    private final GeminiFormat format = new GeminiFormat(json);

    @Test
    void aConversationMapsToContentsWithUserAndModelRolesAndASystemInstruction() {
        ChatRequest request = ChatRequest.builder("gemini-2.5-flash")
                .messages(
                        ChatMessage.system("Be brief."),
                        ChatMessage.user("Hi"),
                        ChatMessage.assistant("Hello!"),
                        ChatMessage.user(
                                ContentPart.text("And this?"), ContentPart.file("gs://b/doc.pdf", "application/pdf")))
                .build();
        JsonNode body = format.request(request, "google_ai_studio");
        assertThat(body.at("/systemInstruction/parts/0/text").asText()).isEqualTo("Be brief.");
        assertThat(body.get("contents")).hasSize(3);
        assertThat(body.at("/contents/0/role").asText()).isEqualTo("user");
        assertThat(body.at("/contents/1/role").asText()).isEqualTo("model");
        assertThat(body.at("/contents/1/parts/0/text").asText()).isEqualTo("Hello!");
        assertThat(body.at("/contents/2/parts/1/fileData/fileUri").asText()).isEqualTo("gs://b/doc.pdf");
        assertThat(body.has("generationConfig")).isFalse();
    }

    @Test
    void extrasGoToGenerationConfigOrTheTopLevel() {
        ChatRequest request = ChatRequest.builder("gemini-2.5-flash")
                .user("x")
                .maxTokens(100)
                .extra("seed", 7)
                .extra("generationConfig", Map.of("topK", 40, "stopSequences", List.of("END")))
                .extra(
                        "safetySettings",
                        List.of(Map.of("category", "HARM_CATEGORY_HARASSMENT", "threshold", "BLOCK_NONE")))
                .extra("disable_automatic_function_calling", false)
                .build();
        JsonNode body = format.request(request, "google_ai_studio");
        assertThat(body.at("/generationConfig/maxOutputTokens").asInt()).isEqualTo(100);
        assertThat(body.at("/generationConfig/seed").asInt()).isEqualTo(7);
        assertThat(body.at("/generationConfig/topK").asInt()).isEqualTo(40);
        assertThat(body.at("/generationConfig/stopSequences/0").asText()).isEqualTo("END");
        assertThat(body.at("/safetySettings/0/threshold").asText()).isEqualTo("BLOCK_NONE");
        assertThat(body.has("disable_automatic_function_calling")).isFalse();
        assertThat(body.has("toolConfig")).isFalse();
    }

    @Test
    void onlyTextIsTakenInASystemInstructionAndATurnIsNeeded() {
        ChatRequest imageInSystem = ChatRequest.builder("g")
                .messages(
                        new ChatMessage("system", List.of(ContentPart.image(new byte[] {1}, "image/png"))),
                        ChatMessage.user("x"))
                .build();
        assertThatThrownBy(() -> format.checkSupported(imageInSystem, "google_ai_studio"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ImageBytes");
        ChatRequest systemOnly =
                ChatRequest.builder("g").messages(ChatMessage.system("x")).build();
        assertThatThrownBy(() -> format.checkSupported(systemOnly, "google_vertex"))
                .hasMessageContaining("at least one user or assistant message");
    }

    @Test
    void theReplyJoinsTextPartsWithoutThoughtsAndCountsThinkingAsOutput() {
        ProviderReply reply = format.reply("""
                {"candidates":[{"content":{"role":"model","parts":[
                   {"text":"planning…","thought":true},{"text":"Hello, "},{"text":"world."}]},
                 "finishReason":"STOP"}],
                 "usageMetadata":{"promptTokenCount":120,"candidatesTokenCount":30,"thoughtsTokenCount":12,
                   "cachedContentTokenCount":100,"toolUsePromptTokenCount":3,"totalTokenCount":165},
                 "modelVersion":"gemini-2.5-flash-001","responseId":"resp-1"}
                """, "google_ai_studio");
        assertThat(reply.content()).isEqualTo("Hello, world.");
        assertThat(reply.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(reply.usage()).isEqualTo(new Usage(123, 42, 100, 12));
        assertThat(reply.usage().totalTokens()).isEqualTo(165);
        assertThat(reply.model()).isEqualTo("gemini-2.5-flash-001");
        assertThat(reply.responseId()).isEqualTo("resp-1");
    }

    @Test
    void aFunctionCallEndsWithToolCalls() {
        ProviderReply reply = format.reply("""
                {"candidates":[{"content":{"parts":[{"functionCall":{"name":"f","args":{}}}]},"finishReason":"STOP"}]}
                """, "google_ai_studio");
        assertThat(reply.content()).isEmpty();
        assertThat(reply.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(reply.usage()).isEqualTo(Usage.UNREPORTED); // no usageMetadata
    }

    @ParameterizedTest
    @CsvSource({
        "STOP,STOP",
        "MAX_TOKENS,LENGTH",
        "SAFETY,CONTENT_FILTER",
        "RECITATION,CONTENT_FILTER",
        "BLOCKLIST,CONTENT_FILTER",
        "PROHIBITED_CONTENT,CONTENT_FILTER",
        "SPII,CONTENT_FILTER",
        "LANGUAGE,OTHER",
        "MALFORMED_FUNCTION_CALL,OTHER",
        "OTHER,OTHER",
        "SOMETHING_NEW,OTHER"
    })
    void finishReasonsAreNormalised(String wire, FinishReason expected) {
        assertThat(GeminiFormat.finishReason(wire)).isEqualTo(expected);
    }

    @Test
    void aBlockedPromptIsContentFiltered() {
        assertThatThrownBy(() -> format.reply("""
                        {"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":5}}
                        """, "google_ai_studio"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.type()).isEqualTo(ErrorType.CONTENT_FILTERED);
                    assertThat(e.getMessage()).contains("PROHIBITED_CONTENT");
                });
    }

    @Test
    void noCandidatesOrNoJsonIsAServerFault() {
        assertThatThrownBy(() -> format.reply("{}", "google_ai_studio"))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR));
        assertThatThrownBy(() -> format.reply("<html>", "google_ai_studio"))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR));
    }
}

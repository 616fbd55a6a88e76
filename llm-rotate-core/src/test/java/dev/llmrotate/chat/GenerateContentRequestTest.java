package dev.llmrotate.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class GenerateContentRequestTest {

    @Test
    void contentsTakeStringsAndPartsOnly() {
        byte[] pdf = {'%', 'P', 'D', 'F'};
        GenerateContentRequest request =
                GenerateContentRequest.of("gemini-2.5-flash", List.of("Summarise", ContentPart.pdf(pdf)), null);
        assertThat(request.contents())
                .containsExactly(new ContentPart.Text("Summarise"), new ContentPart.PdfBytes(pdf, "application/pdf"));
        assertThat(request.controls()).isEqualTo(GenerateContentControls.defaults());
        assertThatThrownBy(() -> GenerateContentRequest.of("m", Arrays.asList("ok", 42), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contents[1]: expected a String or a ContentPart, got java.lang.Integer");
        assertThatThrownBy(() -> GenerateContentRequest.of("m", Arrays.asList((Object) null), null))
                .hasMessageContaining("contents[0]")
                .hasMessageContaining("null");
        assertThatThrownBy(() -> GenerateContentRequest.of("m", List.of(), null))
                .hasMessageContaining("at least one content part");
    }

    @Test
    void controlsBecomeChatFieldsAndWellNamedExtras() {
        ChatRequest chat = GenerateContentRequest.builder("gemini-2.5-flash")
                .contents("Hi")
                .systemInstruction("Be brief.")
                .responseMimeType("application/json")
                .maxOutputTokens(256)
                .temperature(0.2)
                .topP(0.9)
                .seed(42)
                .thinkingBudget(0)
                .maxRetries(3)
                .provider("google_vertex")
                .deadline(Duration.ofSeconds(20))
                .build()
                .toChatRequest();
        assertThat(chat.messages()).containsExactly(ChatMessage.system("Be brief."), ChatMessage.user("Hi"));
        assertThat(chat.maxTokens()).isEqualTo(256);
        assertThat(chat.temperature()).isEqualTo(0.2);
        assertThat(chat.topP()).isEqualTo(0.9);
        assertThat(chat.maxRetries()).isEqualTo(3);
        assertThat(chat.provider()).isEqualTo("google_vertex");
        assertThat(chat.deadline()).isEqualTo(Duration.ofSeconds(20));
        assertThat(chat.extra())
                .containsEntry(GenerateContentControls.EXTRA_SEED, 42)
                .containsEntry(GenerateContentControls.EXTRA_RESPONSE_MIME_TYPE, "application/json")
                .containsEntry(GenerateContentControls.EXTRA_THINKING_BUDGET, 0)
                .containsEntry(GenerateContentControls.EXTRA_DISABLE_AUTOMATIC_FUNCTION_CALLING, true)
                .hasSize(4);
    }

    @Test
    void automaticFunctionCallingIsDisabledByDefaultAndControlsAreChecked() {
        assertThat(GenerateContentControls.defaults().disableAutomaticFunctionCalling())
                .isTrue();
        assertThat(GenerateContentControls.builder().build().systemInstruction())
                .isNull();
        assertThatThrownBy(() ->
                        GenerateContentControls.builder().maxOutputTokens(0).build())
                .hasMessageContaining("max_output_tokens");
        assertThatThrownBy(() ->
                        GenerateContentControls.builder().thinkingBudget(-2).build())
                .hasMessageContaining("thinking_budget");
        assertThat(GenerateContentControls.builder().thinkingBudget(-1).build().thinkingBudget())
                .isEqualTo(-1);
    }
}

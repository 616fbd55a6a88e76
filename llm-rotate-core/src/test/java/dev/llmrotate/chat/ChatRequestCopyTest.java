package dev.llmrotate.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestCopyTest {
    private final ChatRequest full = ChatRequest.builder("gpt-4o")
            .system("Be brief.")
            .user("Hi")
            .provider("openai")
            .caller("team-a")
            .maxTokens(100)
            .temperature(0.2)
            .topP(0.9)
            .maxRetries(1)
            .deadline(Duration.ofSeconds(20))
            .reasoningEffort(ReasoningEffort.LOW)
            .extra("openai:seed", 7)
            .build();

    @Test
    void aBuilderFromARequestBuildsAnEqualOneAndEachCopyChangesOneThing() {
        assertThat(full.toBuilder().build()).isEqualTo(full);
        assertThat(full.withModel("gpt-4o-mini"))
                .isEqualTo(new ChatRequest(
                        "gpt-4o-mini",
                        full.messages(),
                        full.provider(),
                        full.maxTokens(),
                        full.temperature(),
                        full.topP(),
                        full.maxRetries(),
                        full.deadline(),
                        full.extra(),
                        full.streamRecovery(),
                        full.tools(),
                        full.toolChoice(),
                        full.parallelToolCalls(),
                        full.responseFormat(),
                        full.reasoningEffort(),
                        full.thinkingBudget(),
                        full.caller()));
        assertThat(full.withProvider(null).provider()).isNull();
        assertThat(full.withProvider(null).withProvider("openai")).isEqualTo(full);
        assertThat(full.withCaller("team-b").caller()).isEqualTo("team-b");
        assertThat(full.withMessages(List.of(ChatMessage.user("Other"))).messages())
                .containsExactly(ChatMessage.user("Other"));
        assertThat(full.toBuilder().user("More").build().messages()).hasSize(3);
        assertThat(full.messages()).hasSize(2);
    }

    @Test
    void anExtraEntryWithoutAValueIsNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ChatRequest.builder("m").user("Hi").extra("openai:seed", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("extra entries need a name and a value, got no value for 'openai:seed'");
    }
}

package dev.llmrotate.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ReasoningEffort;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/** {@link LlmRotateChatOptions}: merging as Spring AI's own models do, copies, and what its text shows. */
class LlmRotateChatOptionsTest {
    private final List<ToolCallback> weather = new Weather().callbacks();

    private LlmRotateChatOptions defaults() {
        return LlmRotateChatOptions.builder()
                .model("gpt-4o-mini")
                .temperature(0.1)
                .maxTokens(50)
                .caller("tenant-1")
                .deadline(Duration.ofSeconds(30))
                .extra("openai:seed", 7)
                .toolCallbacks(weather)
                .toolContext("user", "ada")
                .build();
    }

    @Test
    void noPromptOptionsAreTheDefaults() {
        LlmRotateChatOptions defaults = defaults();
        assertThat(LlmRotateChatOptions.merge(null, defaults)).isSameAs(defaults);
    }

    @Test
    void ourOptionsOverrideFieldByFieldAndMergeMapsWithThePromptsEntriesWinning() {
        LlmRotateChatOptions runtime = LlmRotateChatOptions.builder()
                .model("gpt-4o")
                .maxRetries(1)
                .reasoningEffort(ReasoningEffort.LOW)
                .extra("openai:seed", 8)
                .extra("openai:user", "u-1")
                .toolContext("tenant", "t-1")
                .internalToolExecutionEnabled(false)
                .outputSchema("{\"type\":\"object\"}")
                .build();

        LlmRotateChatOptions merged = LlmRotateChatOptions.merge(runtime, defaults());

        assertThat(merged.getModel()).isEqualTo("gpt-4o");
        assertThat(merged.getTemperature()).isEqualTo(0.1);
        assertThat(merged.getMaxTokens()).isEqualTo(50);
        assertThat(merged.getCaller()).isEqualTo("tenant-1");
        assertThat(merged.getMaxRetries()).isEqualTo(1);
        assertThat(merged.getDeadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(merged.getReasoningEffort()).isEqualTo(ReasoningEffort.LOW);
        assertThat(merged.getExtra()).isEqualTo(Map.of("openai:seed", 8, "openai:user", "u-1"));
        assertThat(merged.getToolCallbacks()).isEqualTo(weather); // the prompt has none: the defaults'
        assertThat(merged.getToolContext()).isEqualTo(Map.of("user", "ada", "tenant", "t-1"));
        assertThat(merged.getInternalToolExecutionEnabled()).isFalse();
        assertThat(merged.getOutputSchema()).isEqualTo("{\"type\":\"object\"}");
    }

    @Test
    void otherOptionTypesGiveTheirPortableAndToolFieldsAndKeepOurDefaults() {
        List<ToolCallback> other = Arrays.asList(new Weather().callbacks().toArray(ToolCallback[]::new));
        ChatOptions portable = ChatOptions.builder().temperature(0.9).topK(3).build();
        ToolCallingChatOptions tools = ToolCallingChatOptions.builder()
                .toolCallbacks(other)
                .toolNames("clock")
                .build();

        LlmRotateChatOptions fromPortable = LlmRotateChatOptions.merge(portable, defaults());
        LlmRotateChatOptions fromTools = LlmRotateChatOptions.merge(tools, defaults());

        assertThat(fromPortable.getTemperature()).isEqualTo(0.9);
        assertThat(fromPortable.getTopK()).isEqualTo(3);
        assertThat(fromPortable.getModel()).isEqualTo("gpt-4o-mini");
        assertThat(fromPortable.getCaller()).isEqualTo("tenant-1");
        assertThat(fromPortable.getExtra()).isEqualTo(Map.of("openai:seed", 7));
        assertThat(fromPortable.getToolCallbacks()).isEqualTo(weather);
        assertThat(fromTools.getToolCallbacks()).isEqualTo(other); // the prompt's replace them
        assertThat(fromTools.getToolNames()).isEqualTo(Set.of("clock"));
        assertThat(fromTools.getToolContext()).isEqualTo(Map.of("user", "ada"));
    }

    @Test
    void aCopyIsOfOurTypeEqualAndIndependent() {
        LlmRotateChatOptions original = defaults();

        LlmRotateChatOptions copy = original.copy();
        assertThat(copy).isEqualTo(original).hasSameHashCodeAs(original).isNotSameAs(original);
        copy.setToolCallbacks(List.of());
        copy.getToolContext().put("more", 1);
        copy.setModel("other");

        assertThat(original.getToolCallbacks()).isEqualTo(weather);
        assertThat(original.getToolContext()).isEqualTo(Map.of("user", "ada"));
        assertThat(original.getModel()).isEqualTo("gpt-4o-mini");
        assertThat(copy).isNotEqualTo(original);
    }

    @Test
    void itsTextShowsWhatIsSetButNotTheToolContextsValues() {
        assertThat(defaults())
                .hasToString("LlmRotateChatOptions[model=gpt-4o-mini, temperature=0.1, maxTokens=50,"
                        + " toolCallbacks=[get_weather], toolContext=[user], caller=tenant-1, deadline=PT30S,"
                        + " extra=[openai:seed]]");
        assertThat(new LlmRotateChatOptions()).hasToString("LlmRotateChatOptions[]");
    }

    @Test
    void nullsWhereSpringAiAllowsNoneAreRefusedNamingThem() {
        LlmRotateChatOptions options = new LlmRotateChatOptions();
        assertThatThrownBy(() -> options.setToolCallbacks(Arrays.asList(weather.get(0), null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("toolCallbacks[1]");
        assertThatThrownBy(() -> options.setToolNames(Set.of(" ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("toolNames must not contain a null or blank name");
        assertThatThrownBy(() -> LlmRotateChatOptions.builder().extra("openai:seed", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("extra openai:seed");
    }
}

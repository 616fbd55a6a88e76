package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A 2xx reply that says nothing is a failed attempt (invalid_response), not an empty success. */
class InvalidResponseLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    @Test
    void aReplyWithoutContentAndFinishReasonRotatesAndCountsAgainstTheKey() {
        openai.forKey(secret("a")).always(FakeResponse.raw(200, "{\"choices\":[{}]}"));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(10).build(),
                        Keys.openai("b"))
                .build());
        lm.eventBuffer(5);

        ChatResponse response = lm.chat("gpt-4o-mini", HI);

        assertThat(response.keyId()).isEqualTo("b");
        assertThat(response.content()).isEqualTo("fake reply");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(lm.health().key("a").models().get("gpt-4o-mini").lastErrorType())
                .isEqualTo("invalid_response");
        assertThat(lm.recentCalls(1).get(0).attemptDetails().get(0).errorType()).isEqualTo("invalid_response");
    }

    @Test
    void contentWithoutAFinishReasonIsASuccessWithAnUnknownReason() {
        openai.byDefault()
                .always(FakeResponse.raw(
                        200,
                        "{\"id\":\"x\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
                                + "\"message\":{\"role\":\"assistant\",\"content\":\"Hi!\"}}]}"));
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());

        ChatResponse response = lm.chat("gpt-4o-mini", HI);

        assertThat(response.content()).isEqualTo("Hi!");
        assertThat(response.finishReason()).isEqualTo(FinishReason.UNKNOWN);
        assertThat(response.usage().reported()).isFalse();
    }
}

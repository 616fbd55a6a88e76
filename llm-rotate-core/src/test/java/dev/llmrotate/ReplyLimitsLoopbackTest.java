package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeResponse;
import org.junit.jupiter.api.Test;

/** Replies larger than the configured limits fail as classified errors and leave one record each. */
class ReplyLimitsLoopbackTest extends EngineTestSupport {

    private LlmRotate limited() {
        LlmRotate lm = builder()
                .config(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build())
                .replyLimits(2_048, 256, 1_024)
                .build();
        lm.eventBuffer(10);
        return lm;
    }

    @Test
    void aPlainReplyOverTheLimitIsATransientFailureNotAnOutOfMemoryError() {
        openai.byDefault().always(FakeResponse.ok("x".repeat(10_000)));
        try (LlmRotate lm = limited()) {
            assertThatThrownBy(() -> lm.chat(
                            ChatRequest.builder("gpt-4o-mini").user("hi").build()))
                    .isInstanceOf(LlmRotateException.class)
                    .hasMessageContaining("transient_server_error");
            assertThat(lm.recentCalls(10)).hasSize(1);
        }
        // Within the limit, the same server answers.
        openai.byDefault().always(FakeResponse.ok("short"));
        try (LlmRotate lm = limited()) {
            assertThat(lm.chat(ChatRequest.builder("gpt-4o-mini").user("hi").build())
                            .content())
                    .isEqualTo("short");
        }
    }

    @Test
    void aStreamLineOverTheLimitFailsTheStream() {
        openai.byDefault().always(FakeResponse.ok("y".repeat(5_000)).withChunks("ok ", "y".repeat(5_000)));
        try (LlmRotate lm = limited();
                ChatStream stream = lm.chatStream(
                        ChatRequest.builder("gpt-4o-mini").user("hi").build())) {
            assertThatThrownBy(stream::collect)
                    .isInstanceOf(LlmRotateException.class)
                    .hasMessageContaining("longer than 1024 bytes");
        }
    }
}

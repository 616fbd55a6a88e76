package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeResponse;
import org.junit.jupiter.api.Test;

/** A stream with content that ends by its end marker but gives no finish reason is complete, reason unknown. */
class StreamEndWithoutReasonTest extends EngineTestSupport {

    @Test
    void anOpenAiStreamEndingWithDoneButNoFinishReasonIsASuccessWithAnUnknownReason() {
        String chunk = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s\"},\"finish_reason\":null}]}";
        openai.byDefault()
                .always(FakeResponse.raw(
                                200,
                                "data: " + chunk.formatted("Hello") + "\n\n" + "data: " + chunk.formatted(" there")
                                        + "\n\n" + "data: [DONE]\n\n")
                        .header("content-type", "text/event-stream"));
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());

        ChatResponse whole;
        try (ChatStream stream =
                lm.chatStream(ChatRequest.builder("gpt-4o-mini").user("hi").build())) {
            whole = stream.collect();
        }
        assertThat(whole.content()).isEqualTo("Hello there");
        assertThat(whole.finishReason()).isEqualTo(FinishReason.UNKNOWN);
        assertThat(whole.usage().reported()).isFalse();
    }
}

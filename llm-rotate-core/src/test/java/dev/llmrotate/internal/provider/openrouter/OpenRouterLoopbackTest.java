package dev.llmrotate.internal.provider.openrouter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.ChatStream;
import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** OpenRouter on its own: plain and streamed round trips and a multimodal body (the fake speaks OpenAI's format). */
class OpenRouterLoopbackTest extends EngineTestSupport {
    private static final String MODEL = "anthropic/claude-sonnet-4.5";

    private LlmRotate openRouterOnly() {
        return engine(LlmRotateConfig.builder()
                .key(Keys.key("or", "openrouter", MODEL).build())
                .provider("openrouter", s -> s.withBaseUrl(openai.baseUrl()))
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5)))
                .build());
    }

    @Test
    void aPlainCallAndAStreamedCall() {
        openai.byDefault().always(FakeResponse.ok("hello there").withChunks("hello", " there"));
        LlmRotate lm = openRouterOnly();
        ChatResponse plain =
                lm.chat(ChatRequest.builder(MODEL).user("hi").maxTokens(20).build());
        assertThat(plain.content()).isEqualTo("hello there");
        assertThat(plain.provider()).isEqualTo("openrouter");
        JsonNode body = openai.requests().get(0).json();
        assertThat(body.get("max_tokens").asInt()).isEqualTo(20);
        assertThat(body.has("provider")).isFalse();
        assertThat(openai.requests().get(0).header("authorization")).isEqualTo("Bearer " + secret("or"));

        try (ChatStream stream =
                lm.chatStream(ChatRequest.builder(MODEL).user("hi").build())) {
            ChatResponse streamed = stream.collect();
            assertThat(streamed.content()).isEqualTo("hello there");
            assertThat(streamed.usage().totalTokens()).isEqualTo(15);
        }
        assertThat(openai.requests()
                        .get(1)
                        .json()
                        .at("/stream_options/include_usage")
                        .asBoolean())
                .isTrue();
    }

    @Test
    void imagesGoAsDataUrlsInTheOpenAiShape() {
        byte[] jpeg = {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0x10};
        openRouterOnly()
                .chat(ChatRequest.builder(MODEL)
                        .messages(ChatMessage.user(
                                ContentPart.text("what is it?"), ContentPart.image(jpeg, "image/jpeg")))
                        .build());
        JsonNode parts = openai.requests().get(0).json().at("/messages/0/content");
        assertThat(parts.get(0).get("type").asText()).isEqualTo("text");
        assertThat(parts.get(0).get("text").asText()).isEqualTo("what is it?");
        assertThat(parts.get(1).get("type").asText()).isEqualTo("image_url");
        assertThat(parts.get(1).at("/image_url/url").asText())
                .isEqualTo("data:image/jpeg;base64," + Base64.getEncoder().encodeToString(jpeg));
        assertThat(parts.size()).isEqualTo(2);
    }
}

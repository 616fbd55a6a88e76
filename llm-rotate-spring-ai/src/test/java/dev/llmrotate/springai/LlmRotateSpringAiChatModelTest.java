package dev.llmrotate.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.TurnMetadata;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeResponse;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.metadata.EmptyUsage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.util.MimeTypeUtils;

/** {@link LlmRotateSpringAiChatModel}'s calls against the testkit's fake providers over loopback HTTP. */
class LlmRotateSpringAiChatModelTest extends SpringAiTestSupport {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};

    @Test
    void aPlainCallAnswersWithTheCallsIdTheServedModelUsageFinishReasonAndHowItWasServed() {
        openai.byDefault().always(FakeResponse.ok("Hello from the fake", 12, 3));
        ChatModel model = LlmRotateSpringAiChatModel.builder(openAiEngine(1))
                .defaultOptions(LlmRotateChatOptions.builder()
                        .model(GPT)
                        .temperature(0.3)
                        .maxTokens(100)
                        .build())
                .build();

        ChatResponse response = model.call(new Prompt(List.of(new SystemMessage("Be brief."), new UserMessage("Hi"))));

        AssistantMessage message = response.getResult().getOutput();
        assertThat(message.getText()).isEqualTo("Hello from the fake");
        assertThat(message.hasToolCalls()).isFalse();
        assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("STOP");
        ChatResponseMetadata metadata = response.getMetadata();
        assertThat(metadata.getModel()).isEqualTo(GPT);
        assertThat(metadata.getUsage().getPromptTokens()).isEqualTo(12);
        assertThat(metadata.getUsage().getCompletionTokens()).isEqualTo(3);
        assertThat(metadata.getUsage().getTotalTokens()).isEqualTo(15);
        assertThat(metadata.getUsage().getNativeUsage()).isInstanceOf(dev.llmrotate.chat.Usage.class);
        assertThat((String) metadata.get(LlmRotateSpringAiChatModel.PROVIDER)).isEqualTo("openai");
        assertThat((String) metadata.get(LlmRotateSpringAiChatModel.KEY_ID)).isEqualTo("oa-1");
        assertThat((Integer) metadata.get(LlmRotateSpringAiChatModel.ATTEMPTS)).isEqualTo(1);
        assertThat((Integer) metadata.get(LlmRotateSpringAiChatModel.ROTATIONS)).isZero();
        assertThat((Boolean) metadata.get(LlmRotateSpringAiChatModel.FALLBACK_USED))
                .isFalse();
        assertThat((String) metadata.get(LlmRotateSpringAiChatModel.PROVIDER_RESPONSE_ID))
                .isNotEmpty();
        CallRecord record = record(metadata.getId());
        assertThat(record.outcome()).isEqualTo(CallRecord.SUCCESS);
        assertThat(record.keyId()).isEqualTo("oa-1");
        assertThat(record.inputTokens()).isEqualTo((long) metadata.getUsage().getPromptTokens());
        assertThat(record.outputTokens()).isEqualTo((long) metadata.getUsage().getCompletionTokens());
        JsonNode sent = openai.requests().get(0).json();
        assertThat(sent.get("model").asText()).isEqualTo(GPT);
        assertThat(sent.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(sent.get("max_completion_tokens").asInt()).isEqualTo(100);
        assertThat(sent.get("messages").toString())
                .isEqualTo("[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]");
        assertThat(model.call("Hi again")).isEqualTo("Hello from the fake");
    }

    @Test
    void aPromptsOptionsOverrideTheDefaultsFieldByField() {
        LlmRotate lm = openAiEngine(1);
        ChatModel model = LlmRotateSpringAiChatModel.builder(lm)
                .defaultOptions(LlmRotateChatOptions.builder()
                        .model(GPT)
                        .temperature(0.1)
                        .maxTokens(50)
                        .caller("tenant-1")
                        .extra("openai:seed", 7)
                        .build())
                .build();

        ChatResponse ours = model.call(new Prompt(
                "Hi",
                LlmRotateChatOptions.builder()
                        .model(GPT_4O)
                        .maxRetries(0)
                        .extra("openai:user", "u-1")
                        .build()));
        ChatResponse portable = model.call(new Prompt(
                "Hi", ChatOptions.builder().temperature(0.9).topP(0.5).build()));

        JsonNode first = openai.requests().get(0).json();
        assertThat(first.get("model").asText()).isEqualTo(GPT_4O);
        assertThat(first.get("temperature").asDouble()).isEqualTo(0.1);
        assertThat(first.get("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(first.get("seed").asInt()).isEqualTo(7);
        assertThat(first.get("user").asText()).isEqualTo("u-1");
        assertThat(ours.getMetadata().getModel()).isEqualTo(GPT_4O);
        assertThat(record(ours.getMetadata().getId()).caller()).isEqualTo("tenant-1");
        JsonNode second = openai.requests().get(1).json();
        assertThat(second.get("model").asText()).isEqualTo(GPT);
        assertThat(second.get("temperature").asDouble()).isEqualTo(0.9);
        assertThat(second.get("top_p").asDouble()).isEqualTo(0.5);
        assertThat(second.get("seed").asInt()).isEqualTo(7);
        assertThat(record(portable.getMetadata().getId()).caller()).isEqualTo("tenant-1");
    }

    @Test
    void defaultOptionsOfAnyTypeAreTakenAndTheModelHandsOutACopyOfOurs() {
        LlmRotateSpringAiChatModel model = LlmRotateSpringAiChatModel.builder(openAiEngine(1))
                .defaultOptions(
                        ChatOptions.builder().model(GPT).temperature(0.4).build())
                .build();

        model.call(new Prompt("Hi"));

        assertThat(openai.requests().get(0).json().get("temperature").asDouble())
                .isEqualTo(0.4);
        LlmRotateChatOptions defaults = (LlmRotateChatOptions) model.getDefaultOptions();
        assertThat(defaults.getModel()).isEqualTo(GPT);
        defaults.setModel("changed"); // a copy: the model's own defaults stay
        assertThat(model.getDefaultOptions().getModel()).isEqualTo(GPT);
        assertThat(model).hasToString("LlmRotateSpringAiChatModel[" + GPT + "]");
    }

    @Test
    void aReasoningEffortGoesToTheProvider() {
        ChatModel model = model(openAiEngine(1));
        model.call(new Prompt(
                "Think",
                LlmRotateChatOptions.builder()
                        .model(O3)
                        .reasoningEffort(ReasoningEffort.HIGH)
                        .build()));
        assertThat(openai.requests().get(0).json().get("reasoning_effort").asText())
                .isEqualTo("high");
    }

    @Test
    void messagesOfEveryKindGoOutInTheProvidersForm() {
        openai.byDefault().always(FakeResponse.ok("18 C in Paris, 20 C in Rome."));
        ChatModel model = model(openAiEngine(1));
        String png = Base64.getEncoder().encodeToString(PNG);
        List<Message> conversation = List.of(
                new SystemMessage("You see images."),
                UserMessage.builder()
                        .text("What city is this? Weather there and in Rome?")
                        .media(new Media(
                                MimeTypeUtils.IMAGE_PNG, new org.springframework.core.io.ByteArrayResource(PNG)))
                        .build(),
                AssistantMessage.builder()
                        .content("Paris. Let me check.")
                        .toolCalls(List.of(
                                new AssistantMessage.ToolCall(
                                        "call_1", "function", "get_weather", "{\"city\":\"Paris\"}"),
                                new AssistantMessage.ToolCall(
                                        "call_2", "function", "get_weather", "{\"city\":\"Rome\"}")))
                        .build(),
                ToolResponseMessage.builder()
                        .responses(List.of(
                                new ToolResponseMessage.ToolResponse("call_1", "get_weather", "18 C"),
                                new ToolResponseMessage.ToolResponse("call_2", "get_weather", "20 C")))
                        .build());

        ChatResponse response = model.call(new Prompt(conversation));

        assertThat(response.getResult().getOutput().getText()).isEqualTo("18 C in Paris, 20 C in Rome.");
        JsonNode messages = openai.requests().get(0).json().get("messages");
        assertThat(messages).hasSize(5);
        assertThat(messages.at("/1/content/0/text").asText())
                .isEqualTo("What city is this? Weather there and in Rome?");
        assertThat(messages.at("/1/content/1/image_url/url").asText()).isEqualTo("data:image/png;base64," + png);
        assertThat(messages.at("/2/role").asText()).isEqualTo("assistant");
        assertThat(messages.at("/2/content").asText()).isEqualTo("Paris. Let me check.");
        assertThat(messages.at("/2/tool_calls/1/id").asText()).isEqualTo("call_2");
        assertThat(messages.at("/2/tool_calls/1/function/arguments").asText()).isEqualTo("{\"city\":\"Rome\"}");
        assertThat(messages.at("/3/tool_call_id").asText()).isEqualTo("call_1");
        assertThat(messages.at("/3/content").asText()).isEqualTo("18 C");
        assertThat(messages.at("/4/tool_call_id").asText()).isEqualTo("call_2");
        assertThat(messages.at("/4/content").asText()).isEqualTo("20 C");
    }

    @Test
    void aDataUrlImageIsInlineAndAnyOtherUrlIsRefused() {
        ChatModel model = model(openAiEngine(1));
        String png = Base64.getEncoder().encodeToString(PNG);
        model.call(new Prompt(UserMessage.builder()
                .text("What is it?")
                .media(Media.builder()
                        .mimeType(MimeTypeUtils.IMAGE_PNG)
                        .data("data:image/png;base64," + png)
                        .build())
                .build()));
        assertThat(openai.requests()
                        .get(0)
                        .json()
                        .at("/messages/0/content/1/image_url/url")
                        .asText())
                .isEqualTo("data:image/png;base64," + png);

        assertThatThrownBy(() -> model.call(new Prompt(UserMessage.builder()
                        .text("And this?")
                        .media(new Media(MimeTypeUtils.IMAGE_PNG, URI.create("https://example.com/cat.png")))
                        .build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("messages[0]: media URLs are not supported by llm-rotate, which sends media inline to"
                        + " every provider; give the media as bytes (or a Resource) with its MIME type");
        assertThatThrownBy(() -> model.call(new Prompt(UserMessage.builder()
                        .text("Listen")
                        .media(new Media(
                                MimeTypeUtils.parseMimeType("audio/wav"),
                                new org.springframework.core.io.ByteArrayResource(PNG)))
                        .build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("messages[0]: audio/wav media are not supported by llm-rotate (images and PDFs are)");
        assertThat(openai.requestCount()).isEqualTo(1);
    }

    @Test
    void optionsLlmRotateCannotSendAreRefusedBeforeAnythingIsSent() {
        ChatModel model = model(openAiEngine(1));
        assertThatThrownBy(() -> model.call(
                        new Prompt("Hi", ChatOptions.builder().topK(5).build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("topK is not supported by llm-rotate: its providers do not share it (a call may fall"
                        + " back to another provider); pass a provider's own field through LlmRotateChatOptions"
                        + " extra, e.g. \"anthropic:top_k\"");
        assertThatThrownBy(() -> model.call(new Prompt(
                        "Hi",
                        ChatOptions.builder().stopSequences(List.of("END")).build())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("stopSequences is not supported by llm-rotate")
                .hasMessageEndingWith("e.g. \"openai:stop\"");
        assertThatThrownBy(() -> model.call(new Prompt(
                        "Hi", ChatOptions.builder().frequencyPenalty(0.5).build())))
                .hasMessageStartingWith("frequencyPenalty is not supported");
        assertThatThrownBy(() -> model.call(new Prompt(
                        "Hi", ChatOptions.builder().presencePenalty(0.5).build())))
                .hasMessageStartingWith("presencePenalty is not supported");
        // Empty stop sequences are no stop sequences.
        model.call(
                new Prompt("Hi", ChatOptions.builder().stopSequences(List.of()).build()));
        assertThat(openai.requestCount()).isEqualTo(1);
    }

    @Test
    void toolCallsComeBackToTheCallerWhenInternalExecutionIsOff() {
        openai.byDefault()
                .always(FakeResponse.toolCall("call_7", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall("call_8", "get_weather", "{\"city\":\"Rome\"}"));
        ChatModel model = model(openAiEngine(1));
        Weather weather = new Weather();

        ChatResponse response = model.call(new Prompt(
                "Weather in Paris and Rome?",
                ToolCallingChatOptions.builder()
                        .toolCallbacks(weather.callbacks())
                        .internalToolExecutionEnabled(false)
                        .build()));

        AssistantMessage message = response.getResult().getOutput();
        assertThat(message.getText()).isNull(); // as Spring AI's own models answer a call without text
        assertThat(message.getToolCalls())
                .containsExactly(
                        new AssistantMessage.ToolCall("call_7", "function", "get_weather", "{\"city\":\"Paris\"}"),
                        new AssistantMessage.ToolCall("call_8", "function", "get_weather", "{\"city\":\"Rome\"}"));
        assertThat(response.getResult().getMetadata().getFinishReason()).isEqualTo("TOOL_CALLS");
        assertThat(weather.cities).isEmpty();
        assertThat(openai.requestCount()).isEqualTo(1);
        JsonNode tool = openai.requests().get(0).json().at("/tools/0/function");
        assertThat(tool.get("name").asText()).isEqualTo("get_weather");
        assertThat(tool.get("description").asText()).isEqualTo("Current weather for a city");
        assertThat(tool.at("/parameters/properties/city/type").asText()).isEqualTo("string");
        assertThat(tool.at("/parameters/required/0").asText()).isEqualTo("city");
    }

    @Test
    void signedReasoningComesBackInTheMessagesMetadataAndGoesBackToItsProviderOnTheNextTurn() {
        anthropic
                .byDefault()
                .next(FakeResponse.toolCall("toolu_1", "get_weather", "{\"city\":\"Paris\"}")
                        .withReasoning("The user wants the weather.", "sig-abc"))
                .next(FakeResponse.ok("18 C."));
        ChatModel model = LlmRotateSpringAiChatModel.builder(anthropicEngine())
                .defaultOptions(LlmRotateChatOptions.builder().model(CLAUDE).build())
                .build();
        Weather weather = new Weather();

        // Spring AI's tool loop sends the assistant message back as the model returned it.
        ChatResponse response = model.call(new Prompt(
                "Weather in Paris?",
                ToolCallingChatOptions.builder()
                        .toolCallbacks(weather.callbacks())
                        .build()));

        assertThat(response.getResult().getOutput().getText()).isEqualTo("18 C.");
        assertThat(weather.cities).containsExactly("Paris");
        JsonNode assistant = anthropic.requests().get(1).json().at("/messages/1");
        assertThat(assistant.toString())
                .isEqualTo(
                        "{\"role\":\"assistant\",\"content\":["
                                + "{\"type\":\"thinking\",\"thinking\":\"The user wants the weather.\",\"signature\":\"sig-abc\"},"
                                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]}");
        assertThat(TurnMetadata.reasoning(
                        Map.of(TurnMetadata.REASONING, List.of(Map.of("text", "t", "signature", "s")))))
                .containsExactly(new ContentPart.Reasoning("t", "s", null));
    }

    @Test
    void reasoningTextIsInTheMessagesMetadata() {
        anthropic.byDefault().always(FakeResponse.ok("Yes.").withReasoning("Let me see.", "sig-1"));
        ChatModel model = LlmRotateSpringAiChatModel.builder(anthropicEngine())
                .defaultOptions(LlmRotateChatOptions.builder().model(CLAUDE).build())
                .build();

        AssistantMessage message = model.call(new Prompt("Is it?")).getResult().getOutput();

        assertThat(message.getText()).isEqualTo("Yes.");
        assertThat(message.getMetadata()).containsEntry(Replies.REASONING_CONTENT, "Let me see.");
        assertThat(TurnMetadata.reasoning(message.getMetadata()))
                .containsExactly(new ContentPart.Reasoning("Let me see.", "sig-1", "anthropic"));
    }

    @Test
    void aStormOf429sRotatesKeysAndEveryCallIsAnswered() {
        openai.forKey(secret(1)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(2)).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(secret(3)).always(FakeResponse.ok("served by the third key"));
        ChatModel model = model(openAiEngine(3));

        List<ChatResponse> responses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            responses.add(model.call(new Prompt("Hi " + i)));
        }

        assertThat(responses)
                .allSatisfy(r -> assertThat(r.getResult().getOutput().getText()).isEqualTo("served by the third key"));
        ChatResponseMetadata first = responses.get(0).getMetadata();
        assertThat((String) first.get(LlmRotateSpringAiChatModel.KEY_ID)).isEqualTo("oa-3");
        assertThat((Integer) first.get(LlmRotateSpringAiChatModel.ROTATIONS)).isEqualTo(2);
        assertThat((Integer) first.get(LlmRotateSpringAiChatModel.ATTEMPTS)).isEqualTo(3);
        CallRecord record = record(first.getId());
        assertThat(record.keyId()).isEqualTo("oa-3");
        assertThat(record.rotations()).isEqualTo(2);
        // The two keys cool down: the next calls go straight to the third.
        assertThat(openai.requestCount(secret(1))).isEqualTo(1);
        assertThat(openai.requestCount(secret(2))).isEqualTo(1);
        assertThat(openai.requestCount(secret(3))).isEqualTo(5);
        assertThat(record(responses.get(4).getMetadata().getId()).rotations()).isZero();
    }

    @Test
    void aProviderWideStormFallsBackToAnthropicAndTheResponseNamesTheServedModel() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        anthropic.byDefault().always(FakeResponse.ok("Claude here", 9, 2));
        ChatModel model = model(fallbackEngine(2));

        ChatResponse response = model.call(new Prompt(List.of(new SystemMessage("Be brief."), new UserMessage("Hi"))));

        assertThat(response.getResult().getOutput().getText()).isEqualTo("Claude here");
        ChatResponseMetadata metadata = response.getMetadata();
        assertThat(metadata.getModel()).isEqualTo(CLAUDE);
        assertThat(metadata.getUsage().getTotalTokens()).isEqualTo(11);
        assertThat((String) metadata.get(LlmRotateSpringAiChatModel.PROVIDER)).isEqualTo("anthropic");
        assertThat((String) metadata.get(LlmRotateSpringAiChatModel.KEY_ID)).isEqualTo("ant-1");
        assertThat((Boolean) metadata.get(LlmRotateSpringAiChatModel.FALLBACK_USED))
                .isTrue();
        CallRecord record = record(metadata.getId());
        assertThat(record.fallbackUsed()).isTrue();
        assertThat(record.provider()).isEqualTo("anthropic");
        assertThat(openai.requestCount()).isEqualTo(2);
        JsonNode sent = anthropic.requests().get(0).json();
        assertThat(sent.get("model").asText()).isEqualTo(CLAUDE);
        assertThat(sent.get("system").toString()).contains("Be brief.");
    }

    @Test
    void usageTheProviderDidNotReportIsEmptyAsWithSpringAisOwnModels() {
        openai.byDefault().always(FakeResponse.ok("no usage").withUsage(0, 0, 0, 0));
        ChatResponse response = model(openAiEngine(1)).call(new Prompt("Hi"));
        assertThat(response.getMetadata().getUsage()).isInstanceOfAny(EmptyUsage.class, DefaultUsage.class);
        assertThat((long) response.getMetadata().getUsage().getTotalTokens())
                .isEqualTo(record(response.getMetadata().getId()).totalTokens());
    }

    @Test
    void aPinnedProviderAndAPerCallDeadlineGoIntoTheRequest() {
        ChatModel model = model(fallbackEngine(1));
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));

        // Pinned to OpenAI: no fallback to Anthropic, the rate limit is the answer.
        assertThatThrownBy(() -> model.call(new Prompt(
                        "Hi",
                        LlmRotateChatOptions.builder()
                                .provider("openai")
                                .deadline(Duration.ofSeconds(5))
                                .build())))
                .isInstanceOf(org.springframework.ai.retry.TransientAiException.class);
        assertThat(anthropic.requestCount()).isZero();
    }

    @Test
    void aBadDefaultFailsTheBuilderNamingIt() {
        LlmRotate lm = openAiEngine(1);
        assertThatThrownBy(() -> LlmRotateSpringAiChatModel.builder(lm)
                        .defaultOptions(
                                LlmRotateChatOptions.builder().maxTokens(0).build())
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTokens must be positive, got 0");
        assertThatThrownBy(() -> LlmRotateSpringAiChatModel.builder(lm)
                        .defaultOptions(
                                LlmRotateChatOptions.builder().model(" ").build())
                        .build())
                .hasMessage("model must not be blank");
        assertThatThrownBy(() -> LlmRotateSpringAiChatModel.builder(lm)
                        .defaultOptions(LlmRotateChatOptions.builder()
                                .caller("tenant 42")
                                .build())
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("caller must be 1 to 64 letters, digits, '.', '_', ':', '@' or '-', got 'tenant 42'");
        assertThatThrownBy(() -> LlmRotateSpringAiChatModel.builder(lm)
                        .defaultOptions(ChatOptions.builder().topK(3).build())
                        .build())
                .hasMessageStartingWith("topK is not supported by llm-rotate");
        assertThatThrownBy(() -> LlmRotateSpringAiChatModel.builder(lm).build().call("Hi"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no model for the call");
        assertThat(openai.requestCount()).isZero();
    }
}

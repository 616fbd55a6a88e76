package dev.llmrotate.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.ModelCapability;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The built-in table (rows from the providers' model pages, cited in ModelCapabilities) and the overrides. */
class ModelCapabilitiesTest {
    @ParameterizedTest(name = "{0} {1}: lacks [{2}]")
    @CsvSource(
            delimiter = '|',
            value = {
                // OpenAI models page, function-calling and structured-outputs guides
                "openai|o1-mini|tools, json_schema, json_object, images",
                "openrouter|openai/o1-mini|tools, json_schema, json_object, images",
                "openai|o3-mini|images",
                "openai|gpt-3.5-turbo-instruct|tools, json_schema, json_object, reasoning, images",
                "openai|text-embedding-3-small|tools, json_schema, json_object, reasoning, images",
                "openai|gpt-3.5-turbo-0125|json_schema, reasoning, images",
                "azure_openai|gpt-35-turbo|json_schema, reasoning, images",
                "openai|gpt-4|json_schema, json_object, reasoning, images",
                "openai|gpt-4-turbo|json_schema, reasoning",
                "openai|gpt-4o-2024-05-13|json_schema, reasoning",
                "openai|gpt-4o-mini|reasoning",
                "openai|gpt-4.1|reasoning",
                "openai|o3|''",
                "openai|gpt-5-mini|''",
                // Anthropic models overview, extended thinking and structured outputs
                "anthropic|claude-2.1|tools, json_schema, reasoning, images",
                "anthropic|claude-3-7-sonnet-20250219|json_schema",
                "anthropic|claude-3-5-haiku-20241022|json_schema, reasoning",
                "openrouter|anthropic/claude-3.5-haiku|json_schema, reasoning",
                "anthropic|claude-sonnet-4-20250514|json_schema",
                "anthropic|claude-sonnet-4-5|''",
                "anthropic|claude-haiku-4-5|''",
                // Bedrock Converse: supported models and model features
                "aws_bedrock|us.anthropic.claude-3-5-haiku-20241022-v1:0|json_schema, reasoning",
                "aws_bedrock|anthropic.claude-sonnet-4-20250514-v1:0|json_schema",
                "aws_bedrock|anthropic.claude-v2:1|tools, json_schema, reasoning, images",
                "aws_bedrock|amazon.titan-text-express-v1|tools, json_schema, reasoning, images",
                "aws_bedrock|amazon.nova-micro-v1:0|images",
                "aws_bedrock|eu.amazon.nova-lite-v1:0|''",
                // Gemini models and thinking pages
                "google_ai_studio|gemini-2.0-flash|reasoning",
                "google_vertex|gemini-1.5-pro-002|reasoning",
                "google_ai_studio|gemini-2.5-flash|''",
                "google_ai_studio|gemini-1.0-pro|json_schema, json_object, reasoning",
                // a row applies to the providers that serve the family under these ids only
                "anthropic|o1-mini|''",
                "openai|my-gpt4o-deployment|''",
            })
    void theTableRefusesOnlyWhatTheProvidersDocument(String provider, String model, String lacks) {
        int capabilities = ModelCapabilities.of(provider, model, null);
        assertThat(ModelCapabilities.names(ModelCapabilities.ALL & ~capabilities))
                .isEqualTo(lacks);
    }

    @Test
    void overridesWinOverTheTableBothWays() {
        int o1 = ModelCapabilities.of(
                "openai", "o1-mini", Map.of(ModelCapability.TOOLS, true, ModelCapability.REASONING, false));
        assertThat(ModelCapabilities.names(ModelCapabilities.ALL & ~o1))
                .isEqualTo("json_schema, json_object, reasoning, images");
        assertThat(ModelCapabilities.of("azure_openai", "prod-chat", Map.of(ModelCapability.IMAGES, false)))
                .isEqualTo(ModelCapabilities.ALL & ~(1 << ModelCapability.IMAGES.ordinal()));
    }

    @Test
    void whatARequestUses() {
        ToolDefinition tool = ToolDefinition.builder("f")
                .parametersJson("{\"type\":\"object\"}")
                .build();
        assertThat(used(ChatRequest.builder("m").user("hi").build())).isEmpty();
        assertThat(used(ChatRequest.builder("m").user("hi").tools(tool).build()))
                .isEqualTo("tools");
        // a conversation holding tool calls and results needs tools even without definitions
        assertThat(used(ChatRequest.builder("m")
                        .user("hi")
                        .message(ChatMessage.assistant("", List.of(new ToolCall("c1", "f", "{}"))))
                        .message(ChatMessage.toolResult("c1", "done"))
                        .build()))
                .isEqualTo("tools");
        assertThat(used(ChatRequest.builder("m")
                        .user("hi")
                        .responseFormat(ResponseFormat.jsonSchema("r", Map.of("type", "object")))
                        .build()))
                .isEqualTo("json_schema");
        assertThat(used(ChatRequest.builder("m")
                        .user("hi")
                        .responseFormat(ResponseFormat.JSON_OBJECT)
                        .build()))
                .isEqualTo("json_object");
        assertThat(used(ChatRequest.builder("m")
                        .user("hi")
                        .responseFormat(ResponseFormat.TEXT)
                        .build()))
                .isEmpty();
        assertThat(used(ChatRequest.builder("m")
                        .user("hi")
                        .reasoningEffort(ReasoningEffort.LOW)
                        .build()))
                .isEqualTo("reasoning");
        assertThat(used(ChatRequest.builder("m").user("hi").thinkingBudget(0).build()))
                .isEqualTo("reasoning");
        assertThat(used(ChatRequest.builder("m")
                        .message(ChatMessage.user(
                                ContentPart.text("what is it?"), ContentPart.image(new byte[] {1, 2}, "image/png")))
                        .build()))
                .isEqualTo("images");
        assertThat(used(ChatRequest.builder("m")
                        .message(ChatMessage.user(ContentPart.file("gs://b/cat.jpg", "image/jpeg")))
                        .build()))
                .isEqualTo("images");
        assertThat(used(ChatRequest.builder("m")
                        .message(ChatMessage.user(ContentPart.file("gs://b/doc.pdf", "application/pdf")))
                        .build()))
                .isEmpty();
    }

    @Test
    void whatARouteLacksForARequest() {
        ChatRequest picture = ChatRequest.builder("m")
                .message(ChatMessage.user(ContentPart.image(new byte[] {1}, "image/png")))
                .reasoningEffort(ReasoningEffort.HIGH)
                .build();
        int gpt4oMini = ModelCapabilities.of("openai", "gpt-4o-mini", null); // lacks reasoning only
        int o3Mini = ModelCapabilities.of("openai", "o3-mini", null); // lacks images only
        int o1Mini = ModelCapabilities.of("openai", "o1-mini", null);
        assertThat(ModelCapabilities.names(ModelCapabilities.missing(picture, gpt4oMini)))
                .isEqualTo("reasoning");
        assertThat(ModelCapabilities.names(ModelCapabilities.missing(picture, o3Mini)))
                .isEqualTo("images");
        assertThat(ModelCapabilities.names(ModelCapabilities.missing(picture, o1Mini)))
                .isEqualTo("images");
        assertThat(ModelCapabilities.missing(picture, ModelCapabilities.ALL)).isZero();
        assertThat(ModelCapabilities.missing(ChatRequest.builder("m").user("hi").build(), o1Mini))
                .isZero();
    }

    private static String used(ChatRequest request) {
        return ModelCapabilities.names(ModelCapabilities.used(request));
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.internal.provider.anthropic.AnthropicAdapter;
import dev.llmrotate.internal.provider.tools.ToolCallIds;
import dev.llmrotate.testkit.BedrockResponses;
import dev.llmrotate.testkit.EventStreamEncoder;
import dev.llmrotate.testkit.FakeBedrockServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedTool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tools, reasoning and structured output through Bedrock's Converse and ConverseStream, over loopback to the fake
 * Bedrock server (SigV4-signed), request bodies checked field by field against the Bedrock Runtime API reference
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/):
 *
 * <ul>
 *   <li>{@code ToolConfiguration} ({@code tools}, {@code toolChoice}), {@code ToolSpecification} ({@code name},
 *       {@code description}, {@code inputSchema: {json}}, {@code strict}), {@code ToolChoice} (a union of {@code
 *       auto: {}}, {@code any: {}}, {@code tool: {name}}; no "none");
 *   <li>{@code ContentBlock} {@code toolUse} ({@code ToolUseBlock}: {@code toolUseId}, {@code name}, {@code input})
 *       and {@code toolResult} ({@code ToolResultBlock}: {@code toolUseId} matching {@code [a-zA-Z0-9_-]+}, at most
 *       64; {@code content}, a list of {@code ToolResultContentBlock} {@code text} / {@code json} / {@code image} /
 *       {@code document}); {@code stopReason} {@code tool_use};
 *   <li>ConverseStream: {@code ContentBlockStartEvent.start.toolUse} ({@code ToolUseBlockStart}: {@code toolUseId},
 *       {@code name}), {@code ContentBlockDeltaEvent.delta.toolUse.input} (a string piece), {@code
 *       delta.reasoningContent} ({@code ReasoningContentBlockDelta}: {@code text}, {@code signature} or {@code
 *       redactedContent}), {@code ContentBlockStopEvent};
 *   <li>{@code ReasoningContentBlock} ({@code reasoningText: {text, signature}} or {@code redactedContent}, base64),
 *       passed back unchanged on the next turn, as the extended-thinking guide
 *       (https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html) asks; Claude's
 *       {@code thinking} ({@code budget_tokens} below the maximum tokens, no forced tool use) and {@code
 *       output_config.effort} in {@code additionalModelRequestFields};
 *   <li>{@code OutputConfig.textFormat} ({@code OutputFormat}: {@code type} {@code json_schema}, {@code structure:
 *       {jsonSchema: JsonSchemaDefinition {schema (a string), name}}}), the Converse form of structured outputs
 *       (https://docs.aws.amazon.com/bedrock/latest/userguide/structured-output.html).
 * </ul>
 */
class BedrockToolsLoopbackTest extends EngineTestSupport {
    private static final String MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private static final String NOVA = "amazon.nova-pro-v1:0";
    private static final String ACCESS_KEY = "AKIAFAKEKEYAAAA1";
    private static final String SECRET_KEY = "secret/a+0123456789abcdef";
    private static final String CREDENTIALS =
            "{\"access_key_id\":\"" + ACCESS_KEY + "\",\"secret_access_key\":\"" + SECRET_KEY + "\"}";
    private static final ToolDefinition WEATHER = ToolDefinition.builder("get_weather")
            .description("Current weather for a city")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                    + "\"required\":[\"city\"],\"additionalProperties\":false}")
            .strict(true)
            .build();
    private static final ToolDefinition TIME = ToolDefinition.builder("get_time")
            .parametersJson("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}")
            .build();
    /** Bedrock's own id form (Claude on Bedrock answers {@code tooluse_…}). */
    private static final String TOOLUSE = "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q";

    private FakeBedrockServer bedrock;

    @BeforeEach
    void startBedrock() {
        bedrock = FakeBedrockServer.start().acceptCredentials(ACCESS_KEY, SECRET_KEY);
    }

    @AfterEach
    void stopBedrock() {
        bedrock.close();
    }

    private static KeySpec bedrockKey(String... models) {
        return KeySpec.builder("bedrock-a", "aws_bedrock")
                .secretRef(SecretRef.parse("env://BEDROCK_A", name -> CREDENTIALS))
                .authConfig("region", "us-east-1")
                .models(models)
                .build();
    }

    private LlmRotateConfig.Builder bedrockConfig(KeySpec... keys) {
        return config(SelectionStrategyType.PRIORITY, keys)
                .provider(
                        "aws_bedrock",
                        s -> s.withBaseUrl(bedrock.baseUrl())
                                .withRequestTimeout(Duration.ofSeconds(5))
                                .withFirstChunkTimeout(Duration.ofSeconds(2))
                                .withStreamIdleTimeout(Duration.ofSeconds(1)));
    }

    private LlmRotate lm() {
        return engine(bedrockConfig(bedrockKey(MODEL, NOVA)).build());
    }

    private static ChatRequest.Builder question() {
        return ChatRequest.builder(MODEL).user("What is the weather in Paris?");
    }

    private JsonNode sent(int i) {
        return bedrock.requests().get(i).json();
    }

    @Test
    void aTwoTurnToolConversation() {
        bedrock.byDefault()
                .next(FakeResponse.ok("I'll check.")
                        .withToolCall(TOOLUSE, "get_weather", "{\"city\":\"Paris\"}")
                        .withFinishReason("tool_calls"))
                .next(FakeResponse.ok("It is 18 C in Paris."));
        LlmRotate lm = lm();
        ChatRequest turn1 =
                question().tools(WEATHER, TIME).toolChoice(ToolChoice.AUTO).build();

        ChatResponse first = lm.chat(turn1);

        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS); // stopReason tool_use
        assertThat(first.content()).isEqualTo("I'll check.");
        assertThat(first.toolCalls()).containsExactly(new ToolCall(TOOLUSE, "get_weather", "{\"city\":\"Paris\"}"));
        // ToolConfiguration: tools[] of the Tool union's toolSpec member; toolChoice the ToolChoice union.
        assertThat(sent(0).get("toolConfig").toString())
                .isEqualTo("{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\","
                        + "\"description\":\"Current weather for a city\",\"inputSchema\":{\"json\":"
                        + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                        + "\"required\":[\"city\"],\"additionalProperties\":false}},\"strict\":true}},"
                        + "{\"toolSpec\":{\"name\":\"get_time\",\"inputSchema\":{\"json\":{\"type\":\"object\","
                        + "\"properties\":{\"city\":{\"type\":\"string\"}}}}}}],\"toolChoice\":{\"auto\":{}}}");
        // The fake records the definitions it received, read from toolSpec.
        List<RecordedTool> recorded = bedrock.requests().get(0).tools();
        assertThat(recorded).extracting(RecordedTool::name).containsExactly("get_weather", "get_time");
        assertThat(recorded.get(0).description()).isEqualTo("Current weather for a city");
        assertThat(recorded.get(0).strict()).isTrue();
        assertThat(recorded.get(1).parameters().toString())
                .isEqualTo("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}");

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult(TOOLUSE, "18 C, sunny"));
        ChatResponse second = lm.chat(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        assertThat(second.content()).isEqualTo("It is 18 C in Paris.");
        assertThat(second.finishReason()).isEqualTo(FinishReason.STOP);
        JsonNode body2 = sent(1);
        assertThat(body2.at("/toolConfig/tools")).hasSize(2); // required while messages carry tool blocks
        assertThat(body2.at("/toolConfig").has("toolChoice")).isFalse();
        JsonNode messages = body2.get("messages");
        assertThat(messages).hasSize(3);
        // The call goes back as a ToolUseBlock, input an object; the result as a ToolResultBlock in a user message.
        assertThat(messages.get(1).toString())
                .isEqualTo("{\"role\":\"assistant\",\"content\":[{\"text\":\"I'll check.\"},{\"toolUse\":"
                        + "{\"toolUseId\":\"" + TOOLUSE + "\",\"name\":\"get_weather\","
                        + "\"input\":{\"city\":\"Paris\"}}}]}");
        assertThat(messages.get(2).toString())
                .isEqualTo("{\"role\":\"user\",\"content\":[{\"toolResult\":{\"toolUseId\":\"" + TOOLUSE
                        + "\",\"content\":[{\"text\":\"18 C, sunny\"}]}}]}");
    }

    @Test
    void aStreamedTurnWithReasoningAndAToolCallThenItsResult() {
        String signature = "EqQBCgIYAhIM1gbcDa9GJwZA";
        String redacted = "ZW5jcnlwdGVkIHJlYXNvbmluZw=="; // a blob, base64 like every Converse blob
        bedrock.byDefault()
                .next(FakeResponse.toolCall(TOOLUSE, "get_weather", "{\"city\":\"Paris\"}")
                        .withReasoning("The user wants the weather.", signature)
                        .withRedactedReasoning(redacted)
                        .withUsage(50, 120, 0, 0))
                .next(FakeResponse.ok("18 C.").withChunks("18", " C."));
        LlmRotate lm = lm();
        ChatRequest turn1 = question().tools(WEATHER).thinkingBudget(2048).build();

        List<StreamChunk> chunks = new ArrayList<>();
        ChatResponse first;
        try (ChatStream stream = lm.chatStream(turn1)) {
            stream.forEach(chunks::add);
            first = stream.collect();
        }

        StringBuilder reasoning = new StringBuilder();
        List<ToolCallDelta> deltas = new ArrayList<>();
        for (StreamChunk chunk : chunks) {
            reasoning.append(chunk.reasoningDelta());
            deltas.addAll(chunk.toolCallDeltas());
        }
        assertThat(reasoning.toString()).isEqualTo("The user wants the weather.");
        // contentBlockStart's start.toolUse gives the id and name; each delta.toolUse.input more of the arguments.
        assertThat(deltas.get(0)).isEqualTo(new ToolCallDelta(0, TOOLUSE, "get_weather", ""));
        assertThat(deltas.subList(1, deltas.size()))
                .extracting(ToolCallDelta::argumentsDelta)
                .containsExactly("{\"city\":", "\"Paris\"}");
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.content()).isEmpty();
        assertThat(first.toolCalls()).containsExactly(new ToolCall(TOOLUSE, "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(first.reasoning())
                .containsExactly(
                        new ContentPart.Reasoning("The user wants the weather.", signature, "aws_bedrock"),
                        new ContentPart.RedactedReasoning(redacted, "aws_bedrock"));
        assertThat(first.usage().outputTokens()).isEqualTo(120);
        assertThat(first.usage().reasoningTokens()).isZero(); // Bedrock does not count reasoning apart
        JsonNode body1 = sent(0);
        assertThat(bedrock.requests().get(0).path()).endsWith("/converse-stream");
        // Claude's thinking is a model parameter: additionalModelRequestFields; maxTokens must exceed the budget.
        assertThat(body1.get("additionalModelRequestFields").toString())
                .isEqualTo("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2048}}");
        assertThat(body1.at("/inferenceConfig/maxTokens").asInt())
                .isEqualTo(2048 + AnthropicAdapter.DEFAULT_MAX_TOKENS);

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult(TOOLUSE, "18 C"));
        try (ChatStream stream = lm.chatStream(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER)
                .thinkingBudget(2048)
                .build())) {
            assertThat(stream.collect().content()).isEqualTo("18 C.");
        }
        // The reasoning blocks go back first, text and signature unchanged, before the toolUse block they led to.
        assertThat(sent(1).at("/messages/1").toString())
                .isEqualTo("{\"role\":\"assistant\",\"content\":[{\"reasoningContent\":{\"reasoningText\":"
                        + "{\"text\":\"The user wants the weather.\",\"signature\":\"" + signature + "\"}}},"
                        + "{\"reasoningContent\":{\"redactedContent\":\"" + redacted + "\"}},"
                        + "{\"toolUse\":{\"toolUseId\":\"" + TOOLUSE + "\",\"name\":\"get_weather\","
                        + "\"input\":{\"city\":\"Paris\"}}}]}");
    }

    @Test
    void reasoningOfAPlainAnswerIsKeptWithItsSignature() {
        bedrock.byDefault()
                .always(FakeResponse.ok("42")
                        .withReasoning("Six times seven.", "sig-plain")
                        .withRedactedReasoning("cmVkYWN0ZWQ="));
        ChatResponse response = lm().chat(question().thinkingBudget(1024).build());
        assertThat(response.content()).isEqualTo("42");
        assertThat(response.reasoningText()).isEqualTo("Six times seven.");
        assertThat(response.message().content())
                .containsExactly(
                        new ContentPart.Reasoning("Six times seven.", "sig-plain", "aws_bedrock"),
                        new ContentPart.RedactedReasoning("cmVkYWN0ZWQ=", "aws_bedrock"),
                        new ContentPart.Text("42"));
    }

    @Test
    void aStreamAsBedrockSendsItEventByEvent() {
        // A reasoning block whose redacted data and signature come in pieces, a text block, a tool use block whose
        // input comes in three pieces; the blocks numbered by contentBlockIndex, as ConverseStream sends them.
        bedrock.byDefault()
                .always(BedrockResponses.eventStream(
                        EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}"),
                        delta(0, "{\"reasoningContent\":{\"text\":\"Think\"}}"),
                        delta(0, "{\"reasoningContent\":{\"text\":\"ing.\"}}"),
                        delta(0, "{\"reasoningContent\":{\"redactedContent\":\"AAEC\"}}"),
                        delta(0, "{\"reasoningContent\":{\"redactedContent\":\"AwQF\"}}"),
                        delta(0, "{\"reasoningContent\":{\"signature\":\"sig-1\"}}"),
                        stop(0),
                        delta(1, "{\"text\":\"Checking.\"}"),
                        stop(1),
                        EventStreamEncoder.event(
                                "contentBlockStart",
                                "{\"contentBlockIndex\":2,\"start\":{\"toolUse\":{\"toolUseId\":\"" + TOOLUSE
                                        + "\",\"name\":\"get_weather\"}}}"),
                        delta(2, "{\"toolUse\":{\"input\":\"\"}}"),
                        delta(2, "{\"toolUse\":{\"input\":\"{\\\"city\\\":\"}}"),
                        delta(2, "{\"toolUse\":{\"input\":\"\\\"Paris\\\"}\"}}"),
                        stop(2),
                        EventStreamEncoder.event("messageStop", "{\"stopReason\":\"tool_use\"}"),
                        EventStreamEncoder.event(
                                "metadata",
                                "{\"usage\":{\"inputTokens\":12,\"outputTokens\":30,\"totalTokens\":42},"
                                        + "\"metrics\":{\"latencyMs\":5}}")));
        List<StreamChunk> chunks = new ArrayList<>();
        ChatResponse answer;
        try (ChatStream stream = lm().chatStream(question().tools(WEATHER).build())) {
            stream.forEach(chunks::add);
            answer = stream.collect();
        }
        assertThat(chunks).extracting(StreamChunk::reasoningDelta).contains("Think", "ing.");
        assertThat(answer.content()).isEqualTo("Checking.");
        assertThat(answer.reasoning())
                .containsExactly(
                        new ContentPart.Reasoning("Thinking.", "sig-1", "aws_bedrock"),
                        // the blob's pieces joined: bytes 0..5
                        new ContentPart.RedactedReasoning("AAECAwQF", "aws_bedrock"));
        assertThat(answer.toolCalls()).containsExactly(new ToolCall(TOOLUSE, "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(answer.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(answer.usage().outputTokens()).isEqualTo(30);
    }

    @Test
    void aToolInputForABlockThatDidNotStartAsAToolUseIsAMalformedStream() {
        bedrock.byDefault()
                .always(BedrockResponses.eventStream(
                        EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}"),
                        delta(0, "{\"text\":\"Checking.\"}"),
                        stop(0),
                        delta(1, "{\"toolUse\":{\"input\":\"{}\"}}"),
                        stop(1),
                        EventStreamEncoder.event("messageStop", "{\"stopReason\":\"tool_use\"}")));
        LlmRotate lm = lm();
        assertThatThrownBy(() -> {
                    try (ChatStream stream =
                            lm.chatStream(question().tools(WEATHER).build())) {
                        stream.collect();
                    }
                })
                .isInstanceOfSatisfying(
                        LlmRotateException.class,
                        e -> assertThat(e.errorType()).isEqualTo(ErrorType.STREAM_INTERRUPTED))
                .hasMessageContaining("malformed stream event");
    }

    private static byte[] delta(int index, String delta) {
        return EventStreamEncoder.event(
                "contentBlockDelta", "{\"contentBlockIndex\":" + index + ",\"delta\":" + delta + "}");
    }

    private static byte[] stop(int index) {
        return EventStreamEncoder.event("contentBlockStop", "{\"contentBlockIndex\":" + index + "}");
    }

    @Test
    void parallelCallsAndTheirResultsInOneUserMessage() {
        bedrock.byDefault()
                .next(FakeResponse.toolCall("tooluse_a", "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall("tooluse_b", "get_time", "{\"city\":\"Paris\"}"))
                .next(FakeResponse.ok("18 C at 14:00."));
        LlmRotate lm = lm();
        ChatRequest turn1 =
                question().tools(WEATHER, TIME).parallelToolCalls(true).build();
        ChatResponse first = lm.chat(turn1);
        assertThat(first.toolCalls()).extracting(ToolCall::id).containsExactly("tooluse_a", "tooluse_b");
        // Converse has no parallel switch: true, what the models do anyway, adds nothing.
        assertThat(sent(0).get("toolConfig").has("toolChoice")).isFalse();
        assertThat(sent(0).get("toolConfig").size()).isEqualTo(1);

        List<ChatMessage> conversation = new ArrayList<>(turn1.messages());
        conversation.add(first.message());
        conversation.add(ChatMessage.toolResult("tooluse_a", "18 C"));
        conversation.add(ChatMessage.toolResult("tooluse_b", "14:00"));
        conversation.add(ChatMessage.user("Be brief."));
        lm.chat(ChatRequest.builder(MODEL)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        // Roles alternate in Converse: both results, then the user's words, make one user message.
        JsonNode messages = sent(1).get("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.at("/1/content")).hasSize(2);
        assertThat(messages.at("/1/content/0/text").isMissingNode()).isTrue(); // no blank text block
        assertThat(messages.at("/2/role").asText()).isEqualTo("user");
        assertThat(messages.at("/2/content").toString())
                .isEqualTo("[{\"toolResult\":{\"toolUseId\":\"tooluse_a\",\"content\":[{\"text\":\"18 C\"}]}},"
                        + "{\"toolResult\":{\"toolUseId\":\"tooluse_b\",\"content\":[{\"text\":\"14:00\"}]}},"
                        + "{\"text\":\"Be brief.\"}]");
    }

    @Test
    void aToolResultWithAnImage() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        ToolCall call = new ToolCall(TOOLUSE, "get_weather", "{\"city\":\"Paris\"}");
        lm().chat(question()
                .message(ChatMessage.assistant(null, List.of(call)))
                .message(
                        ChatMessage.toolResult(TOOLUSE, ContentPart.text("radar"), ContentPart.image(png, "image/png")))
                .tools(WEATHER)
                .build());
        // ToolResultContentBlock: text and image members.
        assertThat(sent(0).at("/messages/2/content/0/toolResult/content").toString())
                .isEqualTo(
                        "[{\"text\":\"radar\"},{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw==\"}}}]");
    }

    @Test
    void forcedToolChoicesAndNone() {
        LlmRotate lm = lm();
        lm.chat(question()
                .tools(WEATHER, TIME)
                .toolChoice(ToolChoice.tool("get_time"))
                .build());
        lm.chat(question().tools(WEATHER).toolChoice(ToolChoice.REQUIRED).build());
        lm.chat(question().tools(WEATHER).toolChoice(ToolChoice.NONE).build());
        assertThat(sent(0).at("/toolConfig/toolChoice").toString()).isEqualTo("{\"tool\":{\"name\":\"get_time\"}}");
        assertThat(sent(1).at("/toolConfig/toolChoice").toString()).isEqualTo("{\"any\":{}}");
        // Converse has no "none": the model is shown no tool, so it calls none.
        assertThat(sent(2).has("toolConfig")).isFalse();
    }

    @Test
    void jsonSchemaOutputAndClaudesEffort() {
        bedrock.byDefault().always(FakeResponse.ok("{\"city\":\"Paris\"}"));
        ChatResponse response = lm().chat(question()
                .responseFormat(ResponseFormat.jsonSchema(
                        "weather",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
                                + "\"required\":[\"city\"],\"additionalProperties\":false}",
                        true))
                .reasoningEffort(ReasoningEffort.MEDIUM)
                .build());
        assertThat(response.content()).isEqualTo("{\"city\":\"Paris\"}");
        JsonNode body = sent(0);
        // OutputConfig.textFormat: JsonSchemaDefinition.schema is a string holding the schema.
        assertThat(body.get("outputConfig").toString())
                .isEqualTo("{\"textFormat\":{\"type\":\"json_schema\",\"structure\":{\"jsonSchema\":{\"schema\":"
                        + "\"{\\\"type\\\":\\\"object\\\",\\\"properties\\\":{\\\"city\\\":{\\\"type\\\":"
                        + "\\\"string\\\"}},\\\"required\\\":[\\\"city\\\"],\\\"additionalProperties\\\":false}\","
                        + "\"name\":\"weather\"}}}}");
        assertThat(body.get("additionalModelRequestFields").toString())
                .isEqualTo("{\"output_config\":{\"effort\":\"medium\"}}");
    }

    @Test
    void thinkingOffAdaptiveAnExplicitMaxTokensAndExtraBesideIt() {
        LlmRotate lm = lm();
        lm.chat(question().thinkingBudget(0).build());
        lm.chat(question().thinkingBudget(-1).build());
        lm.chat(question()
                .thinkingBudget(1024)
                .maxTokens(3000)
                .extra("top_k", 5)
                .build());
        assertThat(sent(0).get("additionalModelRequestFields").toString())
                .isEqualTo("{\"thinking\":{\"type\":\"disabled\"}}");
        assertThat(sent(0).has("inferenceConfig")).isFalse();
        assertThat(sent(1).get("additionalModelRequestFields").toString())
                .isEqualTo("{\"thinking\":{\"type\":\"adaptive\"}}");
        assertThat(sent(2).at("/inferenceConfig/maxTokens").asInt()).isEqualTo(3000);
        assertThat(sent(2).get("additionalModelRequestFields").toString())
                .isEqualTo("{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"top_k\":5}");
    }

    @Test
    void otherProvidersIdsAreTranslatedAndTheirReasoningLeftOut() {
        String foreignId = "functions.get_weather:0";
        ChatMessage assistant = new ChatMessage(
                "assistant",
                List.of(
                        new ContentPart.Reasoning("unsigned", null, "aws_bedrock"),
                        new ContentPart.Reasoning("claude thought", "c2ln", "anthropic"),
                        new ContentPart.RedactedReasoning("b3RoZXI=", "anthropic")),
                List.of(new ToolCall(foreignId, "get_weather", "{\"city\":\"Paris\"}")),
                null);
        lm().chat(question()
                .message(assistant)
                .message(ChatMessage.toolResult(foreignId, "18 C"))
                .tools(WEATHER)
                .build());
        JsonNode messages = sent(0).get("messages");
        String portable = ToolCallIds.portable(foreignId);
        assertThat(portable).matches("[a-zA-Z0-9_-]{1,64}"); // ToolUseBlock.toolUseId's pattern and length
        assertThat(messages.at("/1/content")).hasSize(1);
        assertThat(messages.at("/1/content/0/toolUse/toolUseId").asText()).isEqualTo(portable);
        assertThat(messages.at("/2/content/0/toolResult/toolUseId").asText()).isEqualTo(portable);
    }

    @Test
    void failFastRowsSendNothing() {
        LlmRotate lm = lm();
        ToolCall call = new ToolCall("tooluse_x", "get_weather", "{\"city\":\"Paris\"}");
        assertInvalid(
                lm,
                question().responseFormat(ResponseFormat.JSON_OBJECT).build(),
                "response format json_object is not supported by aws_bedrock");
        assertInvalid(
                lm,
                question().reasoningEffort(ReasoningEffort.XHIGH).build(),
                "reasoningEffort XHIGH is not supported by aws_bedrock");
        assertInvalid(
                lm,
                question().tools(WEATHER).parallelToolCalls(false).build(),
                "parallelToolCalls false is not supported by aws_bedrock");
        assertInvalid(
                lm,
                question()
                        .message(ChatMessage.assistant(null, List.of(call)))
                        .message(ChatMessage.toolResult("tooluse_x", "18 C"))
                        .tools(WEATHER)
                        .toolChoice(ToolChoice.NONE)
                        .build(),
                "toolChoice NONE is not supported by aws_bedrock in a conversation that carries tool calls");
        assertInvalid(
                lm,
                question()
                        .tools(WEATHER)
                        .toolChoice(ToolChoice.tool("get_weather"))
                        .thinkingBudget(2048)
                        .build(),
                "aws_bedrock does not take a tool choice that forces tool use (TOOL) together with thinking");
        assertInvalid(
                lm,
                question().thinkingBudget(4096).maxTokens(4096).build(),
                "aws_bedrock needs maxTokens (4096) greater than the thinking budget (4096)");
        assertInvalid(
                lm,
                question()
                        .message(ChatMessage.assistant(null, List.of(call)))
                        .message(ChatMessage.toolResult("tooluse_x", "18 C"))
                        .build(),
                "aws_bedrock needs the tool definitions (tools)");
        assertInvalid(
                lm,
                question()
                        .message(ChatMessage.assistant(null, List.of(new ToolCall("tooluse_y", "get_weather", "[1]"))))
                        .message(ChatMessage.toolResult("tooluse_y", "18 C"))
                        .tools(WEATHER)
                        .build(),
                "tool call tooluse_y (get_weather) has arguments that are not a JSON object");
        assertInvalid(
                lm,
                question()
                        .responseFormat(ResponseFormat.jsonSchema("w", Map.of("type", "object")))
                        .extra("outputConfig", Map.of("textFormat", Map.of()))
                        .build(),
                "responseFormat and extra 'outputConfig' both set the same request field");
        // Thinking is Claude's parameter: another family's model is refused when the attempt is built.
        assertInvalid(
                lm,
                ChatRequest.builder(NOVA).user("Hi").thinkingBudget(1024).build(),
                "thinkingBudget is supported by aws_bedrock for Anthropic Claude models only");
        assertInvalid(
                lm,
                ChatRequest.builder(NOVA)
                        .user("Hi")
                        .reasoningEffort(ReasoningEffort.LOW)
                        .build(),
                "reasoningEffort is supported by aws_bedrock for Anthropic Claude models only");
        assertThat(bedrock.requestCount()).isZero();
    }

    @Test
    void extrasStillPassTheRawForms() {
        // Without first-class fields, extra passes Converse's own forms: a toolConfig, a Nova reasoningConfig.
        lm().chat(ChatRequest.builder(NOVA)
                .user("Hi")
                .extra("toolConfig", Map.of("tools", List.of()))
                .extra("reasoningConfig", Map.of("type", "enabled", "maxReasoningEffort", "low"))
                .build());
        assertThat(sent(0).get("toolConfig").toString()).isEqualTo("{\"tools\":[]}");
        assertThat(sent(0).at("/additionalModelRequestFields/reasoningConfig/maxReasoningEffort")
                        .asText())
                .isEqualTo("low");
    }

    @Test
    void aConversationBegunOnOpenAiGoesOnOnBedrockAfterA429StormWithTranslatedIds() {
        String gpt = "gpt-4o-mini";
        String compatibleId = "functions.get_weather:0"; // OpenAI-compatible servers' form
        String longId = "call_" + "x".repeat(60); // longer than Converse's 64 characters
        LlmRotateConfig config = bedrockConfig(Keys.openai("oa-1", gpt), Keys.openai("oa-2", gpt), bedrockKey(MODEL))
                .fallbackChain("openai", FallbackTarget.to("aws_bedrock").withModel(MODEL))
                .build();
        LlmRotate lm = engine(config);
        openai.byDefault()
                .next(FakeResponse.toolCall(compatibleId, "get_weather", "{\"city\":\"Paris\"}")
                        .withToolCall(longId, "get_time", "{\"city\":\"Paris\"}"));
        List<ChatMessage> conversation = new ArrayList<>(List.of(ChatMessage.user("Weather and time in Paris?")));

        ChatResponse turn1 = lm.chat(ChatRequest.builder(gpt)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());
        assertThat(turn1.provider()).isEqualTo("openai");
        assertThat(turn1.toolCalls()).extracting(ToolCall::id).containsExactly(compatibleId, longId);
        conversation.add(turn1.message());
        conversation.add(ChatMessage.toolResult(compatibleId, "18 C"));
        conversation.add(ChatMessage.toolResult(longId, "14:00"));

        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        bedrock.byDefault().always(FakeResponse.ok("18 C at 14:00 in Paris."));
        ChatResponse turn2 = lm.chat(ChatRequest.builder(gpt)
                .messages(conversation)
                .tools(WEATHER, TIME)
                .build());

        assertThat(turn2.provider()).isEqualTo("aws_bedrock");
        assertThat(turn2.fallbackUsed()).isTrue();
        assertThat(turn2.content()).isEqualTo("18 C at 14:00 in Paris.");
        assertThat(bedrock.requests().get(0).model()).isEqualTo(MODEL);
        JsonNode messages = sent(0).get("messages");
        String weatherId = ToolCallIds.portable(compatibleId);
        String timeId = ToolCallIds.portable(longId);
        assertThat(weatherId).matches("call_[A-Za-z0-9_-]{32}");
        assertThat(timeId).matches("call_[A-Za-z0-9_-]{32}").isNotEqualTo(weatherId);
        assertThat(messages.at("/1/content/0/toolUse/toolUseId").asText()).isEqualTo(weatherId);
        assertThat(messages.at("/1/content/1/toolUse/toolUseId").asText()).isEqualTo(timeId);
        assertThat(messages.at("/2/content/0/toolResult/toolUseId").asText()).isEqualTo(weatherId);
        assertThat(messages.at("/2/content/1/toolResult/toolUseId").asText()).isEqualTo(timeId);
        assertThat(sent(0).at("/toolConfig/tools/0/toolSpec/name").asText()).isEqualTo("get_weather");
    }

    private void assertInvalid(LlmRotate lm, ChatRequest request, String message) {
        assertThatThrownBy(() -> lm.chat(request)).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
            assertThat(e.getMessage()).contains(message);
        });
        assertThatThrownBy(() -> {
                    try (ChatStream stream = lm.chatStream(request)) {
                        stream.collect();
                    }
                })
                .isInstanceOfSatisfying(
                        LlmRotateException.class, e -> assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST));
    }
}

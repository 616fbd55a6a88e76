package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.springai.LlmRotateChatOptions;
import dev.llmrotate.springai.LlmRotateSpringAiChatModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.ToolCallback;

/**
 * The Spring AI adapter's own cost per call: the same call through {@link LlmRotateSpringAiChatModel#call(Prompt)}
 * (the prompt's options merged over the model's defaults, the prompt mapped onto ours, the engine, the answer mapped
 * back into Spring AI's response with its metadata and usage, the tool-execution check) and through {@link
 * LlmRotate#chat(ChatRequest)} with the request the adapter would build, on the setup of {@link
 * EngineOverheadBenchmark} (8 keys of one provider, an in-process adapter that answers at once). The difference is
 * the adapter's cost.
 *
 * <p>The prompt is built once, as {@code LangChain4jAdapterBenchmark} builds its request once. {@code tools}: tool
 * callbacks in the prompt's options, as ChatClient's {@code .tools(object)} puts them there (the tool calling manager
 * resolves their definitions; the adapter converts each schema once and finds it again by content: ChatClient makes
 * new callbacks for every call, {@code freshTools=true} does too).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SpringAiAdapterBenchmark {
    private static final String SYSTEM = "You are terse.";
    private static final String USER = "Say hi.";
    private static final String TOOL_SCHEMA = """
            {"type": "object",
             "properties": {"city": {"type": "string", "description": "City name"},
                            "days": {"type": "integer"},
                            "units": {"type": "string", "enum": ["metric", "imperial"]}},
             "required": ["city"], "additionalProperties": false}""";

    @Param({"health_aware"})
    public String strategy;

    @Param({"0"})
    public int tools;

    @Param({"false"})
    public boolean freshTools;

    private LlmRotate rotate;
    private ChatModel model;
    /** The request the adapter builds from the prompt, prebuilt. */
    private ChatRequest ours;

    private Prompt prompt;

    @Setup
    public void setUp() {
        SelectionStrategyType type = SelectionStrategyType.fromWireName(strategy);
        if (type == null) {
            throw new IllegalArgumentException("unknown strategy " + strategy);
        }
        rotate = LlmRotate.builder()
                .config(BenchFixtures.config(type))
                .adapter(new BenchFixtures.NoOpAdapter(null))
                .build();
        model = LlmRotateSpringAiChatModel.builder(rotate)
                .defaultOptions(LlmRotateChatOptions.builder()
                        .model(BenchFixtures.MODEL)
                        .maxTokens(16)
                        .build())
                .build();
        List<ToolDefinition> definitions = new ArrayList<>(tools);
        for (int i = 0; i < tools; i++) {
            definitions.add(ToolDefinition.builder("tool_" + i)
                    .description(description(i))
                    .parametersJson(TOOL_SCHEMA)
                    .build());
        }
        ours = ChatRequest.builder(BenchFixtures.MODEL)
                .messages(ChatMessage.system(SYSTEM), ChatMessage.user(USER))
                .maxTokens(16)
                .tools(definitions)
                .build();
        prompt = prompt();
        // Fail fast on a broken setup rather than measuring exceptions.
        if (!"Hi.".equals(spring().getResult().getOutput().getText())
                || !"Hi.".equals(rotate.chat(ours).content())) {
            throw new IllegalStateException("no-op adapter gave another answer");
        }
    }

    private static String description(int i) {
        return "Tool number " + i + ": looks something up for a city over some days";
    }

    /** The prompt a caller makes: with tools, new callbacks in its options. */
    private Prompt prompt() {
        List<org.springframework.ai.chat.messages.Message> messages =
                List.of(new SystemMessage(SYSTEM), new UserMessage(USER));
        if (tools == 0) {
            return new Prompt(messages);
        }
        List<ToolCallback> callbacks = new ArrayList<>(tools);
        for (int i = 0; i < tools; i++) {
            org.springframework.ai.tool.definition.ToolDefinition definition =
                    org.springframework.ai.tool.definition.ToolDefinition.builder()
                            .name("tool_" + i)
                            .description(description(i))
                            .inputSchema(new String(TOOL_SCHEMA))
                            .build();
            callbacks.add(new ToolCallback() {
                @Override
                public org.springframework.ai.tool.definition.ToolDefinition getToolDefinition() {
                    return definition;
                }

                @Override
                public String call(String toolInput) {
                    return "";
                }
            });
        }
        return new Prompt(
                messages,
                ToolCallingChatOptions.builder().toolCallbacks(callbacks).build());
    }

    @TearDown
    public void tearDown() {
        long failures = rotate.usageSummary().overall().failures();
        rotate.close();
        if (failures != 0) {
            throw new IllegalStateException(failures + " calls failed");
        }
    }

    @Benchmark
    @Threads(1)
    public ChatResponse engine() {
        return rotate.chat(ours);
    }

    @Benchmark
    @Threads(1)
    public org.springframework.ai.chat.model.ChatResponse spring() {
        return model.call(freshTools ? prompt() : prompt);
    }
}

package dev.llmrotate.bench;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.langchain4j.LlmRotateChatModel;
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

/**
 * The LangChain4j adapter's own cost per call: the same call through {@link LlmRotateChatModel#chat} (LangChain4j's
 * request with its parameters merged into the model's defaults, mapped onto ours, the engine, the answer mapped
 * back) and through {@link LlmRotate#chat(ChatRequest)} with the request the adapter would build, on the setup of
 * {@link EngineOverheadBenchmark} (8 keys of one provider, an in-process adapter that answers at once). The difference
 * is the adapter's cost.
 *
 * <p>{@code tools}: tool specifications on every request, as an AI Service with tools sends them (the adapter turns
 * each one's JSON schema elements into a schema map on every call).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LangChain4jAdapterBenchmark {
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

    private LlmRotate rotate;
    private ChatModel model;
    /** The request the adapter builds from {@link #theirs}, prebuilt. */
    private ChatRequest ours;

    private dev.langchain4j.model.chat.request.ChatRequest theirs;

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
        model = LlmRotateChatModel.builder(rotate)
                .modelName(BenchFixtures.MODEL)
                .maxOutputTokens(16)
                .build();
        List<ToolSpecification> specifications = new ArrayList<>(tools);
        List<ToolDefinition> definitions = new ArrayList<>(tools);
        for (int i = 0; i < tools; i++) {
            String description = "Tool number " + i + ": looks something up for a city over some days";
            specifications.add(ToolSpecification.builder()
                    .name("tool_" + i)
                    .description(description)
                    .parameters(JsonObjectSchema.builder()
                            .addStringProperty("city", "City name")
                            .addIntegerProperty("days")
                            .addEnumProperty("units", List.of("metric", "imperial"))
                            .required("city")
                            .additionalProperties(false)
                            .build())
                    .build());
            definitions.add(ToolDefinition.builder("tool_" + i)
                    .description(description)
                    .parametersJson(TOOL_SCHEMA)
                    .build());
        }
        theirs = dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(SystemMessage.from(SYSTEM), UserMessage.from(USER))
                .toolSpecifications(specifications)
                .build();
        ours = ChatRequest.builder(BenchFixtures.MODEL)
                .messages(ChatMessage.system(SYSTEM), ChatMessage.user(USER))
                .maxTokens(16)
                .tools(definitions)
                .build();
        // Fail fast on a broken setup rather than measuring exceptions.
        if (!"Hi.".equals(model.chat(theirs).aiMessage().text())
                || !"Hi.".equals(rotate.chat(ours).content())) {
            throw new IllegalStateException("no-op adapter gave another answer");
        }
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
    public dev.langchain4j.model.chat.response.ChatResponse langchain4j() {
        return model.chat(theirs);
    }
}

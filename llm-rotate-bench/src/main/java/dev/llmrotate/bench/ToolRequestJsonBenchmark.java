package dev.llmrotate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.internal.provider.anthropic.AnthropicBodyProbe;
import dev.llmrotate.internal.provider.bedrock.ConverseBodyProbe;
import dev.llmrotate.internal.provider.google.GeminiBodyProbe;
import dev.llmrotate.internal.provider.openai.OpenAiBodyProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JSON mapping of a tool-calling request, apart from the engine: each adapter's request body for a second agent
 * turn (system, user, the assistant's tool call, its result) with {@code tools} tool definitions, each a small JSON
 * schema of three typed properties, as bytes ready to send. {@code tools=0} is a plain conversation of four text
 * messages instead (providers refuse tool calls without definitions), so the difference is what a tool turn costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ToolRequestJsonBenchmark {

    @Param({"openai", "anthropic", "gemini", "bedrock"})
    public String format;

    @Param({"0", "10"})
    public int tools;

    private Function<ChatRequest, byte[]> body;
    private ChatRequest request;

    @Setup
    public void setUp() {
        ObjectMapper json = new ObjectMapper();
        body = switch (format) {
            case "openai" -> new OpenAiBodyProbe(json)::body;
            case "anthropic" -> new AnthropicBodyProbe(json)::body;
            case "gemini" -> new GeminiBodyProbe(json)::body;
            case "bedrock" -> new ConverseBodyProbe(json)::body;
            default -> throw new IllegalArgumentException("unknown format " + format);
        };
        request = request(format.equals("bedrock") ? "anthropic.claude-3-5-haiku-20241022-v1:0" : "gpt-4o-mini", tools);
        if (body.apply(request).length < 100) {
            throw new IllegalStateException("no body");
        }
    }

    /** The second turn of a weather agent with {@code count} tool definitions (the first is the one it called). */
    static ChatRequest request(String model, int count) {
        ChatRequest.Builder builder = ChatRequest.builder(model).maxTokens(256);
        if (count == 0) {
            return builder.messages(
                            ChatMessage.system("You are a weather assistant."),
                            ChatMessage.user("What should I wear in Paris today?"),
                            ChatMessage.assistant("Which units do you prefer?"),
                            ChatMessage.user("Metric, two days."))
                    .build();
        }
        ToolCall call =
                new ToolCall("call_weather_1", "tool_0", "{\"city\":\"Paris\",\"days\":2,\"units\":\"metric\"}");
        return builder.messages(
                        ChatMessage.system("You are a weather assistant."),
                        ChatMessage.user("What should I wear in Paris today?"),
                        ChatMessage.assistant("", List.of(call)),
                        ChatMessage.toolResult(call.id(), "{\"temp_c\":14,\"rain_mm\":2.5,\"wind_kmh\":20}"))
                .tools(definitions(count))
                .build();
    }

    static List<ToolDefinition> definitions(int count) {
        List<ToolDefinition> tools = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tools.add(ToolDefinition.builder("tool_" + i)
                    .description("Tool number " + i + ": looks something up for a city over some days")
                    .parametersJson("""
                            {"type": "object",
                             "properties": {"city": {"type": "string", "description": "City name"},
                                            "days": {"type": "integer", "minimum": 1, "maximum": 14},
                                            "units": {"type": "string", "enum": ["metric", "imperial"]}},
                             "required": ["city"], "additionalProperties": false}""")
                    .build());
        }
        return tools;
    }

    @Benchmark
    public byte[] requestBody() {
        return body.apply(request);
    }
}

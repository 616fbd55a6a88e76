package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool definition a fake server received, read from the request body whatever the wire format: OpenAI's {@code
 * tools[].function} ({@code name}, {@code description}, {@code parameters}, {@code strict}), Anthropic's {@code
 * tools[]} ({@code name}, {@code description}, {@code input_schema}, {@code strict}), Gemini's {@code
 * tools[].functionDeclarations[]} ({@code parameters} or {@code parametersJsonSchema}) and Bedrock's {@code
 * toolConfig.tools[].toolSpec} ({@code inputSchema.json}). See {@link RecordedRequest#tools()}.
 *
 * @param name the tool's name
 * @param description its description, or {@code null}
 * @param parameters the JSON schema of its arguments, or {@code null} if it had none
 * @param strict its {@code strict} flag, or {@code null} if it had none
 */
public record RecordedTool(String name, String description, JsonNode parameters, Boolean strict) {

    /** The tool definitions in a request body, in order; empty if it has none. */
    static List<RecordedTool> of(JsonNode body) {
        List<RecordedTool> tools = new ArrayList<>();
        for (JsonNode tool : body.path("tools")) {
            if (tool.path("function").isObject()) {
                JsonNode f = tool.get("function");
                tools.add(tool(f, f.get("parameters")));
            } else if (tool.path("functionDeclarations").isArray()) {
                for (JsonNode f : tool.get("functionDeclarations")) {
                    tools.add(tool(f, f.has("parameters") ? f.get("parameters") : f.get("parametersJsonSchema")));
                }
            } else if (tool.path("name").isTextual()) {
                tools.add(tool(tool, tool.get("input_schema")));
            }
        }
        for (JsonNode tool : body.path("toolConfig").path("tools")) {
            JsonNode spec = tool.path("toolSpec");
            if (spec.isObject()) {
                tools.add(tool(spec, spec.path("inputSchema").get("json")));
            }
        }
        return List.copyOf(tools);
    }

    private static RecordedTool tool(JsonNode definition, JsonNode parameters) {
        JsonNode description = definition.path("description");
        JsonNode strict = definition.path("strict");
        return new RecordedTool(
                definition.path("name").asText(),
                description.isTextual() ? description.asText() : null,
                parameters,
                strict.isBoolean() ? strict.asBoolean() : null);
    }
}

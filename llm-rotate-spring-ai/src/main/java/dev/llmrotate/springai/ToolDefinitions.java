package dev.llmrotate.springai;

import dev.llmrotate.chat.ToolDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * Spring AI tool definitions as ours, remembered. Converting one parses its JSON schema (a few microseconds and
 * kilobytes), and ChatClient builds new tool callbacks, with new definitions, for {@code .tools(object)} on every
 * call: so an entry is found by the definition's content (name, description, schema text; {@code String.equals}
 * answers at once for the same instances) rather than by identity. A fixed table of {@value #SLOTS} slots by name,
 * one entry each, a newer entry replacing an older one: its size never depends on what the requests carry, and a
 * miss only converts again.
 */
final class ToolDefinitions {
    static final int SLOTS = 64;

    /** Written and read without locks: an entry's fields are final, so a thread sees it whole or not at all. */
    private final Entry[] slots = new Entry[SLOTS];

    private record Entry(String name, String description, String inputSchema, ToolDefinition definition) {}

    List<ToolDefinition> of(List<org.springframework.ai.tool.definition.ToolDefinition> definitions) {
        List<ToolDefinition> tools = new ArrayList<>(definitions.size());
        for (int i = 0; i < definitions.size(); i++) {
            tools.add(of(definitions.get(i)));
        }
        return tools;
    }

    private ToolDefinition of(org.springframework.ai.tool.definition.ToolDefinition tool) {
        String name = tool.name();
        String description = tool.description();
        String inputSchema = tool.inputSchema();
        int slot = (name == null ? 0 : name.hashCode()) & (SLOTS - 1);
        Entry entry = slots[slot];
        if (entry != null
                && entry.name.equals(name)
                && java.util.Objects.equals(entry.description, description)
                && java.util.Objects.equals(entry.inputSchema, inputSchema)) {
            return entry.definition;
        }
        ToolDefinition definition = convert(tool);
        slots[slot] = new Entry(name, description, inputSchema, definition);
        return definition;
    }

    /**
     * Ours for {@code tool}: its name, description and input schema (a JSON object schema, as Spring AI generates for
     * a {@code @Tool} method's parameters).
     *
     * @throws IllegalArgumentException for a name llm-rotate refuses or a schema that is not a JSON object, naming
     *     the tool
     */
    static ToolDefinition convert(org.springframework.ai.tool.definition.ToolDefinition tool) {
        ToolDefinition.Builder builder = ToolDefinition.builder(tool.name()).description(tool.description());
        String schema = tool.inputSchema();
        if (schema != null && !schema.isBlank()) {
            builder.parametersJson(schema);
        }
        return builder.build();
    }
}

package dev.llmrotate.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ToolDefinition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spring AI tool definitions as ours, remembered by content. */
class ToolDefinitionsTest {

    private static org.springframework.ai.tool.definition.ToolDefinition tool(String name, String schema) {
        return org.springframework.ai.tool.definition.ToolDefinition.builder()
                .name(name)
                .description("what " + name + " does")
                .inputSchema(schema)
                .build();
    }

    @Test
    void aDefinitionIsConvertedOnceForEqualContentAndAgainWhenItChanges() {
        ToolDefinitions cache = new ToolDefinitions();
        String schema = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";

        // ChatClient builds new callbacks, and new definitions, on every call.
        ToolDefinition first = cache.of(List.of(tool("get_weather", schema))).get(0);
        ToolDefinition again =
                cache.of(List.of(tool("get_weather", new String(schema)))).get(0);
        ToolDefinition changed = cache.of(List.of(tool("get_weather", schema.replace("city", "town"))))
                .get(0);

        assertThat(again).isSameAs(first);
        assertThat(first.name()).isEqualTo("get_weather");
        assertThat(first.description()).isEqualTo("what get_weather does");
        assertThat(first.parameters())
                .isEqualTo(Map.of(
                        "type", "object",
                        "properties", Map.of("city", Map.of("type", "string")),
                        "required", List.of("city")));
        assertThat(changed).isNotSameAs(first);
        assertThat(changed.parameters().get("required")).isEqualTo(List.of("town"));
    }

    @Test
    void aSchemaThatIsNotAJsonObjectSchemaIsRefusedNamingTheTool() {
        assertThatThrownBy(() -> ToolDefinitions.convert(tool("get_weather", "{\"type\":\"string\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("get_weather");
        assertThatThrownBy(() -> ToolDefinitions.convert(tool("bad name", "{\"type\":\"object\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad name");
    }
}

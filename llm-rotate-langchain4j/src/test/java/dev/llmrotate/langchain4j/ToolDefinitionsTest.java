package dev.llmrotate.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.llmrotate.chat.ToolDefinition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The table of converted tool specifications: the same instance answers from it, any number of others correctly. */
class ToolDefinitionsTest {

    private static ToolSpecification spec(int i) {
        return ToolSpecification.builder()
                .name("tool_" + i)
                .parameters(
                        JsonObjectSchema.builder().addStringProperty("arg" + i).build())
                .build();
    }

    @Test
    void theSameSpecificationIsConvertedOnceAndManyAreAllConvertedRight() {
        ToolDefinitions table = new ToolDefinitions();
        ToolSpecification weather = ToolSpecs.WEATHER;
        ToolDefinition first = table.of(List.of(weather)).get(0);
        assertThat(table.of(List.of(weather)).get(0)).isSameAs(first);

        // More specifications than slots, twice over: every answer is the specification's own conversion.
        List<ToolSpecification> many = new ArrayList<>();
        for (int i = 0; i < ToolDefinitions.SLOTS * 4; i++) {
            many.add(spec(i));
        }
        for (int round = 0; round < 2; round++) {
            List<ToolDefinition> converted = table.of(many);
            for (int i = 0; i < many.size(); i++) {
                assertThat(converted.get(i)).isEqualTo(ToolDefinitions.convert(many.get(i)));
            }
        }
        // An equal but distinct instance is converted anew, to an equal definition.
        assertThat(table.of(List.of(spec(3))).get(0)).isEqualTo(ToolDefinitions.convert(spec(3)));
    }
}

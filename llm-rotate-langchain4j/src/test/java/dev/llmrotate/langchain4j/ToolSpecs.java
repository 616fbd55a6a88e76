package dev.llmrotate.langchain4j;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.List;

/** Tool specifications the tests send. */
final class ToolSpecs {
    static final ToolSpecification WEATHER = ToolSpecification.builder()
            .name("get_weather")
            .description("Current weather for a city")
            .parameters(JsonObjectSchema.builder()
                    .addStringProperty("city", "the city's name")
                    .addEnumProperty("unit", List.of("celsius", "fahrenheit"))
                    .addIntegerProperty("days")
                    .addProperty(
                            "sources",
                            JsonArraySchema.builder()
                                    .items(new JsonStringSchema())
                                    .build())
                    .required("city")
                    .build())
            .build();

    static final ToolSpecification TIME = ToolSpecification.builder()
            .name("get_time")
            .parameters(JsonObjectSchema.builder().addStringProperty("city").build())
            .build();

    private ToolSpecs() {}
}

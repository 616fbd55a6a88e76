package dev.llmrotate.langchain4j;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LangChain4j's JSON schema elements as plain JSON Schema maps, the form of our {@code ToolDefinition} parameters and
 * {@code ResponseFormat} schemas. Written out as given: nothing is added for strictness (each provider adapter does
 * what its provider needs), and a {@link JsonReferenceSchema} points into the root's {@code $defs}, where
 * LangChain4j keeps the definitions of recursive types.
 */
final class Schemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Schemas() {}

    /**
     * The schema map of {@code element}; {@code owner} (a tool's name, or "the response format") names it in errors.
     * No path to the failing element is built: a call converts every tool's schema, and the strings would cost more
     * than the conversion.
     */
    static Map<String, Object> toMap(JsonSchemaElement element, String owner) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (element instanceof JsonObjectSchema object) {
            typed(map, "object", object.description());
            Map<String, Object> properties = new LinkedHashMap<>();
            object.properties().forEach((name, value) -> properties.put(name, toMap(value, owner)));
            map.put("properties", properties);
            if (object.required() != null && !object.required().isEmpty()) {
                map.put("required", List.copyOf(object.required()));
            }
            if (object.additionalProperties() != null) {
                map.put("additionalProperties", object.additionalProperties());
            }
            if (object.definitions() != null && !object.definitions().isEmpty()) {
                Map<String, Object> definitions = new LinkedHashMap<>();
                object.definitions().forEach((name, value) -> definitions.put(name, toMap(value, owner)));
                map.put("$defs", definitions);
            }
        } else if (element instanceof JsonArraySchema array) {
            typed(map, "array", array.description());
            map.put("items", array.items() == null ? Map.of() : toMap(array.items(), owner));
        } else if (element instanceof JsonEnumSchema enumeration) {
            typed(map, "string", enumeration.description());
            map.put("enum", List.copyOf(enumeration.enumValues()));
        } else if (element instanceof JsonStringSchema string) {
            typed(map, "string", string.description());
        } else if (element instanceof JsonIntegerSchema integer) {
            typed(map, "integer", integer.description());
        } else if (element instanceof JsonNumberSchema number) {
            typed(map, "number", number.description());
        } else if (element instanceof JsonBooleanSchema bool) {
            typed(map, "boolean", bool.description());
        } else if (element instanceof JsonNullSchema) {
            map.put("type", "null");
        } else if (element instanceof JsonAnyOfSchema anyOf) {
            if (anyOf.description() != null) {
                map.put("description", anyOf.description());
            }
            List<Object> options = new ArrayList<>(anyOf.anyOf().size());
            for (JsonSchemaElement option : anyOf.anyOf()) {
                options.add(toMap(option, owner));
            }
            map.put("anyOf", options);
        } else if (element instanceof JsonReferenceSchema reference) {
            map.put("$ref", "#/$defs/" + reference.reference());
        } else if (element instanceof JsonRawSchema raw) {
            return parse(raw.schema(), owner);
        } else {
            throw new IllegalArgumentException("JSON schema of " + owner + ": element "
                    + element.getClass().getName() + " is not supported");
        }
        return map;
    }

    private static void typed(Map<String, Object> map, String type, String description) {
        map.put("type", type);
        if (description != null) {
            map.put("description", description);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String schema, String owner) {
        Object parsed;
        try {
            parsed = JSON.readValue(schema, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "JSON schema of " + owner + ": a raw schema is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("JSON schema of " + owner + ": a raw schema must be a JSON object");
        }
        return (Map<String, Object>) parsed;
    }
}

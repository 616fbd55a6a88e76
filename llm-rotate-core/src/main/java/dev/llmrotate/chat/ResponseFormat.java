package dev.llmrotate.chat;

import java.util.Map;
import java.util.Objects;

/**
 * The form of the answer: plain {@link #TEXT}, any {@link #JSON_OBJECT}, or JSON that follows a schema ({@link
 * #jsonSchema}). OpenAI and OpenRouter {@code response_format}; Anthropic {@code output_config.format} (JSON schema
 * only); Gemini {@code responseMimeType} and {@code responseJsonSchema}.
 *
 * @param type the kind of format
 * @param name the schema's name (OpenAI requires one), for {@link Type#JSON_SCHEMA} only
 * @param schema the JSON schema as plain Java values, for {@link Type#JSON_SCHEMA} only
 * @param strict whether the provider must hold the answer to the schema exactly; null leaves it to the provider
 */
public record ResponseFormat(Type type, String name, Map<String, Object> schema, Boolean strict) {
    /** Plain text, the default. */
    public static final ResponseFormat TEXT = new ResponseFormat(Type.TEXT, null, null, null);
    /** Any valid JSON object ("JSON mode"). */
    public static final ResponseFormat JSON_OBJECT = new ResponseFormat(Type.JSON_OBJECT, null, null, null);

    /** The kinds of response format. */
    public enum Type {
        /** Plain text. */
        TEXT,
        /** Any valid JSON object. */
        JSON_OBJECT,
        /** JSON that follows a schema. */
        JSON_SCHEMA
    }

    /**
     * Checks that only a {@link Type#JSON_SCHEMA} format has a name, schema or strict flag, and that it has a name
     * and a schema; copies the schema, unmodifiable.
     *
     * @param type the kind of format, not null
     * @param name the schema's name (1 to 64 letters, digits, {@code _} or {@code -}) for {@link Type#JSON_SCHEMA};
     *     else null
     * @param schema the JSON schema as plain Java values for {@link Type#JSON_SCHEMA}; else null
     * @param strict whether the answer must follow the schema exactly, or null; null unless {@link Type#JSON_SCHEMA}
     */
    public ResponseFormat {
        Objects.requireNonNull(type, "type");
        if (type == Type.JSON_SCHEMA) {
            ToolDefinition.checkName(name, "response schema name");
            Objects.requireNonNull(schema, "schema");
            schema = JsonValues.copyObject(schema, "response schema " + name);
        } else if (name != null || schema != null || strict != null) {
            throw new IllegalArgumentException("only a JSON_SCHEMA format has a name, schema or strict flag");
        }
    }

    /**
     * JSON following {@code schema}; strictness left to the provider.
     *
     * @param name the schema's name, 1 to 64 letters, digits, {@code _} or {@code -}
     * @param schema the JSON schema as plain Java values (maps, lists, strings, numbers, booleans); copied
     * @return the format
     */
    public static ResponseFormat jsonSchema(String name, Map<String, ?> schema) {
        return new ResponseFormat(Type.JSON_SCHEMA, name, copy(schema, name), null);
    }

    /**
     * JSON following {@code schema}, held to it exactly when {@code strict}.
     *
     * @param name the schema's name, 1 to 64 letters, digits, {@code _} or {@code -}
     * @param schema the JSON schema as plain Java values (maps, lists, strings, numbers, booleans); copied
     * @param strict whether the provider must hold the answer to the schema exactly
     * @return the format
     */
    public static ResponseFormat jsonSchema(String name, Map<String, ?> schema, boolean strict) {
        return new ResponseFormat(Type.JSON_SCHEMA, name, copy(schema, name), strict);
    }

    /**
     * JSON following the schema given as JSON text, held to it exactly when {@code strict}.
     *
     * @param name the schema's name, 1 to 64 letters, digits, {@code _} or {@code -}
     * @param schemaJson the JSON schema as JSON text, an object
     * @param strict whether the provider must hold the answer to the schema exactly
     * @return the format
     */
    public static ResponseFormat jsonSchema(String name, String schemaJson, boolean strict) {
        Objects.requireNonNull(schemaJson, "schemaJson");
        return new ResponseFormat(
                Type.JSON_SCHEMA, name, JsonValues.parseObject(schemaJson, "response schema " + name), strict);
    }

    private static Map<String, Object> copy(Map<String, ?> schema, String name) {
        return JsonValues.copyObject(Objects.requireNonNull(schema, "schema"), "response schema " + name);
    }
}

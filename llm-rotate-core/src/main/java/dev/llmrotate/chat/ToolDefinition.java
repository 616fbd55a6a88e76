package dev.llmrotate.chat;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A tool (function) the model may call. The same definition is sent to every provider, each in its own form
 * (OpenAI {@code tools[].function}, Anthropic {@code tools[]} with {@code input_schema}, Gemini {@code
 * functionDeclarations}, Bedrock {@code toolSpec}).
 *
 * <pre>{@code
 * ToolDefinition weather = ToolDefinition.builder("get_weather")
 *         .description("Current weather for a city")
 *         .parametersJson("""
 *             {"type": "object",
 *              "properties": {"city": {"type": "string"}},
 *              "required": ["city"], "additionalProperties": false}""")
 *         .strict(true)
 *         .build();
 * }</pre>
 *
 * @param name 1 to 64 letters, digits, {@code _} or {@code -}: the names every provider accepts
 * @param description what the tool does, for the model; may be null
 * @param parameters the JSON schema of the arguments, a JSON object schema ({@code "type": "object"}) as plain Java
 *     values (maps, lists, strings, numbers, booleans); without one, a tool without arguments ({@code {"type":
 *     "object", "properties": {}}})
 * @param strict whether the provider must hold the arguments to the schema exactly (OpenAI and Anthropic {@code
 *     strict}); null leaves it to the provider
 */
public record ToolDefinition(String name, String description, Map<String, Object> parameters, Boolean strict) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Map<String, Object> NO_ARGUMENTS = noArguments();

    /**
     * Checks the name and the schema; copies the schema, unmodifiable.
     *
     * @param name 1 to 64 letters, digits, {@code _} or {@code -}
     * @param description what the tool does, or null
     * @param parameters a JSON object schema ({@code "type": "object"}) as plain Java values; null for no arguments
     * @param strict whether the provider must hold the arguments to the schema exactly, or null
     * @throws IllegalArgumentException naming what is wrong with the name or the schema
     */
    public ToolDefinition {
        checkName(name, "tool name");
        parameters =
                parameters == null ? NO_ARGUMENTS : JsonValues.copyObject(parameters, "tool " + name + " parameters");
        if (!"object".equals(parameters.get("type"))) {
            throw new IllegalArgumentException("tool " + name
                    + " parameters must be a JSON object schema (\"type\": \"object\"), which every provider takes");
        }
    }

    /**
     * A tool with this description and argument schema.
     *
     * @param name 1 to 64 letters, digits, {@code _} or {@code -}
     * @param description what the tool does, for the model; or null
     * @param parameters a JSON object schema as plain Java values, copied; null for no arguments
     * @return the tool
     */
    public static ToolDefinition of(String name, String description, Map<String, ?> parameters) {
        return builder(name).description(description).parameters(parameters).build();
    }

    /**
     * A builder for a tool named {@code name}, without arguments until {@link Builder#parameters} or {@link
     * Builder#parametersJson} sets a schema.
     *
     * @param name 1 to 64 letters, digits, {@code _} or {@code -}
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    private static Map<String, Object> noArguments() {
        Map<String, Object> schema = new java.util.LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", Map.of());
        return JsonValues.copyObject(schema, "no arguments");
    }

    /** Checks a name against the pattern every provider accepts. */
    static void checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " '" + name
                    + "' must be 1 to 64 letters, digits, '_' or '-' (the names every provider takes)");
        }
    }

    /** Builds a {@link ToolDefinition}. */
    public static final class Builder {
        private final String name;
        private String description;
        private Map<String, Object> parameters;
        private Boolean strict;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * What the tool does, for the model.
         *
         * @param description the description, or null
         * @return this
         */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /**
         * The argument schema as plain Java values; copied.
         *
         * @param schema a JSON object schema (maps, lists, strings, numbers, booleans), or null for no arguments
         * @return this
         */
        public Builder parameters(Map<String, ?> schema) {
            this.parameters = schema == null ? null : JsonValues.copyObject(schema, "tool " + name + " parameters");
            return this;
        }

        /**
         * The argument schema as JSON text.
         *
         * @param schemaJson a JSON object schema as JSON text, not null
         * @return this
         * @throws IllegalArgumentException when the text is not a JSON object
         */
        public Builder parametersJson(String schemaJson) {
            this.parameters = JsonValues.parseObject(
                    Objects.requireNonNull(schemaJson, "schemaJson"), "tool " + name + " parameters");
            return this;
        }

        /**
         * Whether the provider must hold the arguments to the schema exactly (OpenAI and Anthropic {@code strict});
         * default: the provider's.
         *
         * @param strict true for exact arguments
         * @return this
         */
        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /**
         * Builds the tool.
         *
         * @return the tool
         * @throws IllegalArgumentException naming what is wrong with the name or the schema
         */
        public ToolDefinition build() {
            return new ToolDefinition(name, description, parameters, strict);
        }
    }
}

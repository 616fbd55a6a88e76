package dev.llmrotate.config;

import java.util.Locale;

/**
 * What a model can take beyond plain text, by its configuration name ({@code model_capabilities.<model>.<name>}). A
 * call that uses one of these only goes to routes whose model has it: a built-in table knows the model families that
 * lack a capability, and {@code model_capabilities} overrides it per model. A model the table does not know has all
 * of them.
 */
public enum ModelCapability {
    /** Tool definitions, and conversations holding tool calls or tool results. */
    TOOLS,
    /** A JSON-schema response format (structured output). */
    JSON_SCHEMA,
    /** A JSON-object response format (JSON mode without a schema). */
    JSON_OBJECT,
    /** A reasoning effort or a thinking budget. */
    REASONING,
    /** Image parts in the messages. */
    IMAGES;

    /**
     * The configuration name: {@code tools}, {@code json_schema}, {@code json_object}, {@code reasoning}, {@code
     * images}.
     *
     * @return the lower-case name
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a configuration name; null if unknown.
     *
     * @param name a configuration name, exactly as {@link #wireName()} returns it
     * @return the capability, or null
     */
    public static ModelCapability fromWireName(String name) {
        for (ModelCapability capability : values()) {
            if (capability.wireName().equals(name)) {
                return capability;
            }
        }
        return null;
    }
}

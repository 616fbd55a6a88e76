package dev.llmrotate.internal.provider.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reading providers' JSON error bodies, which gateways and proxies do not always send as documented. */
public final class ErrorBodies {
    private ErrorBodies() {}

    /**
     * The {@code error} object of a body such as {@code {"error":{...}}} (also inside a one-element array, as Google
     * sometimes answers). A textual {@code error} becomes {@code {"message": text}}; a body that is not JSON (HTML
     * from a load balancer) or has no {@code error} gives an empty object: the status still classifies.
     */
    public static JsonNode errorObject(ObjectMapper json, String body) {
        try {
            JsonNode root = json.readTree(body == null ? "" : body);
            if (root != null && root.isArray() && !root.isEmpty()) {
                root = root.get(0);
            }
            if (root != null && root.has("error")) {
                JsonNode error = root.get("error");
                return error.isObject() ? error : json.createObjectNode().put("message", error.asText());
            }
        } catch (Exception notJson) {
            // not JSON: classified by status alone
        }
        return json.createObjectNode();
    }

    /** A scalar field as text; empty when absent, null or not a scalar. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || value.isNull() || value.isContainerNode() ? "" : value.asText();
    }
}

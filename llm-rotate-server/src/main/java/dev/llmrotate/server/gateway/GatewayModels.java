package dev.llmrotate.server.gateway;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/models}: the configured models in OpenAI's list form ({@code {"object": "list", "data": [{"id",
 * "object": "model", "created", "owned_by"}]}}), {@code owned_by} the provider that serves each (the first by name
 * when several do), limited to what the caller's gateway key may call.
 */
final class GatewayModels {
    private GatewayModels() {}

    static byte[] list(Map<String, String> providerOfModel, GatewayKey key) {
        Map<String, String> sorted = new TreeMap<>(providerOfModel);
        return WireJson.bytes(
                64 + 96 * sorted.size(),
                out -> WireJson.write(out, json -> {
                    json.writeStartObject();
                    json.writeStringField("object", "list");
                    json.writeArrayFieldStart("data");
                    for (Map.Entry<String, String> model : sorted.entrySet()) {
                        if (key != null && !key.allows(model.getKey())) {
                            continue;
                        }
                        json.writeStartObject();
                        json.writeStringField("id", model.getKey());
                        json.writeStringField("object", "model");
                        json.writeNumberField("created", 0);
                        json.writeStringField("owned_by", model.getValue());
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                }));
    }
}

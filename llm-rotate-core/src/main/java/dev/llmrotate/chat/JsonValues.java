package dev.llmrotate.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, immutable copies of JSON values held as plain Java objects (JSON schemas): {@code Map<String, Object>} for
 * objects (key order kept, since providers read a schema's properties in order), {@code List<Object>} for arrays,
 * {@code String}, {@code Boolean}, {@code Number} and {@code null}. Anything else is rejected with its path, so that
 * what the caller built is exactly what every provider receives.
 */
final class JsonValues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonValues() {}

    /** An immutable copy of a JSON object. */
    static Map<String, Object> copyObject(Map<?, ?> value, String path) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : value.entrySet()) {
            if (!(entry.getKey() instanceof String key)) {
                throw new IllegalArgumentException(path + ": JSON object keys must be strings, got " + entry.getKey());
            }
            copy.put(key, copy(entry.getValue(), path + "." + key));
        }
        return Collections.unmodifiableMap(copy);
    }

    /** The JSON object in {@code json}, as an immutable map. */
    static Map<String, Object> parseObject(String json, String path) {
        Object parsed;
        try {
            parsed = JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(path + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(path + " must be a JSON object");
        }
        return copyObject(map, path);
    }

    private static Object copy(Object value, String path) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Integer
                || value instanceof Long
                || value instanceof Double
                || value instanceof Float
                || value instanceof Short
                || value instanceof Byte
                || value instanceof BigInteger
                || value instanceof BigDecimal) {
            return value;
        }
        if (value instanceof Map<?, ?> map) {
            return copyObject(map, path);
        }
        if (value instanceof Collection<?> items) {
            List<Object> copy = new ArrayList<>(items.size());
            int i = 0;
            for (Object item : items) {
                copy.add(copy(item, path + "[" + i++ + "]"));
            }
            return Collections.unmodifiableList(copy);
        }
        throw new IllegalArgumentException(path + ": not a JSON value ("
                + value.getClass().getName() + "); use maps, lists, strings, numbers, booleans and null");
    }
}

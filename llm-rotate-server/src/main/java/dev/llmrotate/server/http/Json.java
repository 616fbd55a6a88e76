package dev.llmrotate.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The JSON of every answer: snake_case names (as the library's reports and records), ISO-8601 instants, map entries
 * sorted by key so that answers are stable. Response bodies are records, whose components keep their order.
 */
public final class Json {
    /** The shared mapper; configured once, thread-safe. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private Json() {}

    /**
     * {@code value} as JSON, written by {@link #MAPPER}.
     *
     * @param value a response body (a record, a map, a tree)
     * @return UTF-8 JSON bytes
     * @throws IllegalStateException when {@code value} cannot be written as JSON
     */
    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("answer not serialisable: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * A piece of JSON written as it is, e.g. a {@code CallRecord}'s own {@code toJson()}, so that an event has exactly
     * the shape of its usage-log line.
     *
     * @param json well-formed JSON text
     */
    @JsonSerialize(using = Raw.Writer.class)
    public record Raw(String json) {
        static final class Writer extends JsonSerializer<Raw> {
            @Override
            public void serialize(Raw value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeRawValue(value.json());
            }
        }
    }
}

package dev.llmrotate.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures the usage log ({@value LogNames#USAGE}) and reads its records back, checking on the way that each is
 * INFO, one valid JSON object with exactly the documented fields in order, and mirrored field by field by its SLF4J
 * key/value pairs (lists as a Jackson-based encoder would write them).
 */
final class UsageLogCapture implements AutoCloseable {
    static final List<String> FIELDS = List.of(
            "record_version",
            "timestamp",
            "call_id",
            "operation",
            "provider",
            "upstream",
            "requested_model",
            "model",
            "key_id",
            "key_mask",
            "outcome",
            "error_type",
            "http_status",
            "usage_reported",
            "input_tokens",
            "output_tokens",
            "cached_input_tokens",
            "reasoning_tokens",
            "total_tokens",
            "latency_ms",
            "time_to_first_chunk_ms",
            "attempts",
            "rotations",
            "fallback_used",
            "estimated_cost_usd",
            "cost_status",
            "attempt_details",
            "attempts_truncated",
            "recoveries",
            "tool_calls",
            "tool_names",
            "caller");
    static final List<String> ATTEMPT_FIELDS = List.of(
            "provider",
            "upstream",
            "model",
            "key_id",
            "key_mask",
            "outcome",
            "error_type",
            "http_status",
            "retry_after_ms",
            "duration_ms",
            "started_ms");
    static final List<String> RECOVERY_FIELDS = List.of("mode", "outcome", "after_chars", "attempt");

    private final ObjectMapper json = new ObjectMapper();
    private final ListAppender<ILoggingEvent> usage = new ListAppender<>();
    private final Logger usageLogger = (Logger) LoggerFactory.getLogger(LogNames.USAGE);

    UsageLogCapture() {
        usage.start();
        usageLogger.addAppender(usage);
        usageLogger.setLevel(Level.INFO);
    }

    @Override
    public void close() {
        usageLogger.detachAppender(usage);
    }

    /** Every captured record, parsed and checked. */
    List<JsonNode> records() {
        List<JsonNode> out = new ArrayList<>();
        for (ILoggingEvent event : usage.list) {
            assertThat(event.getLevel()).isEqualTo(Level.INFO);
            String line = event.getFormattedMessage();
            assertThat(line.chars()).as("ASCII only").allMatch(c -> c >= 0x20 && c < 0x7f);
            JsonNode record = parse(line);
            assertThat(names(record)).containsExactlyElementsOf(FIELDS);
            assertThat(record.get("attempt_details").isArray()).isTrue();
            record.get("attempt_details").forEach(a -> assertThat(names(a)).containsExactlyElementsOf(ATTEMPT_FIELDS));
            assertThat(record.get("recoveries").isArray()).isTrue();
            record.get("recoveries").forEach(r -> assertThat(names(r)).containsExactlyElementsOf(RECOVERY_FIELDS));
            assertThat(event.getKeyValuePairs()).extracting(kv -> kv.key).containsExactlyElementsOf(FIELDS);
            event.getKeyValuePairs().forEach(kv -> {
                JsonNode field = record.get(kv.key);
                if (field.isArray()) {
                    assertThat(kv.value).as(kv.key).isInstanceOf(List.class);
                    assertThat(asEncoderWrites(kv.value)).as(kv.key).isEqualTo(field);
                } else {
                    assertThat(field.isNull() ? null : field.asText())
                            .as(kv.key)
                            .isEqualTo(kv.value == null ? null : String.valueOf(kv.value));
                }
            });
            out.add(record);
        }
        return out;
    }

    /** Forgets the records captured so far. */
    void clear() {
        usage.list.clear();
    }

    /** The one record captured. */
    JsonNode only() {
        List<JsonNode> all = records();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** A key/value as a structured encoder (Jackson with default settings) writes it, read back. */
    private JsonNode asEncoderWrites(Object value) {
        try {
            return json.readTree(json.writeValueAsString(value));
        } catch (Exception e) {
            throw new AssertionError("not serialisable: " + value, e);
        }
    }

    private JsonNode parse(String line) {
        try {
            return json.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}

package dev.llmrotate.internal.provider.bedrock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.testkit.EventStreamEncoder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoder against AWS's published event-stream test vectors ({@code src/test/resources/eventstream/}). */
class EventStreamDecoderTest {
    private static final JsonNode VECTORS = vectors();

    private static JsonNode vectors() {
        try (InputStream in =
                EventStreamDecoderTest.class.getResourceAsStream("/eventstream/aws-event-stream-test-vectors.json")) {
            return new ObjectMapper().readTree(in).get("vectors");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A second from now: these decoders read from memory and never wait. */
    private static long deadline() {
        return System.nanoTime() + Duration.ofSeconds(1).toNanos();
    }

    static byte[] vector(String name) {
        return HexFormat.of().parseHex(VECTORS.get(name).get("encoded").asText());
    }

    /** A decoder over bytes, as a stream body that ends after them. */
    static EventStreamDecoder decoder(byte[] bytes) {
        InputStream in = new ByteArrayInputStream(bytes);
        return new EventStreamDecoder((buffer, offset, length, deadlineNanos) -> {
            try {
                return in.readNBytes(buffer, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"int32_header", "payload_no_headers", "payload_one_str_header", "empty_message"})
    void decodesThePositiveVectors(String name) {
        EventStreamDecoder decoder = decoder(vector(name));
        EventStreamDecoder.Message message = decoder.next(deadline());
        assertThat(message.payloadText())
                .isEqualTo(VECTORS.get(name).get("payload").asText());
        switch (name) {
            case "int32_header" ->
                assertThat(message.headers()).containsExactlyEntriesOf(java.util.Map.of("event-type", 40972));
            case "payload_one_str_header" ->
                assertThat(message.header("content-type")).isEqualTo("application/json");
            default -> assertThat(message.headers()).isEmpty();
        }
        assertThat(decoder.next(deadline())).as("clean end after the message").isNull();
    }

    @Test
    void decodesEveryHeaderValueType() {
        EventStreamDecoder.Message message = decoder(vector("all_headers")).next(deadline());
        assertThat(message.headers())
                .containsEntry("event-type", 40972)
                .containsEntry("content-type", "application/json")
                .containsEntry("bool false", false)
                .containsEntry("bool true", true)
                .containsEntry("byte", (byte) -49)
                .containsEntry("timestamp", Instant.ofEpochMilli(8675309))
                .containsEntry("int16", (short) 42)
                .containsEntry("int64", 42424242L)
                .containsEntry("uuid", UUID.fromString("01020304-0506-0708-090a-0b0c0d0e0f10"));
        assertThat((byte[]) message.headers().get("byte buf"))
                .isEqualTo("I'm a little teapot!".getBytes(StandardCharsets.UTF_8));
        assertThat(message.payloadText()).isEqualTo("{'foo':'bar'}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"corrupted_header_len", "corrupted_length"})
    void refusesACorruptPrelude(String name) {
        assertThatThrownBy(() -> decoder(vector(name)).next(deadline()))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.STREAM_INTERRUPTED))
                .hasMessage("corrupt frame: prelude CRC mismatch");
    }

    @ParameterizedTest
    @ValueSource(strings = {"corrupted_headers", "corrupted_payload"})
    void refusesACorruptMessage(String name) {
        assertThatThrownBy(() -> decoder(vector(name)).next(deadline()))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.STREAM_INTERRUPTED))
                .hasMessage("corrupt frame: message CRC mismatch");
    }

    @Test
    void readsSeveralMessagesInARow() {
        byte[] one = vector("payload_one_str_header");
        byte[] two = vector("int32_header");
        byte[] both = Arrays.copyOf(one, one.length + two.length);
        System.arraycopy(two, 0, both, one.length, two.length);
        EventStreamDecoder decoder = decoder(both);
        assertThat(decoder.next(deadline()).header("content-type")).isEqualTo("application/json");
        assertThat(decoder.next(deadline()).headers()).containsEntry("event-type", 40972);
        assertThat(decoder.next(deadline())).isNull();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 11, 12, 30, 60})
    void aBodyEndingInsideAMessageIsTruncated(int length) {
        byte[] cut = Arrays.copyOf(vector("payload_one_str_header"), length);
        assertThatThrownBy(() -> decoder(cut).next(deadline()))
                .isInstanceOfSatisfying(
                        ProviderException.class, e -> assertThat(e.type()).isEqualTo(ErrorType.STREAM_INTERRUPTED))
                .hasMessageStartingWith("truncated frame");
    }

    // Frames written by the testkit's independent encoder, as the fake Bedrock server sends them.

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void decodesAConverseStreamWrittenByTheTestkit() {
        EventStreamDecoder decoder = decoder(concat(
                EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}"),
                EventStreamEncoder.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hé\"}}"),
                EventStreamEncoder.event("messageStop", "{\"stopReason\":\"end_turn\"}"),
                EventStreamEncoder.exception("throttlingException", "{\"message\":\"slow down\"}")));
        EventStreamDecoder.Message start = decoder.next(deadline());
        assertThat(start.headers())
                .containsExactly(
                        java.util.Map.entry(":event-type", "messageStart"),
                        java.util.Map.entry(":content-type", "application/json"),
                        java.util.Map.entry(":message-type", "event"));
        assertThat(decoder.next(deadline()).payloadText()).contains("\"text\":\"Hé\"");
        assertThat(decoder.next(deadline()).header(":event-type")).isEqualTo("messageStop");
        EventStreamDecoder.Message exception = decoder.next(deadline());
        assertThat(exception.header(":message-type")).isEqualTo("exception");
        assertThat(exception.header(":exception-type")).isEqualTo("throttlingException");
        assertThat(decoder.next(deadline())).isNull();
    }

    @Test
    void refusesTheTestkitsCorruptChecksums() {
        byte[] good = EventStreamEncoder.event("contentBlockDelta", "{\"delta\":{\"text\":\"x\"}}");
        EventStreamDecoder badMessage = decoder(concat(good, EventStreamEncoder.withBadMessageCrc(good)));
        assertThat(badMessage.next(deadline())).isNotNull();
        assertThatThrownBy(() -> badMessage.next(deadline())).hasMessage("corrupt frame: message CRC mismatch");
        assertThatThrownBy(() ->
                        decoder(EventStreamEncoder.withBadPreludeCrc(good)).next(deadline()))
                .hasMessage("corrupt frame: prelude CRC mismatch");
    }
}

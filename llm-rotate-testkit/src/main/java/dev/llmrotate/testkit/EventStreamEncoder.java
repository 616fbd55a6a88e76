package dev.llmrotate.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes {@code application/vnd.amazon.eventstream} messages, the binary framing of Bedrock's streaming responses,
 * as AWS documents it: total length and headers length (4 bytes each, big-endian), the prelude's CRC32, the headers
 * (name length byte, name, value type byte, value), the payload, and the CRC32 of everything before it. Only string
 * header values (type 7, with a 2-byte length) are written, which is all Bedrock sends.
 *
 * <p>Written independently of llm-rotate-core's decoder so that each checks the other; also usable on its own to
 * build event streams for other tests.
 */
public final class EventStreamEncoder {
    private static final int STRING_TYPE = 7;

    private EventStreamEncoder() {}

    /**
     * One message.
     *
     * @param headers string headers, written in this order
     * @param payload the payload
     * @return the encoded message
     */
    public static byte[] message(Map<String, String> headers, byte[] payload) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            if (n.length > 255 || v.length > 0xffff) {
                throw new IllegalArgumentException("header " + name + " is too long for the event-stream format");
            }
            head.write(n.length);
            head.writeBytes(n);
            head.write(STRING_TYPE);
            head.write(v.length >>> 8);
            head.write(v.length & 0xff);
            head.writeBytes(v);
        });
        byte[] headerBytes = head.toByteArray();
        int total = 12 + headerBytes.length + payload.length + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        writeInt(out, total);
        writeInt(out, headerBytes.length);
        writeInt(out, crc(out.toByteArray()));
        out.writeBytes(headerBytes);
        out.writeBytes(payload);
        writeInt(out, crc(out.toByteArray()));
        return out.toByteArray();
    }

    /**
     * An event message, as AWS event streams send them: {@code :event-type}, {@code :content-type}
     * {@code application/json} and {@code :message-type} {@code event}.
     *
     * @param eventType e.g. {@code contentBlockDelta}
     * @param json the JSON payload
     * @return the encoded message
     */
    public static byte[] event(String eventType, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":event-type", eventType);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "event");
        return message(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * An exception message: {@code :exception-type}, {@code :content-type} {@code application/json} and
     * {@code :message-type} {@code exception}.
     *
     * @param exceptionType e.g. {@code throttlingException}
     * @param json the JSON payload, e.g. {@code {"message":"…"}}
     * @return the encoded message
     */
    public static byte[] exception(String exceptionType, String json) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":exception-type", exceptionType);
        headers.put(":content-type", "application/json");
        headers.put(":message-type", "exception");
        return message(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A copy of an encoded message with its message CRC (the last 4 bytes) flipped: well framed, but corrupt.
     *
     * @param message an encoded message
     * @return the corrupted copy
     */
    public static byte[] withBadMessageCrc(byte[] message) {
        byte[] copy = message.clone();
        copy[copy.length - 1] ^= (byte) 0xff;
        return copy;
    }

    /**
     * A copy of an encoded message with its prelude CRC (bytes 8 to 11) flipped.
     *
     * @param message an encoded message
     * @return the corrupted copy
     */
    public static byte[] withBadPreludeCrc(byte[] message) {
        byte[] copy = message.clone();
        copy[11] ^= (byte) 0xff;
        return copy;
    }

    private static void writeInt(ByteArrayOutputStream out, long value) {
        out.write((int) (value >>> 24) & 0xff);
        out.write((int) (value >>> 16) & 0xff);
        out.write((int) (value >>> 8) & 0xff);
        out.write((int) value & 0xff);
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}

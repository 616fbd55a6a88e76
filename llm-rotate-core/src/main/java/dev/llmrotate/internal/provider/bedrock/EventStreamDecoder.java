package dev.llmrotate.internal.provider.bedrock;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.ProviderException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Reads {@code application/vnd.amazon.eventstream} messages, the binary framing of Bedrock's streaming responses.
 * Each message: total length (4 bytes, big-endian, the whole message), headers length (4), prelude CRC32 (of the
 * first 8 bytes), headers, payload, message CRC32 (of everything before it). A header is a name length (1 byte),
 * the name (UTF-8), a value type (1 byte) and the value; all ten value types are read.
 *
 * <p>Both checksums are verified, the prelude's before its lengths are trusted. A checksum mismatch, an impossible
 * length or malformed headers throw {@link ErrorType#STREAM_INTERRUPTED} "corrupt frame"; a body that ends inside
 * a message throws {@link ErrorType#STREAM_INTERRUPTED} "truncated frame". Read by one thread.
 */
public final class EventStreamDecoder {
    /** Messages larger than this are refused as corrupt (the format allows 16 MiB of payload and 128 KiB of headers). */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 128 * 1024 + 16;

    private static final int PRELUDE = 12;
    private static final int OVERHEAD = 16;

    private final ByteSource source;
    private final byte[] prelude = new byte[PRELUDE];

    /** Where the bytes come from: {@code StreamBody::readFully} in production, any input in tests. */
    @FunctionalInterface
    public interface ByteSource {
        /**
         * Reads up to {@code length} bytes, fewer only at the end of the input; returns how many were read. Throws
         * {@link ErrorType#TIMEOUT} when {@code deadlineNanos} (a {@link System#nanoTime()} value) passes first.
         */
        int readFully(byte[] buffer, int offset, int length, long deadlineNanos);
    }

    /**
     * One decoded message.
     *
     * @param headers header values by name: String, Boolean, Byte, Short, Integer, Long, byte[], Instant or UUID
     * @param payload the payload bytes
     */
    public record Message(Map<String, Object> headers, byte[] payload) {
        /** A string header's value, or null when absent or not a string. */
        public String header(String name) {
            return headers.get(name) instanceof String s ? s : null;
        }

        public String payloadText() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    public EventStreamDecoder(ByteSource source) {
        this.source = source;
    }

    /**
     * The next message, or null when the input ends cleanly between messages.
     *
     * @param deadlineNanos when to give up waiting for the whole message, a {@link System#nanoTime()} value
     */
    public Message next(long deadlineNanos) {
        int read = source.readFully(prelude, 0, PRELUDE, deadlineNanos);
        if (read == 0) {
            return null;
        }
        if (read < PRELUDE) {
            throw failure("truncated frame: the body ended inside a message prelude");
        }
        ByteBuffer head = ByteBuffer.wrap(prelude);
        long total = head.getInt(0) & 0xffffffffL;
        long headersLength = head.getInt(4) & 0xffffffffL;
        long preludeCrc = head.getInt(8) & 0xffffffffL;
        if (crc(prelude, 0, 8) != preludeCrc) {
            throw failure("corrupt frame: prelude CRC mismatch");
        }
        if (total < OVERHEAD || total > MAX_MESSAGE_BYTES || headersLength > total - OVERHEAD) {
            throw failure("corrupt frame: impossible lengths (total " + total + ", headers " + headersLength + ")");
        }
        byte[] message = Arrays.copyOf(prelude, (int) total);
        int rest = (int) total - PRELUDE;
        if (source.readFully(message, PRELUDE, rest, deadlineNanos) < rest) {
            throw failure("truncated frame: the body ended inside a message");
        }
        long messageCrc = ByteBuffer.wrap(message).getInt((int) total - 4) & 0xffffffffL;
        if (crc(message, 0, (int) total - 4) != messageCrc) {
            throw failure("corrupt frame: message CRC mismatch");
        }
        int headersEnd = PRELUDE + (int) headersLength;
        Map<String, Object> headers = headers(message, PRELUDE, headersEnd);
        byte[] payload = Arrays.copyOfRange(message, headersEnd, (int) total - 4);
        return new Message(headers, payload);
    }

    private static Map<String, Object> headers(byte[] m, int start, int end) {
        Map<String, Object> headers = new LinkedHashMap<>();
        ByteBuffer in = ByteBuffer.wrap(m, start, end - start);
        try {
            while (in.position() < end) {
                int nameLength = in.get() & 0xff;
                String name = string(in, nameLength, end);
                int type = in.get() & 0xff;
                Object value = switch (type) {
                    case 0 -> Boolean.TRUE;
                    case 1 -> Boolean.FALSE;
                    case 2 -> in.get();
                    case 3 -> in.getShort();
                    case 4 -> in.getInt();
                    case 5 -> in.getLong();
                    case 6 -> bytes(in, in.getShort() & 0xffff, end);
                    case 7 -> string(in, in.getShort() & 0xffff, end);
                    case 8 -> Instant.ofEpochMilli(in.getLong());
                    case 9 -> new UUID(in.getLong(), in.getLong());
                    default -> throw failure("corrupt frame: unknown header value type " + type);
                };
                if (in.position() > end) {
                    throw failure("corrupt frame: a header runs past the headers section");
                }
                headers.put(name, value);
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw failure("corrupt frame: a header runs past the headers section");
        }
        return Collections.unmodifiableMap(headers);
    }

    private static byte[] bytes(ByteBuffer in, int length, int end) {
        if (in.position() + length > end) {
            throw failure("corrupt frame: a header runs past the headers section");
        }
        byte[] value = new byte[length];
        in.get(value);
        return value;
    }

    private static String string(ByteBuffer in, int length, int end) {
        return new String(bytes(in, length, end), StandardCharsets.UTF_8);
    }

    private static long crc(byte[] data, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return crc.getValue();
    }

    private static ProviderException failure(String message) {
        return new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, message);
    }
}

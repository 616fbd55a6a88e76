package dev.llmrotate.netty;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The bytes of a body read whole, up to a limit. */
final class BodyBuffer {
    private static final int INITIAL_CAPACITY = 2048;

    private final int limit;
    private byte[] bytes;
    private int length;

    /** @param declared the declared length, or -1 */
    BodyBuffer(int limit, long declared) {
        this.limit = limit;
        this.bytes = new byte[(int) Math.min(limit, declared >= 0 ? declared : INITIAL_CAPACITY)];
    }

    /** Takes what fits; false when {@code content} did not fit whole (the body is then full). */
    boolean add(ByteBuf content) {
        int n = content.readableBytes();
        int taken = Math.min(n, limit - length);
        if (taken > 0) {
            if (length + taken > bytes.length) {
                bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(length + taken, 2L * bytes.length)));
            }
            content.readBytes(bytes, length, taken);
            length += taken;
        }
        return taken == n;
    }

    String text() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}

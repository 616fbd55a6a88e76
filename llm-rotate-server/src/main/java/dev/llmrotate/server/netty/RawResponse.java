package dev.llmrotate.server.netty;

import dev.llmrotate.server.http.ControlResponse;
import dev.llmrotate.server.http.ControlRouter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A whole HTTP/1.1 answer as bytes, for handlers that sit before the HTTP codec (a connection over the limit, a
 * request that never finished) and close the connection right after it.
 */
final class RawResponse {
    private RawResponse() {}

    /** A JSON error answer with {@code connection: close}. */
    static ByteBuf error(int status, String reason, String type, String message) {
        ControlResponse r = ControlRouter.errorResponse(status, type, message);
        StringBuilder head = new StringBuilder(160)
                .append("HTTP/1.1 ")
                .append(status)
                .append(' ')
                .append(reason)
                .append("\r\n");
        r.headers()
                .forEach((name, value) ->
                        head.append(name).append(": ").append(value).append("\r\n"));
        head.append("content-length: ").append(r.body().length).append("\r\nconnection: close\r\n\r\n");
        return Unpooled.wrappedBuffer(head.toString().getBytes(StandardCharsets.US_ASCII), r.body());
    }
}

package dev.llmrotate.bench.serverstack;

import java.io.IOException;
import java.util.Locale;

/** The latency of a plain (not streamed) chat call: from writing the request to reading the answer's last byte. */
final class PlainCallProbe extends SocketProbe {
    private static final String CONTENT_LENGTH = "content-length:";

    PlainCallProbe(int port) throws IOException {
        super(port, Payloads.CHAT_REQUEST, "");
    }

    @Override
    long oneCall() throws IOException {
        long start = send();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("expected HTTP/1.1 200, got '" + status + "'");
        }
        int length = -1;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            if (line.toLowerCase(Locale.ROOT).startsWith(CONTENT_LENGTH)) {
                length =
                        Integer.parseInt(line.substring(CONTENT_LENGTH.length()).trim());
            }
        }
        if (length < 0) {
            throw new IOException("expected a content-length");
        }
        for (int i = 0; i < length; i++) {
            readByte();
        }
        return System.nanoTime() - start;
    }
}

package dev.llmrotate.bench.serverstack;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The latency of a plain (not streamed) chat call on one kept-alive connection with a hand-written HTTP/1.1 client,
 * so that the client adds as little as possible: from writing the request to reading the last byte of the answer.
 */
final class PlainCallProbe implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_LINE = 8192;
    private static final String CONTENT_LENGTH = "content-length:";

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request;

    PlainCallProbe(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
        byte[] head = ("POST " + Payloads.CHAT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + Payloads.CHAT_REQUEST.length
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        request = Arrays.copyOf(head, head.length + Payloads.CHAT_REQUEST.length);
        System.arraycopy(Payloads.CHAT_REQUEST, 0, request, head.length, Payloads.CHAT_REQUEST.length);
    }

    /** Runs {@code calls} calls and returns each one's latency in nanoseconds, in the order measured. */
    long[] measureInOrder(int calls) throws IOException {
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            nanos[i] = oneCall();
        }
        return nanos;
    }

    private long oneCall() throws IOException {
        long start = System.nanoTime();
        out.write(request);
        out.flush();
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

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("server closed the connection mid-response");
        }
        return b;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        for (int b = readByte(); b != '\n'; b = readByte()) {
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > MAX_LINE) {
                throw new IOException("line longer than " + MAX_LINE + " bytes");
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

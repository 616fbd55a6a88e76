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

/**
 * One kept-alive loopback connection with a hand-written HTTP/1.1 client (so that the client adds as little as
 * possible), sending one fixed chat request per call and timing each call as its subclass defines.
 */
abstract class SocketProbe implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final int MAX_LINE = 8192;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] request;

    SocketProbe(int port, byte[] body, String extraHeaders) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
        byte[] head = ("POST " + Payloads.CHAT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                        + "\r\nContent-Type: application/json\r\n" + extraHeaders + "Content-Length: " + body.length
                        + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
    }

    /** Runs {@code calls} calls and returns each one's time in nanoseconds, in the order measured. */
    long[] measureInOrder(int calls) throws IOException {
        long[] nanos = new long[calls];
        for (int i = 0; i < calls; i++) {
            nanos[i] = oneCall();
        }
        return nanos;
    }

    /** One call, read to its end; returns what this probe times. */
    abstract long oneCall() throws IOException;

    /** Writes the request; returns when it started. */
    final long send() throws IOException {
        long start = System.nanoTime();
        out.write(request);
        out.flush();
        return start;
    }

    final int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("server closed the connection mid-response");
        }
        return b;
    }

    final String readLine() throws IOException {
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
    public final void close() throws IOException {
        socket.close();
    }
}

package dev.llmrotate.internal.provider.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A raw HTTP/1.1 server on loopback for what the testkit's fakes cannot show: it takes one request, writes a fixed
 * prefix of a response (nothing, or a status line with headers and the start of a body), holds
 * the connection, and reports when the client closes it, which is how an aborted exchange looks from the server.
 */
final class HoldingServer implements AutoCloseable {
    private final ServerSocket socket;
    private final String prefix;
    private final CountDownLatch received = new CountDownLatch(1);
    private final CountDownLatch clientClosed = new CountDownLatch(1);
    private final Thread thread;
    private volatile Socket connection;

    private HoldingServer(String prefix) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.prefix = prefix;
        this.thread = new Thread(this::serve, "holding-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** Holds the exchange without answering. */
    static HoldingServer silent() {
        return start("");
    }

    /** Sends a 200 status, headers announcing a 1000-byte JSON body and its first bytes, then holds. */
    static HoldingServer stallingBody() {
        return start("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"id\":\"x\",");
    }

    /** Sends a 200 with a chunked body (no length announced), one chunk of {@code bytes} bytes, then holds. */
    static HoldingServer chunkedBody(int bytes) {
        return start("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(bytes) + "\r\n" + "x".repeat(bytes) + "\r\n");
    }

    private static HoldingServer start(String prefix) {
        try {
            return new HoldingServer(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
    }

    /** Waits until the whole request has been read; false if it did not come within 10 s. */
    boolean awaitRequest() throws InterruptedException {
        return received.await(10, TimeUnit.SECONDS);
    }

    /** Waits until the client closed the connection; false if it did not within 10 s. */
    boolean awaitClientClose() throws InterruptedException {
        return clientClosed.await(10, TimeUnit.SECONDS);
    }

    private void serve() {
        try (Socket accepted = socket.accept()) {
            connection = accepted;
            InputStream in = accepted.getInputStream();
            int length = contentLength(readHead(in));
            in.readNBytes(length);
            accepted.getOutputStream().write(prefix.getBytes(StandardCharsets.UTF_8));
            accepted.getOutputStream().flush();
            received.countDown();
            while (in.read() >= 0) {
                // nothing is expected from the client any more; -1 is it closing the connection
            }
            clientClosed.countDown();
        } catch (IOException e) {
            clientClosed.countDown(); // a reset: the client dropped the connection as well
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the end of the request head");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(
                        line.substring("content-length:".length()).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        Socket accepted = connection;
        if (accepted != null) {
            accepted.close();
        }
    }
}

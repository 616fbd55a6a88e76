package dev.llmrotate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or broken client meets, over raw sockets (the JDK client would refuse to send most of it): request
 * line and header limits, a body limit, slow and idle clients, pipelining, the connection cap, raw traversal paths.
 */
class LimitsLoopbackTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(600);

    private final ServerFixture f = new ServerFixture(
            c -> {},
            o -> o.limits(dev.llmrotate.server.netty.BindingLimits.DEFAULTS
                    .withRequestTimeout(REQUEST_TIMEOUT)
                    .withMaxConnections(4)));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void tooLongARequestLineIs414AndClosed() throws IOException {
        String answer = exchange("GET /health?x=" + "a".repeat(9000) + " HTTP/1.1\r\nHost: t\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 414").contains("\"uri_too_long\"");
    }

    @Test
    void tooLargeHeadersAre431AndClosed() throws IOException {
        String answer = exchange("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 431").contains("\"headers_too_large\"");
    }

    @Test
    void manySmallHeadersCountTowardsTheLimitToo() throws IOException {
        StringBuilder request = new StringBuilder("GET /health HTTP/1.1\r\nHost: t\r\n");
        for (int i = 0; i < 2000; i++) {
            request.append("X-H").append(i).append(": v\r\n");
        }
        assertThat(exchange(request.append("\r\n").toString())).startsWith("HTTP/1.1 431");
    }

    @Test
    void tooLargeABodyIs413() throws IOException {
        String answer = exchange("GET /health HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(100));
        assertThat(answer).startsWith("HTTP/1.1 413").contains("\"payload_too_large\"");
    }

    @Test
    void garbageIs400() throws IOException {
        assertThat(exchange("\u0001\u0002 nonsense\r\n\r\n")).startsWith("HTTP/1.1 400");
    }

    @Test
    void aSlowClientGets408WhenItsTimeIsUp() throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            out.write("GET /health HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Trickle on: each byte arrives well within the deadline, the request as a whole never does.
            try {
                for (int i = 0; i < 10; i++) {
                    sleepMillis(100);
                    out.write('s');
                    out.flush();
                }
            } catch (IOException closed) {
                // The server may close while we write.
            }
            String answer = readAll(socket);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"request_timeout\"");
            assertThat(millis).isBetween(REQUEST_TIMEOUT.toMillis() - 50, 5_000L);
        }
    }

    @Test
    void anIdleConnectionIsClosedWithoutAnAnswer() throws IOException {
        try (Socket socket = connect()) {
            assertThat(readAll(socket)).isEmpty();
        }
    }

    @Test
    void aKeptAliveConnectionServesPipelinedRequestsInOrderThenTimesOut() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream()
                    .write(("GET /livez HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
                                    + "HEAD /readyz HTTP/1.1\r\nHost: t\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answers = readAll(socket);
            int first = answers.indexOf("HTTP/1.1 200");
            int second = answers.indexOf("HTTP/1.1 404");
            int third = answers.indexOf("HTTP/1.1 200", second);
            assertThat(first).isZero();
            assertThat(second).isGreaterThan(first);
            assertThat(third).isGreaterThan(second);
            assertThat(answers.substring(third)).endsWith("\r\n\r\n");
        }
    }

    @Test
    void connectionsOverTheCapGet503() throws IOException {
        Socket[] held = new Socket[4];
        try {
            for (int i = 0; i < held.length; i++) {
                held[i] = connect();
            }
            // Each held connection has been accepted once it answers.
            for (Socket s : held) {
                s.getOutputStream().write("GET /livez HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readHead(s)).startsWith("HTTP/1.1 200");
            }
            try (Socket extra = connect()) {
                assertThat(readAll(extra)).startsWith("HTTP/1.1 503").contains("too many open connections");
            }
        } finally {
            for (Socket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    @Test
    void rawTraversalTargetsAre404() throws IOException {
        for (String target : new String[] {
            "/../config", "/keys/..%2F..%2Fetc%2Fpasswd", "/keys\\..\\config", "/%2e%2e/config", "/keys/%zz"
        }) {
            String answer = exchange("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            assertThat(answer).as(target).startsWith("HTTP/1.1 404");
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", f.server.port());
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** Sends a request and reads until the server closes the connection (every answer here ends in a close). */
    private String exchange(String request) throws IOException {
        try (Socket socket = connect()) {
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // The server may answer and close before it has read everything we send.
            }
            return readAll(socket);
        }
    }

    private static String readAll(Socket socket) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                bytes.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server neither answered nor closed within 5 s; got: " + bytes, e);
        } catch (IOException reset) {
            // A reset after the answer: what was read is the answer.
        }
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one answer's head and body (small, with content-length) without waiting for a close. */
    private static String readHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        String text = head.toString();
        int at = text.toLowerCase(java.util.Locale.ROOT).indexOf("content-length: ");
        if (at >= 0) {
            int length = Integer.parseInt(
                    text.substring(at + 16, text.indexOf("\r\n", at)).trim());
            in.readNBytes(length);
        }
        return text;
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

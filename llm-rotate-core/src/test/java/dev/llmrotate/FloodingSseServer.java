package dev.llmrotate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw HTTP/1.1 server on loopback speaking the OpenAI stream format, for a fault the testkit's fakes cannot
 * produce: keep-alives written without any pause, as fast as the client takes them. The first request
 * gets {@code contentChunks} content chunks, then SSE comments and role-only chunks as fast as the connection takes
 * them, until the client goes away; every later request gets a short complete stream answering {@code healthy}.
 * Bodies end with the connection ({@code Connection: close}).
 */
final class FloodingSseServer implements AutoCloseable {
    private static final byte[] FLOOD = flood();

    private final ServerSocket socket;
    private final int contentChunks;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong floodBytes = new AtomicLong();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private FloodingSseServer(int contentChunks) throws IOException {
        this.socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.contentChunks = contentChunks;
        Thread acceptor = new Thread(this::accept, "flooding-sse-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static FloodingSseServer start(int contentChunks) {
        try {
            return new FloodingSseServer(contentChunks);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the flooding server", e);
        }
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
    }

    int requests() {
        return requests.get();
    }

    /** Bytes of keep-alives written so far. */
    long floodBytes() {
        return floodBytes.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                connections.add(connection);
                Thread worker = new Thread(() -> serve(connection), "flooding-sse-worker");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            readRequest(connection.getInputStream());
            int n = requests.incrementAndGet();
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(chunk("{\"role\":\"assistant\"}", "null"));
            if (n == 1) {
                for (int i = 0; i < contentChunks; i++) {
                    out.write(chunk("{\"content\":\"flooded " + i + "\"}", "null"));
                }
                out.flush();
                while (true) { // until the client closes and a write fails
                    out.write(FLOOD);
                    floodBytes.addAndGet(FLOOD.length);
                }
            }
            out.write(chunk("{\"content\":\"healthy\"}", "null"));
            out.write(chunk("{}", "\"stop\""));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // the client went away: what the flood waits for
        } finally {
            connections.remove(connection);
        }
    }

    /** Reads the request line, headers and a Content-Length body. */
    private static void readRequest(InputStream in) throws IOException {
        int length = 0;
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Integer.parseInt(
                        lower.substring("content-length:".length()).trim());
            }
        }
        in.readNBytes(length);
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.append((char) b);
            }
        }
        if (b == -1 && line.length() == 0) {
            throw new IOException("connection closed before the request ended");
        }
        return line.toString();
    }

    private static byte[] chunk(String delta, String finishReason) {
        return ("data: {\"id\":\"chatcmpl-flood\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":" + delta
                        + ",\"finish_reason\":" + finishReason + "}]}\n\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** 16 KB of comment lines and role-only chunks. */
    private static byte[] flood() {
        StringBuilder s = new StringBuilder();
        String roleOnly = new String(chunk("{\"role\":\"assistant\"}", "null"), StandardCharsets.UTF_8);
        while (s.length() < 16 * 1024) {
            s.append(": keep-alive\n\n").append(roleOnly);
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }
}

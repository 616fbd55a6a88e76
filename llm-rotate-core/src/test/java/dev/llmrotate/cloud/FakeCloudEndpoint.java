package dev.llmrotate.cloud;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A loopback HTTP server standing in for a credential endpoint (the GCE metadata server, an OAuth or STS token
 * endpoint, IAM Credentials, the ECS container endpoint, EC2's IMDS): each {@code METHOD path} answers what its
 * handler returns; every request is recorded.
 */
final class FakeCloudEndpoint implements AutoCloseable {
    /** A request as received. */
    record Seen(String method, String path, String query, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0))
                    .findFirst()
                    .orElse(null);
        }
    }

    /** An answer, sent after {@code delay}. */
    record Reply(int status, String body, Duration delay) {
        static Reply ok(String body) {
            return new Reply(200, body, Duration.ZERO);
        }

        static Reply status(int status, String body) {
            return new Reply(status, body, Duration.ZERO);
        }
    }

    private final ServerSocket socket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-cloud-endpoint");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Function<Seen, Reply>> routes = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private FakeCloudEndpoint(ServerSocket socket) {
        this.socket = socket;
    }

    static FakeCloudEndpoint start() {
        try {
            FakeCloudEndpoint endpoint =
                    new FakeCloudEndpoint(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
            endpoint.threads.execute(endpoint::accept);
            return endpoint;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FakeCloudEndpoint on(String method, String path, Function<Seen, Reply> handler) {
        routes.put(method + " " + path, handler);
        return this;
    }

    /** {@code 127.0.0.1:port}, as {@code GCE_METADATA_HOST} takes it. */
    String hostPort() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    URI url(String path) {
        return URI.create("http://" + hostPort() + path);
    }

    List<Seen> requests() {
        return List.copyOf(seen);
    }

    long count(String method, String path) {
        return seen.stream()
                .filter(s -> s.method().equals(method) && s.path().equals(path))
                .count();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                threads.execute(() -> handle(connection));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** One HTTP/1.1 exchange per connection ({@code Connection: close}): enough for credential clients. */
    private void handle(Socket connection) {
        try (connection) {
            BufferedInputStream in = new BufferedInputStream(connection.getInputStream());
            String[] requestLine = line(in).split(" ");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(
                        header.substring(0, colon).strip(),
                        List.of(header.substring(colon + 1).strip()));
            }
            int length = headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase("content-length"))
                    .map(e -> Integer.parseInt(e.getValue().get(0)))
                    .findFirst()
                    .orElse(0);
            URI target = URI.create(requestLine[1]);
            Seen request = new Seen(
                    requestLine[0],
                    target.getPath(),
                    target.getRawQuery(),
                    headers,
                    new String(in.readNBytes(length), StandardCharsets.UTF_8));
            seen.add(request);
            Function<Seen, Reply> handler = routes.get(request.method() + " " + request.path());
            Reply reply = handler == null ? Reply.status(404, "not found") : handler.apply(request);
            if (!reply.delay().isZero()) {
                Thread.sleep(reply.delay().toMillis()); // a slow server: the client's deadline is under test
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 " + reply.status() + " X\r\nContent-Length: " + body.length
                            + "\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client went away (a deadline under test) or sent what this fake does not read
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String line(BufferedInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        threads.shutdownNow();
    }
}

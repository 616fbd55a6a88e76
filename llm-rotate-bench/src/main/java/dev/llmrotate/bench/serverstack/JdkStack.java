package dev.llmrotate.bench.serverstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Candidate: the JDK's {@code com.sun.net.httpserver.HttpServer} with a fixed pool. The pool thread reads the body
 * (blocking, as this server's streams are) and returns; the upstream's answer is written later from the HTTP
 * client's completion thread, so no pool thread waits on the upstream.
 */
final class JdkStack implements StackServer {
    private final HttpServer server;
    private final ExecutorService pool;
    private final UpstreamClient upstream;

    JdkStack(int port, UpstreamClient upstream, int threads) throws IOException {
        this.upstream = upstream;
        this.pool = Executors.newFixedThreadPool(threads);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (method.equals("GET") && path.equals(Payloads.HEALTH_PATH)) {
            respond(exchange, 200, Payloads.HEALTH);
        } else if (method.equals("POST") && path.equals(Payloads.CHAT_PATH)) {
            byte[] body = readBounded(exchange.getRequestBody());
            if (body == null) {
                respond(exchange, 413, "{\"error\":\"body too large\"}".getBytes());
            } else if (Payloads.isStream(body)) {
                upstream.stream(body, new Sink(exchange));
            } else {
                upstream.complete(body).whenComplete((response, error) -> {
                    if (error != null) {
                        respond(exchange, 502, "{\"error\":\"upstream failed\"}".getBytes());
                    } else {
                        respond(exchange, response.statusCode(), response.body());
                    }
                });
            }
        } else {
            respond(exchange, 404, "{\"error\":\"not found\"}".getBytes());
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] body = in.readNBytes(Payloads.MAX_BODY + 1);
        return body.length > Payloads.MAX_BODY ? null : body;
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) {
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.getResponseHeaders().set("content-type", Payloads.JSON);
            exchange.sendResponseHeaders(status, body.length);
            out.write(body);
        } catch (IOException clientGone) {
            exchange.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(0);
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    /** Writes each event batch with a blocking write and flush on the thread that delivered it. */
    private static final class Sink implements StreamSink {
        private final HttpExchange exchange;

        Sink(HttpExchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public void begin(int status) {
            exchange.getResponseHeaders().set("content-type", Payloads.EVENT_STREAM);
            exchange.getResponseHeaders().set("cache-control", "no-cache");
            try {
                exchange.sendResponseHeaders(status, 0);
            } catch (IOException e) {
                exchange.close();
            }
        }

        @Override
        public void events(byte[] events, WriteDone done) {
            try {
                OutputStream out = exchange.getResponseBody();
                out.write(events);
                out.flush();
                done.done(null);
            } catch (IOException e) {
                done.done(e);
            }
        }

        @Override
        public void end() {
            exchange.close();
        }

        @Override
        public void fail(Throwable error) {
            exchange.close();
        }
    }
}

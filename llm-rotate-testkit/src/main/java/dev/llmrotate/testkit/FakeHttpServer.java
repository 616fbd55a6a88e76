package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The format-independent fake server: a JDK {@link HttpServer} on 127.0.0.1 that records every request, asks the
 * {@link ScriptBook} for an answer and performs it, including delays and network faults, and releases every held
 * connection when closed. What is provider-specific comes from a {@link WireFormat}.
 */
final class FakeHttpServer implements AutoCloseable {

    private static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BACKLOG = 512;
    private static final Duration WORKER_KEEP_ALIVE = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    static {
        // JDK 17's server writes the headers and the body of a response in separate packets; without TCP_NODELAY,
        // Nagle's algorithm and the client's delayed ACK add ~40 ms to every request on a kept-alive connection.
        // The JDK reads this property once, when the first HttpServer of the JVM is created; an explicit setting wins.
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
    }

    private final WireFormat format;
    private final ScriptBook scripts = new ScriptBook();
    private final List<RecordedRequest> recorded = new ArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final URI baseUrl;

    private FakeHttpServer(WireFormat format) throws IOException {
        this.format = format;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), BACKLOG);
        int port = server.getAddress().getPort();
        // Unbounded: every held connection (noResponse, stallAfterHeaders, delay) occupies a worker until close.
        this.executor = new ThreadPoolExecutor(
                0,
                Integer.MAX_VALUE,
                WORKER_KEEP_ALIVE.toMillis(),
                TimeUnit.MILLISECONDS,
                new SynchronousQueue<>(),
                workerFactory("fake-" + format.name() + "-" + port + "-worker-"));
        this.baseUrl = URI.create("http://127.0.0.1:" + port + format.basePath());
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Binds 127.0.0.1 on a free port and starts serving. */
    static FakeHttpServer start(WireFormat format) {
        Objects.requireNonNull(format, "format");
        try {
            FakeHttpServer fake = new FakeHttpServer(format);
            fake.server.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake " + format.name() + " server", e);
        }
    }

    URI baseUrl() {
        return baseUrl;
    }

    ScriptBook scripts() {
        return scripts;
    }

    void reset() {
        scripts.reset();
        synchronized (recorded) {
            recorded.clear();
        }
    }

    List<RecordedRequest> requests() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    int requestCount() {
        synchronized (recorded) {
            return recorded.size();
        }
    }

    int requestCount(String apiKey) {
        synchronized (recorded) {
            int count = 0;
            for (RecordedRequest request : recorded) {
                if (Objects.equals(apiKey, request.apiKey())) {
                    count++;
                }
            }
            return count;
        }
    }

    /**
     * Wakes every held exchange (they drop their connections), stops the listener, closes all connections and waits
     * briefly for the workers to finish. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
        if (workers.contains(Thread.currentThread())) {
            return; // closed from a responder: this worker cannot wait for itself
        }
        try {
            executor.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FakeHttpServer[" + format.name() + " " + baseUrl + (closed.get() ? ", closed" : "") + "]";
    }

    private void handle(HttpExchange exchange) throws IOException {
        boolean abort = false;
        try {
            if (closed.get()) {
                return; // closing the exchange below drops the connection
            }
            Instant receivedAt = Instant.now();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            query = query == null ? "" : query;
            Map<String, List<String>> headers = lowerCase(exchange.getRequestHeaders());
            WireFormat.Parsed parsed = format.parse(method, path, query, headers, body);
            RecordedRequest request = new RecordedRequest(
                    method,
                    path,
                    headers,
                    body,
                    parsed.apiKey(),
                    parsed.model(),
                    receivedAt,
                    query,
                    parsed.stream(),
                    parsed.attributes());
            FakeResponse response = format.intercept(request);
            if (response == null) {
                synchronized (recorded) {
                    recorded.add(request);
                }
                response = answer(parsed.endpoint(), request);
            }
            perform(exchange, request, response);
        } catch (AbortConnection e) {
            abort = true;
            throw e; // the JDK server closes the connection without ending the response
        } catch (IOException e) {
            // The client went away or the server is closing: nothing left to answer.
        } catch (RuntimeException e) {
            sendInternalError(exchange, e);
        } finally {
            if (!abort) {
                // Without a response, or with a fixed-length body not fully written, this closes the connection.
                exchange.close();
            }
        }
    }

    private FakeResponse answer(boolean endpoint, RecordedRequest request) {
        if (!endpoint) {
            return format.notFound(request);
        }
        FakeResponse response = format.preflight(request);
        if (response == null) {
            response = scripts.answer(request);
        }
        if (response == null) {
            response = format.unscripted(request);
        }
        return response;
    }

    private void perform(HttpExchange exchange, RecordedRequest request, FakeResponse response) throws IOException {
        if (!response.delay().isZero() && closedWithin(response.delay())) {
            return;
        }
        FakeResponse.Body body = response.body();
        if (body == FakeResponse.NetworkFault.CONNECTION_DROP) {
            return;
        }
        if (body == FakeResponse.NetworkFault.NO_RESPONSE) {
            awaitClose();
            return;
        }
        if (body instanceof FakeResponse.Stall stall) {
            if (request.stream()) {
                WireFormat.StreamEncoder encoder = format.streamEncoder(stall.completion(), request);
                sendStreamHeaders(exchange, encoder, response.headers());
                awaitClose();
                throw new AbortConnection();
            }
            WireFormat.Rendered rendered = format.render(stall.completion(), request);
            sendHeaders(exchange, rendered, response.headers(), rendered.body().length);
            exchange.getResponseBody().flush();
            awaitClose();
            return;
        }
        if (body instanceof FakeResponse.Completion completion && request.stream()) {
            stream(exchange, request, response, completion);
            return;
        }
        WireFormat.Rendered rendered;
        if (body instanceof FakeResponse.Raw raw) {
            rendered =
                    new WireFormat.Rendered(raw.status(), Map.of(), raw.body().getBytes(StandardCharsets.UTF_8));
        } else if (body instanceof FakeResponse.FormatSpecific specific) {
            if (!specific.format().equals(format.name())) {
                throw new IllegalStateException(specific + " is a " + specific.format()
                        + " response and cannot be sent by a fake " + format.name() + " server");
            }
            rendered = specific.render().apply(request);
        } else {
            rendered = format.render(body, request);
        }
        send(exchange, rendered, response.headers());
    }

    /**
     * Sends a completion as an event stream: chunked, one flush per event, with the response's stream faults. Every
     * way of ending early other than an error event aborts the connection, so that the client never sees a cleanly
     * terminated chunked body it could take for a complete one.
     */
    private void stream(
            HttpExchange exchange, RecordedRequest request, FakeResponse response, FakeResponse.Completion completion)
            throws IOException {
        FakeResponse.StreamPlan plan = response.stream();
        WireFormat.StreamEncoder encoder = format.streamEncoder(completion, request);
        List<String> deltas = plan.deltas(completion.content());
        int size = deltas.size();
        OutputStream out = sendStreamHeaders(exchange, encoder, response.headers());
        pause(plan.firstChunkDelay());
        for (byte[] event : encoder.opening()) {
            write(out, event);
        }
        for (int i = 0; i <= size; i++) {
            if (FakeResponse.StreamPlan.at(plan.malformedAfter(), i, size)) {
                write(out, encoder.malformed());
            }
            if (FakeResponse.StreamPlan.at(plan.errorAfter(), i, size)) {
                write(out, encoder.error(plan.errorType(), plan.errorMessage()));
                out.close(); // ends the chunked body cleanly: the error event is the provider's last word
                return;
            }
            if (FakeResponse.StreamPlan.at(plan.cutAfter(), i, size)) {
                throw new AbortConnection();
            }
            if (FakeResponse.StreamPlan.at(plan.stallAfter(), i, size)) {
                awaitClose();
                throw new AbortConnection();
            }
            if (FakeResponse.StreamPlan.at(plan.keepAliveAfter(), i, size)) {
                // Until the server closes, or the client goes away and a write fails.
                for (int n = 0; !closedWithin(plan.keepAliveEvery()); n++) {
                    write(out, encoder.keepAlive(n));
                }
                throw new AbortConnection();
            }
            if (i == size) {
                break;
            }
            if (i > 0) {
                pause(plan.chunkDelay());
            }
            write(out, encoder.delta(deltas.get(i)));
        }
        for (byte[] event : encoder.closing()) {
            write(out, event);
        }
        if (!plan.missingEndMarker()) {
            write(out, encoder.endMarker());
        }
        out.close();
    }

    private static OutputStream sendStreamHeaders(
            HttpExchange exchange, WireFormat.StreamEncoder encoder, Map<String, String> extraHeaders)
            throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "text/event-stream");
        headers.put("cache-control", "no-cache");
        headers.putAll(encoder.headers());
        headers.putAll(extraHeaders);
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(200, 0); // 0: chunked transfer encoding
        OutputStream out = exchange.getResponseBody();
        out.flush();
        return out;
    }

    private static void write(OutputStream out, byte[] event) throws IOException {
        out.write(event);
        out.flush(); // one HTTP chunk per event, on the wire at once
    }

    /** Waits this long; if the server closes meanwhile, aborts the connection. */
    private void pause(Duration duration) throws AbortConnection {
        if (!duration.isZero() && closedWithin(duration)) {
            throw new AbortConnection();
        }
    }

    private static void send(HttpExchange exchange, WireFormat.Rendered rendered, Map<String, String> extraHeaders)
            throws IOException {
        byte[] bytes = rendered.body();
        boolean bodyAllowed = !exchange.getRequestMethod().equalsIgnoreCase("HEAD")
                && rendered.status() != 204
                && rendered.status() != 304;
        if (!bodyAllowed || bytes.length == 0) {
            sendHeaders(exchange, rendered, extraHeaders, -1); // -1: Content-Length 0, no body
            return;
        }
        sendHeaders(exchange, rendered, extraHeaders, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void sendHeaders(
            HttpExchange exchange, WireFormat.Rendered rendered, Map<String, String> extraHeaders, long length)
            throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        headers.putAll(rendered.headers());
        headers.putAll(extraHeaders);
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(rendered.status(), length);
    }

    private static void sendInternalError(HttpExchange exchange, RuntimeException e) {
        if (exchange.getResponseCode() != -1) {
            return; // headers already sent: closing the exchange cuts the body short
        }
        try {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode error = root.putObject("error");
            error.put("message", "fake server failed: " + e);
            error.put("type", "testkit_error");
            error.putNull("param");
            error.putNull("code");
            byte[] body = JSON.writeValueAsBytes(root);
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(500, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    /** Waits up to {@code duration}; true if the server closed meanwhile. */
    private boolean closedWithin(Duration duration) {
        try {
            return closing.await(duration.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private void awaitClose() {
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadFactory workerFactory(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(
                    () -> {
                        workers.add(Thread.currentThread());
                        try {
                            task.run();
                        } finally {
                            workers.remove(Thread.currentThread());
                        }
                    },
                    prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Thrown out of the handler to make the JDK server close the connection without ending the response: a handler
     * that throws before its exchange is closed gets its connection closed as it is, mid-body.
     */
    private static final class AbortConnection extends IOException {
        private static final long serialVersionUID = 1L;

        AbortConnection() {
            super("connection aborted by the fake server");
        }
    }

    private static Map<String, List<String>> lowerCase(Map<String, List<String>> headers) {
        Map<String, List<String>> lower = new LinkedHashMap<>();
        headers.forEach((name, values) -> lower.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                .addAll(values));
        return lower;
    }
}

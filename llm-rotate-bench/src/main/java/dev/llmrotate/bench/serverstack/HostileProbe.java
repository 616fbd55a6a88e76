package dev.llmrotate.bench.serverstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What each candidate does, with its defaults, against clients a public gateway must survive: an oversized request
 * line, oversized or too many headers, a client that stops or trickles mid-headers, an idle kept-alive connection, a
 * body that never arrives, and whether such bodies starve other requests. All probes run in parallel and give up
 * after {@code capSeconds}.
 *
 * <pre>
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.serverstack.HostileProbe \
 *     [capSeconds] name=port [name=port ...]
 * </pre>
 */
public final class HostileProbe {
    private static final int STARVING_CONNECTIONS = 16;

    private HostileProbe() {}

    /** Probes each {@code name=port} target and prints one line per probe and target. */
    public static void main(String[] args) throws Exception {
        int cap = 45;
        Map<String, Integer> targets = new LinkedHashMap<>();
        for (String arg : args) {
            if (arg.contains("=")) {
                String[] pair = arg.split("=", 2);
                targets.put(pair[0], Integer.parseInt(pair[1]));
            } else {
                cap = Integer.parseInt(arg);
            }
        }
        run(targets, cap).forEach((probe, line) -> System.out.println(probe + "  " + line));
    }

    /** Runs every probe against every target; returns "probe name" to "target: outcome; ..." lines. */
    static Map<String, String> run(Map<String, Integer> targets, int capSeconds) throws Exception {
        Map<String, Callable<String>> probes = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> target : targets.entrySet()) {
            int port = target.getValue();
            String name = target.getKey();
            probes.put("request line 64 KiB | " + name, () -> answer(port, longRequestLine()));
            probes.put("headers 100 x 1 KiB | " + name, () -> answer(port, bigHeaders()));
            probes.put("500 small headers | " + name, () -> answer(port, manyHeaders()));
            probes.put("stalled mid-headers | " + name, () -> untilClosed(port, partialHeaders(), 0, capSeconds));
            probes.put(
                    "trickled headers, 1 byte/2 s | " + name, () -> untilClosed(port, partialHeaders(), 2, capSeconds));
            probes.put("idle keep-alive after a request | " + name, () -> idleAfterRequest(port, capSeconds));
            probes.put(
                    "body never sent (1 KiB announced) | " + name,
                    () -> untilClosed(port, partialBody(), 0, capSeconds));
            probes.put(STARVING_CONNECTIONS + " stalled bodies, then GET /health | " + name, () -> starved(port));
        }
        ExecutorService pool = Executors.newFixedThreadPool(probes.size());
        try {
            Map<String, Future<String>> futures = new LinkedHashMap<>();
            probes.forEach((key, probe) -> futures.put(key, pool.submit(probe)));
            Map<String, String> results = new LinkedHashMap<>();
            for (Map.Entry<String, Future<String>> entry : futures.entrySet()) {
                String outcome;
                try {
                    outcome = entry.getValue().get(capSeconds + 30L, TimeUnit.SECONDS);
                } catch (Exception e) {
                    outcome = "probe failed: " + e;
                }
                String[] key = entry.getKey().split(" \\| ", 2);
                results.merge(key[0], key[1] + ": " + outcome, (a, b) -> a + "; " + b);
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] longRequestLine() {
        return ascii("GET /health?q=" + "a".repeat(65536) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    }

    private static byte[] bigHeaders() {
        StringBuilder request = new StringBuilder("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < 100; i++) {
            request.append("X-Pad-")
                    .append(i)
                    .append(": ")
                    .append("a".repeat(1024))
                    .append("\r\n");
        }
        return ascii(request.append("\r\n").toString());
    }

    private static byte[] manyHeaders() {
        StringBuilder request = new StringBuilder("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < 500; i++) {
            request.append("X-").append(i).append(": a\r\n");
        }
        return ascii(request.append("\r\n").toString());
    }

    private static byte[] partialHeaders() {
        return ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    }

    private static byte[] partialBody() {
        return ascii("POST " + Payloads.CHAT_PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1024\r\n\r\n{\"model\":");
    }

    /** Sends {@code request} and reports the status line, or how the server refused to answer. */
    private static String answer(int port, byte[] request) {
        try (Socket socket = connect(port, 10_000)) {
            try {
                socket.getOutputStream().write(request);
            } catch (IOException e) {
                return "connection reset while sending (" + e.getMessage() + ")";
            }
            String status = readLine(socket.getInputStream());
            return status == null ? "closed without an answer" : status;
        } catch (SocketTimeoutException e) {
            return "no answer within 10 s";
        } catch (IOException e) {
            return "reset (" + e.getMessage() + ")";
        }
    }

    /** Sends {@code start}, then one byte every {@code trickleSeconds} (0: nothing), until the server hangs up. */
    private static String untilClosed(int port, byte[] start, int trickleSeconds, int capSeconds) {
        long begin = System.nanoTime();
        try (Socket socket = connect(port, 1_000)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(start);
            long deadline = begin + TimeUnit.SECONDS.toNanos(capSeconds);
            long nextByte = begin + TimeUnit.SECONDS.toNanos(Math.max(trickleSeconds, 1));
            while (System.nanoTime() < deadline) {
                try {
                    int b = in.read();
                    String how = b < 0 ? "closed" : "answered '" + (char) b + readLine(in) + "'";
                    return how + " after " + seconds(begin);
                } catch (SocketTimeoutException stillOpen) {
                    if (trickleSeconds > 0 && System.nanoTime() >= nextByte) {
                        out.write('a');
                        nextByte += TimeUnit.SECONDS.toNanos(trickleSeconds);
                    }
                }
            }
            return "still open after " + capSeconds + " s";
        } catch (IOException e) {
            return "reset after " + seconds(begin) + " (" + e.getMessage() + ")";
        }
    }

    private static String idleAfterRequest(int port, int capSeconds) {
        try (Socket socket = connect(port, 10_000)) {
            socket.getOutputStream().write(ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
            InputStream in = socket.getInputStream();
            String status = readLine(in);
            socket.setSoTimeout(1_000);
            byte[] rest = new byte[4096];
            int headerAndBody = Payloads.HEALTH.length; // at least the body follows; drain what arrived
            long begin = System.nanoTime();
            while (headerAndBody > 0) {
                try {
                    int n = in.read(rest);
                    if (n < 0) {
                        return status + ", then closed after " + seconds(begin);
                    }
                    headerAndBody -= n;
                } catch (SocketTimeoutException e) {
                    break;
                }
            }
            long deadline = begin + TimeUnit.SECONDS.toNanos(capSeconds);
            while (System.nanoTime() < deadline) {
                try {
                    if (in.read(rest) < 0) {
                        return "closed after " + seconds(begin);
                    }
                } catch (SocketTimeoutException stillOpen) {
                    // keep waiting until the cap
                }
            }
            return "still open after " + capSeconds + " s";
        } catch (IOException e) {
            return "reset (" + e.getMessage() + ")";
        }
    }

    /** Opens connections whose bodies never come, then checks that a normal request is still served. */
    private static String starved(int port) throws InterruptedException {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < STARVING_CONNECTIONS; i++) {
                Socket socket = connect(port, 1_000);
                stalled.add(socket);
                socket.getOutputStream().write(partialBody());
            }
            Thread.sleep(500);
            long begin = System.nanoTime();
            try (Socket socket = connect(port, 3_000)) {
                socket.getOutputStream().write(ascii("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
                String status = readLine(socket.getInputStream());
                return (status == null ? "closed" : "served (" + status + ")") + " in " + seconds(begin);
            } catch (SocketTimeoutException e) {
                return "NOT served within 3 s: the stalled bodies hold every worker";
            }
        } catch (IOException e) {
            return "failed: " + e;
        } finally {
            for (Socket socket : stalled) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static Socket connect(int port, int readTimeoutMillis) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(readTimeoutMillis);
        return socket;
    }

    /** One line without its CRLF, or null when the stream ended first; at most 8 KiB are read. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return line.length() == 0 ? null : line.toString();
            }
            if (b != '\r' && line.length() < 8192) {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static String seconds(long beginNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - beginNanos) / 1e9);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

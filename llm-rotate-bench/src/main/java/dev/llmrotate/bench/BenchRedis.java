package dev.llmrotate.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A {@code redis-server} of the harness's own on a free loopback port, or the one {@code REDIS_URL} names. */
final class BenchRedis implements AutoCloseable {
    private final Process process;
    private final int port;
    final String url;

    private BenchRedis(Process process, int port, String url) {
        this.process = process;
        this.port = port;
        this.url = url;
    }

    static BenchRedis start() throws IOException, InterruptedException {
        String external = System.getenv("REDIS_URL");
        if (external != null) {
            return new BenchRedis(null, -1, external);
        }
        int port = freePort();
        Path dir = Files.createTempDirectory("llm-rotate-bench-redis");
        Process redis = new ProcessBuilder(
                        "redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        waitForPing(port);
        return new BenchRedis(redis, port, "redis://127.0.0.1:" + port);
    }

    /** One command in the inline protocol, on a connection of its own; the raw reply (harness use only). */
    String command(String line) throws IOException {
        if (port < 0) {
            throw new IllegalStateException("inline commands need the harness's own redis-server");
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\nQUIT\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void waitForPing(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = socket.getOutputStream();
                out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                if (new String(in.readNBytes(5), StandardCharsets.US_ASCII).equals("+PONG")) {
                    return;
                }
            } catch (IOException e) {
                Thread.sleep(20); // not up yet
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

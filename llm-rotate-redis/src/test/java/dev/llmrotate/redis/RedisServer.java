package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A {@code redis-server} of a test's own, on a free loopback port, without persistence unless asked for; or the
 * Redis at {@code REDIS_URL} when that is set. Without the binary the test is skipped, unless {@code REQUIRE_REDIS=1}
 * (as in CI), where that is a failure.
 */
public final class RedisServer implements AutoCloseable {
    private final Path binary;
    private final String externalUrl;
    /** The port; moved to another free one when another process turned out to hold the one chosen. */
    private int port;

    /** Whether the port was chosen here (and may be chosen again), not given by the test. */
    private final boolean portChosen;

    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(
            Path binary, String externalUrl, int port, boolean portChosen, Path dir, List<String> extraArgs) {
        this.binary = binary;
        this.externalUrl = externalUrl;
        this.port = port;
        this.portChosen = portChosen;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /** A started server (or the external one); skips or fails the test when there is none, see the class doc. */
    public static RedisServer start(String... extraArgs) {
        String external = System.getenv("REDIS_URL");
        if (external != null && !external.isBlank() && extraArgs.length == 0) {
            return new RedisServer(null, external, -1, false, null, List.of());
        }
        return startLocal(-1, extraArgs);
    }

    /**
     * A server of the test's own (never the external one), on {@code port} or a free port when it is negative; not
     * waited for when {@code port} is given and the test wants to start it later ({@link #notStarted}).
     */
    public static RedisServer startLocal(int port, String... extraArgs) {
        RedisServer server = notStarted(port, extraArgs);
        server.restart();
        return server;
    }

    /** A server of the test's own that {@link #restart()} starts, on a free port chosen now. */
    public static RedisServer notStarted(int port, String... extraArgs) {
        Path binary = findBinary();
        if (binary == null) {
            if ("1".equals(System.getenv("REQUIRE_REDIS"))) {
                fail("REQUIRE_REDIS=1 but no redis-server binary is on the PATH or in /usr/bin");
            }
            assumeTrue(false, "redis-server is not installed; set REQUIRE_REDIS=1 to make this a failure");
        }
        try {
            return new RedisServer(
                    binary,
                    null,
                    port >= 0 ? port : freePort(),
                    port < 0,
                    Files.createTempDirectory("llm-rotate-redis"),
                    List.of(extraArgs));
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare redis-server", e);
        }
    }

    /** Whether this server is one the test controls (it can be stopped and restarted). */
    public boolean controllable() {
        return externalUrl == null;
    }

    public String url() {
        return externalUrl != null ? externalUrl : "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Starts the server again on the same port, after {@link #kill()}. */
    public void restart() {
        try {
            startProcess();
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart redis-server", e);
        }
    }

    /** Stops the process (SIGTERM, as an orchestrator would) and waits for it to exit. */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Starts the process and waits until it answers. A free port can be taken by another process between choosing it
     * and the server binding it; then the answer comes from that process (whose server might have no password), so
     * the one answering is checked to be ours by its process id, and a port chosen here is chosen again.
     */
    private void startProcess() throws IOException {
        for (int attempt = 1; ; attempt++) {
            startOnce();
            if (isOurs()) {
                return;
            }
            kill();
            if (!portChosen || attempt == 5) {
                throw new IllegalStateException("another process answers on port " + port);
            }
            port = freePort();
        }
    }

    /** Whether the server answering on the port is this object's process (INFO's process_id). */
    private boolean isOurs() {
        String password = null;
        for (int i = 0; i + 1 < extraArgs.size(); i++) {
            if (extraArgs.get(i).equals("--requirepass")) {
                password = extraArgs.get(i + 1);
            }
        }
        StringBuilder commands = new StringBuilder();
        if (password != null) {
            commands.append(resp("AUTH", password));
        }
        commands.append(resp("INFO", "server")).append(resp("QUIT"));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(commands.toString().getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            java.util.regex.Matcher pid =
                    java.util.regex.Pattern.compile("process_id:(\\d+)").matcher(reply);
            return process != null && process.isAlive() && pid.find() && Long.parseLong(pid.group(1)) == process.pid();
        } catch (IOException e) {
            return false;
        }
    }

    /** One command as a RESP array of bulk strings (safe for any password). */
    private static String resp(String... words) {
        StringBuilder out = new StringBuilder().append('*').append(words.length).append("\r\n");
        for (String word : words) {
            out.append('$')
                    .append(word.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n")
                    .append(word)
                    .append("\r\n");
        }
        return out.toString();
    }

    private void startOnce() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--save",
                "",
                "--appendonly",
                "no"));
        command.addAll(extraArgs); // later arguments win
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("redis.log").toFile()))
                .start();
        try {
            Awaitility.await("redis-server on port " + port)
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(this::answersPing);
        } catch (RuntimeException e) {
            kill(); // never leave a server behind
            throw e;
        }
    }

    private boolean answersPing() {
        if (process != null && !process.isAlive()) {
            throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir);
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, 7);
            String answer = new String(reply, 0, n, StandardCharsets.US_ASCII);
            return answer.startsWith("+PONG") || answer.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends one command in the inline protocol and returns the raw reply (for INFO and CONFIG in tests). */
    public String command(String line) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((line + "\r\nQUIT\r\n").getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("redis command failed: " + line, e);
        }
    }

    private static Path findBinary() {
        String path = System.getenv("PATH");
        List<Path> candidates = new ArrayList<>();
        if (path != null) {
            for (String entry : path.split(java.io.File.pathSeparator)) {
                candidates.add(Path.of(entry, "redis-server"));
            }
        }
        candidates.add(Path.of("/usr/bin/redis-server"));
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        kill();
    }
}

package dev.llmrotate.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link WorkerMain} in its own JVM, on this JVM's class path; commands in, {@code @@} lines out. Public, and in
 * the test-jar, for the server's standalone-mode test.
 */
public final class Worker implements AutoCloseable {
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    private Worker(Process process) {
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readReplies, "worker-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a worker on {@code config}; its stderr goes to {@code log}. Waits for it to be ready. */
    public static Worker start(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(
                        java,
                        "-Xmx256m",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkerMain.class.getName(),
                        config.toString()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Worker worker = new Worker(process);
        worker.expect("ready", 120);
        return worker;
    }

    private void readReplies() {
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("@@ ")) {
                    replies.add(line.substring(3));
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        replies.add("exited");
    }

    public void send(String command) throws IOException {
        commands.write(command + "\n");
        commands.flush();
    }

    /** The next reply, which must start with {@code word}; fails after {@code seconds}. */
    public String expect(String word, int seconds) {
        try {
            String reply = replies.poll(seconds, TimeUnit.SECONDS);
            if (reply == null) {
                throw new AssertionError("worker sent nothing within " + seconds + " s (expected '" + word + "')");
            }
            if (!reply.startsWith(word)) {
                throw new AssertionError("worker replied '" + reply + "', expected '" + word + "'");
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The numbers after the reply's first word. */
    public static long[] numbers(String reply) {
        String[] words = reply.split(" ");
        long[] out = new long[words.length - 1];
        for (int i = 1; i < words.length; i++) {
            out[i - 1] = Long.parseLong(words[i]);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            try {
                send("quit");
            } catch (IOException e) {
                // already gone
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}

package dev.llmrotate.bench.serverstack;

import java.net.URI;
import java.util.concurrent.CountDownLatch;

/**
 * Starts one server-stack candidate (or the fake upstream) on a loopback port until the process is stopped.
 *
 * <pre>
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.serverstack.ServerStackMain \
 *     &lt;upstream|jdk|netty|vertx|jetty&gt; &lt;port&gt; [upstream base URI, default http://127.0.0.1:9100]
 * </pre>
 *
 * Routes: {@code GET /health} (a 300-byte JSON), {@code POST /v1/chat/completions} (a 1 KiB JSON body forwarded to
 * the upstream with the JDK HttpClient; {@code "stream":true} relays the upstream's SSE events as they arrive).
 */
public final class ServerStackMain {
    private ServerStackMain() {}

    /** Entry point; see the class comment for arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ServerStackMain <" + String.join("|", StackServer.NAMES)
                    + "> <port> [upstream base URI, default http://127.0.0.1:9100]");
            System.exit(2);
        }
        URI upstream = URI.create(args.length > 2 ? args[2] : "http://127.0.0.1:9100");
        StackServer server;
        try {
            server = StackServer.start(args[0], Integer.parseInt(args[1]), upstream);
        } catch (Exception e) {
            // a failed bind leaves non-daemon event-loop threads behind: exit instead of hanging
            System.err.println("could not start " + args[0] + " on port " + args[1] + ": " + e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                System.err.println("close failed: " + e);
            }
        }));
        System.out.println("ready " + args[0] + " on 127.0.0.1:" + args[1]);
        new CountDownLatch(1).await(); // serve until the process is stopped
    }
}

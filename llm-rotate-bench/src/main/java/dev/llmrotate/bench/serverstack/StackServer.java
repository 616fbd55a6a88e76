package dev.llmrotate.bench.serverstack;

import java.net.URI;

/** One candidate HTTP stack serving the benchmark routes on a loopback port. */
interface StackServer extends AutoCloseable {
    /**
     * Names accepted by {@link #start}: the four candidates, {@code upstream} for the fake provider, and
     * {@code vertx-native}, a yardstick that forwards with Vert.x's own client instead of the JDK's.
     */
    String[] NAMES = {"upstream", "jdk", "netty", "vertx", "jetty", "vertx-native"};

    /** Starts {@code name} on {@code port}; candidates forward chat calls to {@code upstream}. */
    static StackServer start(String name, int port, URI upstream) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        switch (name) {
            case "upstream":
                return new FakeUpstream(port, cores);
            case "jdk":
                return new JdkStack(port, new UpstreamClient(upstream), 2 * cores);
            case "netty":
                return new NettyStack(port, new UpstreamClient(upstream), cores);
            case "vertx":
                return new VertxStack(port, new UpstreamClient(upstream), cores);
            case "jetty":
                return new JettyStack(port, new UpstreamClient(upstream));
            case "vertx-native":
                return new VertxNativeStack(port, upstream, cores);
            default:
                throw new IllegalArgumentException(
                        "unknown stack '" + name + "'; expected one of " + String.join(", ", NAMES));
        }
    }

    @Override
    void close() throws Exception;
}

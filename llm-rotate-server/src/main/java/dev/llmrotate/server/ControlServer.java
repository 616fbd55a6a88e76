package dev.llmrotate.server;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.server.http.ControlRouter;
import dev.llmrotate.server.metrics.PrometheusMetrics;
import dev.llmrotate.server.netty.NettyBinding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only control server over a live {@link LlmRotate}: JSON endpoints for health, keys, usage, recent calls
 * and the sanitized configuration, on its own port, and a dashboard over them at {@code /} for a browser. Embed it in
 * three lines:
 *
 * <pre>{@code
 * ControlServer server = ControlServer.start(lm, ControlServerOptions.builder().port(8200).build());
 * System.out.println("control server at " + server.uri());
 * // ... at shutdown: server.close();
 * }</pre>
 *
 * <p>It binds 127.0.0.1 unless told otherwise; any other address needs a bearer token, or an explicit
 * {@code allowUnauthenticated}. It logs how it listens on the {@value ControlRouter#LOG_NAME} logger.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlRouter.LOG_NAME);

    private final LlmRotate lm;
    private final NettyBinding binding;
    private final PrometheusMetrics metrics;
    private final boolean switchedEventBufferOn;
    private volatile boolean closed;

    private ControlServer(
            LlmRotate lm, NettyBinding binding, PrometheusMetrics metrics, boolean switchedEventBufferOn) {
        this.lm = lm;
        this.binding = binding;
        this.metrics = metrics;
        this.switchedEventBufferOn = switchedEventBufferOn;
    }

    /**
     * Starts serving {@code lm} as {@code options} say and returns once it listens.
     *
     * @param lm the instance to show; the caller keeps and closes it, after the server
     * @param options where to listen and whom to answer
     * @return the running server, to close at shutdown
     * @throws IllegalArgumentException when the host is not a loopback address and there is neither a token nor
     *     {@code allowUnauthenticated}, or the host cannot be resolved
     * @throws UncheckedIOException when it cannot listen (its cause a {@link BindException} when the port is in use)
     */
    public static ControlServer start(LlmRotate lm, ControlServerOptions options) {
        InetAddress address = resolve(options.host());
        boolean loopback = address.isLoopbackAddress();
        if (!loopback && options.token() == null && !options.allowUnauthenticated()) {
            throw new IllegalArgumentException("listening on " + options.host() + ", which is not a loopback address,"
                    + " needs a bearer token (--token-file or LLM_ROTATE_SERVER_TOKEN), or --allow-unauthenticated to"
                    + " serve it to anyone who can reach it");
        }
        PrometheusMetrics metrics = PrometheusMetrics.forEngine(lm);
        ControlRouter router = new ControlRouter(
                lm,
                new ControlRouter.Settings(
                        options.token(), options.corsOrigin(), options.clock(), ServerVersion.get(), metrics));
        // An observer shows the records the workers keep in the shared store; it has no buffer of its own.
        boolean switchOn = options.eventCapacity() > 0 && lm.eventBufferCapacity() == 0 && !lm.isObserver();
        if (switchOn) {
            lm.eventBuffer(options.eventCapacity());
        }
        NettyBinding binding;
        try {
            binding = NettyBinding.start(router, new InetSocketAddress(address, options.port()), options.limits());
        } catch (Exception e) {
            metrics.close();
            if (switchOn) {
                lm.eventBuffer(0);
            }
            throw cannotListen(options, e);
        }
        ControlServer server = new ControlServer(lm, binding, metrics, switchOn);
        logStart(server, options, loopback);
        return server;
    }

    private static void logStart(ControlServer server, ControlServerOptions options, boolean loopback) {
        String where = "control server listening on " + server.uri();
        if (options.token() != null) {
            LOG.info("{}; every endpoint but /livez and /readyz needs the bearer token", where);
        } else if (loopback) {
            LOG.info("{}; no authentication (loopback only)", where);
        } else {
            LOG.warn(
                    "{}; NO AUTHENTICATION on a non-loopback address (--allow-unauthenticated): anyone who can reach"
                            + " it sees key health, usage and configuration",
                    where);
        }
        if (options.corsOrigin() != null) {
            LOG.info("control server allows cross-origin reads from {}", options.corsOrigin());
        }
    }

    private static InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cannot resolve the host '" + host + "' to listen on");
        }
    }

    private static UncheckedIOException cannotListen(ControlServerOptions options, Exception e) {
        String where = options.host() + ":" + options.port();
        if (e instanceof BindException) {
            String why = e.getMessage() != null && e.getMessage().contains("in use")
                    ? "the port is in use"
                    : "the address cannot be bound (" + e.getMessage() + ")";
            BindException bind = new BindException("cannot listen on " + where + ": " + why);
            bind.initCause(e);
            return new UncheckedIOException(bind.getMessage(), bind);
        }
        IOException io = e instanceof IOException ioe ? ioe : new IOException(e.toString(), e);
        return new UncheckedIOException("cannot listen on " + where + ": " + e.getMessage(), io);
    }

    /**
     * The port it listens on.
     *
     * @return the port, the one picked when asked for port 0
     */
    public int port() {
        return binding.address().getPort();
    }

    /**
     * The address it listens on.
     *
     * @return the bound address and port
     */
    public InetSocketAddress address() {
        return binding.address();
    }

    /**
     * Its base URI.
     *
     * @return e.g. {@code http://127.0.0.1:8200/}; a wildcard bind shows as loopback, where it answers too
     */
    public URI uri() {
        InetAddress a = binding.address().getAddress();
        String host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Stops listening and closes every connection; switches off the event buffer if the server switched it on. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        binding.close();
        metrics.close();
        if (switchedEventBufferOn) {
            lm.eventBuffer(0);
        }
        LOG.info("control server on port {} stopped", binding.address().getPort());
    }

    @Override
    public String toString() {
        return "ControlServer[" + uri() + (closed ? ", closed" : "") + "]";
    }
}

package dev.llmrotate.server.gateway;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.server.netty.ConnectionLimit;
import dev.llmrotate.server.netty.RequestDeadline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible gateway: {@code POST /v1/chat/completions} (plain and streamed) and {@code GET /v1/models}
 * over an {@link LlmRotate}, so that any OpenAI client gets its rotation, retries, fallback chains and usage records.
 * It has a listener of its own, beside the read-only control server.
 *
 * <pre>{@code
 * Gateway gateway = Gateway.start(lm, GatewayOptions.builder().port(4000).build());
 * // OpenAI clients: base URL http://127.0.0.1:4000/v1
 * gateway.close();   // stops accepting, lets calls in flight finish within the grace period
 * }</pre>
 *
 * <p>At most {@link GatewayOptions#maxConcurrentCalls()} calls are in flight; one call more is answered 429. A plain
 * call holds no thread while it waits: it is sent with {@code lm.chatAsync} and answered from where the reply is read,
 * so give the gateway an {@link LlmRotate} built with a non-blocking HTTP client ({@code
 * .httpClient(new NettyHttpClientProvider())} from {@code llm-rotate-netty}, as the command line does); the JDK
 * client hands each asynchronous reply to another thread. A streamed call is read on a pool of call threads. A streamed answer's status and headers go out only with its first chunk, so every failure before it is
 * rotated, retried or falls back unseen; a failure after it ends the answer with one error event and no {@code
 * [DONE]}. A client that disconnects cancels its call.
 */
public final class Gateway implements AutoCloseable {
    /** The logger of the access log and of the gateway's start and stop. */
    public static final String LOG_NAME = "llm_rotate.gateway";

    private static final Logger LOG = LoggerFactory.getLogger(LOG_NAME);
    private static final int IO_THREADS = 2;

    private final GatewayCalls calls;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final ThreadPoolExecutor workers;
    private final ChannelGroup channels = new DefaultChannelGroup("llm-rotate-gateway", GlobalEventExecutor.INSTANCE);
    private final Channel server;
    private final GatewayOptions options;

    private Gateway(LlmRotate lm, GatewayOptions options, InetSocketAddress address) throws Exception {
        this.options = options;
        workers = new ThreadPoolExecutor(
                options.maxConcurrentCalls(),
                options.maxConcurrentCalls(),
                60,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), // never holds more than the permits let in
                new DefaultThreadFactory("llm-rotate-gateway-call", true));
        workers.allowCoreThreadTimeOut(true);
        calls = new GatewayCalls(lm, options, workers);
        acceptor = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("llm-rotate-gateway-accept", true), NioIoHandler.newFactory());
        io = new MultiThreadIoEventLoopGroup(
                IO_THREADS, new DefaultThreadFactory("llm-rotate-gateway-io", true), NioIoHandler.newFactory());
        ConnectionLimit connectionLimit = new ConnectionLimit(options.maxConnections());
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(8 * 1024)
                .setMaxHeaderSize(32 * 1024)
                .setMaxChunkSize(64 * 1024);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        RequestDeadline deadline = new RequestDeadline(options.requestTimeout());
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("connection-limit", connectionLimit);
                        p.addLast("request-deadline", deadline);
                        p.addLast("http", new HttpServerCodec(decoder));
                        p.addLast("aggregate", new HttpObjectAggregator(options.maxBodyBytes(), true));
                        p.addLast("gateway", new GatewayHandler(calls, deadline, options));
                    }
                });
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            shutdownThreads();
            Throwable cause = bound.cause();
            throw cause instanceof Exception e ? e : new IllegalStateException(cause);
        }
        server = bound.channel();
    }

    /**
     * Starts the gateway on {@code lm} (which it does not close).
     *
     * @param lm the instance that makes the calls, not an observer; best built with a non-blocking HTTP client
     * @param options where to listen, the gateway keys and the limits
     * @return the running gateway, to close at shutdown
     * @throws IllegalArgumentException for an observer {@code lm}, for a non-loopback host without gateway keys and
     *     without {@link GatewayOptions#allowUnauthenticated()}, or a host that cannot be resolved
     * @throws UncheckedIOException when it cannot listen (the cause a {@link BindException} when the port is in use)
     */
    public static Gateway start(LlmRotate lm, GatewayOptions options) {
        if (lm.isObserver()) {
            throw new IllegalArgumentException("the gateway needs an LlmRotate that makes calls, not an observer");
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(options.host());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("gateway host " + options.host() + " cannot be resolved");
        }
        if (!address.isLoopbackAddress() && options.keys().isEmpty() && !options.allowUnauthenticated()) {
            throw new IllegalArgumentException("the gateway on " + options.host() + ", which is not a loopback"
                    + " address, needs gateway keys (gateway.keys in the configuration), or --allow-unauthenticated"
                    + " to let anyone who can reach it spend the pool's keys");
        }
        Gateway gateway;
        try {
            gateway = new Gateway(lm, options, new InetSocketAddress(address, options.port()));
        } catch (BindException e) {
            throw new UncheckedIOException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": the port is in use", e);
        } catch (Exception e) {
            throw new UncheckedIOException(
                    "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(),
                    e instanceof java.io.IOException io ? io : new java.io.IOException(e));
        }
        if (!options.keys().isEmpty()) {
            LOG.info(
                    "gateway listening on {}; {} gateway keys",
                    gateway.uri(),
                    options.keys().size());
        } else if (address.isLoopbackAddress()) {
            LOG.info("gateway listening on {} (loopback only, no gateway keys)", gateway.uri());
        } else {
            LOG.warn(
                    "gateway listening on {} WITHOUT gateway keys: anyone who can reach it can spend the pool's keys",
                    gateway.uri());
        }
        return gateway;
    }

    /**
     * The port it listens on.
     *
     * @return the port, the one picked when asked for port 0
     */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * The base URL.
     *
     * @return e.g. {@code http://127.0.0.1:4000/} (loopback also for a wildcard bind); OpenAI clients take it with
     *     {@code v1} appended
     */
    public URI uri() {
        InetSocketAddress local = (InetSocketAddress) server.localAddress();
        // A wildcard bind is reached on loopback from this machine, as the control server's uri() says too.
        String host = local.getAddress().isAnyLocalAddress()
                ? "127.0.0.1"
                : local.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + local.getPort() + "/");
    }

    /**
     * Calls in flight now.
     *
     * @return the count, at most {@link GatewayOptions#maxConcurrentCalls()}
     */
    public int callsInFlight() {
        return calls.inFlight();
    }

    /**
     * Calls waiting in the admission queue for one in flight to end.
     *
     * @return the count, at most {@link GatewayOptions#maxQueuedCalls()} ({@code max_queued_calls})
     */
    public int callsQueued() {
        return calls.queued();
    }

    /**
     * Stops accepting connections and requests, waits up to the grace period for calls in flight (streams included)
     * to finish, then closes every connection and ends the threads. The {@code LlmRotate} stays open.
     */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        calls.stopAccepting();
        boolean drained = calls.awaitIdle(options.shutdownGrace());
        if (!drained) {
            LOG.warn(
                    "gateway closing with {} calls still in flight after {}",
                    calls.inFlight(),
                    options.shutdownGrace());
        }
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        shutdownThreads();
        LOG.info("gateway stopped");
    }

    private void shutdownThreads() {
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownNow();
        acceptor.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
        io.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}

package dev.llmrotate.server.netty;

import dev.llmrotate.server.http.ControlRouter;
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
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Serves a {@link ControlRouter} over HTTP/1.1 with Netty (the Netty that lettuce already brings). The pipeline of a
 * connection, in order: a connection cap, a write timeout, a deadline for each whole request (slow clients), the
 * HTTP codec with request-line and header limits, a body limit, and the handler that runs the router on a bounded
 * pool of worker threads. Internal to the server module; embed through {@code ControlServer}.
 */
public final class NettyBinding implements AutoCloseable {
    /** Threads that accept and do the I/O: two suffice for a control server, whatever the core count. */
    private static final int IO_THREADS = 2;

    private final EventLoopGroup acceptor;
    private final EventLoopGroup io;
    private final ThreadPoolExecutor workers;
    private final ChannelGroup channels = new DefaultChannelGroup("llm-rotate-server", GlobalEventExecutor.INSTANCE);
    private final Channel server;

    private NettyBinding(ControlRouter router, InetSocketAddress address, BindingLimits limits) throws Exception {
        acceptor = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("llm-rotate-server-accept", true), NioIoHandler.newFactory());
        io = new MultiThreadIoEventLoopGroup(
                IO_THREADS, new DefaultThreadFactory("llm-rotate-server-io", true), NioIoHandler.newFactory());
        workers = new ThreadPoolExecutor(
                limits.workerThreads(),
                limits.workerThreads(),
                60,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(limits.maxQueuedRequests()),
                new DefaultThreadFactory("llm-rotate-server-worker", true),
                new ThreadPoolExecutor.AbortPolicy());
        workers.allowCoreThreadTimeOut(true);
        ConnectionLimit connectionLimit = new ConnectionLimit(limits.maxConnections());
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(8192);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        RequestDeadline deadline = new RequestDeadline(limits.requestTimeout());
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("connection-limit", connectionLimit);
                        p.addLast(
                                "write-timeout",
                                new WriteTimeoutHandler(limits.writeTimeout().toMillis(), TimeUnit.MILLISECONDS));
                        p.addLast("request-deadline", deadline);
                        p.addLast("http", new HttpServerCodec(decoder));
                        p.addLast("body-limit", new OversizedBodies(limits.maxBodyBytes()));
                        p.addLast(
                                "router", new RequestHandler(router, workers, deadline, limits.maxPipelinedRequests()));
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
     * Listens on {@code address} (port 0: any free port).
     *
     * @param router answers the requests
     * @param address where to listen
     * @param limits what one client may cost
     * @return the binding, listening; close it to stop
     * @throws java.net.BindException when the address is in use or cannot be bound
     * @throws Exception for any other failure to listen
     */
    public static NettyBinding start(ControlRouter router, InetSocketAddress address, BindingLimits limits)
            throws Exception {
        return new NettyBinding(router, address, limits);
    }

    /**
     * The address it listens on.
     *
     * @return the bound address, with the actual port
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Stops listening, closes every connection and ends the threads, within about two seconds. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        shutdownThreads();
    }

    private void shutdownThreads() {
        acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownNow();
        acceptor.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
        io.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}

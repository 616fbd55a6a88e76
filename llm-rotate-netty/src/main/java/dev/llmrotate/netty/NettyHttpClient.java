package dev.llmrotate.netty;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.CallCancelledException;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.HttpPost;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderHttpClient;
import dev.llmrotate.spi.StreamingResponse;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.ChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/** The {@link ProviderHttpClient} that {@link NettyHttpClientProvider} makes. */
final class NettyHttpClient implements ProviderHttpClient {
    /** Provider headers (rate-limit families, request ids) fit well within this; the decoder's default is 8 KiB. */
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final HttpLimits limits;
    private final int maxConnectionsPerHost;
    private final Duration idleTimeout;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Bootstrap bootstrap;
    private final Map<Host, FixedChannelPool> pools = new ConcurrentHashMap<>();
    private volatile SslContext sslContext;
    private volatile boolean closed;

    /**
     * Where connections go; a connect timeout of its own is a pool of its own (it is a bootstrap option), and so is
     * an event loop that asynchronous calls come from ({@code loop}, null for the client's own group).
     */
    private record Host(boolean tls, String name, int port, int connectTimeoutMillis, EventLoop loop) {}

    NettyHttpClient(
            HttpLimits limits,
            int maxConnectionsPerHost,
            Duration idleTimeout,
            int ioThreads,
            EventLoopGroup group,
            SslContext sslContext) {
        this.limits = limits;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
        this.idleTimeout = idleTimeout;
        this.ownsGroup = group == null;
        this.group = group != null
                ? group
                : new MultiThreadIoEventLoopGroup(
                        ioThreads, new DefaultThreadFactory("llm-rotate-http", true), NioIoHandler.newFactory());
        this.sslContext = sslContext;
        this.bootstrap = new Bootstrap()
                .group(this.group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true);
    }

    @Override
    public <T> CompletableFuture<T> postAsync(HttpPost post, Function<HttpResult, T> reader) {
        return send(post, reader, callersLoop());
    }

    /** Waits for an exchange on the client's own loops: a caller on an event loop must not wait for its own. */
    @Override
    public <T> T post(HttpPost post, Function<HttpResult, T> reader) {
        CompletableFuture<T> future = send(post, reader, null);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new CallCancelledException(
                    "interrupted while waiting for " + post.uri().getHost());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure
                    ? failure
                    : new ProviderException(ErrorType.UNKNOWN, null, null, "request failed: " + e.getCause());
        }
    }

    private <T> CompletableFuture<T> send(HttpPost post, Function<HttpResult, T> reader, EventLoop loop) {
        try {
            PlainCall<T> call = new PlainCall<>(post, request(post), limits, reader);
            start(post, call, loop);
            return call.future;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public StreamingResponse openStream(HttpPost post) {
        StreamCall call = new StreamCall(post, request(post), limits);
        start(post, call, null); // a blocking caller on an event loop would wait for that very loop
        try {
            return call.started.get();
        } catch (InterruptedException e) {
            call.fail(new ProviderException(ErrorType.UNKNOWN, null, null, "cancelled"));
            Thread.currentThread().interrupt();
            throw new CallCancelledException(
                    "interrupted while waiting for " + post.uri().getHost());
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException failure
                    ? failure
                    : new ProviderException(ErrorType.UNKNOWN, null, null, "request failed: " + e.getCause());
        }
    }

    private void start(HttpPost post, Call call, EventLoop loop) {
        if (closed) {
            throw new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "the HTTP client is closed");
        }
        call.start(pool(host(post, loop)), loop != null ? loop : group.next());
    }

    /**
     * The NIO event loop the caller runs on (a Netty server's, such as the gateway's), or null. An asynchronous call
     * from there takes a connection of that loop, so that its reply is read, and the caller's continuation runs,
     * on the caller's own thread: no hand-over between threads on the way out or back. Blocking calls never do
     * (their caller would wait for the very loop that must read the reply).
     */
    private static EventLoop callersLoop() {
        EventExecutor current = ThreadExecutorMap.currentExecutor();
        return current instanceof IoEventLoop loop && loop.isIoType(NioIoHandler.class) && loop.inEventLoop()
                ? loop
                : null;
    }

    @Override
    public void close() {
        closed = true;
        pools.values().forEach(FixedChannelPool::closeAsync);
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static Host host(HttpPost post, EventLoop loop) {
        URI uri = post.uri();
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        if (!tls && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new ProviderException(
                    ErrorType.INVALID_REQUEST, null, null, "not an http or https URL: scheme " + uri.getScheme());
        }
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        long connect =
                Math.max(1, Math.min(Integer.MAX_VALUE, post.connectTimeout().toMillis()));
        return new Host(tls, uri.getHost(), port, (int) connect, loop);
    }

    private FixedChannelPool pool(Host host) {
        FixedChannelPool pool = pools.get(host);
        return pool != null ? pool : pools.computeIfAbsent(host, this::newPool);
    }

    private FixedChannelPool newPool(Host host) {
        Bootstrap connect = bootstrap
                .clone(host.loop() != null ? host.loop() : group)
                .remoteAddress(InetSocketAddress.createUnresolved(host.name(), host.port()))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, host.connectTimeoutMillis());
        return new FixedChannelPool(connect, new PoolHandler(host), maxConnectionsPerHost);
    }

    private SslContext sslContext() {
        SslContext context = sslContext;
        if (context == null) {
            try {
                context = SslContextBuilder.forClient().build();
            } catch (SSLException e) {
                throw new ProviderException(
                        ErrorType.CONNECTION_ERROR, null, null, "TLS could not be set up: " + e.getMessage());
            }
            sslContext = context;
        }
        return context;
    }

    /** Sets up each new connection of a host and readies released ones for their next exchange. */
    private final class PoolHandler implements ChannelPoolHandler {
        private final Host host;

        PoolHandler(Host host) {
            this.host = host;
        }

        @Override
        public void channelCreated(Channel channel) {
            if (host.tls()) {
                SslHandler tls = sslContext().newHandler(channel.alloc(), host.name(), host.port());
                verifyHostName(tls.engine());
                channel.pipeline().addLast("tls", tls);
            }
            channel.pipeline()
                    .addLast(
                            "http",
                            new HttpClientCodec(
                                    new HttpDecoderConfig().setMaxHeaderSize(MAX_HEADER_BYTES), false, false))
                    .addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                    .addLast("exchange", new ExchangeHandler());
        }

        @Override
        public void channelAcquired(Channel channel) {}

        @Override
        public void channelReleased(Channel channel) {
            channel.config().setAutoRead(true); // a stream may have paused reading while its reader caught up
        }
    }

    /**
     * Host name verification, whatever the context says (the application's context, or Netty's default when the
     * {@code io.netty.handler.ssl.defaultEndpointVerificationAlgorithm} system property turns it off), as the JDK
     * client always verifies: a key is only sent to a server that proves it is the URL's host.
     */
    private static void verifyHostName(SSLEngine engine) {
        SSLParameters parameters = engine.getSSLParameters();
        if (!"HTTPS".equalsIgnoreCase(parameters.getEndpointIdentificationAlgorithm())) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
    }

    /** The request, built on the calling thread so that a bad one fails before any connection is taken. */
    private static FullHttpRequest request(HttpPost post) {
        URI uri = post.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path = path + "?" + uri.getRawQuery();
        }
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.POST, path, Unpooled.wrappedBuffer(post.body()));
        io.netty.handler.codec.http.HttpHeaders headers = request.headers();
        headers.set(HttpHeaderNames.HOST, uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort());
        headers.set(HttpHeaderNames.CONTENT_TYPE, post.contentType());
        headers.set(HttpHeaderNames.ACCEPT, post.accept());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, post.body().length);
        post.headers().forEach((name, value) -> {
            try {
                headers.set(name, value);
            } catch (IllegalArgumentException e) {
                // Not e.getMessage(): it may quote the value, which may hold a secret.
                throw new ProviderException(
                        ErrorType.INVALID_REQUEST, null, null, "header " + name + " was refused by the HTTP client");
            }
        });
        return request;
    }
}

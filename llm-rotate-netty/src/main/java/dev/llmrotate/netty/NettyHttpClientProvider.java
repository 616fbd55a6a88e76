package dev.llmrotate.netty;

import dev.llmrotate.spi.HttpClientProvider;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.ProviderHttpClient;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Objects;

/**
 * A non-blocking HTTP/1.1 client on Netty for the built-in adapters: {@code
 * LlmRotate.builder().httpClient(new NettyHttpClientProvider())}.
 *
 * <p>Connections are pooled per host (scheme, host, port) and kept alive: at most {@link #maxConnectionsPerHost}
 * open to one host (default 256), more exchanges wait for one to be released, within their own deadline; an idle
 * connection is closed after {@link #idleTimeout} (default 30 s, under the keep-alive of common servers and load
 * balancers). {@code https} uses Netty's {@code SslHandler} with the JDK's default trust (or {@link #sslContext}) and
 * host name verification, always. Replies are read on the event loop, a plain one whole within the limits, a streamed
 * one handed over as it arrives; an asynchronous call ({@code chatAsync}) completes there, without any other thread.
 *
 * <p>Each client it makes runs on its own event loops ({@link #ioThreads}, default 1), closed with the instance,
 * unless {@link #eventLoopGroup} gives one the application owns. An asynchronous call made on a Netty NIO event loop
 * (a Netty server's handler calling {@code chatAsync}, as the gateway of {@code llm-rotate-server} does) uses
 * connections of that loop instead, pooled apart (the bound applies per loop): its reply is read and its
 * continuation runs on the caller's own thread, with no hand-over between threads. Blocking calls always use the
 * client's own loops.
 */
public final class NettyHttpClientProvider implements HttpClientProvider {
    private int maxConnectionsPerHost = 256;
    private Duration idleTimeout = Duration.ofSeconds(30);
    private int ioThreads = 1;
    private EventLoopGroup group;
    private SslContext sslContext;

    /**
     * At most this many connections open to one host; default 256.
     *
     * @param value the bound, at least 1
     * @return this
     */
    public NettyHttpClientProvider maxConnectionsPerHost(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxConnectionsPerHost must be at least 1, got " + value);
        }
        this.maxConnectionsPerHost = value;
        return this;
    }

    /**
     * An unused pooled connection is closed after this; default 30 s.
     *
     * @param value a positive duration
     * @return this
     */
    public NettyHttpClientProvider idleTimeout(Duration value) {
        Objects.requireNonNull(value, "idleTimeout");
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive, got " + value);
        }
        this.idleTimeout = value;
        return this;
    }

    /**
     * The event loop threads of a client's own group; default 1 (one loop keeps thousands of calls a second).
     *
     * @param value the thread count, at least 1
     * @return this
     */
    public NettyHttpClientProvider ioThreads(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("ioThreads must be at least 1, got " + value);
        }
        this.ioThreads = value;
        return this;
    }

    /**
     * Runs on {@code value} (for instance a server's own I/O group) instead of a group of its own; the application
     * shuts it down, closing a client leaves it running. Its channels must be NIO ones.
     *
     * @param value the group to run on
     * @return this
     */
    public NettyHttpClientProvider eventLoopGroup(EventLoopGroup value) {
        this.group = Objects.requireNonNull(value, "eventLoopGroup");
        return this;
    }

    /**
     * The TLS context of {@code https} connections; default: Netty's client context over the JDK's default trust
     * store. Give one to trust a private certificate authority or a self-signed certificate, for instance {@code
     * SslContextBuilder.forClient().trustManager(caCertificate).build()}. Host names are verified whatever the
     * context says, as the JDK client does: a key is only sent to a server whose certificate names the URL's host.
     *
     * @param value the client context
     * @return this
     */
    public NettyHttpClientProvider sslContext(SslContext value) {
        this.sslContext = Objects.requireNonNull(value, "sslContext");
        return this;
    }

    @Override
    public ProviderHttpClient create(HttpLimits limits) {
        return new NettyHttpClient(limits, maxConnectionsPerHost, idleTimeout, ioThreads, group, sslContext);
    }
}

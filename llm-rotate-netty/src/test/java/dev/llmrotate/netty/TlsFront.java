package dev.llmrotate.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTPS front on loopback for a plain HTTP server (the testkit's fakes): it ends TLS with the certificate of its
 * context and relays the bytes both ways, so the fake's answers, streamed ones included, arrive over TLS as they are
 * sent. Counts the handshakes that succeeded and keeps the causes of those that failed (the server's side of them).
 */
final class TlsFront implements AutoCloseable {
    final AtomicInteger handshakes = new AtomicInteger();
    final List<Throwable> failedHandshakes = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress backend;
    private final Channel server;

    /** Listens on 127.0.0.1 (a free port), serving {@code tls}'s certificate, in front of {@code backend}. */
    TlsFront(SslContext tls, URI backend) throws InterruptedException {
        this.backend = new InetSocketAddress(backend.getHost(), backend.getPort());
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false) // nothing is read until the backend is connected
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel front) {
                        front.pipeline().addLast(tls.newHandler(front.alloc()), new Front());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }

    /** {@code https://<host>:<port><path>} of this front, {@code host} being the name the client is to verify. */
    URI uri(String host, String path) {
        return URI.create("https://" + host + ":" + ((InetSocketAddress) server.localAddress()).getPort() + path);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The client's side: connects to the backend, then reads (the handshake first) and relays. */
    private final class Front extends ChannelInboundHandlerAdapter {
        private Channel back;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel front = ctx.channel();
            new Bootstrap()
                    .group(front.eventLoop())
                    .channel(NioSocketChannel.class)
                    .handler(new Relay(front))
                    .connect(backend)
                    .addListener((ChannelFutureListener) connected -> {
                        if (connected.isSuccess()) {
                            back = connected.channel();
                            front.config().setAutoRead(true);
                        } else {
                            front.close();
                        }
                    });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    handshakes.incrementAndGet();
                } else {
                    failedHandshakes.add(done.cause());
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            back.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (back != null) {
                back.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a failed handshake among others: the client sees the alert and the close
        }
    }

    /** The backend's side: what it sends goes back to the client as it comes. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel front;

        Relay(Channel front) {
            this.front = front;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            front.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            front.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

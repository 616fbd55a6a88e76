package dev.llmrotate.netty;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback OpenAI-format server that counts what the testkit's fakes do not show: connections opened and closed,
 * and the most requests it had in hand at once. Each answer is one chat completion, after {@code delay}; the body is
 * the documented non-streamed shape (https://platform.openai.com/docs/api-reference/chat/object).
 */
final class CountingServer implements AutoCloseable {
    static final String ANSWER = "counted";
    private static final byte[] BODY = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,"
                    + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                    + "\"content\":\"" + ANSWER + "\"},\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}")
            .getBytes(StandardCharsets.UTF_8);

    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger inHand = new AtomicInteger();
    final AtomicInteger mostInHand = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private volatile Duration delay = Duration.ZERO;

    CountingServer() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        opened.incrementAndGet();
                        ch.closeFuture().addListener(f -> closed.incrementAndGet());
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                                        answer(ctx);
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .sync()
                .channel();
    }

    private void answer(ChannelHandlerContext ctx) {
        requests.incrementAndGet();
        mostInHand.accumulateAndGet(inHand.incrementAndGet(), Math::max);
        ctx.executor()
                .schedule(
                        () -> {
                            inHand.decrementAndGet();
                            FullHttpResponse response = new DefaultFullHttpResponse(
                                    HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(BODY));
                            response.headers()
                                    .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                    .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length);
                            ctx.writeAndFlush(response);
                        },
                        delay.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    CountingServer delay(Duration value) {
        delay = value;
        return this;
    }

    URI baseUrl() {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        return URI.create("http://127.0.0.1:" + address.getPort() + "/v1");
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

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
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
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
                                        if (request.content()
                                                .toString(StandardCharsets.UTF_8)
                                                .contains("\"stream\":true")) {
                                            stream(ctx);
                                        } else {
                                            answer(ctx);
                                        }
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

    /**
     * A streamed answer as OpenAI sends it (https://platform.openai.com/docs/api-reference/chat-streaming): one
     * content chunk, then the finish reason, the usage chunk and {@code [DONE]} written together with the body's
     * end, so that a reader may see {@code [DONE]} before the client has handled the end of the body.
     */
    private void stream(ChannelHandlerContext ctx) {
        requests.incrementAndGet();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(
                "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + ANSWER + "\"}}]}\n\n",
                StandardCharsets.UTF_8)));
        ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer(
                "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                        + "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
                        + "\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,"
                        + "\"total_tokens\":2}}\n\ndata: [DONE]\n\n",
                StandardCharsets.UTF_8)));
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

package dev.llmrotate.bench.serverstack;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * The fake provider behind every candidate and behind the direct baseline: a minimal Netty server answering the chat
 * route with a fixed completion, or, when the body asks for a stream, with {@link Payloads#STREAM_EVENTS} SSE events
 * (the first together with the headers, then one per millisecond) and {@code [DONE]}. The spacing makes a relay that
 * buffers instead of flushing per event show up as a late first event.
 */
final class FakeUpstream implements StackServer {
    private static final long EVENT_SPACING_MICROS = 1000;

    private final EventLoopGroup group;
    private final Channel channel;

    FakeUpstream(int port, int threads) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        ChannelHandler handler = new Handler();
        channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpServerKeepAliveHandler())
                                .addLast(new HttpObjectAggregator(Payloads.MAX_BODY))
                                .addLast(handler);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), port)
                .sync()
                .channel();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri();
            if (request.method() == HttpMethod.POST && path.equals(Payloads.CHAT_PATH)) {
                byte[] body = new byte[request.content().readableBytes()];
                request.content().readBytes(body);
                if (Payloads.isStream(body)) {
                    stream(ctx);
                } else {
                    ctx.writeAndFlush(full(HttpResponseStatus.OK, Payloads.CHAT_RESPONSE));
                }
            } else if (request.method() == HttpMethod.GET && path.equals(Payloads.HEALTH_PATH)) {
                ctx.writeAndFlush(full(HttpResponseStatus.OK, Payloads.HEALTH));
            } else {
                ctx.writeAndFlush(full(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\"}".getBytes()));
            }
        }

        private static void stream(ChannelHandlerContext ctx) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, Payloads.EVENT_STREAM)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.write(head);
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(Payloads.STREAM_EVENT)));
            for (int i = 1; i < Payloads.STREAM_EVENTS; i++) {
                ctx.executor()
                        .schedule(
                                () -> ctx.writeAndFlush(
                                        new DefaultHttpContent(Unpooled.wrappedBuffer(Payloads.STREAM_EVENT))),
                                i * EVENT_SPACING_MICROS,
                                TimeUnit.MICROSECONDS);
            }
            ctx.executor()
                    .schedule(
                            () -> ctx.writeAndFlush(
                                    new DefaultLastHttpContent(Unpooled.wrappedBuffer(Payloads.STREAM_DONE))),
                            Payloads.STREAM_EVENTS * EVENT_SPACING_MICROS,
                            TimeUnit.MICROSECONDS);
        }

        private static FullHttpResponse full(HttpResponseStatus status, byte[] body) {
            FullHttpResponse response =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, Payloads.JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return response;
        }
    }
}

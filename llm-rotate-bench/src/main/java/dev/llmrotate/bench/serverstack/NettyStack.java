package dev.llmrotate.bench.serverstack;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * Candidate: Netty 4.2 {@code netty-codec-http} on NIO with one event-loop thread per core. The codec's defaults
 * apply (4 KiB request line, 8 KiB headers); the aggregator caps the body. Responses are written from the HTTP
 * client's completion thread; Netty hands such writes to the channel's event loop.
 */
final class NettyStack implements StackServer {
    private final EventLoopGroup group;
    private final Channel channel;

    NettyStack(int port, UpstreamClient upstream, int threads) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        ChannelHandler handler = new Handler(upstream);
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
        private final UpstreamClient upstream;

        Handler(UpstreamClient upstream) {
            this.upstream = upstream;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.decoderResult().isFailure()) {
                refuse(ctx, request.decoderResult().cause());
                return;
            }
            String path = request.uri();
            if (request.method() == HttpMethod.GET && path.equals(Payloads.HEALTH_PATH)) {
                ctx.writeAndFlush(full(HttpResponseStatus.OK, Payloads.HEALTH));
            } else if (request.method() == HttpMethod.POST && path.equals(Payloads.CHAT_PATH)) {
                byte[] body = ByteBufUtil.getBytes(request.content());
                if (Payloads.isStream(body)) {
                    upstream.stream(body, new Sink(ctx));
                } else {
                    upstream.complete(body)
                            .whenComplete((response, error) -> ctx.writeAndFlush(
                                    error != null
                                            ? full(
                                                    HttpResponseStatus.BAD_GATEWAY,
                                                    "{\"error\":\"upstream failed\"}".getBytes())
                                            : full(
                                                    HttpResponseStatus.valueOf(response.statusCode()),
                                                    response.body())));
                }
            } else {
                ctx.writeAndFlush(full(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\"}".getBytes()));
            }
        }

        /** The codec enforces its limits by marking the request failed; answering is left to the handler. */
        private static void refuse(ChannelHandlerContext ctx, Throwable cause) {
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : HttpResponseStatus.BAD_REQUEST;
            ctx.writeAndFlush(full(status, "{\"error\":\"bad request\"}".getBytes()))
                    .addListener(ChannelFutureListener.CLOSE);
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

    /** Writes each event batch as one HTTP chunk and flushes; the write's future reports back to the relay. */
    private static final class Sink implements StreamSink {
        private final ChannelHandlerContext ctx;

        Sink(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void begin(int status) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
            head.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, Payloads.EVENT_STREAM)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            ctx.writeAndFlush(head);
        }

        @Override
        public void events(byte[] events, WriteDone done) {
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(events)))
                    .addListener(future -> done.done(future.cause()));
        }

        @Override
        public void end() {
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        @Override
        public void fail(Throwable error) {
            ctx.close();
        }
    }
}

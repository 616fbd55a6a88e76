package dev.llmrotate.server.netty;

import dev.llmrotate.server.http.ControlRequest;
import dev.llmrotate.server.http.ControlResponse;
import dev.llmrotate.server.http.ControlRouter;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each whole request of one connection to the router on a worker thread and writes the answers back in the
 * order the requests came (HTTP/1.1 pipelining), one at a time. All fields are touched on the connection's event loop
 * only.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ControlRouter.LOG_NAME);

    private final ControlRouter router;
    private final Executor workers;
    private final RequestDeadline deadline;
    private final int maxPipelined;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean answering;

    private record Pending(ControlRequest request, boolean keepAlive) {}

    RequestHandler(ControlRouter router, Executor workers, RequestDeadline deadline, int maxPipelined) {
        this.router = router;
        this.workers = workers;
        this.deadline = deadline;
        this.maxPipelined = maxPipelined;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            deadline.requestReceived();
            DecoderResult result = request.decoderResult();
            if (result.isFailure()) {
                refuseMalformed(ctx, result.cause());
                return;
            }
            if (pending.size() >= maxPipelined) {
                ctx.close();
                return;
            }
            pending.add(new Pending(toControlRequest(request), HttpUtil.isKeepAlive(request)));
        } finally {
            request.release();
        }
        if (!answering) {
            answerNext(ctx);
        }
    }

    private void answerNext(ChannelHandlerContext ctx) {
        Pending next = pending.poll();
        if (next == null) {
            answering = false;
            deadline.awaitNextRequest();
            return;
        }
        answering = true;
        try {
            workers.execute(() -> {
                ControlResponse response = router.handle(next.request());
                ctx.executor().execute(() -> write(ctx, response, next.keepAlive()));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, ControlRouter.errorResponse(503, "unavailable", "the server is busy; try again later"), false);
        }
    }

    private void write(ChannelHandlerContext ctx, ControlResponse r, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            return;
        }
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()),
                r.omitBody() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        r.headers().forEach((name, value) -> response.headers().set(name, value));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = ctx.writeAndFlush(response);
        if (keepAlive) {
            written.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    answerNext(ctx);
                } else {
                    ctx.close();
                }
            });
        } else {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A request the codec could not read: answer what was wrong and close, since the stream is out of step. */
    private void refuseMalformed(ChannelHandlerContext ctx, Throwable cause) {
        ControlResponse r;
        if (cause instanceof TooLongHttpLineException) {
            r = ControlRouter.errorResponse(414, "uri_too_long", "the request line is too long");
        } else if (cause instanceof TooLongHttpHeaderException) {
            r = ControlRouter.errorResponse(431, "headers_too_large", "the request headers are too large");
        } else {
            r = ControlRouter.errorResponse(400, "bad_request", "the request is not valid HTTP/1.1");
        }
        pending.clear();
        answering = true;
        write(ctx, r, false);
    }

    private static ControlRequest toControlRequest(FullHttpRequest request) {
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        return new ControlRequest(request.method().name(), request.uri(), headers);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are what clients do; nothing to tell an operator.
        LOG.debug("control server connection closed after {}", cause.toString());
        ctx.close();
    }
}

package dev.llmrotate.server.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gives a connection a fixed time to deliver each whole request, counted from its opening or from the previous
 * answer: a client that sends a byte every few seconds (slowloris) or sits idle on a kept-alive connection is closed
 * when it runs out, with a 408 when part of a request had arrived. An idle timeout would not do: a trickle of bytes
 * resets it forever. Sits before the HTTP codec, so it sees raw bytes; all its methods run on the connection's event
 * loop.
 */
public final class RequestDeadline extends ChannelInboundHandlerAdapter {
    private final long timeoutNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean bytesSeen;

    /**
     * A deadline for one connection.
     *
     * @param timeout the time each whole request has, positive
     */
    public RequestDeadline(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        arm();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            bytesSeen = true;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    /** A whole request has arrived: the clock stops while it is answered. */
    public void requestReceived() {
        cancel();
        bytesSeen = false;
    }

    /** The answers are written and the connection stays open: the next request has the full time again. */
    public void awaitNextRequest() {
        arm();
    }

    private void arm() {
        cancel();
        if (ctx != null) {
            timer = ctx.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire() {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (bytesSeen) {
            ctx.writeAndFlush(RawResponse.error(
                            408,
                            "Request Timeout",
                            "request_timeout",
                            "the request did not arrive in time (" + timeoutNanos / 1_000_000 + " ms)"))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}

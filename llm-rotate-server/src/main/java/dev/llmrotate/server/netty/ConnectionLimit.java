package dev.llmrotate.server.netty;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.atomic.AtomicInteger;

/** Caps open connections: one over the limit gets a 503 and is closed at once. Shared by every connection. */
@ChannelHandler.Sharable
public final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    /**
     * A cap for the connections of one binding.
     *
     * @param max open connections at most
     */
    public ConnectionLimit(int max) {
        this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (open.incrementAndGet() > max) {
            ctx.writeAndFlush(RawResponse.error(
                            503,
                            "Service Unavailable",
                            "unavailable",
                            "too many open connections (" + max + "); try again later"))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.decrementAndGet();
        super.channelInactive(ctx);
    }

    /** Connections open now. */
    int open() {
        return open.get();
    }
}

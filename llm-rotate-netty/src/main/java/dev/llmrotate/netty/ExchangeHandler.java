package dev.llmrotate.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/** The last handler of a connection: hands what arrives to the exchange in progress, if any. */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {
    /** Why a connection failed while no exchange was on it (a TLS handshake), for the exchange handed it next. */
    static final AttributeKey<Throwable> FAILURE = AttributeKey.valueOf(ExchangeHandler.class, "failure");

    /** The exchange in progress; read and written on the connection's event loop only. */
    Call call;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            Call c = call;
            if (c == null) {
                ctx.close(); // bytes nobody asked for: the connection cannot be trusted with another exchange
                return;
            }
            if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                call = null;
                ctx.close();
                c.broken(object.decoderResult().cause());
                return;
            }
            if (msg instanceof HttpResponse response) {
                c.head(response);
            }
            if (msg instanceof HttpContent content && call == c) {
                c.content(content.content());
                if (msg instanceof LastHttpContent && call == c) {
                    c.last();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Call c = call;
        call = null;
        if (c != null) {
            c.broken(new ClosedChannelException());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Call c = call;
        call = null;
        if (c == null) {
            ctx.channel().attr(FAILURE).set(cause);
        }
        ctx.close();
        if (c != null) {
            c.broken(cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent && call == null) {
            ctx.close(); // idle in the pool for the idle timeout
        }
        ctx.fireUserEventTriggered(event);
    }
}

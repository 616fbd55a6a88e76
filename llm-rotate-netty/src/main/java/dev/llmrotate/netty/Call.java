package dev.llmrotate.netty;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.HttpPost;
import dev.llmrotate.spi.ProviderException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * One exchange: takes a pooled connection, writes the request, receives the response on the connection's event loop
 * ({@link ExchangeHandler}), and gives the connection back (kept alive) or closes it (anything else: a failure, a
 * cut, an abandoned body). Its deadline runs from the start; {@link #fail} may come from any thread and wins once.
 */
abstract class Call {
    final HttpPost post;
    private final FullHttpRequest request;
    private FixedChannelPool pool;
    private ScheduledFuture<?> timer;
    /** Guarded by this. */
    private Channel channel;
    /** Guarded by this: the outcome is settled (the connection released or closed). */
    private boolean done;

    Call(HttpPost post, FullHttpRequest request) {
        this.post = post;
        this.request = request;
    }

    final void start(FixedChannelPool pool, EventExecutor timers) {
        this.pool = pool;
        this.timer = timers.schedule(this::expire, post.timeout().toNanos(), TimeUnit.NANOSECONDS);
        pool.acquire().addListener(this::acquired);
    }

    private void acquired(Future<? super Channel> acquired) {
        if (!acquired.isSuccess()) {
            fail(failure(acquired.cause(), false));
            return;
        }
        Channel ch = (Channel) acquired.getNow();
        synchronized (this) {
            if (done) {
                pool.release(ch); // unused: its deadline passed, or it was cancelled, while waiting for it
                return;
            }
            channel = ch;
        }
        ch.eventLoop().execute(() -> {
            synchronized (this) {
                if (done) {
                    return;
                }
            }
            ExchangeHandler handler = ch.pipeline().get(ExchangeHandler.class);
            if (handler == null || !ch.isActive()) {
                // The connection ended between being handed out and now (a TLS handshake that failed): say why,
                // rather than leave the exchange to its deadline.
                Throwable why = ch.attr(ExchangeHandler.FAILURE).get();
                broken(why != null ? why : new ClosedChannelException());
                return;
            }
            handler.call = this;
            ch.writeAndFlush(request).addListener(written -> {
                if (!written.isSuccess()) {
                    broken(written.cause());
                }
            });
        });
    }

    /** The status and headers (on the event loop). */
    abstract void head(HttpResponse response);

    /** Some of the body (on the event loop); released by the caller. */
    abstract void content(ByteBuf content);

    /** The end of the body (on the event loop). */
    abstract void last();

    /** The connection broke or could not be used (on the event loop). */
    abstract void broken(Throwable cause);

    /** The deadline passed. */
    abstract void expire();

    /** Completes the caller's side with {@code failure}; runs once, after the connection is let go. */
    abstract void failed(ProviderException failure);

    /** Ends the exchange with {@code failure}, closing its connection, unless it has ended already. */
    final void fail(ProviderException failure) {
        Channel ch;
        synchronized (this) {
            if (done) {
                return;
            }
            done = true;
            ch = channel;
        }
        timer.cancel(false);
        if (ch != null) {
            if (ch.eventLoop().inEventLoop()) {
                discard(ch);
            } else {
                ch.eventLoop().execute(() -> discard(ch));
            }
        }
        failed(failure);
    }

    /** Settles a response that ended well (on the event loop); false when the exchange had ended already. */
    final boolean finish(boolean reuse) {
        Channel ch;
        synchronized (this) {
            if (done) {
                return false;
            }
            done = true;
            ch = channel;
        }
        timer.cancel(false);
        if (reuse) {
            detach(ch);
            pool.release(ch);
        } else {
            discard(ch);
        }
        return true;
    }

    /** The headers are in for a stream: from here its reads keep their own deadlines. */
    final void stopTimer() {
        timer.cancel(false);
    }

    /** Whether the exchange has ended. */
    final synchronized boolean done() {
        return done;
    }

    /** The connection, once taken (for a stream's flow control). */
    final synchronized Channel channel() {
        return channel;
    }

    private void detach(Channel ch) {
        ExchangeHandler handler = ch.pipeline().get(ExchangeHandler.class);
        if (handler != null && handler.call == this) {
            handler.call = null;
        }
    }

    private void discard(Channel ch) {
        detach(ch);
        ch.close();
        pool.release(ch); // a closed channel too: the pool counts it as taken until then
    }

    /** A transport failure, classified as the JDK client's are; {@code reading}: the response had begun. */
    static ProviderException failure(Throwable cause, boolean reading) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ConnectTimeoutException) {
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "connect timed out");
        }
        if (root instanceof ConnectException) {
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "connection refused");
        }
        if (root instanceof UnknownHostException) {
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "unknown host");
        }
        if (root instanceof ProviderException own) {
            return own;
        }
        String detail = detail(root);
        if (root instanceof SSLException) {
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, "TLS failed: " + detail);
        }
        String what = reading ? "connection failed while reading the body: " : "connection failed: ";
        if (root instanceof IOException || root instanceof DecoderException) {
            return new ProviderException(ErrorType.CONNECTION_ERROR, null, null, what + detail);
        }
        return new ProviderException(ErrorType.UNKNOWN, null, null, "request failed: " + root);
    }

    static String detail(Throwable cause) {
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** The headers as the adapters read them (case-insensitive lookups). */
    static java.net.http.HttpHeaders headers(io.netty.handler.codec.http.HttpHeaders headers) {
        Map<String, List<String>> map = new HashMap<>();
        for (Map.Entry<String, String> header : headers) {
            map.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>(1))
                    .add(header.getValue());
        }
        return java.net.http.HttpHeaders.of(map, (name, value) -> true);
    }
}

package dev.llmrotate.netty;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.HttpPost;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.StreamingResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * A streamed exchange: {@link #started} completes when a 2xx status and headers arrive (the deadline stops there; the
 * body is read through {@link NettyStreamBody} against each read's deadline), or with any other answer read whole,
 * by the deadline. The connection goes back to the pool only when the body was read to its end.
 */
final class StreamCall extends Call {
    final CompletableFuture<StreamingResponse> started = new CompletableFuture<>();
    private final HttpLimits limits;
    private volatile NettyStreamBody stream;
    private volatile boolean headersIn;
    private int status;
    private java.net.http.HttpHeaders headers;
    private boolean keepAlive;
    private BodyBuffer error;

    StreamCall(HttpPost post, FullHttpRequest request, HttpLimits limits) {
        super(post, request);
        this.limits = limits;
    }

    @Override
    void head(HttpResponse response) {
        headersIn = true;
        status = response.status().code();
        headers = headers(response.headers());
        keepAlive = HttpUtil.isKeepAlive(response);
        if (status >= 200 && status < 300) {
            stopTimer();
            stream = new NettyStreamBody(limits.maxStreamLineBytes(), this);
            started.complete(StreamingResponse.streaming(status, headers, stream));
        } else {
            error = new BodyBuffer(limits.maxErrorBodyBytes(), HttpUtil.getContentLength(response, -1L));
        }
    }

    @Override
    void content(ByteBuf content) {
        NettyStreamBody body = stream;
        if (body != null) {
            if (content.isReadable()) {
                body.arrived(ByteBufUtil.getBytes(content), channel());
            }
        } else if (error != null && !error.add(content)) {
            completeError(false); // cut at its limit: its start is what classifies it
        }
    }

    @Override
    void last() {
        NettyStreamBody body = stream;
        if (body != null) {
            if (finish(keepAlive)) {
                body.ended();
            }
        } else {
            completeError(keepAlive);
        }
    }

    private void completeError(boolean reuse) {
        if (error != null && finish(reuse)) {
            started.complete(StreamingResponse.failed(new HttpResult(status, headers, error.text())));
            error = null;
        }
    }

    @Override
    void broken(Throwable cause) {
        NettyStreamBody body = stream;
        if (body != null) {
            body.broke(cause); // after the bytes that came before, which the reader still gets
            fail(failure(cause, true));
        } else {
            fail(failure(cause, headersIn));
        }
    }

    @Override
    void expire() {
        String what = headersIn ? "no complete response within " : "no response within ";
        fail(new ProviderException(ErrorType.TIMEOUT, null, null, what + post.timeout()));
    }

    @Override
    void failed(ProviderException failure) {
        started.completeExceptionally(failure);
    }

    /**
     * The reader let the body go: unless its end has been handled by then, the connection is closed, not reused.
     * Decided on the event loop, behind the read in progress: a reader that closes as soon as it has the stream's
     * end marker ({@code [DONE]}) would otherwise usually beat the loop to the body's end, which came in the same
     * read, and cost the next stream a new connection.
     */
    void abandoned() {
        ProviderException closed = new ProviderException(ErrorType.STREAM_INTERRUPTED, null, null, "stream closed");
        Channel ch = channel();
        if (ch == null || ch.eventLoop().inEventLoop()) {
            fail(closed);
            return;
        }
        try {
            ch.eventLoop().execute(() -> fail(closed)); // a no-op when the body ended meanwhile
        } catch (RejectedExecutionException e) {
            fail(closed); // the client is closing
        }
    }
}

package dev.llmrotate.netty;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.HttpPost;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A plain exchange: the response read whole within its limit by the deadline, then handed to the reader on the
 * event loop, which completes {@link #future}. A 2xx body over the limit fails as {@code transient_server_error}; an
 * error body is cut at its limit and classified from what was read. Completing the future early (cancelling it)
 * aborts the exchange.
 */
final class PlainCall<T> extends Call {
    final CompletableFuture<T> future = new CompletableFuture<>();
    private final HttpLimits limits;
    private final Function<HttpResult, T> reader;
    private int status;
    private volatile java.net.http.HttpHeaders headers;
    private boolean keepAlive;
    private BodyBuffer body;

    PlainCall(HttpPost post, FullHttpRequest request, HttpLimits limits, Function<HttpResult, T> reader) {
        super(post, request);
        this.limits = limits;
        this.reader = reader;
        future.whenComplete((value, error) -> {
            if (error != null) {
                fail(new ProviderException(ErrorType.UNKNOWN, null, null, "cancelled")); // a no-op once ended
            }
        });
    }

    @Override
    void head(HttpResponse response) {
        status = response.status().code();
        headers = headers(response.headers());
        keepAlive = HttpUtil.isKeepAlive(response);
        boolean success = status >= 200 && status < 300;
        int limit = success ? limits.maxBodyBytes() : limits.maxErrorBodyBytes();
        long declared = HttpUtil.getContentLength(response, -1L);
        if (success && declared > limit) {
            fail(tooLarge(limit));
            return;
        }
        body = new BodyBuffer(limit, declared);
    }

    @Override
    void content(ByteBuf content) {
        if (body == null || body.add(content)) {
            return;
        }
        if (status >= 200 && status < 300) {
            fail(tooLarge(limits.maxBodyBytes()));
        } else {
            complete(false); // an error body is cut at its limit: its start is what classifies it
        }
    }

    @Override
    void last() {
        complete(keepAlive);
    }

    private void complete(boolean reuse) {
        if (body == null || !finish(reuse)) {
            return;
        }
        HttpResult response = new HttpResult(status, headers, body.text());
        body = null;
        try {
            future.complete(reader.apply(response));
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        }
    }

    @Override
    void broken(Throwable cause) {
        fail(failure(cause, headers != null));
    }

    @Override
    void expire() {
        String what = headers != null ? "no complete response within " : "no response within ";
        fail(new ProviderException(ErrorType.TIMEOUT, null, null, what + post.timeout()));
    }

    @Override
    void failed(ProviderException failure) {
        future.completeExceptionally(failure);
    }

    private ProviderException tooLarge(int limit) {
        return new ProviderException(
                ErrorType.TRANSIENT_SERVER_ERROR,
                status,
                null,
                "response body longer than the limit of " + limit + " bytes");
    }
}

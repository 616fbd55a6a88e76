package dev.llmrotate.server.gateway;

import dev.llmrotate.ChatStream;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.server.netty.RequestDeadline;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the gateway: its requests are answered one at a time, in order (HTTP/1.1 pipelining), each call
 * on a call thread, and the answer written on the connection's event loop. A connection that closes cancels its call
 * in flight.
 */
final class GatewayHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.LOG_NAME);
    private static final String CHAT = "/v1/chat/completions";
    private static final String MODELS = "/v1/models";
    private static final int MAX_PIPELINED = 16;
    private static final String SERVED = "this gateway serves POST /v1/chat/completions and GET /v1/models";

    private final GatewayCalls calls;
    private final RequestDeadline deadline;
    private final GatewayOptions options;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;
    /** The call in flight on this connection (touched on the event loop), to cancel when the client goes. */
    private Future<?> running;
    /** The call of this connection waiting in the admission queue (touched on the event loop), or null. */
    private QueuedCall queuedCall;

    private volatile ChatStream openStream;

    GatewayHandler(GatewayCalls calls, RequestDeadline deadline, GatewayOptions options) {
        this.calls = calls;
        this.deadline = deadline;
        this.options = options;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        deadline.requestReceived();
        if (busy) {
            if (waiting.size() >= MAX_PIPELINED) {
                request.release();
                ctx.close();
                return;
            }
            waiting.add(request);
            return;
        }
        busy = true;
        ctx.channel().config().setAutoRead(false);
        ctx.read(); // one read at a time while busy: a pipelined request is held, a client that goes is seen at once
        handle(ctx, request);
    }

    /** The answer to the current request is out: go on with a waiting one, or read the next. */
    private void next(ChannelHandlerContext ctx) {
        running = null;
        FullHttpRequest request = waiting.poll();
        if (request != null) {
            ctx.read();
            handle(ctx, request);
            return;
        }
        busy = false;
        ctx.channel().config().setAutoRead(true);
        deadline.awaitNextRequest();
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Exchange exchange = new Exchange(ctx, request);
        try {
            DecoderResult decoded = request.decoderResult();
            if (decoded.isFailure()) {
                exchange.keepAlive = false;
                Throwable cause = decoded.cause();
                int status = cause instanceof TooLongHttpLineException
                        ? 414
                        : cause instanceof TooLongHttpHeaderException ? 431 : 400;
                exchange.error(new GatewayException(
                        status, OpenAiError.invalidRequest(null, "the request is not valid HTTP/1.1")));
                return;
            }
            route(exchange, request);
        } finally {
            request.release();
        }
    }

    private void route(Exchange exchange, FullHttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        exchange.path = path.length() > 200 ? path.substring(0, 200) : path;
        if (calls.keysRequired()) {
            GatewayKey key = calls.authenticate(request.headers().get(HttpHeaderNames.AUTHORIZATION));
            if (key == null) {
                exchange.error(new GatewayException(
                        401,
                        new OpenAiError(
                                "a valid gateway key is required: Authorization: Bearer <key>",
                                OpenAiErrors.INVALID_REQUEST,
                                null,
                                "invalid_api_key")));
                return;
            }
            exchange.gatewayKey = key;
            long wait = calls.rateWait(key);
            if (wait > 0) {
                exchange.error(new GatewayException(
                        429,
                        new OpenAiError(
                                "gateway key " + key.id() + " is over its rate_limit_rpm (" + key.rateLimitRpm()
                                        + " requests a minute); try again in " + wait + " s",
                                "rate_limit_error",
                                null,
                                "rate_limit_exceeded"),
                        wait));
                return;
            }
        }
        HttpMethod method = request.method();
        switch (path) {
            case CHAT -> {
                if (method.equals(HttpMethod.POST)) {
                    chat(exchange, request);
                } else {
                    exchange.methodNotAllowed("POST");
                }
            }
            case MODELS -> {
                if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
                    exchange.head = method.equals(HttpMethod.HEAD);
                    exchange.json(200, GatewayModels.list(calls.modelList(), exchange.gatewayKey), null);
                } else {
                    exchange.methodNotAllowed("GET, HEAD");
                }
            }
            default ->
                exchange.error(new GatewayException(
                        404,
                        new OpenAiError(
                                method.name() + " " + GatewayCalls.cut(path) + " is not served; " + SERVED,
                                OpenAiErrors.INVALID_REQUEST,
                                null,
                                "unknown_url")));
        }
    }

    private void chat(Exchange exchange, FullHttpRequest request) {
        OpenAiChatRequest parsed;
        ChatRequest call;
        try {
            ByteBuf body = request.content();
            parsed = body.hasArray()
                    ? calls.requests.parse(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes())
                    : calls.requests.parse(ByteBufUtil.getBytes(body));
            exchange.model = parsed.model();
            if (exchange.gatewayKey != null && !exchange.gatewayKey.allows(parsed.model())) {
                throw new GatewayException(
                        403,
                        new OpenAiError(
                                "gateway key " + exchange.gatewayKey.id() + " may not call model '"
                                        + GatewayCalls.cut(parsed.model()) + "'",
                                "permission_error",
                                "model",
                                "model_not_allowed"));
            }
            GatewayCalls.Target target =
                    calls.target(parsed.model(), request.headers().get(GatewayHeaders.PROVIDER));
            ChatRequest addressed = parsed.chatRequest(target.model(), target.provider());
            // The record says whose call it was.
            call = exchange.gatewayKey == null ? addressed : addressed.withCaller(exchange.gatewayKey.id());
        } catch (OpenAiRequestException e) {
            exchange.error(new GatewayException(e.status(), e.error()));
            return;
        } catch (GatewayException e) {
            exchange.error(e);
            return;
        } catch (RuntimeException e) {
            exchange.error(GatewayCalls.failure(e, Instant.now()));
            return;
        }
        exchange.stream = parsed.stream();
        exchange.traceparent = request.headers().get("traceparent");
        exchange.tracestate = request.headers().get("tracestate");
        QueuedCall waiter = new QueuedCall(exchange, call, parsed);
        switch (calls.admit(waiter)) {
            case ADMITTED -> start(exchange, call, parsed);
            case QUEUED -> waiter.awaitPermit();
            case REFUSED -> exchange.error(refusal(false));
        }
    }

    /** The answer to a call the gateway will not make now: busy (429) or closing (503). */
    private GatewayException refusal(boolean waited) {
        if (!calls.accepting()) {
            return new GatewayException(
                    503, new OpenAiError("the gateway is shutting down", "server_error", null, "shutting_down"), 1);
        }
        String message = waited
                ? "the gateway has " + calls.maxCalls() + " calls in flight and this one waited "
                        + options.maxQueueWait().toMillis() + " ms in the queue; try again shortly"
                : "the gateway has " + calls.maxCalls() + " calls in flight and " + calls.queued()
                        + " waiting; try again shortly";
        return new GatewayException(429, new OpenAiError(message, "rate_limit_error", null, "gateway_busy"), 1);
    }

    /** Makes an admitted call (it holds a permit). */
    private void start(Exchange exchange, ChatRequest call, OpenAiChatRequest parsed) {
        if (!parsed.stream()) {
            plainAsync(exchange, call);
            return;
        }
        try {
            running = calls.workers.submit(() -> stream(exchange, call, parsed));
        } catch (RejectedExecutionException e) {
            calls.release();
            exchange.error(new GatewayException(
                    503, new OpenAiError("the gateway is shutting down", "server_error", null, "shutting_down")));
        }
    }

    /**
     * Without a call thread: the library sends asynchronously and continues where the reply is read (the Netty
     * client's event loop), which hands the answer to this connection's loop. Closing the connection cancels the
     * future, which aborts the request upstream (the record says cancelled). Measured against {@code lm.chat} on a
     * call thread (docs/benchmarks.md, gateway): 28k against 17k requests a second at 64 connections over the Netty
     * client; over the JDK client, whose asynchronous API hands every reply to another thread, the async path is
     * the slower one, which is why the command line builds its instance with the Netty client.
     */
    private void plainAsync(Exchange exchange, ChatRequest call) {
        CompletableFuture<ChatResponse> answer;
        // The attempts begun while chatAsync runs here continue the client's trace (retries begin elsewhere).
        try (AutoCloseable trace = GatewayTracing.enter(exchange.traceparent, exchange.tracestate)) {
            answer = calls.lm.chatAsync(call, Runnable::run);
        } catch (Exception e) {
            calls.release();
            exchange.error(GatewayCalls.failure(e, Instant.now()));
            return;
        }
        running = answer;
        answer.whenComplete((response, thrown) -> {
            try {
                if (thrown != null) {
                    Throwable failure = thrown instanceof CompletionException && thrown.getCause() != null
                            ? thrown.getCause()
                            : thrown;
                    GatewayException error = GatewayCalls.failure(failure, Instant.now());
                    exchange.ctx.executor().execute(() -> exchange.error(error));
                    return;
                }
                exchange.served(
                        response.callId(),
                        response.provider(),
                        response.keyId(),
                        response.attempts(),
                        response.fallbackUsed());
                byte[] body = OpenAiChatResponses.completion(response, response.callId(), exchange.createdSeconds);
                exchange.ctx.executor().execute(() -> exchange.json(200, body, null));
            } catch (RuntimeException e) {
                GatewayException error = GatewayCalls.failure(e, Instant.now());
                exchange.ctx.executor().execute(() -> exchange.error(error));
            } finally {
                // Once the answer is queued on the connection's loop: a closing gateway that sees no call in flight
                // closes the connection only behind it.
                calls.release();
            }
        });
    }

    /**
     * On a call thread: waits for the first chunk (every failure before it is an ordinary error answer), then sends
     * the status and headers with it and relays the rest as it comes. A failure after the first chunk ends the answer
     * with one error event and no {@code [DONE]}.
     */
    private void stream(Exchange exchange, ChatRequest call, OpenAiChatRequest parsed) {
        Channel channel = exchange.ctx.channel();
        ChatStream stream = null;
        try (AutoCloseable trace = GatewayTracing.enter(exchange.traceparent, exchange.tracestate)) {
            try {
                stream = calls.lm.chatStream(call);
            } catch (Throwable failure) {
                GatewayException error = GatewayCalls.failure(failure, Instant.now());
                exchange.ctx.executor().execute(() -> exchange.error(error));
                return;
            }
            openStream = stream;
            if (!channel.isActive()) {
                stream.close();
                return;
            }
            exchange.served(
                    stream.callId(), stream.provider(), stream.keyId(), stream.attempts(), stream.fallbackUsed());
            OpenAiChunkWriter writer = new OpenAiChunkWriter(
                    stream.callId(), exchange.createdSeconds, stream.model(), parsed.includeUsage());
            channel.writeAndFlush(exchange.streamHead());
            boolean complete = false;
            try {
                while (stream.hasNext()) {
                    StreamChunk chunk = stream.next();
                    ByteBuf events = channel.alloc().buffer(256 + chunk.delta().length() * 2);
                    boolean wrote;
                    try (ByteBufOutputStream out = new ByteBufOutputStream(events)) {
                        wrote = writer.writeEvents(chunk, out);
                        if (chunk.isFinal()) {
                            OpenAiChatResponses.writeDoneEvent(out);
                            wrote = true;
                            complete = true;
                        }
                    }
                    if (!wrote) {
                        events.release();
                        continue;
                    }
                    if (!send(channel, new DefaultHttpContent(events))) {
                        return; // the client is gone or does not read: the finally block cancels the call
                    }
                }
            } catch (RuntimeException failure) {
                if (!channel.isActive()) {
                    return;
                }
                GatewayException error = GatewayCalls.failure(failure, Instant.now());
                exchange.streamError =
                        error.error().code() != null ? error.error().code() : "stream_error";
                send(
                        channel,
                        new DefaultHttpContent(Unpooled.wrappedBuffer(OpenAiChatResponses.errorEvent(error.error()))));
            }
            if (!complete && exchange.streamError == null) {
                exchange.streamError = "stream_ended_without_finish";
                send(
                        channel,
                        new DefaultHttpContent(Unpooled.wrappedBuffer(OpenAiChatResponses.errorEvent(new OpenAiError(
                                "the provider's stream ended before its answer was complete",
                                "server_error",
                                null,
                                "stream_interrupted")))));
            }
            exchange.ctx.executor().execute(() -> exchange.endStream());
        } catch (Exception e) {
            exchange.ctx.executor().execute(exchange.ctx::close);
        } finally {
            openStream = null;
            if (stream != null) {
                stream.close(); // a no-op once complete; otherwise the call ends as cancelled
            }
            calls.release();
        }
    }

    /**
     * Writes one piece of a stream; waits for it only while the connection's buffer is full (a client that does not
     * read), at most the write timeout. False when the piece could not be delivered.
     */
    private boolean send(Channel channel, Object piece) {
        if (!channel.isActive()) {
            ReferenceCountUtil.release(piece);
            return false;
        }
        ChannelFuture written = channel.writeAndFlush(piece);
        if (channel.isWritable()) {
            return true;
        }
        boolean done = written.awaitUninterruptibly(options.writeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!done || !written.isSuccess()) {
            channel.close();
            return false;
        }
        return true;
    }

    /**
     * A call waiting in the gateway's admission queue; on the connection's loop. Leaves the queue when a permit is
     * handed to it, when it has waited {@code max_queue_wait} (429), when the gateway closes (503) or when the client
     * goes.
     */
    private final class QueuedCall extends GatewayCalls.Waiter {
        private final Exchange exchange;
        private final ChatRequest call;
        private final OpenAiChatRequest parsed;
        private ScheduledFuture<?> timeout;

        QueuedCall(Exchange exchange, ChatRequest call, OpenAiChatRequest parsed) {
            super(exchange.ctx.executor());
            this.exchange = exchange;
            this.call = call;
            this.parsed = parsed;
        }

        void awaitPermit() {
            queuedCall = this;
            timeout = loop.schedule(
                    () -> {
                        if (calls.cancel(this)) {
                            queuedCall = null;
                            exchange.error(refusal(true));
                        }
                    },
                    options.maxQueueWait().toNanos(),
                    TimeUnit.NANOSECONDS);
        }

        /** Drops the wait of a client that went. */
        void clientGone() {
            if (calls.cancel(this)) {
                timeout.cancel(false);
            }
        }

        @Override
        void admitted() {
            queuedCall = null;
            timeout.cancel(false);
            if (!exchange.ctx.channel().isActive()) {
                calls.release(); // the client went while the permit was on its way
                return;
            }
            start(exchange, call, parsed);
        }

        @Override
        void refused() {
            queuedCall = null;
            timeout.cancel(false);
            exchange.error(refusal(true));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        QueuedCall queued = queuedCall;
        if (queued != null) {
            queuedCall = null;
            queued.clientGone();
        }
        ChatStream stream = openStream;
        if (stream != null) {
            stream.close(); // cancels the upstream request now; the record says cancelled
        }
        Future<?> call = running;
        if (call != null) {
            call.cancel(true); // a plain call waiting on the provider is interrupted and ends
        }
        while (!waiting.isEmpty()) {
            waiting.poll().release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("gateway connection closed after {}", cause.toString());
        ctx.close();
    }

    /** One request and its answer; the access log line is written when the answer is out. */
    private final class Exchange {
        final ChannelHandlerContext ctx;
        final String method;
        final long startNanos = System.nanoTime();
        final long createdSeconds = System.currentTimeMillis() / 1000;
        boolean keepAlive;
        boolean head;
        boolean stream;
        String path = "";
        String model;
        GatewayKey gatewayKey;
        volatile String callId;
        volatile String provider;
        volatile String keyId;
        volatile int attempts;
        volatile boolean fallback;
        String streamError;
        String traceparent;
        String tracestate;

        Exchange(ChannelHandlerContext ctx, FullHttpRequest request) {
            this.ctx = ctx;
            this.method = request.method().name();
            this.keepAlive = HttpUtil.isKeepAlive(request);
        }

        void served(String callId, String provider, String keyId, int attempts, boolean fallback) {
            this.callId = callId;
            this.provider = provider;
            this.keyId = keyId;
            this.attempts = attempts;
            this.fallback = fallback;
        }

        void error(GatewayException e) {
            json(e.status(), OpenAiErrors.body(e.error()), e.retryAfterSeconds() >= 0 ? e.retryAfterSeconds() : null);
        }

        void methodNotAllowed(String allow) {
            FullHttpResponse response = response(
                    405,
                    OpenAiErrors.body(
                            OpenAiError.invalidRequest(null, method + " is not allowed on " + path + "; use " + allow)),
                    null);
            response.headers().set(HttpHeaderNames.ALLOW, allow);
            write(response, 405);
        }

        void json(int status, byte[] body, Long retryAfter) {
            write(response(status, body, retryAfter), status);
        }

        private FullHttpResponse response(int status, byte[] body, Long retryAfter) {
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            HttpHeaders h = response.headers();
            h.set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            if (retryAfter != null) {
                h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfter));
            }
            callHeaders(h);
            return response;
        }

        private void callHeaders(HttpHeaders h) {
            if (callId != null) {
                h.set(GatewayHeaders.REQUEST_ID, callId);
                h.set(GatewayHeaders.PROVIDER, provider);
                h.set(GatewayHeaders.KEY, keyId);
                h.set(GatewayHeaders.ATTEMPTS, Integer.toString(attempts));
                h.set(GatewayHeaders.FALLBACK, Boolean.toString(fallback));
            }
        }

        HttpResponse streamHead() {
            DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpHeaders h = response.headers();
            h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
            HttpUtil.setTransferEncodingChunked(response, true);
            callHeaders(h);
            return response;
        }

        /** On the event loop: the stream's last piece, then the next request. */
        void endStream() {
            if (!ctx.channel().isActive()) {
                return;
            }
            ChannelFuture written = ctx.writeAndFlush(new DefaultLastHttpContent());
            finish(written, 200);
        }

        private void write(FullHttpResponse response, int status) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (!keepAlive || !calls.accepting()) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                keepAlive = false;
            }
            finish(ctx.writeAndFlush(response), status);
        }

        private void finish(ChannelFuture written, int status) {
            accessLog(status);
            if (keepAlive && calls.accepting()) {
                written.addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        next(ctx);
                    } else {
                        ctx.close();
                    }
                });
            } else {
                written.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private void accessLog(int status) {
            if (!LOG.isInfoEnabled()) {
                return;
            }
            LOG.atInfo()
                    .setMessage("{} {} {} {} ms")
                    .addArgument(method)
                    .addArgument(path)
                    .addArgument(status)
                    .addArgument(() -> String.format("%.1f", (System.nanoTime() - startNanos) / 1e6))
                    .addKeyValue("call_id", callId)
                    .addKeyValue("gateway_key", gatewayKey == null ? null : gatewayKey.id())
                    .addKeyValue("model", model == null ? null : GatewayCalls.cut(model))
                    .addKeyValue("stream", stream)
                    .addKeyValue("provider", provider)
                    .addKeyValue("key_id", keyId)
                    .addKeyValue("attempts", attempts)
                    .addKeyValue("stream_error", streamError)
                    .log();
        }
    }
}

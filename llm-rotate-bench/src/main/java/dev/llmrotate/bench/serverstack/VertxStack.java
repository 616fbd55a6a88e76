package dev.llmrotate.bench.serverstack;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeUnit;

/**
 * Candidate: Vert.x 5 core, one HTTP server verticle per event loop (one loop per core) sharing the port. Upstream
 * completions arrive on the HTTP client's thread and hop back onto the request's context before writing, as Vert.x
 * expects.
 */
final class VertxStack implements StackServer {
    private final Vertx vertx;

    VertxStack(int port, UpstreamClient upstream, int threads) throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(threads));
        vertx.deployVerticle(() -> new ServerVerticle(port, upstream), new DeploymentOptions().setInstances(threads))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static final class ServerVerticle extends VerticleBase {
        private final int port;
        private final UpstreamClient upstream;

        ServerVerticle(int port, UpstreamClient upstream) {
            this.port = port;
            this.upstream = upstream;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer(new HttpServerOptions()
                            .setHost("127.0.0.1")
                            .setPort(port)
                            .setTcpNoDelay(true))
                    .requestHandler(this::handle)
                    .listen();
        }

        private void handle(HttpServerRequest request) {
            String path = request.path();
            HttpServerResponse response = request.response();
            if (request.method() == HttpMethod.GET && path.equals(Payloads.HEALTH_PATH)) {
                response.putHeader("content-type", Payloads.JSON).end(Buffer.buffer(Payloads.HEALTH));
            } else if (request.method() == HttpMethod.POST && path.equals(Payloads.CHAT_PATH)) {
                Context context = vertx.getOrCreateContext();
                request.body().onSuccess(buffer -> forward(context, buffer.getBytes(), response));
            } else {
                response.setStatusCode(404).end("{\"error\":\"not found\"}");
            }
        }

        private void forward(Context context, byte[] body, HttpServerResponse response) {
            if (Payloads.isStream(body)) {
                upstream.stream(body, new Sink(context, response));
                return;
            }
            upstream.complete(body)
                    .whenComplete((reply, error) -> context.runOnContext(ignored -> {
                        if (error != null) {
                            response.setStatusCode(502).end("{\"error\":\"upstream failed\"}");
                        } else {
                            response.setStatusCode(reply.statusCode())
                                    .putHeader("content-type", Payloads.JSON)
                                    .end(Buffer.buffer(reply.body()));
                        }
                    }));
        }
    }

    /** Writes each event batch on the request's context; each write is flushed as it is not inside a read. */
    private static final class Sink implements StreamSink {
        private final Context context;
        private final HttpServerResponse response;

        Sink(Context context, HttpServerResponse response) {
            this.context = context;
            this.response = response;
        }

        @Override
        public void begin(int status) {
            context.runOnContext(ignored -> response.setStatusCode(status)
                    .setChunked(true)
                    .putHeader("content-type", Payloads.EVENT_STREAM)
                    .putHeader("cache-control", "no-cache")
                    .writeHead());
        }

        @Override
        public void events(byte[] events, WriteDone done) {
            context.runOnContext(
                    ignored -> response.write(Buffer.buffer(events)).onComplete(result -> done.done(result.cause())));
        }

        @Override
        public void end() {
            context.runOnContext(ignored -> response.end());
        }

        @Override
        public void fail(Throwable error) {
            context.runOnContext(ignored -> response.reset());
        }
    }
}

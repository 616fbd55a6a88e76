package dev.llmrotate.bench.serverstack;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Not one of the brief's candidates but a yardstick for them: the Vert.x server calling the upstream with Vert.x's
 * own HTTP client instead of the JDK's, each verticle with its own client on its own event loop, so a proxied call
 * never changes thread. It shows how much of the proxy cost is the JDK HttpClient. Streams are piped chunk by chunk
 * (the upstream sends one event per chunk) rather than cut into events.
 */
final class VertxNativeStack implements StackServer {
    private final Vertx vertx;

    VertxNativeStack(int port, URI upstream, int threads) throws Exception {
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
        private final URI upstream;
        private HttpClientAgent client;

        ServerVerticle(int port, URI upstream) {
            this.port = port;
            this.upstream = upstream;
        }

        @Override
        public Future<?> start() {
            client = vertx.createHttpClient(
                    new HttpClientOptions().setTcpNoDelay(true).setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(64));
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
                request.body().onSuccess(body -> forward(body, response));
            } else {
                response.setStatusCode(404).end("{\"error\":\"not found\"}");
            }
        }

        private void forward(Buffer body, HttpServerResponse response) {
            boolean stream = Payloads.isStream(body.getBytes());
            RequestOptions options = new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost(upstream.getHost())
                    .setPort(upstream.getPort())
                    .setURI(Payloads.CHAT_PATH)
                    .setTimeout(30_000)
                    .putHeader("content-type", Payloads.JSON);
            client.request(options).compose(call -> call.send(body)).onComplete(result -> {
                if (result.failed()) {
                    response.setStatusCode(502).end("{\"error\":\"upstream failed\"}");
                } else if (stream) {
                    relay(result.result(), response);
                } else {
                    HttpClientResponse reply = result.result();
                    reply.body()
                            .onSuccess(json -> response.setStatusCode(reply.statusCode())
                                    .putHeader("content-type", Payloads.JSON)
                                    .end(json))
                            .onFailure(error -> response.reset());
                }
            });
        }

        private static void relay(HttpClientResponse reply, HttpServerResponse response) {
            response.setStatusCode(reply.statusCode())
                    .setChunked(true)
                    .putHeader("content-type", Payloads.EVENT_STREAM)
                    .putHeader("cache-control", "no-cache");
            reply.pipeTo(response);
        }
    }
}

package dev.llmrotate.bench.serverstack;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Candidate: Jetty 12.1 core (no servlet), default thread pool and connector. The handler is non-blocking: it reads
 * the body asynchronously and completes the response from the HTTP client's completion thread.
 */
final class JettyStack implements StackServer {
    private final Server server;

    JettyStack(int port, UpstreamClient upstream) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new GatewayHandler(upstream));
        server.start();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private static final class GatewayHandler extends Handler.Abstract.NonBlocking {
        private final UpstreamClient upstream;

        GatewayHandler(UpstreamClient upstream) {
            this.upstream = upstream;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = Request.getPathInContext(request);
            String method = request.getMethod();
            if (method.equals("GET") && path.equals(Payloads.HEALTH_PATH)) {
                respond(response, 200, Payloads.HEALTH, callback);
            } else if (method.equals("POST") && path.equals(Payloads.CHAT_PATH)) {
                Content.Source.asByteArrayAsync(request, Payloads.MAX_BODY).whenComplete((body, error) -> {
                    if (error != null) {
                        Response.writeError(request, response, callback, isTimeout(error) ? 408 : 413);
                    } else if (Payloads.isStream(body)) {
                        upstream.stream(body, new Sink(response, callback));
                    } else {
                        upstream.complete(body).whenComplete((reply, failure) -> {
                            if (failure != null) {
                                Response.writeError(request, response, callback, 502);
                            } else {
                                respond(response, reply.statusCode(), reply.body(), callback);
                            }
                        });
                    }
                });
            } else {
                Response.writeError(request, response, callback, 404);
            }
            return true;
        }

        private static boolean isTimeout(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof TimeoutException) {
                    return true;
                }
            }
            return false;
        }

        private static void respond(Response response, int status, byte[] body, Callback callback) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Payloads.JSON);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }
    }

    /** Each event batch is one non-last write, which Jetty sends as a chunk at once. */
    private static final class Sink implements StreamSink {
        private final Response response;
        private final Callback callback;

        Sink(Response response, Callback callback) {
            this.response = response;
            this.callback = callback;
        }

        @Override
        public void begin(int status) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, Payloads.EVENT_STREAM);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        }

        @Override
        public void events(byte[] events, WriteDone done) {
            response.write(false, ByteBuffer.wrap(events), Callback.from(() -> done.done(null), done::done));
        }

        @Override
        public void end() {
            response.write(true, BufferUtil.EMPTY_BUFFER, callback);
        }

        @Override
        public void fail(Throwable error) {
            callback.failed(error);
        }
    }
}

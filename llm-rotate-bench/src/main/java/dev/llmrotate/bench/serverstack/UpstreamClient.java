package dev.llmrotate.bench.serverstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's call to the provider, the same for every candidate: one shared JDK {@link HttpClient} (HTTP/1.1,
 * pooled connections), {@code sendAsync} only, so no candidate thread waits on the upstream.
 *
 * <p>By default the client runs its completions on its own selector thread ({@code -Dserverstack.clientExecutor=
 * direct}): every callback here only hands bytes to the server stack, and on two cores the client's default cached
 * pool costs a thread hop per step (3.4k against 11.7k calls/s measured). {@code pool} restores the default.
 */
final class UpstreamClient {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private final HttpClient client;
    private final URI chatUri;

    UpstreamClient(URI base) {
        HttpClient.Builder builder =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2));
        String executor = System.getProperty("serverstack.clientExecutor", "direct");
        if (executor.equals("direct")) {
            builder.executor(Runnable::run);
        } else if (!executor.equals("pool")) {
            throw new IllegalArgumentException("serverstack.clientExecutor must be direct or pool, not " + executor);
        }
        this.client = builder.build();
        this.chatUri = base.resolve(Payloads.CHAT_PATH);
    }

    /** Forwards a non-streamed chat call; completes with the upstream's status and JSON body. */
    CompletableFuture<HttpResponse<byte[]>> complete(byte[] body) {
        return client.sendAsync(request(body), BodyHandlers.ofByteArray());
    }

    /** Forwards a streamed chat call and relays its events to {@code sink} as they arrive. */
    void stream(byte[] body, StreamSink sink) {
        client.sendAsync(request(body), BodyHandlers.ofPublisher()).whenComplete((response, error) -> {
            if (error != null) {
                sink.fail(error);
                return;
            }
            sink.begin(response.statusCode());
            response.body().subscribe(new SseRelay(sink));
        });
    }

    private HttpRequest request(byte[] body) {
        return HttpRequest.newBuilder(chatUri)
                .timeout(DEADLINE)
                .header("content-type", Payloads.JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.internal.provider.http.JdkHttpClient;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.HttpPost;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderHttpClient;
import dev.llmrotate.spi.StreamingResponse;
import dev.llmrotate.testkit.FakeResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link LlmRotateBuilder#httpClient}: the built-in adapters send plain, streamed and asynchronous calls through the
 * client the provider makes, made once with the builder's reply limits and closed with the instance.
 */
class HttpClientSelectionLoopbackTest extends EngineTestSupport {

    /** A client that notes what it is asked to do and sends it with the JDK client. */
    private static final class NotingClient implements ProviderHttpClient {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicInteger closed = new AtomicInteger();
        final JdkHttpClient jdk;

        NotingClient(HttpLimits limits) {
            jdk = new JdkHttpClient(limits);
        }

        @Override
        public <T> T post(HttpPost request, Function<HttpResult, T> reader) {
            calls.add("post " + request.uri().getPath());
            return jdk.post(request, reader);
        }

        @Override
        public <T> CompletableFuture<T> postAsync(HttpPost request, Function<HttpResult, T> reader) {
            calls.add("postAsync " + request.uri().getPath());
            return jdk.postAsync(request, reader);
        }

        @Override
        public StreamingResponse openStream(HttpPost request) {
            calls.add("openStream " + request.uri().getPath());
            return jdk.openStream(request);
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    @Test
    void theBuiltInAdaptersSendThroughTheChosenClientWhichTheInstanceCloses() throws Exception {
        openai.byDefault().always(FakeResponse.ok("hello").withChunks("hel", "lo"));
        List<HttpLimits> made = new CopyOnWriteArrayList<>();
        List<NotingClient> clients = new CopyOnWriteArrayList<>();
        ChatRequest request = ChatRequest.builder("gpt-4o-mini").user("hi").build();
        NotingClient client;
        try (LlmRotate lm = LlmRotate.builder()
                .config(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build())
                .replyLimits(4_096, 512, 2_048)
                .httpClient(limits -> {
                    made.add(limits);
                    NotingClient c = new NotingClient(limits);
                    clients.add(c);
                    return c;
                })
                .build()) {
            assertThat(lm.chat(request).content()).isEqualTo("hello");
            assertThat(lm.chatAsync(request).get().content()).isEqualTo("hello");
            try (ChatStream stream = lm.chatStream(request)) {
                assertThat(stream.collect().content()).isEqualTo("hello");
            }
            client = clients.get(0);
            assertThat(client.closed).hasValue(0);
        }
        assertThat(made).containsExactly(new HttpLimits(4_096, 512, 2_048));
        assertThat(client.calls)
                .containsExactly(
                        "post /v1/chat/completions",
                        "postAsync /v1/chat/completions",
                        "openStream /v1/chat/completions");
        assertThat(client.closed).hasValue(1);
    }
}

package dev.llmrotate;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.testkit.FakeOpenAiServer;
import java.util.concurrent.TimeUnit;

/**
 * Makes one plain, one asynchronous and one streamed call on a throwaway engine, once per JVM, so that tests which
 * time their calls do not measure class loading, JIT and the HTTP client's start-up on a cold JVM.
 */
final class WarmUp {
    private static boolean done;

    private WarmUp() {}

    static synchronized void once() throws Exception {
        if (done) {
            return;
        }
        ChatRequest hi = ChatRequest.builder("gpt-4o-mini").user("hi").build();
        try (FakeOpenAiServer server = FakeOpenAiServer.start();
                LlmRotate lm = LlmRotate.create(LlmRotateConfig.builder()
                        .key(Keys.openai("warm-up"))
                        .provider("openai", s -> s.withBaseUrl(server.baseUrl()))
                        .build())) {
            lm.chat(hi);
            lm.chatAsync(hi).get(30, TimeUnit.SECONDS);
            try (ChatStream stream = lm.chatStream(hi)) {
                stream.collect();
            }
        }
        done = true;
    }
}

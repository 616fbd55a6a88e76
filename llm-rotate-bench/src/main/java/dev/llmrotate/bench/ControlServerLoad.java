package dev.llmrotate.bench;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A control server to put load on: {@value #KEYS} keys (40 OpenAI, 10 OpenRouter, two models each) on fake
 * providers, {@value #WARM_CALLS} calls made first so that usage, health and the event buffer hold data (one OpenAI
 * key answers 401, one 429, so that health has every kind of row), then the server on the given port until killed.
 * Drive it with wrk:
 *
 * <pre>
 * ./mvnw -B -q -pl llm-rotate-bench -am package -DskipTests
 * java -XX:+UseSerialGC -Xmx128m -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 \
 *     -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.ControlServerLoad 8299
 * wrk -t2 -c50 -d20s --latency http://127.0.0.1:8299/health
 * </pre>
 */
public final class ControlServerLoad {
    static final int KEYS = 50;
    static final int WARM_CALLS = 2_000;

    private ControlServerLoad() {}

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8299;
        FakeOpenAiServer openai = FakeOpenAiServer.start();
        FakeOpenAiServer openrouter = FakeOpenAiServer.start();
        LlmRotateConfig.Builder config = LlmRotateConfig.builder()
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()));
        for (int i = 0; i < KEYS; i++) {
            boolean router = i >= 40;
            String secret = "sk-load-" + i + "-0123456789abcdef";
            KeySpec.Builder key = KeySpec.builder("key-" + i, router ? "openrouter" : "openai")
                    .secretRef(SecretRef.parse("env://LOAD_KEY_" + i, name -> secret))
                    .models(router ? "openai/gpt-4o-mini" : "gpt-4o-mini", router ? "openai/gpt-4o" : "gpt-4o");
            if (i % 5 == 0) {
                key.rateLimitRpm(6_000);
            }
            config.key(key.build());
        }
        openai.forKey("sk-load-3-0123456789abcdef").always(FakeResponse.invalidApiKey());
        openai.forKey("sk-load-4-0123456789abcdef").always(FakeResponse.rateLimited(Duration.ofMinutes(10)));
        LlmRotate lm = LlmRotate.builder()
                .config(config.strategy(SelectionStrategyType.ROUND_ROBIN).build())
                .build();
        ControlServer server = ControlServer.start(
                lm, ControlServerOptions.builder().port(port).build());
        for (int i = 0; i < WARM_CALLS; i++) {
            String model = switch (i % 4) {
                case 0 -> "gpt-4o-mini";
                case 1 -> "gpt-4o";
                case 2 -> "openai/gpt-4o-mini";
                default -> "openai/gpt-4o";
            };
            try {
                lm.chat(ChatRequest.of(model, List.of(ChatMessage.user("hi"))));
            } catch (LlmRotateException e) {
                // part of the data
            }
        }
        System.out.println(
                "control server with " + KEYS + " keys and " + WARM_CALLS + " calls recorded: " + server.uri());
        new CountDownLatch(1).await();
    }
}

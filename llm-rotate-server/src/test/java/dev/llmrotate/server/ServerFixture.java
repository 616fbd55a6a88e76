package dev.llmrotate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeOpenAiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A control server on a loopback port over an {@link LlmRotate} whose keys talk to fake providers: two OpenAI keys
 * (gpt-4o-mini, gpt-4o) and one OpenRouter key, secrets from a map through env:// references, one injected clock for
 * the engine and the server. Requests go over real HTTP with the JDK client.
 */
final class ServerFixture implements AutoCloseable {
    static final String MINI = "gpt-4o-mini";
    static final Map<String, String> ENV = Map.of(
            "OPENAI_A", "sk-fixture-a-0000aaaa1111bbbb",
            "OPENAI_B", "sk-fixture-b-2222cccc3333dddd",
            "ROUTER_1", "sk-or-fixture-4444eeee5555ffff");
    static final UnaryOperator<String> ENV_LOOKUP = ENV::get;

    final FakeOpenAiServer openai = FakeOpenAiServer.start();
    final FakeOpenAiServer openrouter = FakeOpenAiServer.start();
    final MutableClock clock = MutableClock.atEpochDay();
    final LlmRotate lm;
    final ControlServer server;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    ServerFixture() {
        this(b -> {}, o -> {});
    }

    ServerFixture(Consumer<LlmRotateConfig.Builder> config, Consumer<ControlServerOptions.Builder> options) {
        LlmRotateConfig.Builder b = LlmRotateConfig.builder()
                .key(key("openai-a", "openai", "OPENAI_A", MINI, "gpt-4o")
                        .rateLimitRpm(600)
                        .priority(10)
                        .build())
                .key(key("openai-b", "openai", "OPENAI_B", MINI, "gpt-4o").build())
                .key(key("router-1", "openrouter", "ROUTER_1", "openai/gpt-4o-mini")
                        .build())
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                .provider("openrouter", s -> s.withBaseUrl(openrouter.baseUrl()))
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(2))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO));
        config.accept(b);
        lm = LlmRotate.builder().config(b.build()).clock(clock).build();
        ControlServerOptions.Builder o =
                ControlServerOptions.builder().port(0).clock(clock).eventCapacity(500);
        options.accept(o);
        server = ControlServer.start(lm, o.build());
    }

    static KeySpec.Builder key(String id, String provider, String variable, String... models) {
        return KeySpec.builder(id, provider)
                .secretRef(SecretRef.parse("env://" + variable, ENV_LOOKUP))
                .models(models);
    }

    /** One chat call; a failure is part of the scenario, not of the test. */
    void call(String model) {
        try {
            lm.chat(ChatRequest.of(model, List.of(ChatMessage.user("hi"))));
        } catch (LlmRotateException e) {
            // recorded like any call
        }
    }

    Reply get(String path, String... headers) {
        return send("GET", path, headers);
    }

    Reply send(String method, String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.close();
        lm.close();
        openai.close();
        openrouter.close();
    }

    /** An answer. */
    record Reply(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The error body's type, parameter and allowed values, for 4xx assertions. */
        JsonNode error() {
            return json().get("error");
        }
    }
}

package dev.llmrotate.examples.chat;

import dev.llmrotate.testkit.FakeAnthropicServer;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

/**
 * OpenAI and Anthropic simulated on loopback by llm-rotate's testkit, with the faults real keys meet: the primary
 * OpenAI key is rate-limited on about a third of its calls (Retry-After 2 s), one key is revoked, and Anthropic serves
 * as the fallback. The keys in {@code application-simulated.yml} are the ones scripted here.
 */
final class SimulatedProviders implements AutoCloseable {
    static final String PROFILE = "simulated";

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final FakeAnthropicServer anthropic = FakeAnthropicServer.start();

    private SimulatedProviders(long seed) {
        Random random = new Random(seed);
        openai.byDefault().respond(request -> answer(request, "Hello from simulated OpenAI"));
        openai.forKey("sim-openai-primary").respond(request -> nextDraw(random) < 0.35
                ? FakeResponse.rateLimited(Duration.ofSeconds(2))
                : answer(request, "Hello from simulated OpenAI (primary key)"));
        openai.forKey("sim-openai-revoked").always(FakeResponse.invalidApiKey());
        anthropic.byDefault().always(FakeResponse.ok("Hello from simulated Anthropic (fallback)", 14, 11));
    }

    /**
     * A request offering tools and not yet answering one gets a call of the first tool; its follow-up (with the
     * tool's result) gets the text, which then quotes the result.
     */
    private static FakeResponse answer(RecordedRequest request, String text) {
        String body = request.body();
        if (body.contains("\"tools\"") && !body.contains("\"role\":\"tool\"")) {
            return FakeResponse.toolCall("call_1", "now", "{}");
        }
        return FakeResponse.ok(body.contains("\"role\":\"tool\"") ? text + ", after asking the clock" : text, 12, 9);
    }

    private static synchronized double nextDraw(Random random) {
        return random.nextDouble();
    }

    /** Starts both simulated providers; {@code seed} fixes which calls are rate-limited. */
    static SimulatedProviders start(long seed) {
        return new SimulatedProviders(seed);
    }

    /** The base URLs {@code application-simulated.yml} points the providers at. */
    Map<String, Object> properties() {
        return Map.of(
                "simulated.openai-url", openai.baseUrl().toString(),
                "simulated.anthropic-url", anthropic.baseUrl().toString());
    }

    /** Requests the simulated OpenAI has received with {@code secret}. */
    int openAiRequests(String secret) {
        return openai.requestCount(secret);
    }

    @Override
    public void close() {
        openai.close();
        anthropic.close();
    }
}

package dev.llmrotate.bench;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.ToolDefinition;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shared setup of the benchmarks: a pool of keys serving one model or {@link #MODELS} (all priced in the
 * built-in table), requests and an in-process adapter.
 */
final class BenchFixtures {
    static final String PROVIDER = "openai";
    static final String MODEL = "gpt-4o-mini";
    static final int KEY_COUNT = 8;
    /** The model id the adapter says answered, as OpenAI reports it. */
    static final String REPLY_MODEL = "gpt-4o-mini-2024-07-18";
    /** The models a key serves with {@code modelsPerKey} > 1, {@link #MODEL} first. */
    static final List<String> MODELS = List.of(MODEL, "gpt-4o", "gpt-4.1-mini", "gpt-4.1");
    /** The dated model ids the adapter answers with, per entry of {@link #MODELS}. */
    static final List<String> REPLY_MODELS =
            List.of(REPLY_MODEL, "gpt-4o-2024-08-06", "gpt-4.1-mini-2025-04-14", "gpt-4.1-2025-04-14");

    private BenchFixtures() {}

    /** {@code bench-key-0}, {@code bench-key-1}, ... */
    static String keyId(int i) {
        return "bench-key-" + i;
    }

    /** A realistic 51-character secret: {@code sk-bench-} and 42 more characters. */
    static String secret(int i) {
        return String.format(Locale.ROOT, "sk-bench-%042d", i);
    }

    static List<KeySpec> keys() {
        return keys(1);
    }

    /** {@link #KEY_COUNT} keys, each serving the first {@code modelsPerKey} of {@link #MODELS}. */
    static List<KeySpec> keys(int modelsPerKey) {
        String[] models = models(modelsPerKey).toArray(String[]::new);
        List<KeySpec> keys = new ArrayList<>();
        for (int i = 0; i < KEY_COUNT; i++) {
            keys.add(KeySpec.builder(keyId(i), PROVIDER)
                    .secretRef("literal://" + secret(i))
                    .models(models)
                    .build());
        }
        return keys;
    }

    /** The first {@code modelsPerKey} of {@link #MODELS}. */
    static List<String> models(int modelsPerKey) {
        if (modelsPerKey < 1 || modelsPerKey > MODELS.size()) {
            throw new IllegalArgumentException("modelsPerKey must be 1 to " + MODELS.size() + ", not " + modelsPerKey);
        }
        return MODELS.subList(0, modelsPerKey);
    }

    static LlmRotateConfig config(SelectionStrategyType strategy) {
        return config(strategy, 1);
    }

    static LlmRotateConfig config(SelectionStrategyType strategy, int modelsPerKey) {
        return LlmRotateConfig.builder()
                .keys(keys(modelsPerKey))
                .strategy(strategy)
                .build();
    }

    static ChatRequest request() {
        return request(MODEL);
    }

    static ChatRequest request(String model) {
        return request(model, List.of());
    }

    /** The same request with tool definitions. */
    static ChatRequest request(String model, List<ToolDefinition> tools) {
        return ChatRequest.builder(model)
                .messages(ChatMessage.system("You are terse."), ChatMessage.user("Say hi."))
                .maxTokens(16)
                .tools(tools)
                .build();
    }

    /**
     * Answers every attempt at once with a prebuilt reply for its model (no HTTP, no JSON), except for the key
     * {@code rateLimitedKey} (null: none) on {@link #MODEL}, which always fails with a 429 (Retry-After 30 s) while
     * the key's other models still answer: providers rate-limit per (key, model).
     */
    static final class NoOpAdapter implements ProviderAdapter {
        private static final ProviderReply[] REPLIES = REPLY_MODELS.stream()
                .map(model -> new ProviderReply("Hi.", FinishReason.STOP, Usage.of(18, 2), model, "chatcmpl-bench"))
                .toArray(ProviderReply[]::new);

        private final String rateLimitedKey;
        private final AtomicLong rateLimited = new AtomicLong();

        NoOpAdapter(String rateLimitedKey) {
            this.rateLimitedKey = rateLimitedKey;
        }

        @Override
        public String provider() {
            return PROVIDER;
        }

        @Override
        public ProviderReply send(Attempt attempt) {
            String model = attempt.model();
            if (rateLimitedKey != null && rateLimitedKey.equals(attempt.key().keyId()) && MODEL.equals(model)) {
                rateLimited.incrementAndGet();
                throw new ProviderException(ErrorType.RATE_LIMIT, 429, Duration.ofSeconds(30), "rate limited");
            }
            for (int i = 0; i < REPLIES.length; i++) {
                if (MODELS.get(i).equals(model)) {
                    return REPLIES[i];
                }
            }
            throw new ProviderException(
                    ErrorType.INVALID_REQUEST, 400, null, "bench adapter: no reply for model " + model);
        }

        /** How many 429s the adapter has answered. */
        long rateLimitedAnswers() {
            return rateLimited.get();
        }
    }
}

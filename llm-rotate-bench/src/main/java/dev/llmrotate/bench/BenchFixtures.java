package dev.llmrotate.bench;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.provider.Attempt;
import dev.llmrotate.provider.ProviderAdapter;
import dev.llmrotate.provider.ProviderException;
import dev.llmrotate.provider.ProviderReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The shared setup of the benchmarks: a pool of keys for one model, a request and an in-process adapter. */
final class BenchFixtures {
    static final String PROVIDER = "openai";
    static final String MODEL = "gpt-4o-mini";
    static final int KEY_COUNT = 8;
    /** The model id the adapter says answered, as OpenAI reports it. */
    static final String REPLY_MODEL = "gpt-4o-mini-2024-07-18";

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
        List<KeySpec> keys = new ArrayList<>();
        for (int i = 0; i < KEY_COUNT; i++) {
            keys.add(KeySpec.builder(keyId(i), PROVIDER)
                    .secretRef("literal://" + secret(i))
                    .models(MODEL)
                    .build());
        }
        return keys;
    }

    static LlmRotateConfig config(SelectionStrategyType strategy) {
        return LlmRotateConfig.builder().keys(keys()).strategy(strategy).build();
    }

    static ChatRequest request() {
        return ChatRequest.builder(MODEL)
                .messages(ChatMessage.system("You are terse."), ChatMessage.user("Say hi."))
                .maxTokens(16)
                .build();
    }

    /**
     * Answers every attempt at once with the same reply (no HTTP, no JSON), except for the key {@code rateLimitedKey}
     * (null: none), which always fails with a 429.
     */
    static final class NoOpAdapter implements ProviderAdapter {
        private static final ProviderReply REPLY =
                new ProviderReply("Hi.", FinishReason.STOP, Usage.of(18, 2), REPLY_MODEL, "chatcmpl-bench");

        private final String rateLimitedKey;

        NoOpAdapter(String rateLimitedKey) {
            this.rateLimitedKey = rateLimitedKey;
        }

        @Override
        public String provider() {
            return PROVIDER;
        }

        @Override
        public ProviderReply send(Attempt attempt) {
            if (rateLimitedKey != null && rateLimitedKey.equals(attempt.key().keyId())) {
                throw new ProviderException(ErrorType.RATE_LIMIT, 429, Duration.ofSeconds(30), "rate limited");
            }
            return REPLY;
        }
    }
}

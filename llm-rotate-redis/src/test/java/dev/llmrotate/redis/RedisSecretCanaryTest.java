package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Nothing a worker writes to Redis holds a secret, even when providers echo it back in their errors. */
class RedisSecretCanaryTest {
    private static final String CANARY = "sk-canary-7f3e9a1c5b2d8e4f6a0b";
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void noKeyNameOrValueInRedisHoldsTheSecret() {
        try (FakeOpenAiServer openai = FakeOpenAiServer.start()) {
            openai.forKey(CANARY)
                    .next(FakeResponse.error(
                            429, "requests", "rate_limit_exceeded", "Rate limit reached for key " + CANARY))
                    .always(FakeResponse.error(
                            401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided: " + CANARY));
            openai.byDefault().always(FakeResponse.ok("hello"));
            LlmRotateConfig config = LlmRotateConfig.builder()
                    .key(KeySpec.builder("canary", "openai")
                            .secretRef("literal://" + CANARY)
                            .models("gpt-4o-mini", "gpt-4o")
                            .priority(10)
                            .build())
                    .key(Keys.key("spare", "openai", "gpt-4o-mini", "gpt-4o").build())
                    .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                    .strategy(SelectionStrategyType.PRIORITY)
                    .build();
            RedisStateStore store =
                    RedisStateStore.builder().url(redis.url()).prefix("canary").build();
            try (LlmRotate lm =
                    LlmRotate.builder().config(config).stateStore(store).build()) {
                lm.eventBuffer(10);
                lm.chat("gpt-4o-mini", HI); // 429 echoing the key, then the spare answers
                lm.chat("gpt-4o", HI); // 401 echoing the key, then the spare answers
                lm.chat("gpt-4o", HI);
                // Usage counters are sent without waiting: let them land before reading the store.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> redis.command("KEYS *").contains("usage"));
            }
            String dump = dumpEverything();
            assertThat(dump).contains("canary"); // the key id is there: the dump did read the store
            assertThat(dump).doesNotContain(CANARY);
            for (int i = 0; i + 12 <= CANARY.length(); i++) {
                assertThat(dump).doesNotContain(CANARY.substring(i, i + 12));
            }
        }
    }

    /** Every key name and every value in the Redis database, as text. */
    private static String dumpEverything() {
        StringBuilder dump = new StringBuilder();
        for (String key : bulkStrings(redis.command("KEYS *"))) {
            dump.append(key).append('\n');
            String type = redis.command("TYPE " + key).trim();
            String read = switch (type.replace("+", "").trim().split("\\s")[0]) {
                case "string" -> "GET " + key;
                case "hash" -> "HGETALL " + key;
                case "zset" -> "ZRANGE " + key + " 0 -1 WITHSCORES";
                case "set" -> "SMEMBERS " + key;
                case "list" -> "LRANGE " + key + " 0 -1";
                case "stream" -> "XRANGE " + key + " - +";
                default -> null;
            };
            if (read != null) {
                dump.append(redis.command(read)).append('\n');
            }
        }
        return dump.toString();
    }

    /** The bulk strings of a RESP array reply. */
    private static List<String> bulkStrings(String reply) {
        List<String> out = new ArrayList<>();
        String[] lines = reply.split("\r\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("$") && i + 1 < lines.length && !lines[i].equals("$-1")) {
                out.add(lines[++i]);
            }
        }
        return out;
    }
}

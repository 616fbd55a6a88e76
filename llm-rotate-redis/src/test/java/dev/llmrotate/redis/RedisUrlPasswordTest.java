package dev.llmrotate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import dev.llmrotate.error.ConfigurationException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Passwords with {@code # ? @ / :} against a real {@code redis-server} with {@code requirepass}: written raw, the URL
 * is refused at build with a message that shows no part of the password (Lettuce alone would take part of it for the
 * host and look it up in DNS, or connect without it and log it); percent-encoded, it connects.
 */
class RedisUrlPasswordTest {
    private static final String TAIL = "Zq4Rb6Tn1Vc5";

    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "?", "@", "/", ":"})
    void aRawSpecialCharacterIsRefusedMaskedAndThePercentEncodedPasswordConnects(String special) {
        String password = "pw" + special + TAIL;
        RedisServer redis = keep(RedisServer.startLocal(-1, "--requirepass", password));
        String host = "127.0.0.1:" + redis.port();
        LogCapture logs = keep(LogCapture.of("io.lettuce"));
        LogCapture storeLogs = keep(LogCapture.of(RedisStateStore.class.getName()));

        for (String raw :
                new String[] {"redis://:" + password + "@" + host, "redis://default:" + password + "@" + host}) {
            ConfigurationException e = catchThrowableOfType(
                    ConfigurationException.class,
                    () -> keep(RedisStateStore.builder().url(raw).build()));
            assertThat(e).as(raw).isNotNull();
            assertThat(e.getMessage())
                    .as(raw)
                    .startsWith("state_store.url: redis://*** ")
                    .contains("percent-encode")
                    .contains(special.equals("#") ? "# as %23" : special + " as %")
                    .doesNotContain(TAIL)
                    .doesNotContain("pw" + special);
        }

        String encoded = "pw" + URLEncoder.encode(special, StandardCharsets.UTF_8) + TAIL;
        RedisStateStore store = keep(RedisStateStore.builder()
                .url("redis://:" + encoded + "@" + host)
                .build());
        assertThat(store.isRedisAvailable()).isTrue();
        assertThat(store).hasToString("RedisStateStore[redis://:***@" + host + ", prefix {llm-rotate}:]");
        RedisStateStore withUser = keep(RedisStateStore.builder()
                .url("redis://default:" + encoded + "@" + host + "/0")
                .prefix("with-user")
                .build());
        assertThat(withUser.isRedisAvailable()).isTrue();
        for (Level level : new Level[] {Level.DEBUG, Level.INFO, Level.WARN, Level.ERROR}) {
            for (String message : logs.messages(level)) {
                assertThat(message).doesNotContain(TAIL);
            }
            for (String message : storeLogs.messages(level)) {
                assertThat(message).doesNotContain(TAIL);
            }
        }
    }

    @Test
    void aPercentEncodedPasswordThatRedisRefusesIsReportedMasked() {
        RedisServer redis = keep(RedisServer.startLocal(-1, "--requirepass", "right#" + TAIL));
        String wrong = "redis://:wrong%23" + TAIL + "@127.0.0.1:" + redis.port();

        ConfigurationException e = catchThrowableOfType(
                ConfigurationException.class,
                () -> keep(RedisStateStore.builder().url(wrong).build()));

        assertThat(e.getMessage())
                .startsWith("state_store: Redis at redis://:***@127.0.0.1:" + redis.port() + " refused the credentials")
                .doesNotContain(TAIL);
    }
}

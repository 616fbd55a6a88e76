package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Hostile secret shapes (a newline, a NUL, a zero-width character, a non-ASCII letter, a very long key, a {@code %}
 * and a {@code "}) and provider errors that echo them (in another case, cut to their ends, URL-encoded, in an
 * {@code Authorization} echo) pushed through every output: exceptions, logs at DEBUG, usage records, health and usage
 * JSON, and the renderings of the facade, the configuration and a lease. None shows a secret, its URL-encoded or
 * JSON-escaped form, or any 12 characters of it in a row.
 */
class HostileSecretLeakTest extends EngineTestSupport {
    private static final String MODEL = "gpt-4o-mini";
    private static final Random RANDOM = new Random(20261125L);

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private Level rootLevel;

    /** Key id to secret, in priority order: the keys that cannot be sent first, then those a provider refuses. */
    private final Map<String, String> secrets = new LinkedHashMap<>();

    private static String body(int length) {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    @BeforeEach
    void captureEverythingAtDebug() {
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
        secrets.put("h-newline", "sk-nl-" + body(24) + "\n" + body(12));
        secrets.put("h-nul", "sk-nul-" + body(20) + "\u0000" + body(12));
        secrets.put("h-zero-width", "sk-zw-" + body(16) + "\u200b" + body(16));
        secrets.put("h-non-ascii", "sk-na-" + body(16) + "ü" + body(16));
        secrets.put("h-long", "sk-long-" + body(6000));
        secrets.put("h-percent", "sk-pct-" + body(14) + "%41%" + body(14));
        secrets.put("h-quote", "sk-q-" + body(14) + "\"" + body(14) + "\\" + body(6));
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
        root.setLevel(rootLevel);
    }

    /** A 401 whose message echoes the secret every way providers and proxies have been seen to. */
    private static FakeResponse echoing(String secret) {
        String message = "Incorrect API key provided: " + secret.toUpperCase() + ". Seen as "
                + secret.substring(0, 20) + "… and …" + secret.substring(secret.length() - 16)
                + "; request line ?key=" + URLEncoder.encode(secret, StandardCharsets.UTF_8)
                + "; header Authorization: Bearer " + secret + "; x-api-key: " + secret;
        return FakeResponse.error(401, "invalid_request_error", "invalid_api_key", message);
    }

    private KeySpec key(String keyId, int priority) {
        return KeySpec.builder(keyId, "openai")
                .secretRef(SecretRef.parse("env://SECRET_" + keyId, name -> secrets.get(name.substring(7))))
                .models(MODEL)
                .priority(priority)
                .metadata("owner_token", secrets.get(keyId))
                .build();
    }

    private LlmRotateConfig.Builder hostileConfig(boolean withGoodKey) {
        List<KeySpec> keys = new ArrayList<>();
        int priority = 100;
        for (String keyId : secrets.keySet()) {
            keys.add(key(keyId, priority--));
        }
        if (withGoodKey) {
            keys.add(Keys.openai("good"));
        }
        return config(SelectionStrategyType.PRIORITY, keys.toArray(KeySpec[]::new))
                .eventBuffer(100);
    }

    @Test
    void noOutputShowsAHostileSecret() {
        for (String secret : secrets.values()) {
            openai.forKey(secret).always(echoing(secret));
        }
        openai.forKey(secret("good")).always(FakeResponse.ok("served by the good key"));
        List<Object> shown = new ArrayList<>();

        LlmRotate lease = engine(hostileConfig(false).build());
        try (KeyLease held = lease.acquire("openai", MODEL)) {
            assertThat(held.keyId()).isEqualTo("h-long"); // the first key whose secret can be sent
            shown.add(held);
            shown.add(held.keyMask());
        }

        LlmRotate lm = engine(hostileConfig(true).build());
        ChatResponse served = lm.chat(MODEL, List.of(ChatMessage.user("hi")));
        assertThat(served.keyId()).isEqualTo("good");
        assertThat(served.rotations()).isEqualTo(3); // h-long, h-percent, h-quote answered 401
        shown.add(served);

        LlmRotate failing = engine(hostileConfig(false).build());
        Throwable blocking = catchThrowable(() -> failing.chat(MODEL, List.of(ChatMessage.user("hi"))));
        assertThat(blocking).isInstanceOf(LlmRotateException.class);
        LlmRotate streaming = engine(hostileConfig(false).build());
        Throwable stream = catchThrowable(() -> streaming
                .chatStream(ChatRequest.builder(MODEL).user("hi").build())
                .collect());
        assertThat(stream).isInstanceOf(LlmRotateException.class);
        for (Throwable e : List.of(blocking, stream)) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                shown.add(t);
                shown.add(t.getMessage());
            }
            shown.add(((LlmRotateException) e).maskedKey());
        }
        assertThat(blocking.getMessage()).contains("invalid_auth").contains("h-quote (sk-…");

        for (LlmRotate engine : List.of(lease, lm, failing, streaming)) {
            shown.add(engine);
            shown.add(engine.config());
            shown.add(engine.config().keys());
            shown.add(engine.health());
            shown.add(engine.health().toJson());
            shown.add(engine.usageSummary());
            shown.add(engine.usageSummary().toJson());
            engine.recentCalls(100).forEach(record -> {
                shown.add(record);
                shown.add(record.toJson());
            });
        }
        assertThat(lm.recentCalls(100)).isNotEmpty();
        assertThat(lm.health().key("h-newline").lastErrorType()).isEqualTo("invalid_auth");
        assertThat(lm.health().key("h-long").lastErrorType()).isEqualTo("invalid_auth");
        assertThat(logs.list).isNotEmpty();

        List<String> texts = texts(shown);
        for (Map.Entry<String, String> entry : secrets.entrySet()) {
            for (String forbidden : forbidden(entry.getValue())) {
                for (String text : texts) {
                    assertThat(text.contains(forbidden))
                            .as("a part of %s's secret in: %s", entry.getKey(), abbreviate(text))
                            .isFalse();
                }
            }
        }
    }

    /** The secret, its URL-encoded and JSON-escaped forms, and every 12 characters of it from every 6th on. */
    private static List<String> forbidden(String secret) {
        List<String> parts = new ArrayList<>();
        parts.add(secret);
        parts.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        parts.add(secret.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n"));
        for (int i = 0; i + 12 <= secret.length(); i += 6) {
            parts.add(secret.substring(i, i + 12));
        }
        return parts;
    }

    private List<String> texts(List<Object> shown) {
        List<String> texts = new ArrayList<>();
        synchronized (logs.list) {
            for (ILoggingEvent event : logs.list) {
                texts.add(event.getFormattedMessage());
                if (event.getArgumentArray() != null) {
                    for (Object argument : event.getArgumentArray()) {
                        texts.add(String.valueOf(argument));
                    }
                }
                for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                    texts.add(t.getClassName() + ": " + t.getMessage());
                }
            }
        }
        shown.forEach(o -> texts.add(String.valueOf(o)));
        return texts;
    }

    private static String abbreviate(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}

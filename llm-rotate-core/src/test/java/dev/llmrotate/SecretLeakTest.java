package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.testkit.FakeResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Secrets never reach logs, exceptions, toString() or reports, even when a provider echoes the key back in its
 * error message; a key whose secret cannot be resolved is skipped with one warning.
 */
class SecretLeakTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void captureLogs() {
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
    }

    private List<String> everythingShown(List<Object> shown) {
        List<String> texts = new ArrayList<>();
        for (ILoggingEvent event : logs.list) {
            texts.add(event.getFormattedMessage());
            if (event.getKeyValuePairs() != null) {
                event.getKeyValuePairs().forEach(kv -> texts.add(String.valueOf(kv.value)));
            }
        }
        shown.forEach(o -> texts.add(String.valueOf(o)));
        return texts;
    }

    @Test
    void providerMessagesEchoingTheKeyAreScrubbed() {
        String a = secret("a");
        openai.forKey(a)
                .always(FakeResponse.error(
                        401,
                        "invalid_request_error",
                        "invalid_api_key",
                        "Incorrect API key provided: " + a + ". You can find your API key at ..."));
        openai.forKey(secret("b"))
                .always(FakeResponse.error(400, "invalid_request_error", null, "bad request for key " + secret("b")));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.openai("b"))
                .eventBuffer(10)
                .build());

        LlmRotateException error =
                (LlmRotateException) org.assertj.core.api.Assertions.catchThrowable(() -> lm.chat("gpt-4o-mini", HI));

        assertThat(error.getMessage()).contains("sk-…cdef");
        List<Object> shown = new ArrayList<>(List.of(
                error,
                error.getMessage(),
                error.maskedKey(),
                lm.health(),
                lm.usageSummary(),
                lm.config(),
                lm,
                lm.config().activeKeys(),
                lm.health().toJson(),
                lm.usageSummary().toJson()));
        assertThat(lm.recentCalls(10)).hasSize(1);
        lm.recentCalls(10).forEach(record -> shown.add(record.toJson()));
        for (String text : everythingShown(shown)) {
            assertThat(text).doesNotContain(a).doesNotContain(secret("b"));
        }
    }

    @Test
    void noAvailableKeyExceptionsAndReportsShowMasksOnly() {
        openai.byDefault().always(FakeResponse.rateLimited(java.time.Duration.ofSeconds(3)));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"), Keys.openai("b"))
                .build());
        NoAvailableKeyException error = (NoAvailableKeyException)
                org.assertj.core.api.Assertions.catchThrowable(() -> lm.chat("gpt-4o-mini", HI));
        assertThat(error.healthReport().key("a").keyMask()).isEqualTo("sk-…cdef");
        for (String text : everythingShown(List.of(error.getMessage(), error.healthReport(), error))) {
            assertThat(text).doesNotContain(secret("a")).doesNotContain(secret("b"));
        }
    }

    @Test
    void aLiteralSecretIsWarnedAboutButNeverShown() {
        String literal = "sk-literal-0000-1111-2222-3333";
        KeySpec key = KeySpec.builder("lit", "openai")
                .secretRef(SecretRef.literal(literal))
                .models("gpt-4o-mini")
                .build();
        openai.forKey(literal).always(FakeResponse.ok("literal works"));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, key).build());
        ChatResponse response = lm.chat("gpt-4o-mini", HI);
        assertThat(response.content()).isEqualTo("literal works");
        assertThat(response.keyMask()).isEqualTo("sk-…3333");
        assertThat(logs.list)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("literal://"));
        for (String text : everythingShown(List.of(key, lm.config(), response, lm.health()))) {
            assertThat(text).doesNotContain(literal);
        }
    }

    @Test
    void aKeyWhoseSecretIsMissingIsSkippedWithOneWarning() {
        LlmRotateConfig config = config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("missing", "openai", "gpt-4o-mini").priority(5).build(),
                        Keys.openai("b"))
                .build();
        LlmRotate lm = engine(config);
        for (int i = 0; i < 5; i++) {
            assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");
        }
        assertThat(logs.list)
                .filteredOn(e -> e.getFormattedMessage().contains("missing"))
                .singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains("env://LLMROTATE_TEST_MISSING")
                        .contains("is not set"));
        assertThat(openai.requestCount()).isEqualTo(5);
        assertThat(lm.health().key("missing").keyMask()).isNull();
    }

    @Test
    void whenNoSecretResolvesTheCallSaysSo() {
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("missing")).build());
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                .isInstanceOf(NoAvailableKeyException.class)
                .hasMessageContaining("skipped because their secret cannot be resolved or used: [missing]");
        assertThat(openai.requestCount()).isZero();
    }
}

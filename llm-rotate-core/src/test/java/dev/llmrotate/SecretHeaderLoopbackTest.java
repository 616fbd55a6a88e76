package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * An API key that cannot be an HTTP header value (a newline, CR, NUL, other control, zero-width or non-ASCII
 * character) is refused when it is resolved: never sent, never quoted (the JDK's own refusal quotes the whole header),
 * reported once with the character's code point and position, and marked {@code invalid_auth} in health while the
 * call rotates to the next key.
 */
class SecretHeaderLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final String HEAD = "sk-proj-7f3kQ9";
    private static final String TAIL = "Lm2Wx8Zq4Rb6Tn1Vc5Yd";

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Map<String, String> environment = new HashMap<>();
    private Level rootLevel;

    @BeforeEach
    void captureLogs() {
        rootLevel = root.getLevel();
        root.setLevel(Level.DEBUG);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
        root.setLevel(rootLevel);
    }

    static Stream<Arguments> unfitCharacters() {
        return Stream.of(
                Arguments.of("newline", "\n", "U+000A"),
                Arguments.of("carriage return", "\r", "U+000D"),
                Arguments.of("NUL", "\u0000", "U+0000"),
                Arguments.of("tab", "\t", "U+0009"),
                Arguments.of("escape", "\u001b", "U+001B"),
                Arguments.of("DEL", "\u007f", "U+007F"),
                Arguments.of("zero-width space", "\u200b", "U+200B"),
                Arguments.of("zero-width non-joiner", "\u200c", "U+200C"),
                Arguments.of("zero-width joiner", "\u200d", "U+200D"),
                Arguments.of("byte-order mark", "\ufeff", "U+FEFF"),
                Arguments.of("non-ASCII letter", "é", "U+00E9"),
                Arguments.of("emoji", "\ud83d\udd11", "U+1F511"));
    }

    private KeySpec key(String keyId, String provider, String secret, int priority) {
        String variable = "HEADER_TEST_" + keyId.toUpperCase().replace('-', '_');
        environment.put(variable, secret);
        return KeySpec.builder(keyId, provider)
                .secretRef(SecretRef.parse("env://" + variable, environment::get))
                .models("gpt-4o-mini")
                .priority(priority)
                .build();
    }

    private List<String> logged() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unfitCharacters")
    void aKeyWithACharacterNoHeaderMayCarryIsSetAsideAsInvalidAuthAndNeverQuoted(
            String name, String character, String codePoint) {
        String bad = HEAD + character + TAIL;
        openai.forKey(secret("good")).always(FakeResponse.ok("from the good key"));
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        key("openai-2", "openai", bad, 5),
                        Keys.key("good", "openai", "gpt-4o-mini").build())
                .build());

        ChatResponse first = lm.chat("gpt-4o-mini", HI);
        ChatResponse second = lm.chat("gpt-4o-mini", HI);

        assertThat(first.keyId()).isEqualTo("good");
        assertThat(second.keyId()).isEqualTo("good");
        assertThat(openai.requestCount()).isEqualTo(2); // the bad key never went out
        HealthReport.KeyReport report = lm.health().key("openai-2");
        assertThat(report.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(report.lastErrorType()).isEqualTo("invalid_auth");
        assertThat(lm.health().toJson()).contains("\"last_error_type\":\"invalid_auth\"");
        String expected = "key 'openai-2': secret contains a character not allowed in an HTTP header (" + codePoint
                + " at position " + (HEAD.length() + 1) + ")";
        assertThat(logged()).filteredOn(m -> m.contains(expected)).hasSize(1);
        for (String text : logged()) {
            assertThat(text).doesNotContain(bad).doesNotContain(TAIL).doesNotContain(HEAD + character);
        }
    }

    @Test
    void everyApiKeyProviderChecksItsSecretAndAKeyAloneFailsWithoutQuotingIt() {
        for (String provider : List.of("openai", "anthropic", "google_ai_studio", "openrouter", "azure_openai")) {
            assertThat(SecretRef.problemFor(provider, HEAD + "\n" + TAIL))
                    .as(provider)
                    .isEqualTo("secret contains a character not allowed in an HTTP header (U+000A at position 15)");
            assertThat(SecretRef.problemFor(provider, HEAD + TAIL)).as(provider).isNull();
        }
        // JSON secrets hold newlines by nature; the values derived from them are checked where they are derived.
        assertThat(SecretRef.problemFor("google_vertex", "{\n\"private_key\": \"x\"\n}"))
                .isNull();
        assertThat(SecretRef.problemFor("aws_bedrock", "{\n\"access_key_id\": \"x\"\n}"))
                .isNull();

        String bad = HEAD + "\r\n" + TAIL;
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, key("alone", "openai", bad, 0))
                .build());
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                .isInstanceOf(NoAvailableKeyException.class)
                .hasMessageContaining("[alone]")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TAIL));
        assertThat(openai.requestCount()).isZero();
        assertThat(lm.health().key("alone").state()).isEqualTo(KeyState.QUARANTINE);
    }

    @Test
    void aKeyStillUnfitAfterItsQuarantineIsDisabledAndAFixedSecretServesAfterAReset() {
        String variable = "HEADER_TEST_FIXABLE";
        environment.put(variable, HEAD + "\u200b" + TAIL);
        KeySpec fixable = KeySpec.builder("fixable", "openai")
                .secretRef(SecretRef.parse("env://" + variable, environment::get))
                .models("gpt-4o-mini")
                .build();
        LlmRotateConfig config = config(SelectionStrategyType.PRIORITY, fixable)
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withQuarantine(Duration.ofSeconds(60)))
                .build();
        LlmRotate lm = engine(config);

        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);
        assertThat(lm.health().key("fixable").state()).isEqualTo(KeyState.QUARANTINE);
        clock.advance(Duration.ofSeconds(61));
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);
        assertThat(lm.health().key("fixable").state()).isEqualTo(KeyState.DISABLED);

        environment.put(variable, HEAD + TAIL);
        openai.forKey(HEAD + TAIL).always(FakeResponse.ok("fixed"));
        lm.resetKey("fixable");
        assertThat(lm.chat("gpt-4o-mini", HI).content()).isEqualTo("fixed");
        assertThat(lm.health().key("fixable").state()).isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void aLeaseSkipsAKeyWhoseSecretCannotBeSent() {
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        key("unfit", "openai", HEAD + "\u0000" + TAIL, 5),
                        Keys.key("good", "openai", "gpt-4o-mini").build())
                .build());

        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            assertThat(lease.keyId()).isEqualTo("good");
            assertThat(lease.toString()).doesNotContain(TAIL);
            lease.reportSuccess();
        }
        assertThat(lm.health().key("unfit").lastErrorType()).isEqualTo("invalid_auth");
    }
}

package dev.llmrotate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.observe.LogNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Secret references: resolution, failures that name the variable or file, and that no rendering shows a secret. The
 * secrets here are made up; assertions compare them without printing them.
 */
class SecretRefTest {
    /** Made-up values that look like keys. */
    private static final String FAKE_SECRET = "sk-test-0000-not-a-real-secret-9f2a";

    private static final Map<String, String> ENVIRONMENT =
            Map.of("LLM_TEST_KEY", "  sk-test-from-env-1234 \n", "LLM_TEST_BLANK", "   ");

    @Test
    void envReadsTheGivenEnvironmentAndStrips() {
        SecretRef ref = SecretRef.parse("env://LLM_TEST_KEY", ENVIRONMENT::get);

        assertThat(ref.scheme()).isEqualTo(SecretRef.Scheme.ENV);
        assertThat(ref.resolve()).isEqualTo("sk-test-from-env-1234");
        assertThat(ref).hasToString("env://LLM_TEST_KEY");
    }

    @Test
    void envIsReadEachTimeTheKeyIsUsed() {
        java.util.Map<String, String> env = new java.util.HashMap<>(Map.of("ROTATING", "first-value-0001"));
        SecretRef ref = SecretRef.parse("env://ROTATING", env::get);

        assertThat(ref.resolve()).isEqualTo("first-value-0001");
        env.put("ROTATING", "second-value-0002");
        assertThat(ref.resolve()).isEqualTo("second-value-0002");
    }

    @Test
    void missingOrBlankVariableNamesTheVariable() {
        assertThatThrownBy(() -> SecretRef.parse("env://LLM_TEST_MISSING", ENVIRONMENT::get)
                        .resolve())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("environment variable LLM_TEST_MISSING is not set or empty");
        assertThatThrownBy(() -> SecretRef.parse("env://LLM_TEST_BLANK", ENVIRONMENT::get)
                        .resolve())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("environment variable LLM_TEST_BLANK is not set or empty");
    }

    @Test
    void fileIsReadAndTrimmed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("openai-key");
        Files.writeString(file, "\n  sk-test-from-file-5678  \n\n");
        SecretRef ref = SecretRef.parse("file://" + file);

        assertThat(ref.scheme()).isEqualTo(SecretRef.Scheme.FILE);
        assertThat(ref.resolve()).isEqualTo("sk-test-from-file-5678");
        assertThat(ref).hasToString("file://" + file);
    }

    @Test
    void missingOrEmptyFileNamesTheFile(@TempDir Path dir) throws IOException {
        Path absent = dir.resolve("absent");
        Path empty = dir.resolve("empty");
        Files.writeString(empty, " \n\t\n");

        assertThatThrownBy(() -> SecretRef.parse("file://" + absent).resolve())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("secret file " + absent + " does not exist");
        assertThatThrownBy(() -> SecretRef.parse("file://" + empty).resolve())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("secret file " + empty + " is empty");
    }

    @Test
    void literalResolvesAsIsWarnsOnceAndNeverShowsItself() {
        Logger logger = (Logger) LoggerFactory.getLogger(LogNames.CONFIG);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            SecretRef ref = SecretRef.literal(FAKE_SECRET);

            assertThat(ref.scheme()).isEqualTo(SecretRef.Scheme.LITERAL);
            assertThat(ref.resolve().equals(FAKE_SECRET))
                    .as("resolves to the literal")
                    .isTrue();
            ref.resolve();
            assertThat(ref.toString()).isEqualTo("literal://***");
            assertThat(appender.list).hasSize(1);
            ILoggingEvent warning = appender.list.get(0);
            assertThat(warning.getLevel()).isEqualTo(Level.WARN);
            assertThat(warning.getFormattedMessage()).contains("literal://").doesNotContain(FAKE_SECRET);
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void unknownSchemeAndMalformedReferencesAreRefusedWithoutTheirValue() {
        assertThatThrownBy(() -> SecretRef.parse("vault://secret/openai"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secret_ref scheme 'vault' is not supported; use env://, file:// or literal://");
        assertThatThrownBy(() -> SecretRef.parse(FAKE_SECRET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("secret_ref has no scheme; use env://NAME, file:///path or literal://value");
        assertThatThrownBy(() -> SecretRef.parse(" "))
                .hasMessage("secret_ref is empty; use env://NAME, file:///path or literal://value");
        assertThatThrownBy(() -> SecretRef.parse("literal://")).hasMessage("secret_ref literal:// names nothing");
    }

    @Test
    void referencesCompareByWhatTheyName() {
        assertThat(SecretRef.parse("env://A")).isEqualTo(SecretRef.env("A")).isNotEqualTo(SecretRef.env("B"));
        assertThat(SecretRef.parse("env://A").hashCode())
                .isEqualTo(SecretRef.env("A").hashCode());
        assertThat(SecretRef.literal(FAKE_SECRET)).isNotEqualTo(SecretRef.literal(FAKE_SECRET + "x"));
    }

    @Test
    void maskShowsPrefixAndLastFourOnly() {
        assertThat(SecretRef.mask("sk-proj-abcdef1234567890")).isEqualTo("sk-…7890");
        assertThat(SecretRef.mask("sk-ant-api03-abcdefghijkl9f2a")).isEqualTo("sk-…9f2a");
        assertThat(SecretRef.mask("AIzaSyA-abcdefghij1234")).isEqualTo("AIz…1234");
        assertThat(SecretRef.mask("abcdefghijkl")).as("exactly 12 characters").isEqualTo("abc…ijkl");
    }

    @Test
    void aJsonSecretIsMaskedByItsAccessKeyIdNeverByItsLastCharacters() {
        String aws =
                "{\"access_key_id\":\"AKIAIOSFODNN7EXAMPLE\",\"secret_access_key\":\"wJalrXUtnFEMI/K7MDENGbPxRfiCYzz\"}";
        assertThat(SecretRef.mask(aws)).isEqualTo("AKI…MPLE");
        assertThat(SecretRef.mask(
                        "{\"aws_access_key_id\": \"ASIAIOSFODNN7EXAMPLE\", \"aws_secret_access_key\": \"s\"}"))
                .isEqualTo("ASI…MPLE");
        assertThat(SecretRef.mask("{\"type\": \"service_account\", \"private_key\": \"-----BEGIN...zz\"}"))
                .isEqualTo("{…}");
        assertThat(SecretRef.mask("{\"type\": \"service_account\", \"private_key_id\": "
                        + "\"3f1c0e0b9a8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b\", \"private_key\": \"-----BEGIN...zz\"}"))
                .as("a service account by its key id, which is not secret")
                .isEqualTo("3f1…5c4b");
    }

    @Test
    void shortSecretsRevealNothing() {
        assertThat(SecretRef.mask("sk-short123")).isEqualTo("…");
        assertThat(SecretRef.mask("abc")).isEqualTo("…");
        assertThat(SecretRef.mask("")).isEqualTo("…");
        assertThat(SecretRef.mask(null)).isEqualTo("…");
    }

    private static final String LITERAL_CONFIG = "keys:\n"
            + "  - key_id: demo-1\n"
            + "    provider: openai\n"
            + "    secret_ref: literal://" + FAKE_SECRET + "\n"
            + "    models: [gpt-4o-mini]\n";

    @Test
    void configAndKeyRenderingsNeverContainALiteralSecret() {
        LlmRotateConfig config = ConfigLoader.fromYaml(LITERAL_CONFIG);
        KeySpec key = config.keys().get(0);

        assertThat(key.secretRef().resolve().equals(FAKE_SECRET)).isTrue();
        assertThat(config.toString()).contains("demo-1").doesNotContain(FAKE_SECRET);
        assertThat(key.toString()).contains("literal://***").doesNotContain(FAKE_SECRET);
        assertThat(config.activeKeys().get(0).toString()).doesNotContain(FAKE_SECRET);
        assertThat(String.valueOf(config.keys())).doesNotContain(FAKE_SECRET);
    }

    @Test
    void problemsNeverContainALiteralSecret() {
        String yaml = LITERAL_CONFIG
                + "  - {key_id: demo-2, provider: openai, secret_ref: \"Literal://" + FAKE_SECRET + "\", models: [m]}\n"
                + "  - {key_id: demo-3, provider: openai, secret_ref: env://X, models: \"literal://" + FAKE_SECRET
                + "\"}\n"
                + "  - {key_id: demo-4, provider: openai, secret_ref: [\"literal://" + FAKE_SECRET
                + "\"], models: [m]}\n"
                + "  - {key_id: \"literal://" + FAKE_SECRET + "\", provider: 7, secret_ref: env://Y, models: [m]}\n";

        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromYaml(yaml));

        assertThat(e.problems())
                .containsExactly(
                        "keys[1].secret_ref: secret_ref scheme 'Literal' is not supported; use env://, file:// or"
                                + " literal://",
                        "keys[2].models: expected a list of strings, got a string that looks like a secret (not shown)",
                        "keys[3].secret_ref: expected a string such as env://NAME, file:///path or literal://value, got"
                                + " a list",
                        "keys[4].provider: expected a string, got 7");
        assertThat(e.getMessage()).doesNotContain(FAKE_SECRET).doesNotContain("0000-not-a-real");
    }

    @Test
    void malformedSourceIsNotQuotedInTheMessage() {
        String yaml = "keys:\n  - secret_ref: literal://" + FAKE_SECRET + ": x\n";

        ConfigurationException e =
                catchThrowableOfType(ConfigurationException.class, () -> ConfigLoader.fromYaml(yaml));

        assertThat(e.getMessage())
                .startsWith("YAML text: malformed YAML at line 2")
                .doesNotContain(FAKE_SECRET);
    }

    @Test
    void loaderResolvesNothingAtLoadTime() {
        LlmRotateConfig config = ConfigLoader.fromYaml(
                "keys: [{key_id: a, provider: openai, secret_ref: env://LLM_ROTATE_TEST_SURELY_UNSET_42, models: [m]},"
                        + " {key_id: b, provider: openai, secret_ref: file:///surely/absent/secret, models: [m]}]");

        assertThat(config.keys()).hasSize(2);
        List<SecretRef> refs = config.keys().stream().map(KeySpec::secretRef).toList();
        assertThatThrownBy(() -> refs.get(0).resolve())
                .hasMessage("environment variable LLM_ROTATE_TEST_SURELY_UNSET_42 is not set or empty");
        assertThatThrownBy(() -> refs.get(1).resolve()).hasMessage("secret file /surely/absent/secret does not exist");
    }

    @org.junit.jupiter.api.Test
    void secretFilesMustBeRegularAndSmall(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path big = dir.resolve("big");
        java.nio.file.Files.write(big, new byte[SecretRef.MAX_SECRET_FILE_BYTES + 1]);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SecretRef.parse("file://" + big).resolve())
                .isInstanceOf(dev.llmrotate.error.ConfigurationException.class)
                .hasMessageContaining("larger than");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SecretRef.parse("file://" + dir).resolve())
                .isInstanceOf(dev.llmrotate.error.ConfigurationException.class)
                .hasMessageContaining("not a regular file");
        java.nio.file.Path fifo = dir.resolve("fifo");
        if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
            // Reading a FIFO nobody writes to would block the call forever: refused at once.
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> SecretRef.parse("file://" + fifo).resolve())
                    .isInstanceOf(dev.llmrotate.error.ConfigurationException.class)
                    .hasMessageContaining("not a regular file");
        }
    }
}

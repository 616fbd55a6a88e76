package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.internal.provider.bedrock.AwsCredentials;
import dev.llmrotate.testkit.FakeBedrockServer;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An aws_bedrock secret is credentials JSON (it may be pretty-printed over several lines); its access key id and
 * session token are what go into headers, so those are checked where the credentials are read: a character no header
 * may carry is {@code invalid_auth} with a message that names it, never the value.
 */
class BedrockCredentialHeaderLoopbackTest extends EngineTestSupport {
    private static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
    private static final String TOKEN_TAIL = "IQoJb3JpZ2luX2VjEFAKEtoken";
    private static final Map<String, String> CREDENTIALS = Map.of(
            "UNFIT_ID",
            "{\n  \"access_key_id\": \"AKIA\u200bFAKEKEYCCCC\",\n  \"secret_access_key\": \"secret/c+0123456789\"\n}",
            "UNFIT_TOKEN",
            "{\"access_key_id\": \"ASIAFAKETEMP0009\", \"secret_access_key\": \"temp/secret-9\","
                    + " \"session_token\": \"abc\\n" + TOKEN_TAIL + "\"}",
            "GOOD",
            "{\n  \"access_key_id\": \"AKIAFAKEKEYAAAA1\",\n  \"secret_access_key\": \"secret/a+0123456789abcdef\"\n}");

    private FakeBedrockServer bedrock;

    @BeforeEach
    void startBedrock() {
        bedrock = FakeBedrockServer.start().acceptCredentials("AKIAFAKEKEYAAAA1", "secret/a+0123456789abcdef");
    }

    @AfterEach
    void stopBedrock() {
        bedrock.close();
    }

    private static KeySpec key(String keyId, String secretName, int priority) {
        return KeySpec.builder(keyId, "aws_bedrock")
                .secretRef(SecretRef.parse("env://" + secretName, CREDENTIALS::get))
                .authConfig("region", "us-east-1")
                .models(MODEL)
                .priority(priority)
                .build();
    }

    private LlmRotate engine(KeySpec... keys) {
        return engine(config(SelectionStrategyType.PRIORITY, keys)
                .provider(
                        "aws_bedrock", s -> s.withBaseUrl(bedrock.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .build());
    }

    @Test
    void credentialsWhoseHeaderValuesAreUnfitAreInvalidAuthAndTheCallRotates() {
        bedrock.forKey("AKIAFAKEKEYAAAA1").always(FakeResponse.ok("from the good key"));
        LlmRotate lm =
                engine(key("unfit-id", "UNFIT_ID", 3), key("unfit-token", "UNFIT_TOKEN", 2), key("good", "GOOD", 1));

        ChatResponse response = lm.chat(MODEL, List.of(ChatMessage.user("Hi")));

        assertThat(response.keyId()).isEqualTo("good");
        assertThat(response.rotations()).isEqualTo(2);
        for (String id : List.of("unfit-id", "unfit-token")) {
            assertThat(lm.health().key(id).state()).as(id).isEqualTo(KeyState.QUARANTINE);
            assertThat(lm.health().key(id).lastErrorType()).as(id).isEqualTo("invalid_auth");
        }
        assertThat(bedrock.requests()).hasSize(1);
    }

    @Test
    void theFailureNamesTheFieldAndTheCharacterNeverTheValue() {
        LlmRotate id = engine(key("unfit-id", "UNFIT_ID", 0));
        assertThatThrownBy(() -> id.chat(MODEL, List.of(ChatMessage.user("Hi"))))
                .isInstanceOfSatisfying(LlmRotateException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_AUTH);
                    assertThat(e.getMessage())
                            .contains("key 'unfit-id': the credentials' access_key_id contains a character not allowed"
                                    + " in an HTTP header (U+200B at position 5)")
                            .doesNotContain("FAKEKEYCCCC");
                });
        LlmRotate token = engine(key("unfit-token", "UNFIT_TOKEN", 0));
        assertThatThrownBy(() -> token.chat(MODEL, List.of(ChatMessage.user("Hi"))))
                .isInstanceOfSatisfying(
                        LlmRotateException.class,
                        e -> assertThat(e.getMessage())
                                .contains("session_token contains a character not allowed in an HTTP header (U+000A at"
                                        + " position 4)")
                                .doesNotContain(TOKEN_TAIL));
        assertThat(bedrock.requests()).isEmpty();
    }

    @Test
    void multiLineCredentialsJsonIsFine() {
        AwsCredentials credentials = AwsCredentials.parse(CREDENTIALS.get("GOOD"), new ObjectMapper());
        assertThat(credentials.accessKeyId()).isEqualTo("AKIAFAKEKEYAAAA1");
    }
}

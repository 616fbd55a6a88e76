package dev.llmrotate.internal.provider.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.ServiceAccounts;
import org.junit.jupiter.api.Test;

/**
 * A Vertex key's secret is service-account JSON (newlines are normal there); the OAuth access token derived from it is
 * what goes into a header, so that is what is checked: a token no header may carry is {@code invalid_auth} with a
 * message that names the character, never the token.
 */
class VertexTokenHeaderLoopbackTest extends GoogleLoopbackSupport {
    private static final String TOKEN_TAIL = "me-Zq4Rb6Tn1Vc5Yd";
    private static final FakeResponse UNFIT_TOKEN = FakeResponse.raw(
            200, "{\"access_token\":\"ya29.leak\\n" + TOKEN_TAIL + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");

    private static ChatRequest hi() {
        return ChatRequest.builder(MODEL).user("hi").build();
    }

    @Test
    void anAccessTokenNoHeaderMayCarryIsInvalidAuthTheCallRotatesAndTheTokenIsNeverQuoted() {
        ServiceAccounts.ServiceAccount first = account("rotate-1");
        ServiceAccounts.ServiceAccount second = account("rotate-2");
        gemini.forServiceAccount(second.clientEmail()).always(FakeResponse.ok("from the second account"));
        gemini.tokenEndpoint().next(UNFIT_TOKEN); // the first token request, for vx-first
        LlmRotate lm = engine(config(
                        vertex("vx-first", first).priority(2).build(),
                        vertex("vx-second", second).build())
                .build());

        ChatResponse response = lm.chat(hi());

        assertThat(response.keyId()).isEqualTo("vx-second");
        var report = lm.health().key("vx-first");
        assertThat(report.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(report.lastErrorType()).isEqualTo("invalid_auth");
        assertThat(gemini.requests()).hasSize(1);

        gemini.tokenEndpoint().next(UNFIT_TOKEN);
        LlmRotate alone = engine(config(vertex("vx-alone", first).build()).build());
        assertThatThrownBy(() -> alone.chat(hi())).isInstanceOfSatisfying(LlmRotateException.class, e -> {
            assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_AUTH);
            assertThat(e.getMessage())
                    .contains("vx-alone")
                    .contains("access_token contains a character not allowed in an HTTP header (U+000A at"
                            + " position 10)")
                    .doesNotContain("ya29.leak")
                    .doesNotContain(TOKEN_TAIL);
        });
    }
}

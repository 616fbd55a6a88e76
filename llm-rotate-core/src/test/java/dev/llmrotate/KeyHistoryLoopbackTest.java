package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.health.KeyStateChange;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each key's state changes are kept, with their causes, Retry-After values and rest ends, where the engine's health
 * transitions happen; over real HTTP with an injected clock.
 */
class KeyHistoryLoopbackTest extends EngineTestSupport {
    private static final String MINI = "gpt-4o-mini";
    private static final ChatRequest HI = ChatRequest.builder(MINI).user("hi").build();
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private List<KeyStateChange> history(LlmRotate lm, String keyId) {
        return lm.keyHistory(
                keyId, T0.minus(Duration.ofDays(1)), clock.instant().plusSeconds(1), 1000);
    }

    @Test
    void aRateLimitRestsTheKeysModelAndASuccessfulProbeEndsIt() {
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("a", MINI)).build());
        openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofSeconds(20)), FakeResponse.ok("hi"));

        catchThrowable(() -> lm.chat(HI));
        Instant limitedAt = clock.instant();
        clock.advance(Duration.ofSeconds(21));
        lm.chat(HI);

        assertThat(history(lm, "a"))
                .containsExactly(
                        new KeyStateChange(
                                limitedAt.plusSeconds(21),
                                "a",
                                MINI,
                                KeyState.PROBATION,
                                KeyState.ACTIVE,
                                null,
                                null,
                                null),
                        new KeyStateChange(
                                limitedAt,
                                "a",
                                MINI,
                                KeyState.ACTIVE,
                                KeyState.COOLDOWN,
                                "rate_limit",
                                Duration.ofSeconds(20),
                                limitedAt.plusSeconds(20)));
    }

    @Test
    void aRevokedKeyIsQuarantinedKeyWideAndAResetIsAChangeWithoutCause() {
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a", MINI), Keys.openai("b", MINI))
                .build());
        openai.forKey(secret("a")).always(FakeResponse.invalidApiKey());

        assertThat(lm.chat(HI).keyId()).isEqualTo("b");
        clock.advance(Duration.ofMinutes(1));
        lm.resetKey("a");

        List<KeyStateChange> changes = history(lm, "a");
        assertThat(changes).hasSize(2);
        KeyStateChange quarantine = changes.get(1);
        assertThat(quarantine.model()).isNull();
        assertThat(quarantine.from()).isEqualTo(KeyState.ACTIVE);
        assertThat(quarantine.to()).isEqualTo(KeyState.QUARANTINE);
        assertThat(quarantine.cause()).isEqualTo("invalid_auth");
        assertThat(quarantine.until()).isAfter(quarantine.at());
        assertThat(changes.get(0))
                .isEqualTo(new KeyStateChange(
                        T0.plus(Duration.ofMinutes(1)),
                        "a",
                        null,
                        KeyState.QUARANTINE,
                        KeyState.ACTIVE,
                        null,
                        null,
                        null));
        assertThat(history(lm, "b")).isEmpty();
    }

    @Test
    void theHistoryKeepsTheLatestChangesPerScopeAndTheFrameAndLimitApply() {
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("a", MINI)).build());
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        int rests = StateStore.HISTORY_PER_SCOPE + 5;
        for (int i = 0; i < rests; i++) {
            catchThrowable(() -> lm.chat(HI));
            clock.advance(Duration.ofSeconds(31));
        }

        List<KeyStateChange> all = history(lm, "a");
        assertThat(all).hasSize(StateStore.HISTORY_PER_SCOPE);
        assertThat(all).allSatisfy(c -> assertThat(c.to()).isEqualTo(KeyState.COOLDOWN));
        assertThat(all.get(0).at()).isEqualTo(T0.plusSeconds(31L * (rests - 1)));
        assertThat(all.get(0).from()).isEqualTo(KeyState.PROBATION);
        assertThat(all.get(all.size() - 1).at()).isEqualTo(T0.plusSeconds(31L * 5));

        List<KeyStateChange> someOf = lm.keyHistory("a", T0.plusSeconds(31L * 10), T0.plusSeconds(31L * 20), 3);
        assertThat(someOf)
                .extracting(KeyStateChange::at)
                .containsExactly(T0.plusSeconds(31L * 19), T0.plusSeconds(31L * 18), T0.plusSeconds(31L * 17));
    }
}

package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.KeyState;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** acquire(): keys lent out for calls the application makes, reported back into the same state machine. */
class LeaseTest extends EngineTestSupport {

    private LlmRotate twoKeys() {
        return engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini")
                                .priority(2)
                                .metadata("team", "search")
                                .build(),
                        Keys.key("b", "openai", "gpt-4o-mini", "gpt-4o")
                                .priority(1)
                                .build())
                .build());
    }

    @Test
    void aLeaseCarriesTheKeyAndItsMetadataButShowsOnlyTheMask() {
        LlmRotate lm = twoKeys();
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            assertThat(lease.keyId()).isEqualTo("a");
            assertThat(lease.provider()).isEqualTo("openai");
            assertThat(lease.secret()).isEqualTo(secret("a"));
            assertThat(lease.keyMask()).isEqualTo("sk-…cdef");
            assertThat(lease.metadata()).containsEntry("team", "search");
            assertThat(lease.toString()).doesNotContain(secret("a")).contains("sk-…cdef");
            lease.reportSuccess(Usage.of(12, 3));
        }
        assertThat(lm.usageSummary().byKey().get("a").successes()).isEqualTo(1);
        assertThat(lm.usageSummary().byKey().get("a").inputTokens()).isEqualTo(12);
    }

    @Test
    void aReportedRateLimitCoolsTheKeyAndTheNextLeaseGetsAnother() {
        LlmRotate lm = twoKeys();
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            lease.reportError(ErrorType.RATE_LIMIT, Duration.ofSeconds(45));
        }
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(lm.health().key("a").availableAt()).isEqualTo(clock.instant().plusSeconds(45));
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            assertThat(lease.keyId()).isEqualTo("b");
            lease.reportSuccess();
        }
    }

    @Test
    void exceptionsAreClassifiedWhenReported() {
        LlmRotate lm = twoKeys();
        try (KeyLease lease = lm.acquire("openai")) {
            lease.reportError(new IOException("reset"));
        }
        assertThat(lm.health().key("a").lastErrorType()).isEqualTo("connection_error");
        try (KeyLease lease = lm.acquire("openai")) {
            lease.reportError(new LlmRotateException("nope", "openai", ErrorType.INVALID_AUTH, null));
        }
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(lm.usageSummary().overall().failuresByType())
                .containsEntry("connection_error", 1L)
                .containsEntry("invalid_auth", 1L);
    }

    @Test
    void aLeaseIsReportedOnceAndAnUnreportedOneIsRecordedAsSuch() {
        LlmRotate lm = twoKeys();
        KeyLease lease = lm.acquire("openai", "gpt-4o");
        assertThat(lease.keyId()).isEqualTo("b");
        lease.reportSuccess();
        assertThatThrownBy(lease::reportSuccess).isInstanceOf(IllegalStateException.class);
        lease.close();
        lm.acquire("openai").close();
        assertThat(lm.usageSummary().overall().calls()).isEqualTo(2);
        assertThat(lm.usageSummary().overall().failuresByType()).containsEntry("cancelled", 1L);
    }

    @Test
    void probationAdmitsOneLeaseAtATime() {
        LlmRotate lm = engine(
                config(SelectionStrategyType.PRIORITY, Keys.openai("only")).build());
        try (KeyLease lease = lm.acquire("openai")) {
            lease.reportError(ErrorType.RATE_LIMIT);
        }
        clock.advance(Duration.ofSeconds(30));
        KeyLease trial = lm.acquire("openai");
        assertThat(lm.health().key("only").state()).isEqualTo(KeyState.PROBATION);
        assertThatThrownBy(() -> lm.acquire("openai"))
                .isInstanceOfSatisfying(
                        NoAvailableKeyException.class,
                        e -> assertThat(e.earliestRetryAt()).isAfter(clock.instant()));
        trial.reportSuccess();
        assertThat(lm.health().key("only").state()).isEqualTo(KeyState.ACTIVE);
        try (KeyLease again = lm.acquire("openai")) {
            again.reportSuccess();
        }
    }

    @Test
    void anUnknownProviderIsAConfigurationErrorAndAnUnknownModelAnUnknownModelError() {
        LlmRotate lm = twoKeys();
        assertThatThrownBy(() -> lm.acquire("opnai"))
                .isInstanceOf(dev.llmrotate.error.ConfigurationException.class)
                .hasMessageContaining("did you mean 'openai'");
        assertThatThrownBy(() -> lm.acquire("openai", "gpt-9"))
                .isInstanceOfSatisfying(
                        dev.llmrotate.error.UnknownModelException.class,
                        e -> assertThat(e.model()).isEqualTo("gpt-9"))
                .hasMessage("no active key of provider 'openai' lists model 'gpt-9'; its keys serve [gpt-4o,"
                        + " gpt-4o-mini]");
    }

    @Test
    void aReportWithoutATypeIsRefusedAndLeavesTheLeaseOpenForARealReport() {
        LlmRotate lm = twoKeys();
        java.util.List<String> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        lm.onCall(record -> outcomes.add(record.outcome()));
        try (KeyLease lease = lm.acquire("openai", "gpt-4o-mini")) {
            assertThatThrownBy(() -> lease.reportError((ErrorType) null)).isInstanceOf(NullPointerException.class);
            lease.reportError(ErrorType.RATE_LIMIT);
        }
        assertThat(outcomes).containsExactly("error");
    }
}

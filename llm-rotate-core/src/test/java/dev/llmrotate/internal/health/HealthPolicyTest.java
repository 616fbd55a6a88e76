package dev.llmrotate.internal.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.spi.KeyHealth;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HealthPolicyTest {
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private final ProviderSettings openai = ProviderCatalog.defaults("openai");
    private final ProviderSettings anthropic = ProviderCatalog.defaults("anthropic");

    private KeyHealth fail(KeyHealth h, ErrorType type, Duration retryAfter, Instant at) {
        return HealthPolicy.onFailure(h, type, retryAfter, at, openai);
    }

    @Test
    void rateLimitCoolsDownForTheProvidersCooldownThenProbationThenActive() {
        KeyHealth h = fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, null, T0);
        assertThat(h.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(h.until()).isEqualTo(T0.plusSeconds(30));
        assertThat(HealthPolicy.selectable(h, T0.plusSeconds(29))).isFalse();
        assertThat(HealthPolicy.effectiveState(h, T0.plusSeconds(30))).isEqualTo(KeyState.PROBATION);

        KeyHealth claimed = HealthPolicy.claimTrial(h, 7, T0.plusSeconds(30), T0.plusSeconds(90));
        assertThat(claimed.state()).isEqualTo(KeyState.PROBATION);
        assertThat(claimed.trialHolder()).isEqualTo(7);
        KeyHealth active = HealthPolicy.onSuccess(claimed, T0.plusSeconds(31));
        assertThat(active.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(active.consecutiveFailures()).isZero();
        assertThat(active.trialHolder()).isZero();
        assertThat(active.lastSuccessAt()).isEqualTo(T0.plusSeconds(31));
    }

    @Test
    void anthropicCoolsDownForSixtySeconds() {
        KeyHealth h = HealthPolicy.onFailure(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, null, T0, anthropic);
        assertThat(h.until()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void retryAfterSetsTheCooldownToWhatTheProviderSaidCapped() {
        assertThat(fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, Duration.ofSeconds(90), T0)
                        .until())
                .isEqualTo(T0.plusSeconds(90));
        // Shorter than cooldown_seconds: the provider knows best.
        assertThat(fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, Duration.ofSeconds(2), T0)
                        .until())
                .isEqualTo(T0.plusSeconds(2));
        assertThat(fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, Duration.ofMillis(1500), T0)
                        .until())
                .isEqualTo(T0.plusMillis(1500));
        assertThat(fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, Duration.ofDays(3), T0)
                        .until())
                .isEqualTo(T0.plus(openai.maxRetryAfter()));
    }

    @Test
    void theLaterDeadlineWins() {
        KeyHealth longRest = fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, Duration.ofSeconds(200), T0);
        KeyHealth again = fail(longRest, ErrorType.RATE_LIMIT, null, T0.plusSeconds(1));
        assertThat(again.until()).isEqualTo(T0.plusSeconds(200));
        assertThat(again.state()).isEqualTo(KeyState.COOLDOWN);

        KeyHealth quarantined = fail(KeyHealth.INITIAL, ErrorType.INVALID_AUTH, null, T0);
        KeyHealth rateLimitedToo = fail(quarantined, ErrorType.RATE_LIMIT, null, T0.plusSeconds(1));
        assertThat(rateLimitedToo.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(rateLimitedToo.until()).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void quotaExhaustionQuarantinesLongerThanARateLimit() {
        KeyHealth h = fail(KeyHealth.INITIAL, ErrorType.QUOTA_EXHAUSTED, null, T0);
        assertThat(h.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(h.until()).isEqualTo(T0.plus(openai.quotaQuarantine()));
        assertThat(Duration.between(T0, h.until())).isGreaterThan(openai.cooldown());
        assertThat(h.authStrikes()).isZero();
    }

    @ParameterizedTest
    @EnumSource(
            value = ErrorType.class,
            names = {"INVALID_AUTH", "PERMISSION_DENIED"})
    void authFailureQuarantinesAndASecondOneAfterQuarantineDisables(ErrorType type) {
        KeyHealth first = fail(KeyHealth.INITIAL, type, null, T0);
        assertThat(first.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(first.until()).isEqualTo(T0.plusSeconds(300));
        assertThat(first.authStrikes()).isEqualTo(1);

        Instant back = T0.plusSeconds(300);
        KeyHealth trial = HealthPolicy.claimTrial(first, 1, back, back.plusSeconds(60));
        KeyHealth second = fail(trial, type, null, back.plusSeconds(1));
        assertThat(second.state()).isEqualTo(KeyState.DISABLED);
        assertThat(HealthPolicy.availableAt(second, back.plus(Duration.ofDays(30))))
                .isNull();
        assertThat(HealthPolicy.onSuccess(second, back.plusSeconds(2)).state()).isEqualTo(KeyState.DISABLED);
    }

    @Test
    void authFailuresOfCallsInFlightWhileQuarantinedAreNotASecondStrike() {
        KeyHealth first = fail(KeyHealth.INITIAL, ErrorType.INVALID_AUTH, null, T0);
        KeyHealth again = fail(first, ErrorType.INVALID_AUTH, null, T0.plusMillis(5));
        assertThat(again.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(again.authStrikes()).isEqualTo(1);
    }

    @Test
    void aSuccessClearsAuthStrikes() {
        KeyHealth quarantined = fail(KeyHealth.INITIAL, ErrorType.INVALID_AUTH, null, T0);
        Instant back = T0.plusSeconds(300);
        KeyHealth recovered = HealthPolicy.onSuccess(HealthPolicy.claimTrial(quarantined, 1, back, back), back);
        assertThat(recovered.authStrikes()).isZero();
        assertThat(fail(recovered, ErrorType.INVALID_AUTH, null, back.plusSeconds(1))
                        .state())
                .isEqualTo(KeyState.QUARANTINE);
    }

    @Test
    void aRateLimitDuringProbationIsAnotherCooldownNotAQuarantine() {
        KeyHealth cooled = fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, null, T0);
        Instant back = T0.plusSeconds(30);
        KeyHealth trial = HealthPolicy.claimTrial(cooled, 3, back, back.plusSeconds(60));
        KeyHealth failed = fail(trial, ErrorType.RATE_LIMIT, Duration.ofSeconds(4), back.plusSeconds(1));
        assertThat(failed.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(failed.until()).isEqualTo(back.plusSeconds(5));
        assertThat(failed.trialHolder()).isZero();
    }

    @Test
    void quotaExhaustionDuringProbationQuarantines() {
        KeyHealth cooled = fail(KeyHealth.INITIAL, ErrorType.QUOTA_EXHAUSTED, null, T0);
        Instant back = T0.plus(openai.quotaQuarantine());
        KeyHealth trial = HealthPolicy.claimTrial(cooled, 3, back, back.plusSeconds(60));
        KeyHealth failed = fail(trial, ErrorType.QUOTA_EXHAUSTED, null, back.plusSeconds(1));
        assertThat(failed.state()).isEqualTo(KeyState.QUARANTINE);
        assertThat(failed.until()).isEqualTo(back.plusSeconds(1).plus(openai.quotaQuarantine()));
    }

    @Test
    void aServerErrorWithRetryAfterRestsAtLeastThatLong() {
        KeyHealth h = fail(KeyHealth.INITIAL, ErrorType.TRANSIENT_SERVER_ERROR, Duration.ofSeconds(7), T0);
        assertThat(h.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(h.until()).isEqualTo(T0.plusSeconds(7));
        assertThat(h.consecutiveFailures()).isEqualTo(1);
        // Without one, a single 5xx only counts.
        assertThat(fail(KeyHealth.INITIAL, ErrorType.TRANSIENT_SERVER_ERROR, null, T0)
                        .state())
                .isEqualTo(KeyState.ACTIVE);
    }

    @Test
    void aTransientFailureDuringProbationRestsForTheNextProbeInterval() {
        KeyHealth cooled = fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, null, T0);
        Instant back = T0.plusSeconds(30);
        KeyHealth trial = HealthPolicy.claimTrial(cooled, 3, back, back.plusSeconds(60));
        KeyHealth failed = fail(trial, ErrorType.TRANSIENT_SERVER_ERROR, null, back.plusSeconds(1));
        assertThat(failed.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(failed.until()).isEqualTo(back.plusSeconds(1).plus(openai.recoveryProbe()));
        assertThat(failed.trialHolder()).isZero();
        assertThat(failed.outageRests()).isEqualTo(1);
    }

    @Test
    void probationAdmitsOneTrialAtATimeUntilItExpires() {
        KeyHealth cooled = fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, null, T0);
        Instant back = T0.plusSeconds(30);
        KeyHealth first = HealthPolicy.claimTrial(cooled, 1, back, back.plusSeconds(10));
        KeyHealth second = HealthPolicy.claimTrial(first, 2, back.plusSeconds(1), back.plusSeconds(11));
        assertThat(second.trialHolder()).isEqualTo(1);
        assertThat(HealthPolicy.selectable(first, back.plusSeconds(1))).isFalse();
        assertThat(HealthPolicy.availableAt(first, back.plusSeconds(1))).isEqualTo(back.plusSeconds(10));
        // An abandoned trial is given up when it expires.
        KeyHealth taken = HealthPolicy.claimTrial(first, 2, back.plusSeconds(10), back.plusSeconds(20));
        assertThat(taken.trialHolder()).isEqualTo(2);
        // Releasing by a non-holder changes nothing; by the holder frees the slot.
        assertThat(HealthPolicy.releaseTrial(taken, 1)).isSameAs(taken);
        assertThat(HealthPolicy.releaseTrial(taken, 2).trialHolder()).isZero();
    }

    @Test
    void claimingATrialOnAnActiveKeyChangesNothing() {
        assertThat(HealthPolicy.claimTrial(KeyHealth.INITIAL, 1, T0, T0.plusSeconds(5)))
                .isSameAs(KeyHealth.INITIAL);
    }

    @Test
    void aRunOfTransientFailuresRestsForAProbeIntervalThatDoublesUpToTheQuarantineAndNeverDisables() {
        KeyHealth h = KeyHealth.INITIAL;
        for (int i = 1; i < openai.maxConsecutiveFailures(); i++) {
            h = fail(h, ErrorType.TIMEOUT, null, T0.plusSeconds(i));
            assertThat(h.state()).isEqualTo(KeyState.ACTIVE);
            assertThat(h.consecutiveFailures()).isEqualTo(i);
        }
        h = fail(h, ErrorType.CONNECTION_ERROR, null, T0.plusSeconds(10));
        assertThat(h.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(h.until()).isEqualTo(T0.plusSeconds(20)); // recovery_probe_seconds: 10
        // Calls that were in flight when the rest began do not lengthen it.
        assertThat(fail(h, ErrorType.TIMEOUT, null, T0.plusSeconds(11)).until()).isEqualTo(T0.plusSeconds(20));
        // Each failed probe doubles the rest: 20, 40, 80, 160, then the 300 s quarantine caps it.
        long[] expected = {20, 40, 80, 160, 300, 300, 300, 300, 300, 300};
        Instant t = T0;
        for (int round = 0; round < 10; round++) {
            t = t.plusSeconds(1000);
            h = fail(
                    HealthPolicy.claimTrial(h, round + 1, t, t.plusSeconds(5)),
                    ErrorType.TRANSIENT_SERVER_ERROR,
                    null,
                    t);
            assertThat(h.state()).isEqualTo(KeyState.COOLDOWN);
            assertThat(Duration.between(t, h.until()).toSeconds()).isEqualTo(expected[round]);
        }
        // One success: back to ACTIVE, and the next outage starts again at the first probe interval.
        Instant ok = h.until();
        KeyHealth healed = HealthPolicy.onSuccess(HealthPolicy.claimTrial(h, 99, ok, ok.plusSeconds(5)), ok);
        assertThat(healed.state()).isEqualTo(KeyState.ACTIVE);
        assertThat(healed.outageRests()).isZero();
        assertThat(HealthPolicy.probeInterval(healed.outageRests(), openai)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void requestLevelErrorsLeaveHealthAlone() {
        for (ErrorType type : EnumSet.of(
                ErrorType.CONTEXT_LENGTH_EXCEEDED,
                ErrorType.CONTENT_FILTERED,
                ErrorType.INVALID_REQUEST,
                ErrorType.UNKNOWN,
                ErrorType.BROKER_ROUTE_UNAVAILABLE)) {
            assertThat(fail(KeyHealth.INITIAL, type, null, T0))
                    .as(type.wireName())
                    .isSameAs(KeyHealth.INITIAL);
        }
    }

    @Test
    void modelUnavailableRestsTheScopeForTheCooldownWithoutCountingAConsecutiveFailure() {
        KeyHealth h = fail(KeyHealth.INITIAL, ErrorType.MODEL_UNAVAILABLE, null, T0);
        assertThat(h.state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(h.until()).isEqualTo(T0.plus(openai.cooldown()));
        assertThat(h.consecutiveFailures()).isZero();
        assertThat(HealthPolicy.recentFailures(h, T0)).isEqualTo(1);
        assertThat(h.lastErrorType()).isEqualTo(ErrorType.MODEL_UNAVAILABLE);
    }

    @Test
    void recentFailuresCountWithinAFiveMinuteWindow() {
        KeyHealth h = fail(KeyHealth.INITIAL, ErrorType.TIMEOUT, null, T0);
        h = fail(h, ErrorType.TIMEOUT, null, T0.plusSeconds(60));
        assertThat(HealthPolicy.recentFailures(h, T0.plusSeconds(61))).isEqualTo(2);
        assertThat(HealthPolicy.recentFailures(h, T0.plusSeconds(300))).isZero();
        h = fail(h, ErrorType.TIMEOUT, null, T0.plusSeconds(301));
        assertThat(HealthPolicy.recentFailures(h, T0.plusSeconds(302))).isEqualTo(1);
    }

    @Test
    void aSuccessReportedWhileTheKeyRestsKeepsTheRest() {
        KeyHealth cooled = fail(KeyHealth.INITIAL, ErrorType.RATE_LIMIT, null, T0);
        assertThat(HealthPolicy.onSuccess(cooled, T0.plusSeconds(1))).isSameAs(cooled);
    }

    @Test
    void aSuccessOnAHealthyKeyNeedsNoWriteWithinASecond() {
        KeyHealth once = HealthPolicy.onSuccess(KeyHealth.INITIAL, T0);
        assertThat(once).isNotSameAs(KeyHealth.INITIAL);
        assertThat(HealthPolicy.onSuccess(once, T0.plusMillis(500))).isSameAs(once);
        assertThat(HealthPolicy.onSuccess(once, T0.plusSeconds(2)).lastSuccessAt())
                .isEqualTo(T0.plusSeconds(2));
    }
}

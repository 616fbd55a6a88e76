package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.UnknownModelException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageFilter;
import dev.llmrotate.observe.UsagePoint;
import dev.llmrotate.observe.UsageSeries;
import dev.llmrotate.observe.UsageSummary;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Usage over time through the public API, over real HTTP on loopback with an injected clock: calls made at known
 * times land in the right minute, 5-minute and hour buckets, filters pick slices, frames are checked against what is
 * kept (a day of minutes, 30 days of hours).
 */
class UsageOverTimeLoopbackTest extends EngineTestSupport {
    private static final String MINI = "gpt-4o-mini";
    private static final String BIG = "gpt-4o";
    /** The clock's start: a whole hour. */
    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private LlmRotate lm;

    @BeforeEach
    void engineWithTwoKeysAndTwoModels() {
        openai.byDefault().always(FakeResponse.ok("hello", 100, 20));
        lm = engine(config(SelectionStrategyType.ROUND_ROBIN, Keys.openai("a", MINI, BIG), Keys.openai("b", MINI, BIG))
                .build());
    }

    private void callAt(Duration sinceStart, String model) {
        clock.set(T0.plus(sinceStart));
        lm.chat(ChatRequest.builder(model).user("hi").build());
    }

    private static long[] calls(UsageSeries series) {
        return series.points().stream().mapToLong(p -> p.totals().calls()).toArray();
    }

    @Test
    void callsLandInTheirMinuteFiveMinuteAndHourBuckets() {
        callAt(Duration.ofSeconds(10), MINI);
        callAt(Duration.ofSeconds(50), BIG);
        callAt(Duration.ofMinutes(3).plusSeconds(1), MINI);
        callAt(Duration.ofMinutes(7), MINI);
        callAt(Duration.ofMinutes(65), BIG);
        clock.set(T0.plus(Duration.ofMinutes(90)));

        UsageSeries minutes =
                lm.usageSeries(T0, T0.plus(Duration.ofMinutes(10)), Duration.ofMinutes(1), UsageFilter.ALL);
        assertThat(minutes.from()).isEqualTo(T0);
        assertThat(minutes.until()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(minutes.bucket()).isEqualTo(Duration.ofMinutes(1));
        assertThat(calls(minutes)).containsExactly(2, 0, 0, 1, 0, 0, 0, 1, 0, 0);
        assertThat(minutes.points().get(1))
                .isEqualTo(new UsagePoint(T0.plusSeconds(60), UsageSummary.Totals.EMPTY, UsageSummary.Latency.EMPTY));
        UsageSummary.Totals first = minutes.points().get(0).totals();
        assertThat(first.successes()).isEqualTo(2);
        assertThat(first.inputTokens()).isEqualTo(200);
        assertThat(first.outputTokens()).isEqualTo(40);
        assertThat(first.costUsd()).isPositive();
        assertThat(first.latency().p50Ms()).isPositive();
        assertThat(first.latency().p95Ms())
                .isGreaterThanOrEqualTo(first.latency().p50Ms());
        assertThat(first.latency().maxMs())
                .isGreaterThanOrEqualTo(first.latency().p99Ms());

        UsageSeries fives = lm.usageSeries(T0, T0.plus(Duration.ofMinutes(90)), Duration.ofMinutes(5), UsageFilter.ALL);
        assertThat(fives.points()).hasSize(18);
        assertThat(calls(fives)).startsWith(3, 1, 0).contains(1);
        assertThat(fives.points().get(13).start()).isEqualTo(T0.plus(Duration.ofMinutes(65)));
        assertThat(fives.points().get(13).totals().calls()).isEqualTo(1);

        UsageSeries hours = lm.usageSeries(
                T0.minus(Duration.ofHours(1)), T0.plus(Duration.ofMinutes(90)), Duration.ofHours(1), UsageFilter.ALL);
        assertThat(hours.from()).isEqualTo(T0.minus(Duration.ofHours(1)));
        assertThat(hours.until()).isEqualTo(T0.plus(Duration.ofHours(2)));
        assertThat(calls(hours)).containsExactly(0, 4, 1);
    }

    @Test
    void aFrameIsRoundedOutToWholeBuckets() {
        callAt(Duration.ofMinutes(4).plusSeconds(59), MINI);
        callAt(Duration.ofMinutes(5), MINI);

        UsageSeries series = lm.usageSeries(
                T0.plus(Duration.ofMinutes(2)), T0.plus(Duration.ofMinutes(6)), Duration.ofMinutes(5), UsageFilter.ALL);
        assertThat(series.from()).isEqualTo(T0);
        assertThat(series.until()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(calls(series)).containsExactly(1, 1);
    }

    @Test
    void filtersPickProviderModelAndKey() {
        for (int i = 0; i < 4; i++) {
            callAt(Duration.ofSeconds(i), MINI); // round robin: a, b, a, b
        }
        callAt(Duration.ofSeconds(10), BIG);
        Instant end = T0.plus(Duration.ofMinutes(1));
        Duration minute = Duration.ofMinutes(1);

        assertThat(calls(lm.usageSeries(T0, end, minute, UsageFilter.ALL))).containsExactly(5);
        assertThat(calls(lm.usageSeries(T0, end, minute, UsageFilter.provider("openai"))))
                .containsExactly(5);
        assertThat(calls(lm.usageSeries(T0, end, minute, UsageFilter.provider("anthropic"))))
                .containsExactly(0);
        assertThat(calls(lm.usageSeries(T0, end, minute, UsageFilter.model(MINI))))
                .containsExactly(4);
        assertThat(calls(lm.usageSeries(T0, end, minute, UsageFilter.model(BIG))))
                .containsExactly(1);
        long a = calls(lm.usageSeries(T0, end, minute, UsageFilter.key("a")))[0];
        long b = calls(lm.usageSeries(T0, end, minute, UsageFilter.key("b")))[0];
        assertThat(a + b).isEqualTo(5);
        assertThat(calls(lm.usageSeries(T0, end, minute, new UsageFilter("openai", MINI, "a", null))))
                .containsExactly(2);
    }

    @Test
    void theSummaryOfAFrameCountsTheCallsThatEndedInIt() {
        callAt(Duration.ofMinutes(1), MINI);
        callAt(Duration.ofMinutes(2), BIG);
        callAt(Duration.ofMinutes(30), MINI);
        clock.set(T0.plus(Duration.ofHours(2)));

        UsageSummary firstTen = lm.usageSummary(T0, T0.plus(Duration.ofMinutes(10)));
        assertThat(firstTen.overall().calls()).isEqualTo(2);
        assertThat(firstTen.byModel()).containsOnlyKeys(MINI, BIG);
        assertThat(firstTen.byProvider().get("openai").calls()).isEqualTo(2);
        assertThat(firstTen.byKey().values().stream()
                        .mapToLong(UsageSummary.Totals::calls)
                        .sum())
                .isEqualTo(2);
        assertThat(lm.usageSummary(T0.plus(Duration.ofMinutes(2)), T0.plus(Duration.ofHours(2)))
                        .overall()
                        .calls())
                .isEqualTo(2);
        assertThat(lm.usageSummary(T0.plus(Duration.ofMinutes(31)), T0.plus(Duration.ofHours(2)))
                        .overall())
                .isEqualTo(UsageSummary.Totals.EMPTY);
        // Over the whole hour it equals the summary since start.
        assertThat(lm.usageSummary(T0, T0.plus(Duration.ofHours(2))).overall())
                .isEqualTo(lm.usageSummary().overall());
    }

    private void callAt(Duration sinceStart, String model, String caller) {
        clock.set(T0.plus(sinceStart));
        lm.chat(ChatRequest.builder(model).user("hi").caller(caller).build());
    }

    /** Calls that name a caller count per caller in every frame, minutes and hours, and a series picks one caller. */
    @Test
    void callersAreCountedInFramesAndSeries() {
        callAt(Duration.ofSeconds(10), MINI, "gw-team-a");
        callAt(Duration.ofSeconds(20), BIG, "gw-team-a");
        callAt(Duration.ofSeconds(30), MINI, "gw-team-b");
        callAt(Duration.ofSeconds(40), MINI); // no caller
        callAt(Duration.ofMinutes(30), MINI, "gw-team-b");
        clock.set(T0.plus(Duration.ofHours(1)));

        UsageSummary firstMinute = lm.usageSummary(T0, T0.plusSeconds(60));
        assertThat(firstMinute.overall().calls()).isEqualTo(4);
        assertThat(firstMinute.byCaller()).containsOnlyKeys("gw-team-a", "gw-team-b");
        assertThat(firstMinute.byCaller().get("gw-team-a").calls()).isEqualTo(2);
        assertThat(firstMinute.byCaller().get("gw-team-a").inputTokens()).isEqualTo(200);
        assertThat(firstMinute.byCaller().get("gw-team-b").calls()).isEqualTo(1);
        assertThat(lm.usageSummary(T0, T0.plus(Duration.ofHours(1)))
                        .byCaller()
                        .get("gw-team-b")
                        .calls())
                .isEqualTo(2);
        assertThat(lm.usageSummary().byCaller().get("gw-team-b").calls()).isEqualTo(2);

        Instant end = T0.plus(Duration.ofMinutes(35));
        assertThat(calls(lm.usageSeries(T0, end, Duration.ofMinutes(5), UsageFilter.caller("gw-team-b"))))
                .containsExactly(1, 0, 0, 0, 0, 0, 1);
        assertThat(calls(lm.usageSeries(T0, end, Duration.ofMinutes(5), UsageFilter.caller("nobody"))))
                .containsOnly(0);

        // Two days on, the first hour is read from hour buckets only (its minutes were folded into it).
        clock.set(T0.plus(Duration.ofDays(2)));
        callAt(Duration.ofDays(2), MINI, "gw-team-a");
        UsageSummary twoDays = lm.usageSummary(T0, T0.plus(Duration.ofDays(2)).plusSeconds(1));
        assertThat(twoDays.byCaller().get("gw-team-a").calls()).isEqualTo(3);
        assertThat(twoDays.byCaller().get("gw-team-b").calls()).isEqualTo(2);
        assertThat(calls(lm.usageSeries(
                        T0, T0.plus(Duration.ofHours(2)), Duration.ofHours(1), UsageFilter.caller("gw-team-a"))))
                .containsExactly(2, 0);

        assertThatThrownBy(() -> new UsageFilter("openai", null, null, "gw-team-a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a caller filter cannot be combined with provider, model or key id");
    }

    @Test
    void aStreamsTimeToFirstChunkIsInItsBucket() throws Exception {
        clock.set(T0.plusSeconds(5));
        try (ChatStream stream =
                lm.chatStream(ChatRequest.builder(MINI).user("hi").build())) {
            stream.forEach(chunk -> {});
        }
        callAt(Duration.ofSeconds(6), MINI);
        UsagePoint point = lm.usageSeries(T0, T0.plusSeconds(60), Duration.ofMinutes(1), UsageFilter.ALL)
                .points()
                .get(0);
        assertThat(point.totals().calls()).isEqualTo(2);
        assertThat(point.firstChunk().p50Ms()).isPositive();
        assertThat(point.firstChunk().maxMs())
                .isLessThanOrEqualTo(point.totals().latency().maxMs());
    }

    @Test
    void callsForModelsNoKeyListsCountAsUnknownAndADatedReplyUnderItsConfiguredModel() {
        openai.forModel(MINI)
                .always(FakeResponse.raw(
                        200,
                        "{\"id\":\"c1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":"
                                + "[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
                                + "\"total_tokens\":4}}"));
        callAt(Duration.ofSeconds(1), MINI);
        clock.set(T0.plusSeconds(2));
        for (int i = 0; i < 3; i++) {
            String model = "no-such-model-" + i;
            assertThatThrownBy(
                            () -> lm.chat(ChatRequest.builder(model).user("hi").build()))
                    .isInstanceOf(UnknownModelException.class);
        }
        Instant end = T0.plusSeconds(60);
        UsageSummary summary = lm.usageSummary(T0, end);
        assertThat(summary.byModel()).containsOnlyKeys(MINI, CallRecord.UNKNOWN_MODEL);
        assertThat(summary.byModel().get(CallRecord.UNKNOWN_MODEL).failures()).isEqualTo(3);
        assertThat(lm.usageSummary().byModel()).containsOnlyKeys(MINI, CallRecord.UNKNOWN_MODEL);
        assertThat(calls(lm.usageSeries(T0, end, Duration.ofMinutes(1), UsageFilter.model("gpt-4o-mini-2024-07-18"))))
                .containsExactly(0);
    }

    @Test
    void minuteBucketsReachBackADayAndHourBucketsThirtyDays() {
        callAt(Duration.ZERO, MINI);
        // A day and an hour later (what is kept, see UsageBucket): minutes of the first call are still there.
        callAt(Duration.ofHours(25), MINI);
        assertThat(calls(lm.usageSeries(T0, T0.plusSeconds(60), Duration.ofMinutes(1), UsageFilter.ALL)))
                .containsExactly(1);
        // A minute more, and they are gone: a sub-hour bucket for that frame is refused, an hour bucket counts them.
        callAt(Duration.ofHours(25).plusMinutes(1), MINI);
        assertThatThrownBy(() -> lm.usageSeries(T0, T0.plusSeconds(60), Duration.ofMinutes(5), UsageFilter.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bucket 5m needs minute buckets")
                .hasMessageContaining("use a bucket of whole hours");
        assertThat(calls(lm.usageSeries(T0, T0.plus(Duration.ofDays(2)), Duration.ofHours(1), UsageFilter.ALL)))
                .hasSize(48)
                .startsWith(1)
                .contains(2);
        assertThat(lm.usageSummary(T0, T0.plus(Duration.ofDays(2))).overall().calls())
                .isEqualTo(3);
        UsageSeries days = lm.usageSeries(T0, T0.plus(Duration.ofDays(2)), Duration.ofDays(1), UsageFilter.ALL);
        assertThat(days.from()).isEqualTo(Instant.parse("2026-11-25T00:00:00Z"));
        assertThat(calls(days)).containsExactly(1, 2, 0);

        // 31 days after the first call: its hour is still kept (30 days and a day), one hour later it is not.
        callAt(Duration.ofDays(31), MINI);
        assertThat(lm.usageSummary(T0, T0.plusSeconds(3600)).overall().calls()).isEqualTo(1);
        callAt(Duration.ofDays(31).plusHours(1), MINI);
        assertThatThrownBy(() -> lm.usageSummary(T0, T0.plusSeconds(3600)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("from (2026-11-25T10:00:00Z) is before the usage kept");
        Instant now = clock.instant();
        UsageSeries month = lm.usageSeries(now.minus(Duration.ofDays(30)), now, Duration.ofHours(1), UsageFilter.ALL);
        // [25 h, 31 days 1 h): the calls at 25 h and 25 h 1 min in the first hour, the one at 31 days; the frame ends
        // where the last call is, so that one is not in it.
        assertThat(month.points()).hasSize(720);
        assertThat(calls(month)[0]).isEqualTo(2);
        assertThat(java.util.Arrays.stream(calls(month)).sum()).isEqualTo(3);
        assertThat(lm.usageSummary().overall().calls()).isEqualTo(5);
    }

    @Test
    void badArgumentsAreRefusedNamingTheProblem() {
        Instant now = T0;
        Instant hourAgo = now.minus(Duration.ofHours(1));
        Duration minute = Duration.ofMinutes(1);
        assertThatThrownBy(() -> lm.usageSeries(null, now, minute, UsageFilter.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from must not be null");
        assertThatThrownBy(() -> lm.usageSeries(hourAgo, null, minute, UsageFilter.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("until must not be null");
        assertThatThrownBy(() -> lm.usageSeries(now, now, minute, UsageFilter.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from (2026-11-25T10:00:00Z) must be before until (2026-11-25T10:00:00Z)");
        for (Duration bucket : new Duration[] {
            null,
            Duration.ZERO,
            Duration.ofMinutes(-5),
            Duration.ofSeconds(30),
            Duration.ofSeconds(90),
            Duration.ofMillis(60_001)
        }) {
            assertThatThrownBy(() -> lm.usageSeries(hourAgo, now, bucket, UsageFilter.ALL))
                    .as(String.valueOf(bucket))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("bucket must be a positive whole number of minutes");
        }
        assertThatThrownBy(() -> lm.usageSeries(hourAgo, now, minute, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("filter must not be null");
        assertThatThrownBy(() -> lm.usageSeries(hourAgo, now.plus(Duration.ofDays(30)), minute, UsageFilter.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 10000");
        assertThatThrownBy(
                        () -> lm.usageSeries(now.minus(Duration.ofDays(40)), now, Duration.ofHours(1), UsageFilter.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("from (2026-10-16T10:00:00Z) is before the usage kept: 31d");
        assertThatThrownBy(() -> lm.usageSummary(now, hourAgo))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be before until");
        assertThatThrownBy(() -> lm.keyHistory("a", hourAgo, now, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be between 1 and 1000, got 0");
        assertThatThrownBy(() -> lm.keyHistory("a", hourAgo, now, 1001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be between 1 and 1000, got 1001");
        assertThatThrownBy(() -> lm.keyHistory("nobody", hourAgo, now, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("keyId: no key 'nobody' in the configuration");
        assertThatThrownBy(() -> lm.keyHistory("a", null, now, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from must not be null");
        assertThat(lm.keyHistory("a", hourAgo, now, 10)).isEmpty();
    }

    @Test
    void theSeriesIsJson() {
        callAt(Duration.ofSeconds(1), MINI);
        String json = lm.usageSeries(T0, T0.plusSeconds(120), Duration.ofMinutes(1), UsageFilter.ALL)
                .toJson();
        assertThat(json)
                .startsWith("{\"from\":\"2026-11-25T10:00:00Z\",\"until\":\"2026-11-25T10:02:00Z\",\"bucket\":\"PT1M\"")
                .contains("\"points\":[{\"start\":\"2026-11-25T10:00:00Z\",\"totals\":{\"calls\":1,")
                .contains("\"p95_ms\":")
                .contains("\"first_chunk\":{\"p50_ms\":0.0");
    }
}

package dev.llmrotate.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** FakeResponse's immutability and argument checks, without a server. */
class FakeResponseTest {

    @Test
    void withersReturnCopiesAndLeaveTheOriginalUntouched() {
        FakeResponse original = FakeResponse.ok("x");

        FakeResponse changed = original.withUsage(1, 2, 0, 0)
                .withFinishReason("length")
                .header("x-a", "1")
                .delay(Duration.ofMillis(5));

        assertThat(changed).isNotSameAs(original);
        assertThat(original.body()).isEqualTo(FakeResponse.Completion.of("x", 10, 5, 0, 0, "stop"));
        assertThat(original.headers()).isEmpty();
        assertThat(original.delay()).isZero();
        assertThat(changed.body()).isEqualTo(FakeResponse.Completion.of("x", 1, 2, 0, 0, "length"));
        assertThat(changed.headers()).containsExactly(Map.entry("x-a", "1"));
        assertThat(changed.delay()).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void headerNamesAreLowerCasedAndLaterValuesReplaceEarlierOnes() {
        FakeResponse response =
                FakeResponse.serverError().header("Retry-After", "1").header("retry-after", "2");

        assertThat(response.headers()).containsExactly(Map.entry("retry-after", "2"));
    }

    @Test
    void usageMustBeConsistent() {
        FakeResponse ok = FakeResponse.ok("x");
        assertThatThrownBy(() -> ok.withUsage(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withUsage(10, 5, 11, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cached");
        assertThatThrownBy(() -> ok.withUsage(10, 5, 0, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reasoning");
        assertThatThrownBy(() -> FakeResponse.ok("x", -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void completionOnlySettersRejectOtherResponses() {
        assertThatThrownBy(() -> FakeResponse.serverError().withUsage(1, 1, 0, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FakeResponse.raw(200, "{}").withFinishReason("stop"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FakeResponse.ok("x").withFinishReason(" "))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void responsesWithoutHeadersRejectHeaders() {
        assertThatThrownBy(() -> FakeResponse.connectionDrop().header("x-a", "1"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FakeResponse.noResponse().header("x-a", "1"))
                .isInstanceOf(IllegalStateException.class);
        assertThat(FakeResponse.stallAfterHeaders().header("x-a", "1").headers())
                .containsKey("x-a");
    }

    @Test
    void serverManagedAndMalformedHeadersAreRejected() {
        FakeResponse ok = FakeResponse.ok("x");
        assertThatThrownBy(() -> ok.header("Content-Length", "3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.header("transfer-encoding", "chunked"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.header("bad name", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.header("x-a", "v\r\nx-b: w")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statusesAndDurationsAreChecked() {
        assertThatThrownBy(() -> FakeResponse.error(99, "t", null, "m")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeResponse.raw(600, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeResponse.ok("x").delay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeResponse.rateLimited(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeResponse.error(400, null, null, "m")).isInstanceOf(NullPointerException.class);
    }

    @Test
    void toStringNamesTheResponse() {
        assertThat(FakeResponse.rateLimited(Duration.ofSeconds(3)).delay(Duration.ofMillis(10)))
                .hasToString("FakeResponse[StandardError[kind=RATE_LIMITED, retryAfter=PT3S], delay=PT0.01S]");
    }

    @Test
    void nextRejectsNullBeforeQueueingAnything() {
        Script script = new Script("test");

        assertThatThrownBy(() -> script.next(FakeResponse.ok("a"), null)).isInstanceOf(NullPointerException.class);
        assertThat(script.answer(null)).isNull();
    }

    @Test
    void streamWithersReturnCopiesAndLeaveTheOriginalUntouched() {
        FakeResponse original = FakeResponse.ok("a b");

        FakeResponse changed = original.withChunks("x", "y")
                .withChunkDelay(Duration.ofMillis(5))
                .firstChunkDelay(Duration.ofMillis(7))
                .cutAfterChunks(1)
                .stallAfterChunks(2)
                .malformedEventAfterChunks(0)
                .errorEventAfterChunks(1, "overloaded_error")
                .missingEndMarker()
                .withUsage(1, 1, 0, 0)
                .header("x-a", "1")
                .delay(Duration.ofMillis(3));

        assertThat(original.stream()).isEqualTo(FakeResponse.StreamPlan.DEFAULT);
        FakeResponse.StreamPlan plan = changed.stream();
        assertThat(plan.chunks()).containsExactly("x", "y");
        assertThat(plan.chunkDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(plan.firstChunkDelay()).isEqualTo(Duration.ofMillis(7));
        assertThat(plan.cutAfter()).isEqualTo(1);
        assertThat(plan.stallAfter()).isEqualTo(2);
        assertThat(plan.malformedAfter()).isZero();
        assertThat(plan.errorAfter()).isEqualTo(1);
        assertThat(plan.errorType()).isEqualTo("overloaded_error");
        assertThat(plan.errorMessage()).isEqualTo("Overloaded");
        assertThat(plan.missingEndMarker()).isTrue();
        assertThat(plan.keepAliveAfter()).isEqualTo(-1);
        assertThat(changed.toString()).contains("stream=");
    }

    @Test
    void contentIsSplitBeforeWhitespaceAndTheDeltasAddUpToTheContent() {
        assertThat(FakeResponse.StreamPlan.splitAtWords("Hello big  world\n"))
                .containsExactly("Hello", " big", "  world", "\n");
        assertThat(FakeResponse.StreamPlan.splitAtWords(" lead")).containsExactly(" lead");
        assertThat(FakeResponse.StreamPlan.splitAtWords("")).isEmpty();
        assertThat(FakeResponse.StreamPlan.splitAtWords(null)).isEmpty();
        assertThat(String.join("", FakeResponse.StreamPlan.splitAtWords("a b\tc  d")))
                .isEqualTo("a b\tc  d");
    }

    @Test
    void streamControlsApplyToCompletionsOnlyAndCheckTheirArguments() {
        assertThatThrownBy(() -> FakeResponse.serverError().cutAfterChunks(1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FakeResponse.raw(200, "{}").withChunks("a")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> FakeResponse.stallAfterHeaders().missingEndMarker())
                .isInstanceOf(IllegalStateException.class);
        FakeResponse ok = FakeResponse.ok("x");
        assertThatThrownBy(() -> ok.cutAfterChunks(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.withChunkDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ok.firstChunkDelay(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ok.withChunks("a", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ok.errorEventAfterChunks(0, " ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepAliveFaultsRecordWhereAndHowOftenAndCheckTheirArguments() {
        FakeResponse ok = FakeResponse.ok("a b");

        FakeResponse.StreamPlan before = ok.keepAlivesBeforeFirstChunk(Duration.ofMillis(50)).stream();
        FakeResponse.StreamPlan after = ok.keepAlivesAfterChunks(2, Duration.ofMillis(20)).stream();

        assertThat(before.keepAliveAfter()).isZero();
        assertThat(before.keepAliveEvery()).isEqualTo(Duration.ofMillis(50));
        assertThat(after.keepAliveAfter()).isEqualTo(2);
        assertThat(after.keepAliveEvery()).isEqualTo(Duration.ofMillis(20));
        assertThat(ok.stream()).isEqualTo(FakeResponse.StreamPlan.DEFAULT);
        assertThatThrownBy(() -> ok.keepAlivesBeforeFirstChunk(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every must be positive");
        assertThatThrownBy(() -> ok.keepAlivesAfterChunks(-1, Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeResponse.serverError().keepAlivesAfterChunks(0, Duration.ofMillis(5)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("keepAlivesAfterChunks");
    }
}

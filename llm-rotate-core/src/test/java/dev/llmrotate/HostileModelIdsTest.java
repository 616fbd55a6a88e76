package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.UnknownModelException;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.UsageSummary;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Model ids come from callers: what they cost must be bounded by the configuration, not by what they send. */
class HostileModelIdsTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    @Test
    void everyUnknownModelIdIsCountedInOneBucketAndEchoedOnlyInPart() {
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        lm.eventBuffer(10);
        int ids = 20_000;
        for (int i = 0; i < ids; i++) {
            String model = "no-such-model-" + i;
            assertThatThrownBy(() -> lm.chat(model, HI)).isInstanceOf(UnknownModelException.class);
        }
        UsageSummary usage = lm.usageSummary();
        assertThat(usage.overall().calls()).isEqualTo(ids);
        // One slice for all of them, however many distinct ids were sent.
        assertThat(usage.byModel()).containsOnlyKeys(CallRecord.UNKNOWN_MODEL);
        assertThat(usage.byModel().get(CallRecord.UNKNOWN_MODEL).failures()).isEqualTo(ids);
        // The record still says what was asked for.
        assertThat(lm.recentCalls(1).get(0).requestedModel()).isEqualTo("no-such-model-" + (ids - 1));

        String huge = "m".repeat(100_000);
        assertThatThrownBy(() -> lm.chat(huge, HI))
                .isInstanceOf(UnknownModelException.class)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000));
        CallRecord record = lm.recentCalls(1).get(0);
        assertThat(record.requestedModel()).hasSizeLessThanOrEqualTo(CallTrace.MAX_MODEL_ID_CHARS + 1);
        assertThat(record.toJson()).hasSizeLessThan(5_000);
        assertThat(lm.usageSummary().byModel()).containsOnlyKeys(CallRecord.UNKNOWN_MODEL);
        assertThat(openai.requestCount()).isZero(); // no request was ever sent
    }
}

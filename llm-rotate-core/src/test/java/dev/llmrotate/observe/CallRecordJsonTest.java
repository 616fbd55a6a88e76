package dev.llmrotate.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A record read back from its JSON line is the record (how a shared store keeps recent calls). */
class CallRecordJsonTest {

    @Test
    void aRecordReadsBackFromItsJson() {
        CallRecord record = new CallRecord(
                Instant.parse("2026-11-25T10:00:00.123456789Z"),
                "k3x9-1a",
                "chat_stream",
                "openai",
                null,
                "gpt-4o-mini",
                "gpt-4o-mini-2024-07-18",
                "openai-secondary",
                "sk-…9f2a",
                CallRecord.INTERRUPTED,
                "stream_interrupted",
                null,
                false,
                1000,
                200,
                400,
                0,
                1200,
                412.75,
                38.5,
                2,
                1,
                false,
                null,
                "unknown_model",
                List.of(
                        new CallRecord.Attempt(
                                "openai",
                                null,
                                "gpt-4o-mini",
                                "openai-primary",
                                "sk-…41be",
                                "error",
                                "rate_limit",
                                429,
                                20_000L,
                                38.214,
                                0.051),
                        new CallRecord.Attempt(
                                "openai",
                                null,
                                "gpt-4o-mini",
                                "openai-secondary",
                                "sk-…9f2a",
                                "success",
                                null,
                                null,
                                null,
                                373.902,
                                38.701)),
                List.of(new CallRecord.Recovery("prefill", "failed", 120, 1)),
                3,
                List.of("get_weather", "lookup_\u00e9t\u00e9"),
                "team-a");
        CallRecord back = CallRecord.fromJson(record.toJson());
        // The JSON carries milliseconds to the microsecond and costs to 12 places: this record needs no rounding.
        assertThat(back).isEqualTo(record);
        assertThat(back.toJson()).isEqualTo(record.toJson());
    }

    @Test
    void textThatIsNoRecordIsRefused() {
        assertThatThrownBy(() -> CallRecord.fromJson("{\"timestamp\": 5, \"recoveries\": [{\"mode\": \"x\"}]}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not a CallRecord in JSON");
    }
}

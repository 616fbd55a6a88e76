package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.route.Route;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.Pricing;
import dev.llmrotate.spi.ProviderException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The trace's side of the record: stream recoveries (which the stream code notes as they end), attempts that a
 * recovery adds, and the time to first chunk, read back from the record's JSON.
 */
class CallTraceTest {
    private static final KeySpec A = Keys.openai("a");
    private static final KeySpec B = Keys.openai("b");
    private static final Route ROUTE = new Route(
            "openai",
            "gpt-4o-mini",
            null,
            false,
            List.of(A, B),
            LlmRotateConfig.builder().keys(List.of(A, B)).build().provider("openai"));
    private final ObjectMapper json = new ObjectMapper();

    private JsonNode read(CallRecord record) throws Exception {
        return json.readTree(record.toJson());
    }

    @Test
    void aRecoveryIsNotedAgainstTheAttemptThatCarriedIt() throws Exception {
        CallTrace trace = new CallTrace("c-1", "chat_stream", "gpt-4o-mini", null);
        trace.attempt(ROUTE, A, "sk-…cdef");
        trace.firstChunk();
        // The stream broke after 42 characters; the answer goes on with key b.
        trace.attempt(ROUTE, B, "sk-…bcde");
        trace.firstChunk();
        trace.recovery(CallRecord.Recovery.PREFILL, CallRecord.Recovery.RECOVERED, 42);
        JsonNode r = read(trace.success(Instant.EPOCH, "gpt-4o-mini", Usage.of(10, 5), Pricing.builtIn()));

        assertThat(r.get("outcome").asText()).isEqualTo("success");
        assertThat(r.get("key_id").asText()).isEqualTo("b");
        assertThat(r.get("attempts").asInt()).isEqualTo(2);
        JsonNode details = r.get("attempt_details");
        assertThat(details).hasSize(2);
        assertThat(details.get(0).get("outcome").asText()).isEqualTo("success");
        assertThat(details.get(1).get("outcome").asText()).isEqualTo("success");
        assertThat(details.get(1).get("key_id").asText()).isEqualTo("b");
        // The call's first chunk is the first attempt's, not the recovery's.
        assertThat(r.get("time_to_first_chunk_ms").asDouble())
                .isCloseTo(
                        details.get(0).get("started_ms").asDouble()
                                + details.get(0).get("duration_ms").asDouble(),
                        within(0.002));
        assertThat(r.get("recoveries")).hasSize(1);
        JsonNode recovery = r.get("recoveries").get(0);
        assertThat(recovery.get("mode").asText()).isEqualTo("prefill");
        assertThat(recovery.get("outcome").asText()).isEqualTo("recovered");
        assertThat(recovery.get("after_chars").asInt()).isEqualTo(42);
        assertThat(recovery.get("attempt").asInt()).isEqualTo(1);
    }

    @Test
    void aRefusedRecoveryPointsAtTheAttemptThatBrokeAndTheRecordKeepsTheStreamsModel() throws Exception {
        CallTrace trace = new CallTrace("c-2", "chat_stream", "gpt-4o-mini", null);
        trace.attempt(ROUTE, A, "sk-…cdef");
        trace.firstChunk();
        trace.recovery(CallRecord.Recovery.REPLAY, CallRecord.Recovery.REFUSED, 7);
        JsonNode r = read(
                trace.failure(Instant.EPOCH, CallRecord.INTERRUPTED, "stream_interrupted", "gpt-4o-mini-2024-07-18"));

        assertThat(r.get("outcome").asText()).isEqualTo("interrupted");
        assertThat(r.get("model").asText()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(r.get("usage_reported").asBoolean()).isFalse();
        assertThat(r.get("cost_status").asText()).isEqualTo("no_usage_reported");
        assertThat(r.get("recoveries").get(0).get("mode").asText()).isEqualTo("replay");
        assertThat(r.get("recoveries").get(0).get("outcome").asText()).isEqualTo("refused");
        assertThat(r.get("recoveries").get(0).get("attempt").asInt()).isZero();
    }

    @Test
    void aFailedRecoveryAttemptIsAnErrorEntryWithItsRetryAfter() throws Exception {
        CallTrace trace = new CallTrace("c-3", "chat_stream", "gpt-4o-mini", null);
        trace.attempt(ROUTE, A, "sk-…cdef");
        trace.firstChunk();
        trace.attempt(ROUTE, B, "sk-…bcde");
        trace.failed(new ProviderException(ErrorType.RATE_LIMIT, 429, Duration.ofMillis(1500), "slow down"));
        trace.recovery(CallRecord.Recovery.PREFILL, CallRecord.Recovery.FAILED, 3);
        JsonNode r = read(trace.failure(Instant.EPOCH, CallRecord.INTERRUPTED, "stream_interrupted"));

        JsonNode failed = r.get("attempt_details").get(1);
        assertThat(failed.get("outcome").asText()).isEqualTo("error");
        assertThat(failed.get("error_type").asText()).isEqualTo("rate_limit");
        assertThat(failed.get("http_status").asInt()).isEqualTo(429);
        assertThat(failed.get("retry_after_ms").asLong()).isEqualTo(1500);
        assertThat(r.get("recoveries").get(0).get("attempt").asInt()).isEqualTo(1);
        // The record names the model that was answering: the route's, when the stream did not name one.
        assertThat(r.get("model").asText()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void anAttemptStillRunningWhenTheCallIsCancelledIsCancelled() throws Exception {
        CallTrace trace = new CallTrace("c-4", "chat", "gpt-4o-mini", null);
        trace.attempt(ROUTE, A, "sk-…cdef");
        JsonNode r = read(trace.failure(Instant.EPOCH, CallRecord.CANCELLED, null));
        assertThat(r.get("attempt_details").get(0).get("outcome").asText()).isEqualTo("cancelled");
        // Nothing had answered: no model, and nothing was used.
        assertThat(r.get("model").isNull()).isTrue();
        assertThat(r.get("cost_status").asText()).isEqualTo("no_usage");
    }

    @Test
    void onlyTheFirstSixteenRecoveriesAreKept() throws Exception {
        CallTrace trace = new CallTrace("c-5", "chat_stream", "gpt-4o-mini", null);
        trace.attempt(ROUTE, A, "sk-…cdef");
        trace.firstChunk();
        for (int i = 0; i < 20; i++) {
            trace.recovery(CallRecord.Recovery.PREFILL, CallRecord.Recovery.FAILED, i);
        }
        JsonNode r = read(trace.failure(Instant.EPOCH, CallRecord.INTERRUPTED, "stream_interrupted"));
        assertThat(r.get("recoveries")).hasSize(CallRecord.MAX_RECOVERIES);
        assertThat(r.get("recoveries").get(15).get("after_chars").asInt()).isEqualTo(15);
    }

    @Test
    void anUnknownRecoveryModeOrOutcomeIsRejected() {
        CallTrace trace = new CallTrace("c-6", "chat_stream", "gpt-4o-mini", null);
        assertThatThrownBy(() -> trace.recovery("resume", CallRecord.Recovery.RECOVERED, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("recovery mode must be prefill or replay, got resume");
        assertThatThrownBy(() -> trace.recovery(CallRecord.Recovery.PREFILL, "ok", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("recovery outcome must be recovered, refused, mismatch or failed, got ok");
    }
}

package dev.llmrotate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /events}: each filter, paging by cursor while calls go on, and time frames against an injected clock. */
class EventsLoopbackTest {
    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Seven calls: five successes on openai-a, one fail-fast error on gpt-4o, one success through OpenRouter. */
    private void mixedTraffic() {
        f.openai.forModel("gpt-4o").always(FakeResponse.error(400, "invalid_request_error", null, "bad request"));
        for (int i = 0; i < 5; i++) {
            f.call(ServerFixture.MINI);
        }
        f.call("gpt-4o");
        f.call("openai/gpt-4o-mini");
    }

    @Test
    void eachFilterNarrowsTheEvents() {
        mixedTraffic();
        assertThat(events("/events").get("count").asInt()).isEqualTo(7);
        assertThat(field(events("/events?provider=openrouter"), "provider")).containsExactly("openrouter");
        assertThat(field(events("/events?model=gpt-4o"), "requested_model")).containsExactly("gpt-4o");
        assertThat(field(events("/events?model=openai/gpt-4o-mini"), "model")).containsExactly("openai/gpt-4o-mini");
        assertThat(field(events("/events?key_id=router-1"), "key_id")).containsExactly("router-1");
        assertThat(field(events("/events?outcome=error"), "error_type")).containsExactly("invalid_request");
        assertThat(events("/events?outcome=SUCCESS").get("count").asInt()).isEqualTo(6);
        assertThat(events("/events?provider=openai&outcome=success")
                        .get("count")
                        .asInt())
                .isEqualTo(5);
        assertThat(events("/events?provider=anthropic").get("count").asInt()).isZero();
        assertThat(events("/events?limit=2").get("count").asInt()).isEqualTo(2);
    }

    @Test
    void newestFirstAndPagesByCursorWithoutGapsOrRepeatsWhileCallsArrive() {
        mixedTraffic();
        List<String> expected = new ArrayList<>();
        f.lm.recentCalls(100).forEach(r -> expected.add(r.callId()));

        List<String> seen = new ArrayList<>();
        String path = "/events?limit=3";
        int pages = 0;
        while (path != null) {
            JsonNode page = events(path);
            page.get("events").forEach(e -> seen.add(e.get("call_id").asText()));
            pages++;
            // Calls that end between pages are newer than every page so far: they do not shift the next one.
            f.call(ServerFixture.MINI);
            JsonNode next = page.get("next_cursor");
            path = next.isNull() ? null : "/events?limit=3&cursor=" + next.asText();
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void aCursorKeepsItsFilters() {
        mixedTraffic();
        JsonNode first = events("/events?provider=openai&limit=4");
        assertThat(first.get("count").asInt()).isEqualTo(4);
        JsonNode second = events("/events?provider=openai&limit=4&cursor="
                + first.get("next_cursor").asText());
        assertThat(field(second, "provider")).containsExactly("openai", "openai");
        assertThat(second.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void timeFramesSelectByTheRecordsTimestamps() {
        Instant t0 = f.clock.instant();
        f.call(ServerFixture.MINI); // t0
        f.clock.advance(Duration.ofMinutes(30));
        f.call(ServerFixture.MINI); // t0 + 30m
        f.clock.advance(Duration.ofHours(2));
        f.call(ServerFixture.MINI); // t0 + 2h30m, now

        assertThat(events("/events?window=15m").get("count").asInt()).isEqualTo(1);
        assertThat(events("/events?window=1h").get("count").asInt()).isEqualTo(1);
        assertThat(events("/events?window=6h").get("count").asInt()).isEqualTo(3);
        assertThat(events("/events?since=2026-11-25T10:10:00Z").get("count").asInt())
                .isEqualTo(2);
        assertThat(events("/events?until=2026-11-25T10:10:00Z").get("count").asInt())
                .isEqualTo(1);
        long t30 = t0.plus(Duration.ofMinutes(30)).toEpochMilli();
        assertThat(events("/events?since=" + t30 + "&until=" + (t30 + 1))
                        .get("count")
                        .asInt())
                .isEqualTo(1);
        assertThat(events("/events?since=2026-11-25T11:00:00%2B01:00&until=2026-11-25T10:30:00Z")
                        .get("count")
                        .asInt())
                .as("10:00Z inclusive, 10:30Z exclusive")
                .isEqualTo(1);
        // A window ending at 'until': the hour before 10:45 holds the call at 10:30 only.
        assertThat(events("/events?window=1h&until=2026-11-25T10:45:00Z")
                        .get("count")
                        .asInt())
                .isEqualTo(2);

        JsonNode frame = events("/events?window=1h").get("frame");
        assertThat(frame.get("window").asText()).isEqualTo("1h");
        assertThat(frame.get("from").asText()).isEqualTo("2026-11-25T11:30:00Z");
        assertThat(frame.get("until").asText()).isEqualTo("2026-11-25T12:30:00Z");
    }

    @Test
    void withTheBufferOffThereAreNoEventsAndTheAnswerSaysSo() {
        f.lm.eventBuffer(0);
        f.call(ServerFixture.MINI);
        JsonNode events = events("/events");
        assertThat(events.get("event_buffer_capacity").asInt()).isZero();
        assertThat(events.get("count").asInt()).isZero();
    }

    private JsonNode events(String path) {
        ServerFixture.Reply reply = f.get(path);
        assertThat(reply.status()).as(path + ": " + reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static List<String> field(JsonNode page, String name) {
        List<String> values = new ArrayList<>();
        page.get("events").forEach(e -> values.add(e.get(name).asText()));
        return values;
    }
}

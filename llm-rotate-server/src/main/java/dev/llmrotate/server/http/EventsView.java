package dev.llmrotate.server.http;

import dev.llmrotate.observe.CallRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code /events}: recent call records from the event buffer, newest first, filtered and paged. Each event is the
 * record exactly as the usage log writes it. A page ends with an opaque {@code next_cursor} when more records match;
 * passing it back continues after the page's last record, even while new calls arrive (they are newer, so they never
 * shift a page). When that record has meanwhile left the buffer, the next page starts at the records older than it.
 */
public final class EventsView {
    /** The {@code outcome} values a record can have. */
    public static final List<String> OUTCOMES = List.of(
            CallRecord.SUCCESS,
            CallRecord.ERROR,
            CallRecord.NO_AVAILABLE_KEY,
            CallRecord.INTERRUPTED,
            CallRecord.CANCELLED);

    /** Records per page when {@code limit} is not given. */
    public static final int DEFAULT_LIMIT = 100;

    /** The largest {@code limit}. */
    public static final int MAX_LIMIT = 1000;

    private static final String CURSOR_VERSION = "e1";

    private EventsView() {}

    /**
     * What a record must match; null fields match anything.
     *
     * @param frame the time frame the record's timestamp must lie in
     * @param provider the provider that answered or failed last
     * @param model the model that answered, or the one asked for
     * @param keyId the key that answered or failed last
     * @param outcome the call's outcome
     */
    public record Filter(TimeFrame frame, String provider, String model, String keyId, String outcome) {
        boolean matches(CallRecord r) {
            return (frame == null || (r.timestamp() != null && frame.contains(r.timestamp())))
                    && (provider == null || provider.equals(r.provider()))
                    && (model == null || model.equals(r.model()) || model.equals(r.requestedModel()))
                    && (keyId == null || keyId.equals(r.keyId()))
                    && (outcome == null || outcome.equals(r.outcome()));
        }
    }

    /**
     * Where a page ends: the last record it showed.
     *
     * @param timestamp that record's timestamp
     * @param callId that record's call id
     */
    public record Cursor(Instant timestamp, String callId) {
        /**
         * The cursor as a token.
         *
         * @return an opaque URL-safe token, for {@code next_cursor}
         */
        public String encode() {
            String plain = CURSOR_VERSION + ":" + timestamp.getEpochSecond() + ":" + timestamp.getNano() + ":" + callId;
            return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Reads a token {@link #encode()} made.
         *
         * @param token the {@code cursor} query parameter
         * @return the cursor
         * @throws ApiException a 400 naming {@code cursor} for anything else
         */
        public static Cursor decode(String token) {
            try {
                String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                String[] parts = plain.split(":", 4);
                if (parts.length == 4 && parts[0].equals(CURSOR_VERSION) && !parts[3].isEmpty()) {
                    return new Cursor(
                            Instant.ofEpochSecond(Long.parseLong(parts[1]), Long.parseLong(parts[2])), parts[3]);
                }
            } catch (RuntimeException e) {
                // Falls through to the same answer as a well-formed token of another kind.
            }
            throw ApiException.invalidParameter(
                    "cursor",
                    "'cursor' is not a cursor from this server; pass the next_cursor of a previous page as it is",
                    null);
        }
    }

    /**
     * One page.
     *
     * @param newestFirst every buffered record, newest first
     * @param filter what a record must match
     * @param after the previous page's cursor, or null for the first page
     * @param limit the most records to return, positive
     * @return the matching records after the cursor, at most {@code limit}, and the next page's cursor
     */
    public static Page page(List<CallRecord> newestFirst, Filter filter, Cursor after, int limit) {
        int start = 0;
        if (after != null) {
            start = indexAfter(newestFirst, after);
        }
        List<CallRecord> picked = new ArrayList<>(Math.min(limit, 64));
        boolean more = false;
        for (int i = start; i < newestFirst.size(); i++) {
            CallRecord r = newestFirst.get(i);
            if (!filter.matches(r)) {
                continue;
            }
            if (picked.size() == limit) {
                more = true;
                break;
            }
            picked.add(r);
        }
        CallRecord last = picked.isEmpty() ? null : picked.get(picked.size() - 1);
        Cursor next = more ? new Cursor(last.timestamp(), last.callId()) : null;
        return new Page(picked, next);
    }

    private static int indexAfter(List<CallRecord> newestFirst, Cursor after) {
        for (int i = 0; i < newestFirst.size(); i++) {
            if (after.callId().equals(newestFirst.get(i).callId())) {
                return i + 1;
            }
        }
        // The cursor's record has left the buffer: continue with the records older than it.
        for (int i = 0; i < newestFirst.size(); i++) {
            Instant t = newestFirst.get(i).timestamp();
            if (t != null && t.isBefore(after.timestamp())) {
                return i;
            }
        }
        return newestFirst.size();
    }

    /**
     * A page of records and the cursor of the next one.
     *
     * @param records the records, newest first
     * @param next the cursor of the next page, or null when this is the last
     */
    public record Page(List<CallRecord> records, Cursor next) {}

    /**
     * The body of {@code /events}.
     *
     * @param frame the time frame asked for, or null
     * @param eventBufferCapacity how many records the buffer keeps (0: off, so there are none)
     * @param count records in this page
     * @param nextCursor pass as {@code cursor} for the next page; null on the last page
     * @param events the records, newest first, each as its usage-log line
     */
    public record EventsBody(
            TimeFrame frame, int eventBufferCapacity, int count, String nextCursor, List<Json.Raw> events) {}
}

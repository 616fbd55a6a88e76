package dev.llmrotate.internal.provider.sse;

import dev.llmrotate.error.ErrorType;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.StreamBody;

/**
 * Reads server-sent events (the WHATWG event-stream format) from a streamed body: {@code data:}, {@code event:},
 * {@code id:} fields, comment lines starting with a colon, a blank line dispatching the event. An event cut off by
 * the end of the body is dropped, as the format requires.
 */
public final class SseReader {
    /** The most data one event may carry by default (its data lines together); a larger one fails the stream. */
    public static final int MAX_EVENT_CHARS = 2 * HttpLimits.DEFAULT_MAX_STREAM_LINE_BYTES;

    private final StreamBody body;
    private final StringBuilder data = new StringBuilder();

    public SseReader(StreamBody body) {
        this.body = body;
    }

    /**
     * The next event, or null at the end of the body. Comment lines and blank lines that dispatch nothing are
     * skipped, within the same deadline: a server sending only keep-alive comments times out.
     *
     * @param deadlineNanos when to give up waiting, a {@link System#nanoTime()} value (see {@link StreamBody})
     * @throws dev.llmrotate.spi.ProviderException {@code timeout} when the deadline passes before an event
     */
    public SseEvent next(long deadlineNanos) {
        String event = null;
        String id = null;
        boolean hasData = false;
        data.setLength(0);
        while (true) {
            String line = body.readLine(deadlineNanos);
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (hasData || event != null) {
                    return new SseEvent(event == null ? "message" : event, data.toString(), id);
                }
                continue;
            }
            if (line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "data" -> {
                    if (hasData) {
                        data.append('\n');
                    }
                    data.append(value);
                    hasData = true;
                    if (data.length() > 2L * body.maxLineBytes()) {
                        throw new ProviderException(
                                ErrorType.STREAM_INTERRUPTED,
                                null,
                                null,
                                "stream event longer than " + 2L * body.maxLineBytes() + " characters");
                    }
                }
                case "event" -> event = value;
                case "id" -> id = value;
                default -> {
                    // "retry" and unknown fields are ignored, as the format says
                }
            }
        }
    }
}

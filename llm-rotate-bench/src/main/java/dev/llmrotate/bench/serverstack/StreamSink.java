package dev.llmrotate.bench.serverstack;

/**
 * Where a candidate writes a relayed event stream. Calls come in order and never overlap: the next {@link #events}
 * comes only after the previous one reported {@link WriteDone}.
 */
interface StreamSink {
    /** The upstream answered with this status; send the response head (or keep it for the first write). */
    void begin(int status);

    /** Write one or more complete SSE events and flush them to the client. */
    void events(byte[] events, WriteDone done);

    /** The upstream stream ended: finish the response. */
    void end();

    /** The upstream failed or the client went away: abort the response. */
    void fail(Throwable error);

    /** Completion of one write; {@code error} is null when the bytes were flushed. */
    @FunctionalInterface
    interface WriteDone {
        void done(Throwable error);
    }
}

package dev.llmrotate.error;

/** What the engine does after an attempt fails with a given {@link ErrorType}. */
public enum ErrorAction {
    /** Update the key's health and try another key of the same provider, then the fallback chain. */
    ROTATE,
    /** Back off (exponential, full jitter) and try again; uses up one of the call's retries. */
    RETRY_WITH_BACKOFF,
    /**
     * The route went silent (no answer, no first chunk in time): go on to the next route at once, and come back to
     * this one (retrying with backoff) only when no other route can serve.
     */
    FAIL_OVER,
    /**
     * The request does not fit this model (its context window): try the next route that serves another model, else
     * fail fast.
     */
    NEXT_MODEL,
    /** Skip the rest of this route (a broker route that cannot serve) and go on to the next fallback target. */
    NEXT_ROUTE,
    /** The request itself is at fault: surface the error to the caller at once, no other key is tried. */
    FAIL_FAST,
    /** Surface the error to the caller; never restart silently (a stream that already delivered data). */
    SURFACE
}

package dev.llmrotate.spi;

/**
 * Limits on what a provider may send back, which a {@link ProviderHttpClient} enforces: beyond them an attempt fails
 * with a classified {@link ProviderException}, never an {@code OutOfMemoryError}.
 *
 * @param maxBodyBytes the longest 2xx body accepted (a longer one is {@code transient_server_error}), at least 1
 * @param maxErrorBodyBytes how much of an error body is read (the rest is dropped with its connection), at least 1
 * @param maxStreamLineBytes the longest line of a streamed body (a longer one is {@code stream_interrupted}; an SSE
 *     event may carry twice that), at least 1
 */
public record HttpLimits(int maxBodyBytes, int maxErrorBodyBytes, int maxStreamLineBytes) {
    /** The longest 2xx body read by default: 32 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

    /** How much of an error body is read by default: 64 KiB. */
    public static final int DEFAULT_MAX_ERROR_BODY_BYTES = 64 * 1024;

    /** The longest line of a streamed body by default: 8 MiB. */
    public static final int DEFAULT_MAX_STREAM_LINE_BYTES = 8 * 1024 * 1024;

    /** The default limits. */
    public static final HttpLimits DEFAULTS =
            new HttpLimits(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ERROR_BODY_BYTES, DEFAULT_MAX_STREAM_LINE_BYTES);

    /**
     * Checks the limits.
     *
     * @param maxBodyBytes the longest 2xx body accepted, in bytes
     * @param maxErrorBodyBytes how much of an error body is read, in bytes
     * @param maxStreamLineBytes the longest line of a streamed body, in bytes
     * @throws IllegalArgumentException when a limit is below 1
     */
    public HttpLimits {
        if (maxBodyBytes < 1 || maxErrorBodyBytes < 1 || maxStreamLineBytes < 1) {
            throw new IllegalArgumentException("reply limits must be at least 1 byte, got maxBodyBytes=" + maxBodyBytes
                    + ", maxErrorBodyBytes=" + maxErrorBodyBytes + ", maxStreamLineBytes=" + maxStreamLineBytes);
        }
    }
}

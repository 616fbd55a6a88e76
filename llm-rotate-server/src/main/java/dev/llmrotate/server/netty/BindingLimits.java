package dev.llmrotate.server.netty;

import java.time.Duration;

/**
 * What one client may cost the HTTP binding: everything a hostile or broken client could use to hold memory, threads
 * or connections is bounded here.
 *
 * @param maxRequestLineBytes longest request line ({@code GET /path?query HTTP/1.1}); longer: 414
 * @param maxHeaderBytes largest header block; larger: 431
 * @param maxBodyBytes largest request body (GET and HEAD need none); larger: 413
 * @param requestTimeout the longest a connection may take to deliver a whole request, from its opening or from the
 *     previous answer; then it is closed (with a 408 when part of a request had arrived). Slow clients and idle
 *     keep-alive connections end here
 * @param writeTimeout the longest one answer may take to be written to a client that does not read
 * @param maxConnections open connections at most; one more is answered 503 and closed
 * @param workerThreads threads that run the endpoints (reading a shared store may block them briefly)
 * @param maxQueuedRequests requests waiting for a worker at most; one more is answered 503
 * @param maxPipelinedRequests requests one connection may send ahead of their answers; more closes it
 */
public record BindingLimits(
        int maxRequestLineBytes,
        int maxHeaderBytes,
        int maxBodyBytes,
        Duration requestTimeout,
        Duration writeTimeout,
        int maxConnections,
        int workerThreads,
        int maxQueuedRequests,
        int maxPipelinedRequests) {

    /** The defaults: 8 KiB line, 16 KiB headers, 8 KiB body, 10 s per request and per answer, 256 connections. */
    public static final BindingLimits DEFAULTS = new BindingLimits(
            8 * 1024, 16 * 1024, 8 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(10), 256, 4, 256, 16);

    /**
     * Checks the limits.
     *
     * @param maxRequestLineBytes longest request line, positive
     * @param maxHeaderBytes largest header block, positive
     * @param maxBodyBytes largest request body, 0 or more
     * @param requestTimeout the time each whole request has, positive
     * @param writeTimeout the time one answer has to be written, positive
     * @param maxConnections open connections at most, positive
     * @param workerThreads threads that run the endpoints, positive
     * @param maxQueuedRequests requests waiting for a worker at most, positive
     * @param maxPipelinedRequests requests one connection may send ahead of their answers, positive
     * @throws IllegalArgumentException for a limit that is not positive (the body size: negative) or a null timeout,
     *     naming it
     */
    public BindingLimits {
        positive("maxRequestLineBytes", maxRequestLineBytes);
        positive("maxHeaderBytes", maxHeaderBytes);
        if (maxBodyBytes < 0) {
            throw new IllegalArgumentException("maxBodyBytes must not be negative, got " + maxBodyBytes);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be positive, got " + requestTimeout);
        }
        if (writeTimeout == null || writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("writeTimeout must be positive, got " + writeTimeout);
        }
        positive("maxConnections", maxConnections);
        positive("workerThreads", workerThreads);
        positive("maxQueuedRequests", maxQueuedRequests);
        positive("maxPipelinedRequests", maxPipelinedRequests);
    }

    /**
     * These limits with another request timeout.
     *
     * @param value the new {@link #requestTimeout}, positive
     * @return a copy with that timeout
     * @throws IllegalArgumentException when {@code value} is null, zero or negative
     */
    public BindingLimits withRequestTimeout(Duration value) {
        return new BindingLimits(
                maxRequestLineBytes,
                maxHeaderBytes,
                maxBodyBytes,
                value,
                writeTimeout,
                maxConnections,
                workerThreads,
                maxQueuedRequests,
                maxPipelinedRequests);
    }

    /**
     * These limits with another connection limit.
     *
     * @param value the new {@link #maxConnections}, positive
     * @return a copy with that limit
     * @throws IllegalArgumentException when {@code value} is not positive
     */
    public BindingLimits withMaxConnections(int value) {
        return new BindingLimits(
                maxRequestLineBytes,
                maxHeaderBytes,
                maxBodyBytes,
                requestTimeout,
                writeTimeout,
                value,
                workerThreads,
                maxQueuedRequests,
                maxPipelinedRequests);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}

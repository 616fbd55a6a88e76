package dev.llmrotate.server.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the gateway listens and what one client may cost it. Build with {@link #builder()}.
 *
 * @param host the address to listen on (default 127.0.0.1)
 * @param port the port, 0 for any free one (default 4000)
 * @param keys the gateway keys; when there are any, every request must present one
 * @param allowUnauthenticated serve a non-loopback host without gateway keys
 * @param maxBodyBytes the largest request body (default 20 MiB); larger: 413
 * @param maxConcurrentCalls calls in flight at most (default 256); more wait in the queue
 * @param maxQueuedCalls calls that may wait for one in flight to end (default 256, 0 for none); one more is
 *     answered 429
 * @param maxQueueWait the longest a call waits in the queue (default 10 s); then it is answered 429
 * @param requestTimeout the longest a client may take to send a whole request (default 30 s)
 * @param writeTimeout the longest one write to a client that does not read may take (default 30 s)
 * @param maxConnections open connections at most (default 1024)
 * @param shutdownGrace how long closing waits for calls in flight (default 30 s)
 */
public record GatewayOptions(
        String host,
        int port,
        List<GatewayKey> keys,
        boolean allowUnauthenticated,
        int maxBodyBytes,
        int maxConcurrentCalls,
        int maxQueuedCalls,
        Duration maxQueueWait,
        Duration requestTimeout,
        Duration writeTimeout,
        int maxConnections,
        Duration shutdownGrace) {

    /** The default {@link #host}: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default {@link #port}. */
    public static final int DEFAULT_PORT = 4000;
    /** The default {@link #maxBodyBytes}: 20 MiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
    /** The default {@link #maxConcurrentCalls}. */
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 256;
    /** The default {@link #maxQueuedCalls}. */
    public static final int DEFAULT_MAX_QUEUED_CALLS = 256;

    /**
     * Checks the options; null {@code keys} is read as none.
     *
     * @param host the address to listen on, not null
     * @param port 0 to 65535, 0 for any free one
     * @param keys the gateway keys, ids distinct, or null or empty for none; copied
     * @param allowUnauthenticated true to serve a non-loopback host without gateway keys
     * @param maxBodyBytes bytes, positive
     * @param maxConcurrentCalls calls, positive
     * @param maxQueuedCalls calls, 0 or more
     * @param maxQueueWait positive
     * @param requestTimeout positive
     * @param writeTimeout positive
     * @param maxConnections connections, positive
     * @param shutdownGrace zero or more
     * @throws NullPointerException when {@code host} is null
     * @throws IllegalArgumentException for a port outside 0 to 65535, two keys with one id, a size, count or duration
     *     that is not positive (the queue size and the grace period: negative), naming it
     */
    public GatewayOptions {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("gateway port must be from 0 to 65535, got " + port);
        }
        keys = keys == null ? List.of() : List.copyOf(keys);
        long distinct = keys.stream().map(GatewayKey::id).distinct().count();
        if (distinct != keys.size()) {
            throw new IllegalArgumentException("gateway keys: every id must be distinct");
        }
        positive("max_body_bytes", maxBodyBytes);
        positive("max_concurrent_calls", maxConcurrentCalls);
        positive("max_connections", maxConnections);
        if (maxQueuedCalls < 0) {
            throw new IllegalArgumentException("gateway max_queued_calls must not be negative, got " + maxQueuedCalls);
        }
        positiveDuration("max_queue_wait", maxQueueWait);
        positiveDuration("request_timeout", requestTimeout);
        positiveDuration("write_timeout", writeTimeout);
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("gateway shutdown grace must not be negative, got " + shutdownGrace);
        }
    }

    /**
     * A builder with every setting at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to derive changed ones (the command line's port over the file's).
     *
     * @return a new builder with every setting of these options
     */
    public Builder toBuilder() {
        return new Builder()
                .host(host)
                .port(port)
                .keys(keys)
                .allowUnauthenticated(allowUnauthenticated)
                .maxBodyBytes(maxBodyBytes)
                .maxConcurrentCalls(maxConcurrentCalls)
                .maxQueuedCalls(maxQueuedCalls)
                .maxQueueWait(maxQueueWait)
                .requestTimeout(requestTimeout)
                .writeTimeout(writeTimeout)
                .maxConnections(maxConnections)
                .shutdownGrace(shutdownGrace);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("gateway " + name + " must be positive, got " + value);
        }
    }

    private static void positiveDuration(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("gateway " + name + " must be positive, got " + value);
        }
    }

    /** Builds {@link GatewayOptions}; every setting has a default. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private List<GatewayKey> keys = List.of();
        private boolean allowUnauthenticated;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private int maxConcurrentCalls = DEFAULT_MAX_CONCURRENT_CALLS;
        private int maxQueuedCalls = DEFAULT_MAX_QUEUED_CALLS;
        private Duration maxQueueWait = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private int maxConnections = 1024;
        private Duration shutdownGrace = Duration.ofSeconds(30);

        private Builder() {}

        /**
         * See {@link GatewayOptions#host()}.
         *
         * @param value the address, not null; default {@value GatewayOptions#DEFAULT_HOST}
         * @return this builder
         */
        public Builder host(String value) {
            host = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#port()}.
         *
         * @param value 0 to 65535, 0 for any free one; default {@value GatewayOptions#DEFAULT_PORT}
         * @return this builder
         */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#keys()}.
         *
         * @param value the keys, ids distinct, or null or empty for none (the default); copied on build
         * @return this builder
         */
        public Builder keys(List<GatewayKey> value) {
            keys = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#allowUnauthenticated()}.
         *
         * @param value true to serve a non-loopback host without gateway keys; default false
         * @return this builder
         */
        public Builder allowUnauthenticated(boolean value) {
            allowUnauthenticated = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#maxBodyBytes()}.
         *
         * @param value bytes, positive; default {@value GatewayOptions#DEFAULT_MAX_BODY_BYTES} (20 MiB)
         * @return this builder
         */
        public Builder maxBodyBytes(int value) {
            maxBodyBytes = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#maxConcurrentCalls()}.
         *
         * @param value calls, positive; default {@value GatewayOptions#DEFAULT_MAX_CONCURRENT_CALLS}
         * @return this builder
         */
        public Builder maxConcurrentCalls(int value) {
            maxConcurrentCalls = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#maxQueuedCalls()}.
         *
         * @param value calls, 0 or more; default {@value GatewayOptions#DEFAULT_MAX_QUEUED_CALLS}
         * @return this builder
         */
        public Builder maxQueuedCalls(int value) {
            maxQueuedCalls = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#maxQueueWait()}.
         *
         * @param value positive; default 10 s
         * @return this builder
         */
        public Builder maxQueueWait(Duration value) {
            maxQueueWait = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#requestTimeout()}.
         *
         * @param value positive; default 30 s
         * @return this builder
         */
        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#writeTimeout()}.
         *
         * @param value positive; default 30 s
         * @return this builder
         */
        public Builder writeTimeout(Duration value) {
            writeTimeout = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#maxConnections()}.
         *
         * @param value connections, positive; default 1024
         * @return this builder
         */
        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /**
         * See {@link GatewayOptions#shutdownGrace()}.
         *
         * @param value zero or more; default 30 s
         * @return this builder
         */
        public Builder shutdownGrace(Duration value) {
            shutdownGrace = value;
            return this;
        }

        /**
         * The options.
         *
         * @return the options, checked
         * @throws NullPointerException when the host was set to null
         * @throws IllegalArgumentException for a bad value (see the record's constructor), naming it
         */
        public GatewayOptions build() {
            return new GatewayOptions(
                    host,
                    port,
                    keys,
                    allowUnauthenticated,
                    maxBodyBytes,
                    maxConcurrentCalls,
                    maxQueuedCalls,
                    maxQueueWait,
                    requestTimeout,
                    writeTimeout,
                    maxConnections,
                    shutdownGrace);
        }
    }
}

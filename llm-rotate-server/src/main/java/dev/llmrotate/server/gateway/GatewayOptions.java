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

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 4000;
    public static final int DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 256;
    public static final int DEFAULT_MAX_QUEUED_CALLS = 256;

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

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to derive changed ones (the command line's port over the file's). */
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

        public Builder host(String value) {
            host = value;
            return this;
        }

        public Builder port(int value) {
            port = value;
            return this;
        }

        public Builder keys(List<GatewayKey> value) {
            keys = value;
            return this;
        }

        public Builder allowUnauthenticated(boolean value) {
            allowUnauthenticated = value;
            return this;
        }

        public Builder maxBodyBytes(int value) {
            maxBodyBytes = value;
            return this;
        }

        public Builder maxConcurrentCalls(int value) {
            maxConcurrentCalls = value;
            return this;
        }

        public Builder maxQueuedCalls(int value) {
            maxQueuedCalls = value;
            return this;
        }

        public Builder maxQueueWait(Duration value) {
            maxQueueWait = value;
            return this;
        }

        public Builder requestTimeout(Duration value) {
            requestTimeout = value;
            return this;
        }

        public Builder writeTimeout(Duration value) {
            writeTimeout = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder shutdownGrace(Duration value) {
            shutdownGrace = value;
            return this;
        }

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

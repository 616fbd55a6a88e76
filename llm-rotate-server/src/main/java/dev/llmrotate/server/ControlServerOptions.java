package dev.llmrotate.server;

import dev.llmrotate.server.netty.BindingLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link ControlServer#start} listens and whom it answers. Build with {@link #builder()}; every field has a safe
 * default (loopback, port 8200, no token, no CORS, the event buffer switched on with 1000 records if it is off).
 *
 * @param host the address to bind: {@code 127.0.0.1} by default. Any address that is not loopback needs a
 *     {@link #token} unless {@link #allowUnauthenticated}
 * @param port the port; 0 picks a free one ({@link ControlServer#port()} tells which)
 * @param token the bearer token every endpoint but {@code /livez} and {@code /readyz} requires, or null
 * @param allowUnauthenticated true to serve a non-loopback address without a token (the server warns at start)
 * @param corsOrigin the one origin browsers may read answers from ({@code https://dash.example.com}, or {@code *}),
 *     or null for no CORS headers
 * @param eventCapacity when the instance's event buffer is off, the server switches it on with this many records
 *     (and off again at close), so that {@code /events} has records to show; 0 leaves the buffer alone
 * @param clock the clock time frames ({@code window=1h}) are resolved against
 * @param limits what one client may cost: header and body sizes, timeouts, connections
 */
public record ControlServerOptions(
        String host,
        int port,
        String token,
        boolean allowUnauthenticated,
        String corsOrigin,
        int eventCapacity,
        Clock clock,
        BindingLimits limits) {
    /** The default {@link #host}: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The default {@link #port}. */
    public static final int DEFAULT_PORT = 8200;
    /** The default {@link #eventCapacity}. */
    public static final int DEFAULT_EVENT_CAPACITY = 1000;

    /**
     * Checks the options.
     *
     * @param host the address to bind, not null
     * @param port the port, 0 to 65535; 0 picks a free one
     * @param token the bearer token, not blank, or null for none
     * @param allowUnauthenticated true to serve a non-loopback address without a token
     * @param corsOrigin {@code *} or {@code scheme://host[:port]}, or null for no CORS headers
     * @param eventCapacity records, 0 or more; 0 leaves the event buffer alone
     * @param clock the clock time frames are resolved against, not null
     * @param limits what one client may cost, not null
     * @throws NullPointerException when {@code host}, {@code clock} or {@code limits} is null
     * @throws IllegalArgumentException for a port outside 0 to 65535, a blank token, a CORS origin that is neither
     *     {@code *} nor {@code scheme://host[:port]}, or a negative event capacity
     */
    public ControlServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(limits, "limits");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be from 0 to 65535, got " + port);
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the bearer token is empty");
        }
        if (corsOrigin != null && !corsOrigin.equals("*") && !corsOrigin.matches("https?://[^/\\s]+")) {
            throw new IllegalArgumentException(
                    "the CORS origin must be '*' or scheme://host[:port] without a path, e.g. https://dash.example.com");
        }
        if (eventCapacity < 0) {
            throw new IllegalArgumentException("eventCapacity must not be negative, got " + eventCapacity);
        }
    }

    /**
     * The defaults.
     *
     * @return the options of a builder left as it is
     */
    public static ControlServerOptions defaults() {
        return builder().build();
    }

    /**
     * A builder with every field at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The options without the token's value. */
    @Override
    public String toString() {
        return "ControlServerOptions[host=" + host + ", port=" + port + ", token=" + (token == null ? "none" : "***")
                + ", allowUnauthenticated=" + allowUnauthenticated + ", corsOrigin=" + corsOrigin + ", eventCapacity="
                + eventCapacity + ", limits=" + limits + "]";
    }

    /** Builds {@link ControlServerOptions}. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String token;
        private boolean allowUnauthenticated;
        private String corsOrigin;
        private int eventCapacity = DEFAULT_EVENT_CAPACITY;
        private Clock clock = Clock.systemUTC();
        private BindingLimits limits = BindingLimits.DEFAULTS;

        private Builder() {}

        /**
         * See {@link ControlServerOptions#host()}.
         *
         * @param value the address to bind, not null; default {@value ControlServerOptions#DEFAULT_HOST}
         * @return this builder
         */
        public Builder host(String value) {
            this.host = value;
            return this;
        }

        /**
         * See {@link ControlServerOptions#port()}.
         *
         * @param value the port, 0 to 65535 (0 picks a free one); default {@value ControlServerOptions#DEFAULT_PORT}
         * @return this builder
         */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /**
         * See {@link ControlServerOptions#token()}.
         *
         * @param value the bearer token, not blank, or null for none (the default)
         * @return this builder
         */
        public Builder token(String value) {
            this.token = value;
            return this;
        }

        /**
         * See {@link ControlServerOptions#allowUnauthenticated()}.
         *
         * @param value true to serve a non-loopback address without a token; default false
         * @return this builder
         */
        public Builder allowUnauthenticated(boolean value) {
            this.allowUnauthenticated = value;
            return this;
        }

        /**
         * See {@link ControlServerOptions#corsOrigin()}.
         *
         * @param value {@code *} or {@code scheme://host[:port]}, or null for no CORS headers (the default)
         * @return this builder
         */
        public Builder corsOrigin(String value) {
            this.corsOrigin = value;
            return this;
        }

        /**
         * See {@link ControlServerOptions#eventCapacity()}.
         *
         * @param value records, 0 or more (0 leaves the buffer alone); default {@value
         *     ControlServerOptions#DEFAULT_EVENT_CAPACITY}
         * @return this builder
         */
        public Builder eventCapacity(int value) {
            this.eventCapacity = value;
            return this;
        }

        /**
         * See {@link ControlServerOptions#clock()}.
         *
         * @param value the clock, not null; default {@link Clock#systemUTC()}
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = value;
            return this;
        }

        /**
         * See {@link ControlServerOptions#limits()}.
         *
         * @param value the limits, not null; default {@link BindingLimits#DEFAULTS}
         * @return this builder
         */
        public Builder limits(BindingLimits value) {
            this.limits = value;
            return this;
        }

        /**
         * Shorthand for {@link #limits} with another request timeout (how long a slow client may take).
         *
         * @param value the timeout, positive
         * @return this builder
         * @throws IllegalArgumentException when {@code value} is null, zero or negative
         */
        public Builder requestTimeout(Duration value) {
            this.limits = limits.withRequestTimeout(value);
            return this;
        }

        /**
         * The options.
         *
         * @return the options, checked
         * @throws NullPointerException when the host, clock or limits were set to null
         * @throws IllegalArgumentException for a bad value (see {@link ControlServerOptions}), naming it
         */
        public ControlServerOptions build() {
            return new ControlServerOptions(
                    host, port, token, allowUnauthenticated, corsOrigin, eventCapacity, clock, limits);
        }
    }
}

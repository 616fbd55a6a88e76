package dev.llmrotate;

import dev.llmrotate.netty.NettyHttpClientProvider;

/** The builders of the core loopback tests run again here over the Netty client. */
final class OverNetty {
    private OverNetty() {}

    /** A builder whose instance sends with its own Netty client (closed with it). */
    static LlmRotateBuilder builder() {
        return LlmRotate.builder().httpClient(new NettyHttpClientProvider());
    }
}
